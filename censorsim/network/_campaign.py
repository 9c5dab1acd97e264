"""A seeded measurement campaign: many clients probe URLs; outcomes per mechanism.

Like a volunteer measurement network (OONI), a campaign has clients inside the
firewall fetch a list of URLs at random moments; a share of them use a VPN and a share
of HTTPS fetches use encrypted SNI. The same seed gives the same observations. The
table counts outcomes per mechanism, which shows that each mechanism leaves its own
signature, how much a VPN share hides, and how often the residual block catches an
innocuous fetch after a censored one.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from censorsim.errors import ParameterError
from censorsim.network._client import DEFAULT_TIME, Client, Observation, _utc
from censorsim.network._firewall import Firewall, Mechanism, Outcome

__all__ = ["MAX_PROBES", "CampaignResult", "run_campaign"]

MAX_PROBES = 1_000_000
"""The most fetches one campaign makes."""
MAX_CLIENTS = 65_536
"""The most clients one campaign has."""


@dataclass(frozen=True, slots=True)
class CampaignResult:
    """The observations of a campaign, in time order, and tables over them."""

    observations: tuple[Observation, ...]
    seed: int

    def counts(self) -> dict[tuple[Mechanism, Outcome], int]:
        """How many fetches ended with each (mechanism, outcome), in enum order."""
        c = Counter((o.mechanism, o.outcome) for o in self.observations)
        return {(m, oc): c[(m, oc)] for m in Mechanism for oc in Outcome if c[(m, oc)]}

    def table(self) -> list[dict[str, object]]:
        """One row per mechanism: its count per outcome and its share of all fetches."""
        total = len(self.observations) or 1
        rows: list[dict[str, object]] = []
        counts = self.counts()
        for m in Mechanism:
            per = {oc.value: counts.get((m, oc), 0) for oc in Outcome}
            n = sum(per.values())
            if n:
                rows.append({"mechanism": m.value, **per, "fetches": n,
                             "share": round(n / total, 4)})
        return rows

    def to_markdown(self) -> str:
        """:meth:`table` as a markdown table."""
        heads = ["mechanism", *(o.value for o in Outcome), "fetches", "share"]
        lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
        for row in self.table():
            lines.append("| " + " | ".join(str(row[h]) for h in heads) + " |")
        return "\n".join(lines)


def _share(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
        math.isfinite(value) and 0 <= value <= 1
    ):
        raise ParameterError(f"{name} must be a number from 0 to 1, got {value!r}")
    return float(value)


def run_campaign(
    firewall: Firewall,
    urls: Sequence[str],
    *,
    probes: int = 1000,
    clients: int = 20,
    vpn_share: float = 0.0,
    esni_share: float = 0.0,
    start: datetime | None = None,
    span_seconds: float = 3600.0,
    seed: int = 0,
) -> CampaignResult:
    """Have ``clients`` clients inside the firewall fetch ``urls`` ``probes`` times.

    Each fetch picks a client and a URL at random and happens at a random moment of
    ``[start, start + span_seconds]``; clients keep their residual blocks between
    fetches. Cost: O(probes) fetches.

    Args:
        firewall: the firewall.
        urls: the test list.
        probes: the number of fetches.
        clients: the number of clients.
        vpn_share: the share of clients that tunnel through a VPN.
        esni_share: the share of HTTPS fetches that encrypt the server name.
        start: the campaign's first moment (default :data:`DEFAULT_TIME`).
        span_seconds: the campaign's length.
        seed: the random seed.

    Raises:
        ParameterError: an empty URL list, a malformed URL, or a count, share or span
            out of range.

    Example:
        >>> r = run_campaign(Firewall(), ["http://example.com/?q=falun"], probes=3, seed=1)
        >>> sorted({o.outcome.value for o in r.observations})
        ['reset']
    """
    if not isinstance(firewall, Firewall):
        raise ParameterError(f"firewall: expected a Firewall, got {type(firewall).__name__}")
    urls = list(urls)
    if not urls:
        raise ParameterError("urls: give at least one URL")
    for name, value, hi in (("probes", probes, MAX_PROBES), ("clients", clients, MAX_CLIENTS)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= hi:
            raise ParameterError(f"{name} must be an integer from 1 to {hi}, got {value!r}")
    vpn = _share("vpn_share", vpn_share)
    esni = _share("esni_share", esni_share)
    if isinstance(span_seconds, bool) or not isinstance(span_seconds, int | float) or not (
        math.isfinite(span_seconds) and 0 <= span_seconds <= 366 * 86400
    ):
        raise ParameterError(f"span_seconds must be from 0 to a year, got {span_seconds!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ParameterError(f"seed must be an integer, got {seed!r}")
    begin = _utc(start if start is not None else DEFAULT_TIME)
    checker = Client(firewall)
    targets = [checker._parse(u) for u in urls]  # every URL is checked before any fetch
    firewall.keyword_hits_many([t.inspected for t in targets])  # one batch, remembered
    rng = random.Random(seed)
    n_vpn = round(vpn * clients)
    vpn_ids = set(rng.sample(range(clients), n_vpn))
    pool = [Client(firewall, address=f"10.{(i >> 8) & 255}.{i & 255}.2", vpn=i in vpn_ids,
                   seed=rng.randrange(2**32)) for i in range(clients)]
    moments = sorted(rng.uniform(0.0, float(span_seconds)) for _ in range(probes))
    out: list[Observation] = []
    for t in moments:
        client = pool[rng.randrange(clients)]
        url = urls[rng.randrange(len(urls))]
        out.append(client.fetch(url, at=begin + timedelta(seconds=t),
                                esni=rng.random() < esni))
    return CampaignResult(tuple(out), seed)
