"""The Great Firewall's network layer: DNS poisoning, IP, keyword, SNI and ESNI blocking.

Where :func:`censorsim.platforms.great_firewall` is a text filter, this package models
the mechanisms a client meets on the network, each with its own observable outcome, so
a simulated measurement can tell them apart as OONI does (``docs/network.md``):

- :class:`FirewallConfig` (data; :func:`load_firewall_config` reads TOML) and
  :class:`Firewall`, its compiled, immutable form;
- :class:`Client`, whose :meth:`Client.fetch` returns an :class:`Observation`
  (:class:`Outcome`: ok, wrong-address, reset, timeout, no-answer; :class:`Mechanism`:
  what the firewall did) and keeps the residual blocks of its connections;
- :func:`run_campaign`: a seeded measurement campaign and its table of outcomes per
  mechanism, with a share of clients on a VPN;
- :class:`DomainSet` and :class:`AddressSet`: the O(labels) name and O(prefix lengths)
  address lookups, beside their plain references.

Example:
    >>> from censorsim.network import Client, Firewall
    >>> client = Client(Firewall())
    >>> [client.fetch(u).outcome.value for u in (
    ...     "https://www.google.com/", "http://example.com/?q=falun", "https://example.com/")]
    ['wrong-address', 'reset', 'ok']
    >>> Client(Firewall(), vpn=True).fetch("https://www.google.com/").outcome.value
    'ok'
"""

from __future__ import annotations

from censorsim.network._addresses import (
    SIMULATED_NETWORK,
    AddressSet,
    contains_address_reference,
    simulated_address,
)
from censorsim.network._campaign import CampaignResult, run_campaign
from censorsim.network._client import DEFAULT_TIME, Client, Observation
from censorsim.network._config import (
    ESNI_BLOCKED_SINCE,
    RESIDUAL_SOURCES,
    SOURCES,
    FirewallConfig,
    firewall_config_from_dict,
    load_firewall_config,
)
from censorsim.network._firewall import (
    Firewall,
    Mechanism,
    Outcome,
    default_keywords,
    keyword_hits_reference,
)
from censorsim.network._names import (
    DomainMatch,
    DomainSet,
    match_domain_reference,
    normalize_name,
)

__all__ = [
    "DEFAULT_TIME",
    "ESNI_BLOCKED_SINCE",
    "RESIDUAL_SOURCES",
    "SIMULATED_NETWORK",
    "SOURCES",
    "AddressSet",
    "CampaignResult",
    "Client",
    "DomainMatch",
    "DomainSet",
    "Firewall",
    "FirewallConfig",
    "Mechanism",
    "Observation",
    "Outcome",
    "contains_address_reference",
    "default_keywords",
    "firewall_config_from_dict",
    "keyword_hits_reference",
    "load_firewall_config",
    "match_domain_reference",
    "normalize_name",
    "run_campaign",
    "simulated_address",
]
