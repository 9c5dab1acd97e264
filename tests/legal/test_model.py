"""Requests and responses: what each compliance policy does, and the penalty rule."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.errors import SimulationError
from censorsim.legal import (
    ART43_REMOVAL,
    ORDINARY_LAW,
    CompliancePolicy,
    LegalPlatform,
    Request,
    RequestKind,
    Response,
    ResponseParameters,
    Scenario,
    TargetKind,
    check_policies,
    respond,
)

AT = datetime(2020, 7, 8)
REQ = Request(AT, "x", ART43_REMOVAL.id, RequestKind.REMOVE_CONTENT, TargetKind.MESSAGE)


def _policy(response: Response) -> CompliancePolicy:
    return CompliancePolicy("x", response, datetime(2020, 7, 1))


def test_comply_acts_before_the_deadline() -> None:
    for seed in range(50):
        o = respond(REQ, _policy(Response.COMPLY), ART43_REMOVAL, random.Random(seed))
        assert o.complied and not o.late and o.fine_hkd == 0
        assert o.done_after is not None and 0 < o.done_after <= 24 * 3600


@pytest.mark.parametrize("response", [Response.PAUSE, Response.REFUSE])
def test_pause_and_refuse_are_liable_under_the_rules(response: Response) -> None:
    """Schedule 4: not complying makes the provider liable (HK$100,000, 6 months)."""
    o = respond(REQ, _policy(response), ART43_REMOVAL, random.Random(0))
    assert (o.complied, o.fine_hkd, o.prison_months) == (False, 100_000, 6)


def test_no_penalty_under_ordinary_law_or_after_exit() -> None:
    o = respond(REQ, _policy(Response.REFUSE), ORDINARY_LAW, random.Random(0))
    assert (o.complied, o.fine_hkd) == (False, 0)
    o = respond(REQ, _policy(Response.EXIT_MARKET), ART43_REMOVAL, random.Random(0))
    assert (o.complied, o.fine_hkd, o.response) == (False, 0, Response.EXIT_MARKET)


def test_review_without_policy_is_the_default() -> None:
    outs = [respond(REQ, None, ART43_REMOVAL, random.Random(s)) for s in range(400)]
    assert {o.response for o in outs} == {Response.COMPLY_AFTER_REVIEW}
    share = sum(o.complied for o in outs) / len(outs)
    assert 0.5 < share < 0.7  # review_complies = 0.6 (an assumption)
    assert any(o.late for o in outs) and all(o.fine_hkd == 100_000 for o in outs
                                             if o.late or not o.complied)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(list(Response)), st.integers(0, 2**32), st.floats(0.01, 1000),
       st.floats(0, 1))
def test_penalty_rule(response: Response, seed: int, hours: float, review: float) -> None:
    """Liable exactly when in the market and not complied in time, under a basis with a
    penalty; acting means a delay, not acting none."""
    req = Request(AT, "x", ART43_REMOVAL.id, RequestKind.REMOVE_CONTENT, TargetKind.URL,
                  timedelta(hours=hours))
    o = respond(req, _policy(response), ART43_REMOVAL, random.Random(seed),
                ResponseParameters(review_complies=review))
    assert o.complied == (o.done_after is not None)
    liable = response is not Response.EXIT_MARKET and (not o.complied or o.late)
    assert (o.fine_hkd, o.prison_months) == ((100_000, 6) if liable else (0, 0))
    if response in (Response.PAUSE, Response.REFUSE, Response.EXIT_MARKET):
        assert not o.complied


def _brute_overlaps(policies: list[CompliancePolicy]) -> bool:
    """Reference: sample every hour of 2020 for every pair."""
    hours = [datetime(2020, 6, 1) + timedelta(hours=h) for h in range(0, 24 * 130, 12)]
    for i, p in enumerate(policies):
        for q in policies[i + 1:]:
            if p.platform != q.platform:
                continue
            for k in p.kinds & q.kinds:
                if any(p.covers(t, k) and q.covers(t, k) for t in hours):
                    return True
    return False


_days = st.integers(0, 80).map(lambda d: datetime(2020, 6, 1) + timedelta(days=d))


@st.composite
def _policies(draw: st.DrawFn) -> list[CompliancePolicy]:
    out = []
    for _ in range(draw(st.integers(0, 5))):
        start = draw(_days)
        length = draw(st.one_of(st.none(), st.integers(1, 20)))
        end = None if length is None else start + timedelta(days=length)
        kinds = draw(st.frozensets(st.sampled_from(list(RequestKind)), min_size=1))
        out.append(CompliancePolicy(draw(st.sampled_from(["a", "b"])), Response.PAUSE, start,
                                    end, kinds))
    return out


@settings(max_examples=40, deadline=None)
@given(_policies())
def test_check_policies_agrees_with_a_brute_force_reference(ps: list[CompliancePolicy]) -> None:
    expected = _brute_overlaps(ps)
    if expected:
        with pytest.raises(SimulationError, match="overlaps"):
            check_policies(ps)
    else:
        check_policies(ps)


def test_scenario_validation() -> None:
    plat = (LegalPlatform("a", "A"),)
    with pytest.raises(SimulationError, match="unknown platform 'b'"):
        Scenario("s", plat, (CompliancePolicy("b", Response.PAUSE, AT),))
    with pytest.raises(SimulationError, match="listed twice"):
        Scenario("s", plat * 2)
    with pytest.raises(SimulationError, match="does not provide for"):
        Scenario("s", plat, requests=(Request(datetime(2020, 7, 1), "a", ART43_REMOVAL.id,
                                              RequestKind.REMOVE_CONTENT, TargetKind.URL),))
    with pytest.raises(SimulationError, match=r"end .* is not after start"):
        CompliancePolicy("a", Response.PAUSE, AT, AT)
