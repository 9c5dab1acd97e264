"""A seeded measurement campaign: reproducible, outcomes per mechanism, VPN share."""

from __future__ import annotations

import pytest

from censorsim.errors import ParameterError
from censorsim.network import Firewall, Mechanism, Outcome, run_campaign

URLS = ["https://www.google.com/", "http://example.com/?q=falun", "http://example.com/",
        "https://example.com/", "https://twitter.com/", "http://www.example.cn/"]


def test_the_same_seed_gives_the_same_observations() -> None:
    fw = Firewall()
    a = run_campaign(fw, URLS, probes=300, seed=7, esni_share=0.3)
    b = run_campaign(fw, URLS, probes=300, seed=7, esni_share=0.3)
    assert a.observations == b.observations
    assert run_campaign(fw, URLS, probes=300, seed=8).observations != a.observations


def test_the_table_counts_each_mechanism_with_its_own_outcome() -> None:
    r = run_campaign(Firewall(), URLS, probes=600, clients=10, esni_share=0.5, seed=1)
    counts = r.counts()
    assert sum(counts.values()) == 600
    assert counts[(Mechanism.DNS, Outcome.WRONG_ADDRESS)] > 0
    assert counts[(Mechanism.HTTP_REQUEST, Outcome.RESET)] > 0
    assert counts[(Mechanism.ESNI, Outcome.NO_ANSWER)] > 0
    assert counts[(Mechanism.RESIDUAL, Outcome.RESET)] > 0  # innocuous fetches after a reset
    for (mech, outcome) in counts:
        if mech not in (Mechanism.RESIDUAL,):
            assert outcome is {Mechanism.NONE: Outcome.OK, Mechanism.DNS: Outcome.WRONG_ADDRESS,
                               Mechanism.HTTP_REQUEST: Outcome.RESET,
                               Mechanism.ESNI: Outcome.NO_ANSWER}[mech]
    rows = r.table()
    assert rows[0]["mechanism"] == "none"
    assert abs(sum(float(row["share"]) for row in rows) - 1) < 0.01  # type: ignore[arg-type]
    assert r.to_markdown().startswith("| mechanism | ok |")


def test_a_larger_vpn_share_hides_more_from_the_firewall() -> None:
    """A VPN bypasses DNS, keyword and SNI filtering; a campaign can vary its share."""
    fw = Firewall()

    def blocked(share: float) -> int:
        r = run_campaign(fw, URLS, probes=400, clients=40, vpn_share=share, seed=3)
        return sum(1 for o in r.observations if o.outcome is not Outcome.OK)

    assert blocked(0.0) > blocked(0.5) > blocked(1.0) == 0


@pytest.mark.parametrize(("kwargs", "expect"), [
    ({"urls": []}, "at least one URL"),
    ({"urls": ["ftp://x"]}, "url"),
    ({"probes": 0}, "probes"),
    ({"clients": 10**9}, "clients"),
    ({"vpn_share": 1.5}, "vpn_share"),
    ({"esni_share": float("nan")}, "esni_share"),
    ({"span_seconds": -1}, "span_seconds"),
    ({"seed": "x"}, "seed"),
])
def test_bad_parameters_are_named(kwargs: dict[str, object], expect: str) -> None:
    args: dict[str, object] = {"urls": URLS, **kwargs}
    urls = args.pop("urls")
    with pytest.raises(ParameterError, match=expect):
        run_campaign(Firewall(), urls, **args)  # type: ignore[arg-type]
