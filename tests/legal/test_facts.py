"""Fidelity of the legal facts and the Hong Kong 2020 scenario to their sources.

Each test's docstring names the law or report it holds the code to.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from censorsim.legal import (
    ART43_ASSISTANCE,
    ART43_REMOVAL,
    ART43_SCHEDULE5,
    LEGAL_BASES,
    NSL_IN_FORCE,
    ORDINARY_LAW,
    RULES_IN_FORCE,
    SOURCES,
    Addressee,
    RequestKind,
    Response,
    Scenario,
    check_policies,
    hong_kong_2020,
)

DATA = RequestKind.PROVIDE_USER_DATA
REMOVE = RequestKind.REMOVE_CONTENT


def test_service_provider_penalty() -> None:
    """Article 43 implementation rules, Schedule 4: a service provider that fails to comply
    with a removal requirement is liable to a fine of HK$100,000 and six months'
    imprisonment (In Focus Hong Kong, 2020-07-06; Taiwan News, 2020-07-07)."""
    pen = ART43_REMOVAL.penalty
    assert pen is not None
    assert (pen.fine_hkd, pen.imprisonment_months, pen.who) == (100_000, 6, "service provider")
    assert "infocus-2020-07-06" in pen.sources and "taiwannews-2020-07-07" in pen.sources


def test_schedule4_addressees_and_kinds() -> None:
    """Schedule 4, section 1: 'service provider' means a platform, hosting or network
    service provider; the police may require them (and publishers) to remove, restrict or
    stop access to electronic messages (Wikisource text of L.N. 139 of 2020)."""
    assert ART43_REMOVAL.addressees == {Addressee.PUBLISHER, Addressee.PLATFORM,
                                        Addressee.HOSTING, Addressee.NETWORK}
    assert ART43_REMOVAL.kinds == {REMOVE, RequestKind.RESTRICT_ACCESS}
    assert ART43_ASSISTANCE.kinds == {DATA}
    assert "L.N. 139 of 2020" in ART43_REMOVAL.title


def test_schedule5_is_not_addressed_to_platforms() -> None:
    """Schedule 5 requires foreign and Taiwan political organisations and their agents to
    provide information (In Focus Hong Kong, 2020-07-06): no platform request rests on it."""
    assert ART43_SCHEDULE5.addressees == {Addressee.POLITICAL_ORGANISATION}
    assert not ART43_SCHEDULE5.kinds
    assert not any(ART43_SCHEDULE5.applies(datetime(2020, 7, 20), k) for k in RequestKind)


def test_dates() -> None:
    """The law took effect at 23:00 on 2020-06-30 (Pigeon Express, 2020-07-07); the rules
    were published on 2020-07-06 and took effect on 2020-07-07 (Taiwan News)."""
    assert datetime(2020, 6, 30, 23) == NSL_IN_FORCE
    assert RULES_IN_FORCE.date() == datetime(2020, 7, 7).date()
    assert ART43_REMOVAL.gazetted is not None and ART43_REMOVAL.gazetted.isoformat() == "2020-07-06"
    assert Scenario.basis_for(datetime(2020, 7, 6, 23), REMOVE) is ORDINARY_LAW
    assert Scenario.basis_for(datetime(2020, 7, 7, 1), REMOVE) is ART43_REMOVAL
    assert Scenario.basis_for(datetime(2020, 7, 7, 1), DATA) is ART43_ASSISTANCE


def test_every_source_key_exists() -> None:
    """Every fact cites a key of SOURCES (a URL), or is marked as an assumption."""
    for b in LEGAL_BASES.values():
        assert b.sources and set(b.sources) <= set(SOURCES)
        if b.penalty is not None:
            assert set(b.penalty.sources) <= set(SOURCES)
    s = hong_kong_2020()
    for p in s.policies:
        assert p.sources, p
        assert set(p.sources) <= set(SOURCES), p
        assert p.announced
    for plat in s.platforms:
        assert set(plat.sources) <= set(SOURCES)


@pytest.mark.parametrize(
    ("platform", "day", "kind", "response"),
    [
        # Google paused data 'when the law took effect' (The Verge, 2020-07-06) and kept
        # reviewing removal requests (Reuters, 2020-07-06).
        ("google", datetime(2020, 7, 1), DATA, Response.PAUSE),
        ("google", datetime(2020, 7, 10), REMOVE, Response.COMPLY_AFTER_REVIEW),
        # Twitter halted as of July 1st (The Verge; AP).
        ("twitter", datetime(2020, 7, 1, 12), DATA, Response.PAUSE),
        # Facebook and WhatsApp announced pauses on Monday 2020-07-06 (Reuters, AP).
        ("facebook", datetime(2020, 7, 6, 12), DATA, Response.PAUSE),
        ("facebook", datetime(2020, 7, 5), DATA, None),
        ("whatsapp", datetime(2020, 7, 6, 12), DATA, Response.PAUSE),
        # Telegram never shared data with Hong Kong authorities (AP).
        ("telegram", datetime(2020, 6, 26), DATA, Response.REFUSE),
        ("telegram", datetime(2020, 7, 8), DATA, Response.PAUSE),
        # Microsoft and Zoom joined on Tuesday 2020-07-07 (SCMP/AFP).
        ("microsoft", datetime(2020, 7, 6), DATA, None),
        ("microsoft", datetime(2020, 7, 7, 12), DATA, Response.PAUSE),
        ("zoom", datetime(2020, 7, 7, 12), DATA, Response.PAUSE),
        # TikTok: stop operations in Hong Kong within days (Reuters, 2020-07-06).
        ("tiktok", datetime(2020, 7, 10), REMOVE, Response.EXIT_MARKET),
        ("tiktok", datetime(2020, 7, 1), REMOVE, None),
    ],
)
def test_hong_kong_2020_policies(platform: str, day: datetime, kind: RequestKind,
                                 response: Response | None) -> None:
    """The companies' announced answers to the law, each on its reported date."""
    p = hong_kong_2020().policy_for(platform, day, kind)
    assert (None if p is None else p.response) is response


def test_weak_sources_are_assumptions() -> None:
    """Signal appears in one report only (Business Today, 2020-07-08), and Tencent's
    compliance is inferred from a 2019 statement (The Verge): both marked assumptions."""
    s = hong_kong_2020()
    flagged = {p.platform for p in s.policies if p.assumption}
    assert flagged == {"signal", "wechat"}


def test_hong_kong_2020_has_no_overlaps_and_a_host() -> None:
    s = hong_kong_2020()
    check_policies(s.policies)
    assert s.host == "wechat"
    assert {p.name for p in s.platforms} >= {"google", "facebook", "whatsapp", "twitter",
                                              "telegram", "signal", "zoom", "microsoft",
                                              "tiktok"}
