"""Firewall configurations: what the Great Firewall blocks and how, as data (TOML).

Format (every section and key optional; ``docs/network.md`` explains each)::

    [firewall]
    name = "gfw-2020"
    description = "..."
    sources = ["https://..."]
    residual_seconds = 90            # residual block of (client, server, port) after a reset [s]
    esni_blocked_since = 2020-07-29  # ESNI ClientHellos dropped from this day (false: never)
    esni_residual_seconds = 180
    reset_rate = 1.0                 # share of keyword and SNI detections reset (~0.75 [s])
    residual_rate = 1.0              # share of connections in the window blocked (0.5-0.75 [s])
    response_filtering_until = 2009-01-01   # keywords in HTTP responses reset until then

    [dns]
    domains = ["twitter.com", "google.com"]   # the name and its subdomains
    overbroad = ["919.com"]                   # also any name ending with it (GFWatch [s])
    forged_addresses = ["192.0.2.1"]

    [sni]
    domains = ["google.com"]     # default: the [dns] domains

    [http]
    keywords = ["falun", "六四"]  # single keywords; default: the gfw profile's list

    [ip]
    blocked = ["203.0.113.7", "198.51.100.0/24"]

    [hosts]                      # true addresses; other names get simulated ones
    "example.com" = "93.184.216.34"

    [domestic]                   # servers inside the firewall (no crossing, no filter)
    domains = ["cn", "baidu.com"]
    ips = []

    [vpn]
    endpoint = "203.0.113.10"

Errors name the file and the line of the offending key or value.

[s] Secondary: read in a summary of the paper, not in the paper itself (see
``docs/network.md``, which says for each figure which source was read).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from censorsim._toml import read_toml
from censorsim.errors import CensorsimError, PolicyError
from censorsim.network._addresses import parse_address, parse_network
from censorsim.network._names import normalize_name

__all__ = [
    "DEFAULT_DOMAINS",
    "DEFAULT_FORGED",
    "ESNI_BLOCKED_SINCE",
    "MAX_FIREWALL_BYTES",
    "MAX_RESIDUAL_SECONDS",
    "RESIDUAL_SOURCES",
    "SOURCES",
    "FirewallConfig",
    "firewall_config_from_dict",
    "load_firewall_config",
]

SOURCES: dict[str, str] = {
    "clayton2006": "https://www.cl.cam.ac.uk/~rnc1/ignoring.pdf",
    "park2010": "Park & Crandall, Empirical Study of a National-Scale Distributed Intrusion "
                "Detection System: Backbone-Level Filtering of HTML Responses in China, "
                "ICDCS 2010",
    "xu2011": "https://doi.org/10.1007/978-3-642-19260-9_14",
    "rambert2021": "https://doi.org/10.1145/3442381.3450076",
    "gfwatch2021": "https://www.usenix.org/conference/usenixsecurity21/presentation/hoang",
    "esni2020": "https://gfw.report/blog/gfw_esni_blocking/en/",
    "chai2019": "https://www.usenix.org/conference/foci19/presentation/chai",
    "shadowsocks2020": "https://gfw.report/publications/imc20/en/",
    "ooni-webconnectivity": "https://github.com/ooni/spec/blob/master/nettests/ts-017-web-connectivity.md",
}
"""Citation URLs by short key, as used in this package's docstrings and docs/network.md."""

DEFAULT_DOMAINS: tuple[str, ...] = ("twitter.com", "google.com", "facebook.com", "whatsapp.com")
"""The issue's seed list: names the firewall blocked in July 2020 (as the gfw profile)."""

DEFAULT_FORGED: tuple[str, ...] = ("192.0.2.1", "192.0.2.2", "192.0.2.3")
"""Stand-ins for forged DNS answers (TEST-NET-1). GFWatch's abstract [gfwatch2021]: the
firewall injected bogus IPv6 and globally routable IPv4 addresses, including addresses
owned by Facebook, Dropbox and Twitter; which ones is not modelled (assumption: any
address that is not the name's)."""

RESIDUAL_SOURCES: dict[str, str] = {
    "90 s": "Rambert et al. 2021 (WWW '21). Primary (the abstract): after a keyword the "
            "firewall 'blocks further traffic between the same two hosts for a few "
            "minutes'. Secondary (a summary of the paper's body, corpus.lantern.io; the "
            "body was not read): 50-75% of later connections from the same client IP to "
            "the same server IP and port are blocked for 90 seconds",
    "120 or 180 s": "GFW Report, iYouPort and U. Maryland (Geneva), August 2020. Primary: "
                    "after a dropped ESNI handshake all TCP traffic of (source IP, "
                    "destination IP, destination port) is blocked, for 120 s in some "
                    "trials and 180 s in others; further ESNI handshakes in the window do "
                    "not restart it",
    "minutes to about an hour": "Clayton, Murdoch & Watson 2006. Primary (the abstract): "
                                "once one connection has been blocked, the firewall "
                                "makes further easy-to-evade attempts to block more "
                                "connections from the same machine. Secondary (CIO / "
                                "IDG News Service, 2006, reporting the researchers): "
                                "the block lasted from a few minutes to nearly an hour, "
                                "about 20 minutes on average",
}
"""What each source measured for the residual block, keyed by the figure; each entry
says which part was read in the source itself (primary) and which only in a report of it
(secondary)."""

ESNI_BLOCKED_SINCE = date(2020, 7, 29)
"""First day ESNI was seen blocked: iYouPort saw it on 29 July 2020 and reported it on 30
July; the GFW Report, iYouPort and U. Maryland report of August 2020 confirmed it
[esni2020]."""

MAX_RESIDUAL_SECONDS = 86_400
"""The longest residual window accepted (one day; the longest measured is about an hour)."""
MAX_FIREWALL_BYTES = 1 << 20
"""The largest firewall file read (1 MiB)."""
MAX_ENTRIES = 1_000_000
"""The most entries in one list of a firewall file."""

_SECTIONS: dict[str, set[str]] = {
    "firewall": {"name", "description", "sources", "residual_seconds", "esni_blocked_since",
                 "esni_residual_seconds", "response_filtering_until", "reset_rate",
                 "residual_rate"},
    "dns": {"domains", "overbroad", "forged_addresses"},
    "sni": {"domains"},
    "http": {"keywords"},
    "ip": {"blocked"},
    "hosts": set(),  # any name
    "domestic": {"domains", "ips"},
    "vpn": {"endpoint"},
}


@dataclass(frozen=True, slots=True)
class FirewallConfig:
    """What a simulated Great Firewall blocks and how (each default is sourced).

    Attributes:
        name: a label for reports.
        description: free text.
        sources: citations of the configuration.
        dns_domains: names whose DNS answers are forged, with their subdomains.
        dns_overbroad: names whose DNS answers are forged for any name ending with
            them as a string: GFWatch's abstract reports 41K innocuous names matching
            the firewall's reverse-engineered rules (the suffix form is from a
            secondary summary of its section 4.1).
        forged_addresses: the addresses forged answers carry.
        sni_domains: names reset when seen in a TLS ClientHello (None: ``dns_domains``;
            Rambert et al. 2021 observed SNI censorship (abstract); that the SNI list
            is separate from the HTTP keywords is from a secondary summary).
        keywords: single keywords reset in HTTP requests (None: the gfw profile's
            example list, ``wordlists/gfw.csv``, plus 六四, behind more than half of
            the censored terms Rambert et al. 2021 saw from Beijing: a secondary
            summary of the paper's body).
        blocked_ips: addresses and networks whose packets are dropped.
        hosts: true addresses of names (others get :func:`simulated_address`).
        domestic_domains, domestic_ips: servers inside the firewall.
        residual_seconds: how long (client IP, server IP, port) stays blocked after an
            HTTP or SNI reset (90 s [rambert2021], a secondary figure; the abstract says
            'a few minutes'; see :data:`RESIDUAL_SOURCES`).
        esni_blocked_since: first day ESNI handshakes are dropped (None: never).
        esni_residual_seconds: the residual window after a dropped ESNI handshake
            (180 s, the longer of the two the esni2020 report measured).
        reset_rate: the share of HTTP keyword and SNI detections that are reset
            (default 1: always, an assumption for a predictable model; about 75% of
            requests with a keyword were reset per a secondary summary of Rambert et
            al. 2021; Park & Crandall 2010 saw response resets succeed less than 51%
            of the time).
        residual_rate: the share of connections inside a residual window that are
            blocked (default 1, an assumption; 50-75% per the same secondary summary).
        response_filtering_until: last day (exclusive) keywords in HTTP responses are
            reset; Park & Crandall 2010 found response filtering discontinued on most
            routes between August 2008 and January 2009 (None: never filtered).
        vpn_endpoint: the address of the VPN server clients with a VPN tunnel to.
    """

    name: str = "gfw"
    description: str = "Great Firewall network layer (defaults from the cited measurements)"
    sources: tuple[str, ...] = tuple(SOURCES.values())
    dns_domains: tuple[str, ...] = DEFAULT_DOMAINS
    dns_overbroad: tuple[str, ...] = ()
    forged_addresses: tuple[str, ...] = DEFAULT_FORGED
    sni_domains: tuple[str, ...] | None = None
    keywords: tuple[str, ...] | None = None
    blocked_ips: tuple[str, ...] = ()
    hosts: Mapping[str, str] = field(default_factory=dict)
    domestic_domains: tuple[str, ...] = ("cn",)
    domestic_ips: tuple[str, ...] = ()
    residual_seconds: float = 90.0
    esni_blocked_since: date | None = ESNI_BLOCKED_SINCE
    esni_residual_seconds: float = 180.0
    reset_rate: float = 1.0
    residual_rate: float = 1.0
    response_filtering_until: date | None = date(2009, 1, 1)
    vpn_endpoint: str = "203.0.113.10"

    def __post_init__(self) -> None:
        try:
            _validate(self)
        except CensorsimError as exc:
            if isinstance(exc, PolicyError):
                raise
            raise PolicyError(f"firewall {self.name!r}: {exc}") from None


def _validate(c: FirewallConfig) -> None:
    for label, seconds in (("residual_seconds", c.residual_seconds),
                           ("esni_residual_seconds", c.esni_residual_seconds)):
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not (
            math.isfinite(seconds) and 0 <= seconds <= MAX_RESIDUAL_SECONDS
        ):
            raise PolicyError(f"firewall {c.name!r}: {label} must be a number from 0 to "
                              f"{MAX_RESIDUAL_SECONDS}, got {seconds!r}")
    for label, rate in (("reset_rate", c.reset_rate), ("residual_rate", c.residual_rate)):
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not (
            math.isfinite(rate) and 0 <= rate <= 1
        ):
            raise PolicyError(f"firewall {c.name!r}: {label} must be a number from 0 to 1, "
                              f"got {rate!r}")
    for names in (c.dns_domains, c.dns_overbroad, c.sni_domains or (), c.domestic_domains):
        for n in names:
            normalize_name(n)
    for a in (*c.forged_addresses, c.vpn_endpoint, *c.hosts.values()):
        parse_address(a)
    for n in (*c.blocked_ips, *c.domestic_ips):
        parse_network(n)
    for h in c.hosts:
        normalize_name(h)
    if not c.forged_addresses:
        raise PolicyError(f"firewall {c.name!r}: forged_addresses must not be empty")
    for k in c.keywords or ():
        if not k.strip():
            raise PolicyError(f"firewall {c.name!r}: an empty keyword")


class _Locator:
    """Finds the line of a key or of a value in a TOML text (for error messages)."""

    def __init__(self, text: str):
        self.lines = text.splitlines()

    def line(self, section: str, key: str | None = None, value: object = None) -> int | None:
        current = ""
        key_line: int | None = None
        header = None
        for i, raw in enumerate(self.lines, 1):
            s = raw.strip()
            m = re.match(r"^\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$", s)
            if m:
                if key_line is not None:
                    break
                current = m.group(1).strip().strip('"')
                if current == section:
                    header = i
                continue
            if current != section:
                continue
            if key is not None and key_line is None:
                km = re.match(r"^[\"']?([^\"'=]+?)[\"']?\s*=", s)
                if km and km.group(1).strip() == key:
                    key_line = i
            if key_line is not None and isinstance(value, str) and (
                f'"{value}"' in raw or f"'{value}'" in raw
            ):
                return i
        return key_line if key_line is not None else header


def _fail(where: str, line: int | None, problem: str) -> PolicyError:
    return PolicyError(f"{where}:{line}: {problem}" if line else f"{where}: {problem}")


def firewall_config_from_dict(
    data: Mapping[str, Any], *, where: str = "<firewall>", text: str = ""
) -> FirewallConfig:
    """Build a :class:`FirewallConfig` from parsed TOML.

    Args:
        data: the parsed document.
        where: the file name for messages.
        text: the document's text, to name lines in messages.

    Raises:
        PolicyError: naming ``where``, the line when known, and the problem.
    """
    loc = _Locator(text)
    unknown = sorted(set(data) - set(_SECTIONS))
    if unknown:
        raise _fail(where, loc.line(unknown[0]) or loc.line("", unknown[0]),
                    f"unknown section [{unknown[0]}]; expected: {', '.join(_SECTIONS)}")
    tables: dict[str, dict[str, Any]] = {}
    for sec, keys in _SECTIONS.items():
        value = data.get(sec, {})
        if not isinstance(value, dict):
            raise _fail(where, loc.line(sec) or loc.line("", sec), f"[{sec}] must be a table")
        if keys:
            extra = sorted(set(value) - keys)
            if extra:
                raise _fail(where, loc.line(sec, extra[0]),
                            f"[{sec}] unknown key {extra[0]!r}; expected: "
                            f"{', '.join(sorted(keys))}")
        tables[sec] = value

    def strings(sec: str, key: str, check: Any = None) -> tuple[str, ...] | None:
        if key not in tables[sec]:
            return None
        value = tables[sec][key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _fail(where, loc.line(sec, key),
                        f"[{sec}] {key} must be a list of strings, got {value!r:.60}")
        if len(value) > MAX_ENTRIES:
            raise _fail(where, loc.line(sec, key), f"[{sec}] {key}: more than {MAX_ENTRIES} "
                        "entries")
        for v in value:
            try:
                if check is not None:
                    check(v)
                elif not v.strip():
                    raise PolicyError("empty string")
            except CensorsimError as exc:
                raise _fail(where, loc.line(sec, key, v), f"[{sec}] {key}: {exc}") from None
        return tuple(value)

    def seconds(key: str) -> float | None:
        if key not in tables["firewall"]:
            return None
        v = tables["firewall"][key]
        if isinstance(v, bool) or not isinstance(v, int | float) or not (
            math.isfinite(v) and 0 <= v <= MAX_RESIDUAL_SECONDS
        ):
            raise _fail(where, loc.line("firewall", key),
                        f"[firewall] {key} must be a number of seconds from 0 to "
                        f"{MAX_RESIDUAL_SECONDS}, got {v!r}")
        return float(v)

    def day(key: str) -> date | bool | None:
        if key not in tables["firewall"]:
            return True  # absent: keep the default
        v = tables["firewall"][key]
        if v is False:
            return None
        if isinstance(v, date) and not hasattr(v, "hour"):
            return v
        raise _fail(where, loc.line("firewall", key),
                    f"[firewall] {key} must be a date (YYYY-MM-DD, unquoted) or false, "
                    f"got {v!r}")

    kwargs: dict[str, Any] = {}
    fw = tables["firewall"]
    for key in ("name", "description"):
        if key in fw:
            if not isinstance(fw[key], str):
                raise _fail(where, loc.line("firewall", key),
                            f"[firewall] {key} must be a string")
            kwargs[key] = fw[key]
    srcs = strings("firewall", "sources")
    if srcs is not None:
        kwargs["sources"] = srcs
    for key in ("residual_seconds", "esni_residual_seconds"):
        s = seconds(key)
        if s is not None:
            kwargs[key] = s
    for key in ("reset_rate", "residual_rate"):
        if key in fw:
            v = fw[key]
            if isinstance(v, bool) or not isinstance(v, int | float) or not (
                math.isfinite(v) and 0 <= v <= 1
            ):
                raise _fail(where, loc.line("firewall", key),
                            f"[firewall] {key} must be a share from 0 to 1, got {v!r}")
            kwargs[key] = float(v)
    for key in ("esni_blocked_since", "response_filtering_until"):
        d = day(key)
        if d is not True:
            kwargs[key] = d
    fields = {
        "dns_domains": ("dns", "domains", normalize_name),
        "dns_overbroad": ("dns", "overbroad", normalize_name),
        "forged_addresses": ("dns", "forged_addresses", parse_address),
        "sni_domains": ("sni", "domains", normalize_name),
        "keywords": ("http", "keywords", None),
        "blocked_ips": ("ip", "blocked", parse_network),
        "domestic_domains": ("domestic", "domains", normalize_name),
        "domestic_ips": ("domestic", "ips", parse_network),
    }
    for name, (sec, key, check) in fields.items():
        got = strings(sec, key, check)
        if got is not None:
            kwargs[name] = got
    if kwargs.get("forged_addresses") == ():
        raise _fail(where, loc.line("dns", "forged_addresses"),
                    "[dns] forged_addresses must not be empty")
    hosts: dict[str, str] = {}
    for host, address in tables["hosts"].items():
        line = loc.line("hosts", host)
        if not isinstance(address, str):
            raise _fail(where, line, f"[hosts] {host!r} must map to an address string")
        try:
            hosts[normalize_name(host)] = str(parse_address(address))
        except CensorsimError as exc:
            raise _fail(where, line, f"[hosts] {exc}") from None
    kwargs["hosts"] = hosts
    if "endpoint" in tables["vpn"]:
        ep = tables["vpn"]["endpoint"]
        try:
            if not isinstance(ep, str):
                raise PolicyError(f"expected an address string, got {ep!r}")
            parse_address(ep)
        except CensorsimError as exc:
            raise _fail(where, loc.line("vpn", "endpoint"), f"[vpn] endpoint: {exc}") from None
        kwargs["vpn_endpoint"] = ep.strip()
    try:
        return FirewallConfig(**kwargs)
    except CensorsimError as exc:
        raise _fail(where, None, str(exc)) from None


def load_firewall_config(path: str | Path) -> FirewallConfig:
    """Read a firewall configuration TOML file (format: this module's docstring).

    Raises:
        PolicyError: the file is missing, unreadable, too large or malformed; the
            message names the file and, when it can, the line.
    """
    where = str(path)
    data, text = read_toml(path, what="firewall file", limit=MAX_FIREWALL_BYTES,
                           error=PolicyError)
    return firewall_config_from_dict(data, where=where, text=text)
