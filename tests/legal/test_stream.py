"""The seeded request stream."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from censorsim.legal import (
    RULES_IN_FORCE,
    RequestKind,
    TargetKind,
    draw_requests,
    hong_kong_2020,
)

START = datetime(2020, 6, 25)
DAYS = 37


def _draw(seed: int) -> list:
    return draw_requests(hong_kong_2020(), START, 0, DAYS * 86400, np.random.default_rng(seed))


def test_same_seed_same_stream() -> None:
    assert _draw(3) == _draw(3)
    assert _draw(3) != _draw(4)


def test_times_sorted_in_window_and_bases_by_date() -> None:
    out = _draw(1)
    times = [t for t, _ in out]
    assert times == sorted(times) and all(0 <= t < DAYS * 86400 for t in times)
    for _, r in out:
        art43 = r.at >= RULES_IN_FORCE
        assert r.basis.startswith("art43") == art43
        if r.kind is RequestKind.PROVIDE_USER_DATA:
            assert r.target is TargetKind.ACCOUNT


def test_no_requests_to_a_platform_that_left() -> None:
    """TikTok left Hong Kong (Reuters, 2020-07-06): no request reaches it afterwards."""
    for seed in range(5):
        assert all(r.at < datetime(2020, 7, 7) for _, r in _draw(seed) if r.platform == "tiktok")


def test_rates_rise_under_the_rules() -> None:
    out = [r for s in range(4) for _, r in _draw(s)]
    before = sum(r.at < RULES_IN_FORCE for r in out) / (RULES_IN_FORCE - START).days
    after = sum(r.at >= RULES_IN_FORCE for r in out) / (DAYS - (RULES_IN_FORCE - START).days)
    assert after > 1.5 * before
