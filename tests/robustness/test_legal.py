"""Bad ``[legal]`` sections of a simulation config: exit 2, ``FILE:LINE: problem``, no log.

Issue 14, "Bad input and limits": malformed scenario sections, requests naming unknown
platforms or dates outside the run, and overlapping compliance policies get named errors
with file and line, and nothing is written to the log.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.robustness.conftest import BadInput

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "samples/corpus"

HEAD = f"""[simulation]
start = 2020-06-25T00:00:00
duration_hours = 720
messages = 200
batch_size = 100
[messages]
corpus = "{CORPUS}"
image_share = 0.0
[images]
dir = ""
"""
"""Lines 1-10 of every case's config; the ``[legal]`` body starts on line 11."""

CASES = [
    # (id, [legal] body from line 11, expected message)
    ("platforms-not-tables", "[legal]\nplatforms = 3",
     r"c\.toml:12: \[legal\] platforms must be an array of tables"),
    ("unknown-key", "[legal]\nscenario = 'hk-2020'\nfoo = 1",
     r"c\.toml:13: \[legal\] unknown key\(s\) foo"),
    ("unknown-scenario", "[legal]\nscenario = 'hk-2030'",
     r"c\.toml:12: .*unknown scenario 'hk-2030'"),
    ("request-unknown-platform",
     "[legal]\nscenario = 'hk-2020'\n\n[[legal.requests]]\nat = 2020-07-08\n"
     "platform = 'myspace'\nkind = 'remove_content'",
     r"c\.toml:14: \[\[legal\.requests\]\] request 1: unknown platform 'myspace'"),
    ("request-before-run",
     "[legal]\nscenario = 'hk-2020'\n[[legal.requests]]\nat = 2020-07-08\n"
     "platform = 'google'\nkind = 'remove_content'\n[[legal.requests]]\nat = 2019-01-01\n"
     "platform = 'google'\nkind = 'remove_content'",
     r"c\.toml:17: \[\[legal\.requests\]\] at 2019-01-01 00:00:00 is outside the run"),
    ("request-after-run",
     "[legal]\nscenario = 'hk-2020'\n[[legal.requests]]\nat = 2020-07-30T00:00:00\n"
     "platform = 'google'\nkind = 'remove_content'",
     r"c\.toml:13: .*is outside the run \(2020-06-25 00:00:00 to 2020-07-25"),
    ("request-bad-kind",
     "[legal]\nscenario = 'hk-2020'\n[[legal.requests]]\nat = 2020-07-01\n"
     "platform = 'google'\nkind = 'delete_everything'",
     r"c\.toml:13: .*kind: unknown value 'delete_everything'"),
    ("request-basis-not-yet",
     "[legal]\nscenario = 'hk-2020'\n[[legal.requests]]\nat = 2020-07-01\n"
     "platform = 'google'\nkind = 'remove_content'\nbasis = 'art43-sch4-removal'",
     r"c\.toml:13: .*does not provide for a remove_content request"),
    ("request-not-a-table", "[legal]\nrequests = [1, 2]",
     r"c\.toml:12: \[\[legal\.requests\]\] entry 1 must be a table"),
    ("request-unknown-key",
     "[legal]\nscenario = 'hk-2020'\n[[legal.requests]]\nat = 2020-07-01\nwhen = 3",
     r"c\.toml:15: \[\[legal\.requests\]\] unknown key\(s\) when"),
    ("overlapping-policies",
     "[legal]\nscenario = 'hk-2020'\n[[legal.policies]]\nplatform = 'google'\n"
     "response = 'comply'\nstart = 2020-07-03\nkinds = ['provide_user_data']",
     r"c\.toml:13: policy of 'google' overlaps the one at scenario hk-2020 \(built in\)"),
    ("overlapping-own-policies",
     "[legal]\n[[legal.platforms]]\nname = 'p'\n[[legal.policies]]\nplatform = 'p'\n"
     "response = 'pause'\nstart = 2020-07-01\n[[legal.policies]]\nplatform = 'p'\n"
     "response = 'refuse'\nstart = 2020-06-01\nend = 2020-07-02",
     r"c\.toml:18: policy of 'p' overlaps the one at .*c\.toml:14"),
    ("policy-unknown-platform",
     "[legal]\n[[legal.policies]]\nplatform = 'q'\nresponse = 'pause'\nstart = 2020-07-01",
     r"c\.toml:12: \[\[legal\.policies\]\] policy 1: unknown platform 'q'"),
    ("policy-bad-response",
     "[legal]\n[[legal.platforms]]\nname = 'p'\n[[legal.policies]]\nplatform = 'p'\n"
     "response = 'maybe'\nstart = 2020-07-01",
     r"c\.toml:14: .*response: unknown value 'maybe'; expected one of: comply"),
    ("policy-end-before-start",
     "[legal]\n[[legal.platforms]]\nname = 'p'\n[[legal.policies]]\nplatform = 'p'\n"
     "response = 'pause'\nstart = 2020-07-01\nend = 2020-06-01",
     r"c\.toml:14: .*end 2020-06-01 00:00:00 is not after start"),
    ("policy-bad-date",
     "[legal]\n[[legal.platforms]]\nname = 'p'\n[[legal.policies]]\nplatform = 'p'\n"
     "response = 'pause'\nstart = 'someday'",
     r"c\.toml:14: .*start must be a date or date-time"),
    ("platform-twice",
     "[legal]\nscenario = 'hk-2020'\n[[legal.platforms]]\nname = 'google'",
     r"c\.toml:13: \[\[legal\.platforms\]\] platform 'google' is already in the scenario"),
    ("platform-rate-inf", "[legal]\n[[legal.platforms]]\nname = 'p'\nrequests_per_day = inf",
     r"c\.toml:12: .*requests_per_day must be a finite number"),
    ("deadline-negative", "[legal]\nscenario = 'hk-2020'\ndeadline_hours = -1",
     r"c\.toml:13: \[legal\] deadline_hours must be a finite number"),
    ("host-unknown", "[legal]\nscenario = 'hk-2020'\nhost = 'weibo'",
     r"c\.toml:11: \[legal\] host 0: unknown platform 'weibo'"),
]


@pytest.mark.parametrize(("body", "expect"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_simulate_bad_legal_section(
    bad_input: BadInput, tmp_path: Path, body: str, expect: str
) -> None:
    """Each bad ``[legal]`` section is one ``simulate: error: FILE:LINE: problem`` line,
    found before anything is written (no log file appears)."""
    cfg = tmp_path / "c.toml"
    cfg.write_text(HEAD + body + "\n", encoding="utf-8")
    db = tmp_path / "run.db"
    bad_input(["simulate", str(cfg), "--db", str(db)], expect=expect, inputs=[cfg])
    assert not db.exists()


def test_many_entries_cost_linear_time(tmp_path: Path) -> None:
    """A config with thousands of scheduled requests loads in about linear time (the line
    of each entry is found once, not by rescanning the file)."""
    import time

    from censorsim.simulate import load_config

    body = "[legal]\nscenario = 'hk-2020'\n" + "".join(
        f"[[legal.requests]]\nat = 2020-07-{8 + k % 10:02d}T{k % 24:02d}:00:00\n"
        "platform = 'google'\nkind = 'remove_content'\n" for k in range(5000))
    cfg = tmp_path / "c.toml"
    cfg.write_text(HEAD + body, encoding="utf-8")
    t0 = time.perf_counter()
    assert len(load_config(cfg).legal.requests) == 5000
    assert time.perf_counter() - t0 < 10


_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**12) | st.floats() | st.text(max_size=8)
    | st.sampled_from(["hk-2020", "google", "pause", "remove_content", "message",
                       "2020-07-08", "art43-sch4-removal"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["platform", "at", "kind", "response", "start", "end", "kinds",
                         "name", "target", "basis", "deadline_hours", "sources",
                         "assumption", "company", "requests_per_day"]), inner, max_size=5),
    max_leaves=12,
)
_legal = st.dictionaries(
    st.sampled_from(["scenario", "host", "deadline_hours", "random_requests", "kind_shares",
                     "review_complies", "default_response", "platforms", "policies",
                     "requests", "bogus"]),
    _values | st.lists(st.dictionaries(st.sampled_from(
        ["platform", "at", "kind", "response", "start", "end", "kinds", "name", "target"]),
        _values, max_size=5), max_size=3),
    max_size=6,
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_legal)
def test_fuzz_legal_section(legal: dict[str, object]) -> None:
    """Any ``[legal]`` table either loads or raises a SimulationError naming the file."""
    from datetime import datetime

    from censorsim.errors import SimulationError
    from censorsim.legal import scenario_from_toml

    try:
        scenario_from_toml(legal, path="c.toml", text="[legal]\n",
                           run=(datetime(2020, 6, 25), datetime(2020, 8, 1)))
    except SimulationError as exc:
        assert str(exc).startswith("c.toml:")
