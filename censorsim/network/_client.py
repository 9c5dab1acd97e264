"""A simulated client fetching URLs through the firewall, and what it observes.

:meth:`Client.fetch` walks the steps a browser takes (DNS lookup, TCP connect, HTTP
request or TLS ClientHello, response) and stops at the first one the firewall breaks.
The :class:`Observation` records both the ground truth (:class:`Mechanism`, the entry
or keyword that fired) and what a measurement tool would see, in the terms of OONI's
Web Connectivity test [ooni-webconnectivity]: the resolved and control addresses, DNS
consistency, the failure string (``connection_reset``, ``generic_timeout_error``) and
the ``blocking`` verdict (``dns``, ``tcp_ip``, ``http-failure`` or false). Each
mechanism has its own signature, so the observations tell them apart:

================  ===============  ===========================  ==============
mechanism         outcome          failure                      blocking
================  ===============  ===========================  ==============
DNS               wrong-address    generic_timeout_error [1]_   dns
IP                timeout          generic_timeout_error        tcp_ip
HTTP request      reset            connection_reset             http-failure
HTTP response     reset            connection_reset             http-failure
SNI               reset            connection_reset             http-failure
ESNI              no-answer        generic_timeout_error        http-failure
residual          reset / timeout  connection_reset / timeout   tcp_ip
================  ===============  ===========================  ==============

.. [1] Connecting to the forged address (assumption: nothing answers there).

A client with a VPN tunnels everything to the VPN server: the firewall sees only the
tunnel, so DNS, keyword and SNI filtering do not apply; a VPN server whose address is
blocked times out [shadowsocks2020; esni2020: the firewall blocks the ports and addresses
of Tor and Shadowsocks servers by dropping the server's packets to the client].
"""

from __future__ import annotations

import functools
import ipaddress
import random
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote, urlsplit

from censorsim.errors import ParameterError
from censorsim.network._addresses import IPAddress, parse_address
from censorsim.network._firewall import Firewall, Mechanism, Outcome
from censorsim.network._names import normalize_name

__all__ = ["DEFAULT_TIME", "MAX_URL_LENGTH", "Client", "Observation"]

DEFAULT_TIME = datetime(2020, 7, 31, 12, 0, tzinfo=timezone.utc)
"""When a fetch happens if not told: July 2020, the issue's scenario (ESNI blocked)."""
MAX_URL_LENGTH = 8192
"""The longest URL accepted, in characters."""
MAX_BODY_LENGTH = 1 << 20
"""The longest response body inspected, in characters."""


@dataclass(frozen=True, slots=True)
class Observation:
    """What one fetch did.

    Attributes:
        url: the URL fetched.
        at: when (UTC).
        client: the client's address.
        vpn: whether the client tunnelled through its VPN.
        esni: whether the ClientHello encrypted the server name.
        outcome: what the client saw.
        mechanism: what the firewall did (ground truth).
        trigger: the blocked name, address, keyword or network that fired, if any.
        overbroad: the DNS entry matched only as a bare string suffix (overblocking).
        addresses: the addresses the client's resolver returned.
        control_addresses: the addresses an uncensored resolver returns.
        dns_consistency: ``"consistent"``, ``"inconsistent"`` or None (no lookup).
        failure: OONI's failure string, or None.
        blocking: OONI's verdict: ``"dns"``, ``"tcp_ip"``, ``"http-failure"`` or False.
    """

    url: str
    at: datetime
    client: str
    vpn: bool
    esni: bool
    outcome: Outcome
    mechanism: Mechanism
    trigger: str | None
    overbroad: bool
    addresses: tuple[str, ...]
    control_addresses: tuple[str, ...]
    dns_consistency: str | None
    failure: str | None
    blocking: str | bool

    @property
    def accessible(self) -> bool:
        """Whether the page arrived (OONI's ``accessible``)."""
        return self.outcome is Outcome.OK

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict, in the field order above plus ``accessible``."""
        return {
            "url": self.url, "at": self.at.isoformat(), "client": self.client,
            "vpn": self.vpn, "esni": self.esni, "outcome": self.outcome.value,
            "mechanism": self.mechanism.value, "trigger": self.trigger,
            "overbroad": self.overbroad, "addresses": list(self.addresses),
            "control_addresses": list(self.control_addresses),
            "dns_consistency": self.dns_consistency, "failure": self.failure,
            "blocking": self.blocking, "accessible": self.accessible,
        }


@dataclass(frozen=True, slots=True)
class _Target:
    url: str
    scheme: str
    name: str | None  # None for an IP literal
    address: str
    ip: IPAddress
    port: int
    inspected: str  # what the HTTP filter reads: the decoded path and the Host header


@dataclass(frozen=True, slots=True)
class _Penalty:
    until: float
    outcome: Outcome
    trigger: str


def _utc(at: datetime | None) -> datetime:
    if at is None:
        return DEFAULT_TIME
    if not isinstance(at, datetime):
        raise ParameterError(f"at: expected a datetime, got {type(at).__name__}")
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


class Client:
    """A simulated user's machine behind (or outside) the firewall.

    The client remembers the residual blocks the firewall placed on its connections, so
    a second fetch soon after a reset can be blocked although it is innocuous.

    Args:
        firewall: the firewall on the border.
        address: the client's address (the residual block is per client address).
        inside: whether the client is inside the firewall (mainland China).
        vpn: tunnel everything through the configured VPN server.
        seed: seeds the draws of a firewall whose ``reset_rate`` or ``residual_rate``
            is below 1 (a firewall that always acts draws nothing).

    Example:
        >>> c = Client(Firewall())
        >>> c.fetch("http://example.com/?q=falun").outcome.value
        'reset'
        >>> c.fetch("http://example.com/").mechanism.value   # within 90 s: residual
        'residual'
        >>> c.fetch("https://www.google.com/").outcome.value
        'wrong-address'
    """

    def __init__(self, firewall: Firewall, *, address: str = "10.0.0.2", inside: bool = True,
                 vpn: bool = False, seed: int = 0):
        if not isinstance(firewall, Firewall):
            raise ParameterError(f"firewall: expected a Firewall, got {type(firewall).__name__}")
        self.firewall = firewall
        self.address = str(parse_address(address))
        self.inside = bool(inside)
        self.vpn = bool(vpn)
        self._penalties: dict[tuple[str, int], _Penalty] = {}
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ParameterError(f"seed must be an integer, got {seed!r}")
        self._rng = random.Random(seed)

    def _acts(self, rate: float) -> bool:
        """Whether the firewall acts this time (always when ``rate`` is 1)."""
        return rate >= 1 or self._rng.random() < rate

    def __repr__(self) -> str:
        where = "inside" if self.inside else "outside"
        return f"Client({self.address}, {where}{', vpn' if self.vpn else ''})"

    def residual_until(self, address: str, port: int) -> datetime | None:
        """When the residual block on (this client, ``address``, ``port``) ends, if any."""
        p = self._penalties.get((str(parse_address(address)), port))
        return None if p is None else datetime.fromtimestamp(p.until, timezone.utc)

    def fetch(self, url: str, *, at: datetime | None = None, esni: bool = False,
              body: str | None = None) -> Observation:
        """Fetch ``url`` at time ``at`` and return what happened.

        Args:
            url: an ``http://`` or ``https://`` URL.
            at: when (naive means UTC; default :data:`DEFAULT_TIME`).
            esni: encrypt the server name in the TLS ClientHello (``https`` only).
            body: the page the server sends back (for response filtering).

        Raises:
            ParameterError: a malformed URL, a time that is not a datetime, or a body
                over 1 MiB.
        """
        when = _utc(at)
        target = self._parse(url)
        if body is not None and (not isinstance(body, str) or len(body) > MAX_BODY_LENGTH):
            raise ParameterError(f"body: expected a string of at most {MAX_BODY_LENGTH} "
                                 "characters")
        fw = self.firewall
        control = (target.address,)
        consistency = None if target.name is None else "consistent"
        esni = bool(esni) and target.scheme == "https"

        def seen(outcome: Outcome, mechanism: Mechanism, trigger: str | None = None, *,
                 failure: str | None = None, blocking: str | bool = False,
                 addresses: tuple[str, ...] = control, dns: str | None = consistency,
                 overbroad: bool = False) -> Observation:
            return Observation(target.url, when, self.address, self.vpn, esni, outcome,
                               mechanism, trigger, overbroad, addresses, control, dns,
                               failure, blocking)

        if self.vpn:
            endpoint = fw.config.vpn_endpoint
            if self.inside and fw.ip_blocked(endpoint):
                return seen(Outcome.TIMEOUT, Mechanism.IP, endpoint,
                            failure="generic_timeout_error", blocking="tcp_ip")
            return seen(Outcome.OK, Mechanism.NONE)
        if self.inside == fw.is_domestic(target.name, target.ip):
            return seen(Outcome.OK, Mechanism.NONE)  # the path does not cross the border
        now = when.timestamp()
        if target.name is not None:
            m = fw.dns_match(target.name)
            if m is not None:
                return seen(Outcome.WRONG_ADDRESS, Mechanism.DNS, m.entry,
                            failure="generic_timeout_error", blocking="dns",
                            addresses=(fw.forged_address(target.name),), dns="inconsistent",
                            overbroad=m.overbroad)
        if fw.ip_blocked(target.ip):
            return seen(Outcome.TIMEOUT, Mechanism.IP, target.address,
                        failure="generic_timeout_error", blocking="tcp_ip")
        key = (target.address, target.port)
        penalty = self._penalties.get(key)
        if (penalty is not None and now < penalty.until
                and self._acts(fw.config.residual_rate)):
            failure = ("connection_reset" if penalty.outcome is Outcome.RESET
                       else "generic_timeout_error")
            return seen(penalty.outcome, Mechanism.RESIDUAL, penalty.trigger, failure=failure,
                        blocking="tcp_ip")
        if target.scheme == "http":
            hits = fw.keyword_hits(target.inspected)
            if hits and self._acts(fw.config.reset_rate):
                self._penalize(key, now, fw.config.residual_seconds, Outcome.RESET, hits[0])
                return seen(Outcome.RESET, Mechanism.HTTP_REQUEST, hits[0],
                            failure="connection_reset", blocking="http-failure")
            if body and fw.responses_filtered(when.date()):
                hits = fw.keyword_hits(body)
                if hits:  # assumption: no residual block measured for responses
                    return seen(Outcome.RESET, Mechanism.HTTP_RESPONSE, hits[0],
                                failure="connection_reset", blocking="http-failure")
            return seen(Outcome.OK, Mechanism.NONE)
        if esni:
            if fw.esni_blocked(when.date()):
                self._penalize(key, now, fw.config.esni_residual_seconds, Outcome.TIMEOUT,
                               "esni")
                return seen(Outcome.NO_ANSWER, Mechanism.ESNI, "esni",
                            failure="generic_timeout_error", blocking="http-failure")
            return seen(Outcome.OK, Mechanism.NONE)
        if target.name is not None:
            m = fw.sni_match(target.name)
            if m is not None and self._acts(fw.config.reset_rate):
                self._penalize(key, now, fw.config.residual_seconds, Outcome.RESET, m.entry)
                return seen(Outcome.RESET, Mechanism.SNI, m.entry, failure="connection_reset",
                            blocking="http-failure")
        return seen(Outcome.OK, Mechanism.NONE)

    def _penalize(self, key: tuple[str, int], now: float, seconds: float, outcome: Outcome,
                  trigger: str) -> None:
        if seconds > 0:
            self._penalties[key] = _Penalty(now + seconds, outcome, trigger)
        if len(self._penalties) > 4096:  # keep the table bounded: drop expired entries
            self._penalties = {k: p for k, p in self._penalties.items() if p.until > now}

    def _parse(self, url: str) -> _Target:
        if not isinstance(url, str):
            raise ParameterError(f"url: expected a string, got {type(url).__name__}")
        return _target(self.firewall, url)


@functools.lru_cache(maxsize=4096)
def _target(firewall: Firewall, url: str) -> _Target:
    """What a fetch of ``url`` reaches through ``firewall`` (pure: cached)."""
    scheme, host, port, path = _split_url(url)
    try:
        ip = ipaddress.ip_address(host)
        name = None
    except ValueError:
        try:
            name = normalize_name(host)
        except ParameterError as exc:
            raise ParameterError(f"url {url!r}: {exc}") from None
        ip = ipaddress.ip_address(firewall.address_of(name))
    # Rambert et al. 2021 (abstract): only certain locations in a request are read; a
    # secondary summary names the path and the Host header, percent-decoded.
    inspected = f"{unquote(path, errors='replace')}\n{name or ip}"
    return _Target(url.strip(), scheme, name, str(ip), ip, port, inspected)


@functools.lru_cache(maxsize=4096)
def _split_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of an http(s) URL; cached (pure)."""
    if len(url) > MAX_URL_LENGTH:
        raise ParameterError(f"url {url[:40]!r}...: longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        host = parts.hostname
    except ValueError as exc:
        raise ParameterError(f"url {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ParameterError(f"url {url!r}: expected an http:// or https:// URL")
    if not host:
        raise ParameterError(f"url {url!r}: no host")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, host, port if port is not None else (443 if scheme == "https" else 80), path
