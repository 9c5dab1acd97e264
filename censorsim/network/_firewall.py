"""The firewall: each blocking mechanism as a pure decision over one request.

:class:`Firewall` is built once from a :class:`FirewallConfig` and never changes; it
holds no clock and no connection state (the residual block lives with the
:class:`~censorsim.network.Client` whose connections it concerns). The mechanisms, each
with its source:

- **DNS poisoning** [gfwatch2021]: a query for a blocked name, or a subdomain of one, is
  answered with a forged address. Overbroad entries also catch names that merely end
  with them (GFWatch's abstract: 41K innocuous names among the 311K censored ones match
  the firewall's rules; the suffix form is from a secondary summary).
- **IP blocking** [chai2019, shadowsocks2020]: packets to a blocked address are dropped;
  the client's connection times out.
- **HTTP keyword filtering** [clayton2006, rambert2021]: a single keyword in the request
  makes the firewall inject TCP resets to both ends (both abstracts); Rambert et al.'s
  abstract says only certain locations in a request are inspected, which a secondary
  summary names as the path and the ``Host`` header (percent-decoded). Keywords in
  responses were reset too until response filtering was discontinued on most routes
  between August 2008 and January 2009 [park2010].
- **SNI filtering** [chai2019, rambert2021]: a ClientHello naming a blocked server is
  reset (a list separate from the HTTP keywords: secondary).
- **ESNI** [esni2020]: from 2020-07-29 every ClientHello with the encrypted-SNI
  extension is dropped, on any port, whatever the server; the client gets no answer.
- **Residual blocking** [clayton2006, rambert2021, esni2020]: after a reset or a dropped
  ESNI handshake, the (client IP, server IP, server port) triple stays blocked for a
  window (a parameter; see :data:`~censorsim.network.RESIDUAL_SOURCES`: 120 or 180 s
  after ESNI, primary; 90 s and minutes to an hour, secondary).

The firewall filters traffic crossing the border in either direction: Xu, Mao &
Halderman 2011 [xu2011] (abstract: China filters traffic in and out of the country; most
filtering devices sit in border ASes, with choke points in provincial networks too) and
the ESNI report [esni2020] (the block is triggered from inside and from outside).
Traffic that stays on one side is not inspected (assumption).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from enum import Enum
from pathlib import Path

from censorsim.models import Action, Rule
from censorsim.network._addresses import (
    AddressSet,
    IPAddress,
    parse_address,
    simulated_address,
)
from censorsim.network._config import FirewallConfig, load_firewall_config
from censorsim.network._names import DomainMatch, DomainSet, normalize_name
from censorsim.text.rules import RuleSet

__all__ = [
    "EXTRA_KEYWORDS",
    "MEMO_SIZE",
    "Firewall",
    "Mechanism",
    "Outcome",
    "default_keywords",
    "keyword_hits_reference",
]

EXTRA_KEYWORDS: tuple[str, ...] = ("六四",)
"""Keywords added to the gfw profile's example list: 六四, behind more than half of the
censored HTTP terms Rambert et al. 2021 saw from Beijing (secondary: a summary of the
paper's body, not the paper)."""


MEMO_SIZE = 65_536
"""How many distinct texts a firewall remembers the keyword decision of."""


class Mechanism(str, Enum):
    """What the firewall did to a request (the ground truth a simulation knows)."""

    NONE = "none"
    DNS = "dns"
    IP = "ip"
    HTTP_REQUEST = "http-request"
    HTTP_RESPONSE = "http-response"
    SNI = "sni"
    ESNI = "esni"
    RESIDUAL = "residual"


class Outcome(str, Enum):
    """What the client saw, as a measurement tool would record it."""

    OK = "ok"
    WRONG_ADDRESS = "wrong-address"
    RESET = "reset"
    TIMEOUT = "timeout"
    NO_ANSWER = "no-answer"


def default_keywords() -> tuple[str, ...]:
    """The gfw profile's example keywords (``wordlists/gfw.csv``) and :data:`EXTRA_KEYWORDS`.

    Example:
        >>> default_keywords()
        ('falun', '六四')
    """
    from censorsim.platforms import example_rules

    words: dict[str, None] = {}
    for rule in example_rules("gfw", action=Action.BLOCK):
        for k in rule.keywords:
            words.setdefault(k, None)
    for k in EXTRA_KEYWORDS:
        words.setdefault(k, None)
    return tuple(words)


def keyword_hits_reference(text: str, keywords: Sequence[str]) -> tuple[str, ...]:
    """The plain reference of :meth:`Firewall.keyword_hits`: every keyword in ``text``.

    Example:
        >>> keyword_hits_reference("/search?q=falun", ["falun", "六四"])
        ('falun',)
    """
    return tuple(sorted({k for k in keywords if k and k in text}))


class Firewall:
    """A simulated Great Firewall: the blocked names, addresses and keywords, compiled.

    Args:
        config: what to block (default: :class:`FirewallConfig`'s sourced defaults).

    Example:
        >>> fw = Firewall()
        >>> fw.dns_match("www.twitter.com")
        DomainMatch(entry='twitter.com', overbroad=False)
        >>> fw.dns_match("nottwitter.com") is None
        True
        >>> fw.keyword_hits("GET /?q=falun")
        ('falun',)
    """

    def __init__(self, config: FirewallConfig | None = None):
        c = config if config is not None else FirewallConfig()
        self.config = c
        self._dns = DomainSet(c.dns_domains, overbroad=c.dns_overbroad)
        self._sni = DomainSet(c.sni_domains if c.sni_domains is not None else c.dns_domains)
        self._ips = AddressSet(c.blocked_ips)
        self._domestic = DomainSet(c.domestic_domains)
        self._domestic_ips = AddressSet(c.domestic_ips)
        self._hosts = {normalize_name(k): str(parse_address(v)) for k, v in c.hosts.items()}
        self._forged = tuple(str(parse_address(a)) for a in c.forged_addresses)
        self.keywords: tuple[str, ...] = tuple(
            dict.fromkeys(c.keywords if c.keywords is not None else default_keywords()))
        self._rules = RuleSet([Rule.keyword(k, action=Action.BLOCK) for k in self.keywords],
                              normalizer="identity")
        self._memo: dict[str, tuple[str, ...]] = {}

    @classmethod
    def from_file(cls, path: str | Path) -> Firewall:
        """The firewall of a configuration file (see :func:`load_firewall_config`)."""
        return cls(load_firewall_config(path))

    def __repr__(self) -> str:
        return (f"Firewall({self.config.name!r}: {len(self._dns)} DNS names, "
                f"{len(self._sni)} SNI names, {len(self.keywords)} keywords, "
                f"{len(self._ips)} IP networks)")

    # -- the world -----------------------------------------------------------------

    def address_of(self, name: str) -> str:
        """The true address of ``name``: ``[hosts]`` or a simulated one."""
        n = normalize_name(name)
        return self._hosts.get(n) or str(simulated_address(n))

    def is_domestic(self, name: str | None, address: str | IPAddress) -> bool:
        """Whether a server (by name, when it has one, or address) is inside the firewall."""
        if name is not None and self._domestic.match(name) is not None:
            return True
        return address in self._domestic_ips

    # -- the mechanisms --------------------------------------------------------------

    def dns_match(self, name: str) -> DomainMatch | None:
        """The entry that makes the firewall forge the answer for ``name``, or None."""
        return self._dns.match(name)

    def forged_address(self, name: str) -> str:
        """The forged address injected for ``name`` (one of the configured ones, stably)."""
        n = normalize_name(name)
        i = int.from_bytes(hashlib.blake2b(n.encode(), digest_size=2).digest(), "big")
        return self._forged[i % len(self._forged)]

    def ip_blocked(self, address: str | IPAddress) -> bool:
        """Whether packets to ``address`` are dropped."""
        return address in self._ips

    def keyword_hits(self, text: str) -> tuple[str, ...]:
        """The blocked keywords in ``text`` (sorted): the HTTP filter's decision."""
        return self.keyword_hits_many([text])[0]

    def keyword_hits_many(self, texts: Sequence[str]) -> list[tuple[str, ...]]:
        """:meth:`keyword_hits` for many texts in one :meth:`RuleSet.check_many` batch.

        Answers are remembered (up to :data:`MEMO_SIZE` texts), so a campaign that
        fetches the same URLs again pays for each distinct request once.
        """
        memo = self._memo
        todo = list(dict.fromkeys(t for t in texts if t not in memo))
        if todo:
            results = self._rules.check_many(todo)
            found = {todo[i]: tuple(sorted(set(results[i].rule_ids)))
                     for i in results.fired_indices}
            if len(memo) + len(todo) > MEMO_SIZE:
                memo.clear()
            for t in todo:
                memo[t] = found.get(t, ())
        return [memo[t] if t in memo else self._rules_hits(t) for t in texts]

    def _rules_hits(self, text: str) -> tuple[str, ...]:
        result = self._rules.check(text)
        return tuple(sorted(set(result.rule_ids)))

    def sni_match(self, name: str) -> DomainMatch | None:
        """The entry that makes the firewall reset a ClientHello naming ``name``, or None."""
        return self._sni.match(name)

    def esni_blocked(self, on: date) -> bool:
        """Whether ClientHellos with encrypted SNI are dropped on day ``on``."""
        since = self.config.esni_blocked_since
        return since is not None and on >= since

    def responses_filtered(self, on: date) -> bool:
        """Whether keywords in HTTP responses are reset on day ``on``."""
        until = self.config.response_filtering_until
        return until is not None and on < until
