"""The seeded request stream."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _reference(scenario, start, lo, hi, rng):  # type: ignore[no-untyped-def]
    """The stream written plainly: the same draws, one request at a time."""
    import bisect
    from datetime import timedelta

    from censorsim.legal import Response, Scenario
    from censorsim.legal._stream import _CONTENT_TARGETS

    cut = (RULES_IN_FORCE - start).total_seconds()
    spans = []
    for p in scenario.platforms:
        spans.append((p.name, lo, min(hi, cut), p.requests_per_day))
        spans.append((p.name, max(lo, cut), hi, p.art43_requests_per_day))
    counts = rng.poisson(np.array([r * max(0.0, b - a) / 86400 for _, a, b, r in spans]))
    total = int(counts.sum())
    if total == 0:
        return []
    u = rng.random((3, total))
    kcum, acc = [], 0.0
    for _, w in scenario.kind_shares:
        acc += w
        kcum.append(acc)
    tcum, acc = [], 0.0
    for _, w in _CONTENT_TARGETS:
        acc += w
        tcum.append(acc)
    out, g = [], 0
    for (name, a, b, _), n in zip(spans, counts.tolist(), strict=True):
        for _ in range(n):
            t = round(a + u[0][g] * (b - a), 3)
            k = min(bisect.bisect_right(kcum, u[1][g] * kcum[-1]), len(kcum) - 1)
            c = min(bisect.bisect_right(tcum, u[2][g] * tcum[-1]), len(tcum) - 1)
            g += 1
            at = start + timedelta(seconds=t)
            gone = any(p.platform == name and p.response is Response.EXIT_MARKET
                       and p.start <= at and (p.end is None or at < p.end)
                       for p in scenario.policies)
            if gone or not lo <= t < hi:
                continue
            kind = scenario.kind_shares[k][0]
            target = (TargetKind.ACCOUNT if kind is RequestKind.PROVIDE_USER_DATA
                      else _CONTENT_TARGETS[c][0])
            out.append((t, (name, kind, target, Scenario.basis_for(at, kind).id)))
    return sorted(out, key=lambda x: (x[0], x[1][0]))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0, 30 * 86400), st.floats(0, 10 * 86400))
def test_stream_agrees_with_the_plain_reference(seed: int, lo: float, span: float) -> None:
    """The vectorised stream equals the request-at-a-time reference on the same draws."""
    s = hong_kong_2020()
    fast = draw_requests(s, START, lo, lo + span, np.random.default_rng(seed))
    ref = _reference(s, START, lo, lo + span, np.random.default_rng(seed))
    got = [(t, (r.platform, r.kind, r.target, r.basis)) for t, r in fast]
    assert got == ref
    assert all(lo <= t < lo + span for t, _ in fast)
