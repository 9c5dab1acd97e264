"""The Great Firewall at the text level: keyword resets both ways and blocked domains."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from censorsim.errors import PolicyError, UnknownNameError
from censorsim.models import Action, Region, Rule, Surface
from censorsim.platforms._common import (
    SOURCES,
    _normalizer,
    _rules,
    _ruleset,
    example_rules,
)
from censorsim.policy import (
    Policy,
    SurfacePolicy,
)
from censorsim.text.rules import RuleSet

GFW_DOMAINS: tuple[str, ...] = ("twitter.com", "google.com", "facebook.com", "whatsapp.com")
"""Blocked domains of the default Great Firewall profile (the issue's seed list)."""

GFW_RESPONSE_FILTERING_UNTIL = date(2009, 1, 1)
"""When the Great Firewall stopped filtering HTML responses on most routes: Park and
Crandall (ICDCS 2010) found it discontinued some time between August 2008 and January
2009 (request filtering went on) [gfw-response]; the simulator takes 1 January 2009."""

DOMAIN_MATCHES: tuple[str, ...] = ("domain", "substring")
"""How a blocked domain name matches a request (``great_firewall(domain_match=...)``)."""


def domain_rule(domain: str, match: str = "domain") -> Rule:
    """A rule blocking requests to ``domain``.

    ``match="domain"``: the name or any subdomain as a host name, never as a substring;
    ``google.com`` matches ``https://www.google.com/`` and ``google.com:443`` but not
    ``notgoogle.com`` or ``google.community`` (components are whole words; a dot before
    the name is a word boundary). ``match="substring"``: any request holding the name,
    as the overbroad DNS filters Hoang et al. (2021) reverse-engineered (41K innocuous
    domains blocked because they contain a censored name).

    Raises:
        PolicyError: an empty name or one holding a blank or a slash.
        UnknownNameError: ``match`` is not one of :data:`DOMAIN_MATCHES`.
    """
    if match not in DOMAIN_MATCHES:
        raise UnknownNameError("domain match", match, DOMAIN_MATCHES)
    d = domain.strip().strip(".").lower()
    if not d or any(c.isspace() or c == "/" for c in d):
        raise PolicyError(f"domain {domain!r}: expected a host name such as 'google.com'")
    return Rule.keyword(d, id=f"domain:{d}", action=Action.BLOCK, category="domain",
                        whole_word=match == "domain")


def great_firewall(
    keywords: Iterable[Rule] | None = None,
    *,
    domains: Iterable[str] = GFW_DOMAINS,
    domain_match: str = "domain",
    response_until: date | None = GFW_RESPONSE_FILTERING_UNTIL,
) -> Policy:
    """The Great Firewall (text level): keyword-triggered resets and blocked domains.

    Facts encoded:

    - An HTTP request from inside China that carries a blacklisted keyword is answered
      with forged TCP resets: the connection is reset (``BLOCK``, error "connection
      reset"); the trigger is a single keyword (``?falun``), not a combination of
      several. [gfw-rst]
    - Requests to blocked domains (Twitter, Google, Facebook, WhatsApp in the issue's
      seed list) never complete. Host names are compared without case. How a name
      matches is a parameter because the sources differ: ``domain_match="domain"``
      (default, the issue's rule) matches the domain or its subdomains, never a
      substring (``notgoogle.com`` is not ``google.com``); ``"substring"`` reproduces
      the overbroad filters Hoang et al. measured (41K of 311K censored domains were
      innocuous names containing a censored one). [gfw-dns]

    - Keyword filtering is bidirectional: the request a client sends
      (:attr:`Direction.REQUEST`: URL and body) and the response that comes back
      (:attr:`Direction.RESPONSE`: the HTML) are both checked for the keywords; a
      keyword in either resets the connection. Clayton et al. reset a request
      carrying "falun" that entered China from outside [gfw-rst]; Park and Crandall
      measured the filtering of HTML responses and found it discontinued on most
      routes between August 2008 and January 2009, while request filtering went on
      [gfw-response]. So responses are filtered before ``response_until`` (default
      :data:`GFW_RESPONSE_FILTERING_UNTIL`, 2009-01-01; None: always) and requests
      always. Blocked domains apply to requests only.

    A "message" on :attr:`Surface.WEB` is traffic between a client in ``region`` and a
    server across the border; only mainland clients' traffic is filtered here (the
    text-level model does not place servers).

    Raises:
        PolicyError: a keyword rule with more than one component (the HTTP filter
            matches single keywords).
    """
    k_rules = _rules(keywords, lambda: example_rules("gfw", action=Action.BLOCK))
    for r in k_rules:
        if len(r.components) > 1:
            raise PolicyError(
                f"gfw keyword rule {r.id!r} has {len(r.components)} components; the Great "
                "Firewall's HTTP filter matches single keywords (alternatives are fine)"
            )
    d_rules = [domain_rule(d, domain_match) for d in domains]
    norm = _normalizer("gfw", None)
    keywords_ruleset = _ruleset(k_rules, norm, "gfw keywords")
    # Response filtering ended on response_until: the same rules, removed that day.
    r_rules = [r for r in keywords_ruleset.rules if response_until is None
               or r.added is None or r.added < response_until]
    if response_until is not None:
        r_rules = [replace(r, removed=response_until if r.removed is None
                           else min(r.removed, response_until)) for r in r_rules]
    return Policy(
        name="gfw",
        rulesets={
            "keywords": keywords_ruleset,
            "domains": RuleSet(d_rules, normalizer="casefold"),
            "response-keywords": RuleSet(r_rules, normalizer=norm),
        },
        surfaces=(
            SurfacePolicy(Surface.WEB, ("domains", "keywords"), frozenset({Region.MAINLAND}),
                          action=Action.BLOCK, error="connection reset",
                          response_rulesets=("response-keywords",)),
        ),
        description="Great Firewall keyword resets (requests, and responses until "
                    f"{response_until or 'never'}) and blocked domains",
        sources=(SOURCES["gfw-rst"], SOURCES["gfw-response"], SOURCES["gfw-dns"]),
    )
