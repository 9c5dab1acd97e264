"""``censorsim firewall``: a simulated client's view of the Great Firewall's network layer.

    censorsim firewall probe https://www.google.com/ "http://example.com/?q=falun"
    censorsim firewall probe --esni --at 2020-08-01T00:00 https://example.com/
    censorsim firewall probe --vpn --config samples/configs/gfw-2020.toml https://twitter.com/
    censorsim firewall campaign --probes 2000 --vpn-share 0.2 URL...

``probe`` fetches each URL in turn with one client (``--interval`` seconds apart, so the
residual block of one reset can catch the next fetch) and prints one JSON line per
fetch: the outcome, the mechanism, and what OONI's Web Connectivity would record.
``campaign`` runs a seeded measurement campaign and prints its table of outcomes per
mechanism (``--json`` for the table as JSON).
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from censorsim.cli._common import command_group, finite_float, int_at_least
from censorsim.errors import ParameterError

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``firewall`` command."""
    _, sub = command_group(
        subparsers, "firewall",
        help="a simulated client's view of the Great Firewall (DNS, IP, keyword, SNI, ESNI)",
        description="Fetch URLs through a simulated Great Firewall and print what a "
        "measurement tool would record (docs/network.md).",
    )
    probe = sub.add_parser("probe", help="fetch URLs with one client; JSON lines")
    probe.add_argument("urls", nargs="+", metavar="URL", help="http:// or https:// URLs")
    probe.add_argument("--at", metavar="YYYY-MM-DD[THH:MM[:SS]]",
                       help="time of the first fetch, UTC (default 2020-07-31T12:00)")
    probe.add_argument("--interval", type=finite_float(0, 86400), default=1.0,
                       metavar="SECONDS", help="seconds between fetches (default 1)")
    probe.add_argument("--vpn", action="store_true", help="tunnel through the VPN server")
    probe.add_argument("--esni", action="store_true", help="encrypt the SNI (https only)")
    probe.add_argument("--outside", action="store_true",
                       help="the client is outside the firewall (filters traffic entering "
                       "China too)")
    probe.add_argument("--body", help="the page the servers send back (response filtering)")
    probe.set_defaults(func=_probe)
    camp = sub.add_parser("campaign", help="a seeded measurement campaign; outcomes per "
                          "mechanism")
    camp.add_argument("urls", nargs="+", metavar="URL", help="the test list")
    camp.add_argument("--probes", type=int_at_least(1), default=1000,
                      help="fetches (default 1000)")
    camp.add_argument("--clients", type=int_at_least(1), default=20,
                      help="clients inside the firewall (default 20)")
    camp.add_argument("--vpn-share", type=finite_float(0, 1), default=0.0, metavar="SHARE",
                      help="share of clients on a VPN (default 0)")
    camp.add_argument("--esni-share", type=finite_float(0, 1), default=0.0, metavar="SHARE",
                      help="share of https fetches with encrypted SNI (default 0)")
    camp.add_argument("--span", type=finite_float(0, 366 * 86400), default=3600.0,
                      metavar="SECONDS", help="campaign length (default 3600)")
    camp.add_argument("--at", metavar="YYYY-MM-DD[THH:MM[:SS]]",
                      help="campaign start, UTC (default 2020-07-31T12:00)")
    camp.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    camp.add_argument("--json", action="store_true", help="print the table as JSON")
    camp.set_defaults(func=_campaign)
    for p in (probe, camp):
        p.add_argument("--config", type=Path, metavar="FILE",
                       help="firewall configuration TOML (default: the sourced defaults)")


def _when(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"--at: expected a date or time such as 2020-07-31T12:00, got "
                             f"{text!r}") from None


def _firewall(args: argparse.Namespace) -> Any:
    from censorsim.network import Firewall

    return Firewall.from_file(args.config) if args.config is not None else Firewall()


def _probe(args: argparse.Namespace) -> int:
    from censorsim.network import DEFAULT_TIME, Client

    firewall = _firewall(args)
    start = _when(args.at) or DEFAULT_TIME
    client = Client(firewall, inside=not args.outside, vpn=args.vpn)
    observations = [client.fetch(url, at=start + timedelta(seconds=i * args.interval),
                                 esni=args.esni, body=args.body)
                    for i, url in enumerate(args.urls)]  # every URL is checked first
    for o in observations:
        print(json.dumps(o.to_json(), ensure_ascii=False))
    return 0


def _campaign(args: argparse.Namespace) -> int:
    from censorsim.network import run_campaign

    result = run_campaign(_firewall(args), args.urls, probes=args.probes, clients=args.clients,
                          vpn_share=args.vpn_share, esni_share=args.esni_share,
                          start=_when(args.at), span_seconds=args.span, seed=args.seed)
    if args.json:
        print(json.dumps(result.table(), ensure_ascii=False, indent=2))
    else:
        print(result.to_markdown())
    return 0
