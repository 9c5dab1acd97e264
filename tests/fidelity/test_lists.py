"""Lists over time (issue 11 item 8): dated rules, diffs between days and versions."""

from __future__ import annotations

import json
import warnings
from datetime import date
from pathlib import Path

import pytest

from censorsim.cli import main
from censorsim.errors import ParameterError
from censorsim.models import Rule
from censorsim.policy import RuleIdentityWarning
from censorsim.research import diff_lists, diff_versions, list_timeline
from censorsim.text.citizenlab import load_citizenlab

ROOT = Path(__file__).resolve().parents[2]


def test_covid_list_grew_between_january_and_february(citizenlab: Path) -> None:
    """Censored Contagion (Citizen Lab, 2020) data: detection dates are observations
    (first seen). Between 31 January and 15 February 2020 the list gained the 369
    combinations first seen in February and lost none (nothing is recorded removed)."""
    rules = load_citizenlab(citizenlab, "coronavirus/wechat")
    d = diff_lists(rules, date(2020, 1, 31), date(2020, 2, 15))
    assert (len(d.added), len(d.removed), d.kept) == (369, 0, 147)
    points = list_timeline(rules)
    assert points[-1] == (date(2020, 2, 14), 516)
    assert [n for _, n in points] == sorted(n for _, n in points)


def test_line_v22_added_312_and_removed_147(citizenlab: Path) -> None:
    """LINE Censored Keywords Update (Citizen Lab, Apr 2014): list v22 added 312 keywords
    and removed 147, leaving 535. The published v21 and v22 files give the same counts."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuleIdentityWarning)
        v21 = load_citizenlab(citizenlab, "LINE/line-v21")
        v22 = load_citizenlab(citizenlab, "LINE/line-v22")
    added, removed = diff_versions(v21, v22)
    assert (len(added), len(removed), len(v22)) == (312, 147, 535)


def test_diff_and_timeline_of_a_hand_written_list() -> None:
    """A removed date is exclusive; a rule without dates is always in force."""
    rules = [Rule.keyword("甲"), Rule.keyword("乙", added=date(2020, 1, 5)),
             Rule.keyword("丙", added=date(2020, 1, 1), removed=date(2020, 1, 10))]
    d = diff_lists(rules, date(2020, 1, 2), date(2020, 1, 10))
    assert [r.id for r in d.added] == ["乙"] and [r.id for r in d.removed] == ["丙"]
    assert d.kept == 1
    assert list_timeline(rules) == (
        (date(2019, 12, 31), 1), (date(2020, 1, 1), 2), (date(2020, 1, 5), 3),
        (date(2020, 1, 10), 2))
    assert list_timeline([Rule.keyword("甲")]) == ()
    with pytest.raises(ParameterError, match="before the first"):
        diff_lists(rules, date(2020, 2, 1), date(2020, 1, 1))


def test_cli_lists_diff_and_timeline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``censorsim lists diff --on A --on B``: the Weibo example list gained 晓波 (first
    seen after Liu Xiaobo's death, Remembering Liu Xiaobo 2017) between 1 and 20 July."""
    weibo = str(ROOT / "wordlists" / "weibo.csv")
    out = tmp_path / "d.json"
    assert main(["lists", "diff", "--on", "2017-07-01", "--on", "2017-07-20", weibo,
                 "--json", str(out)]) == 0
    assert "1 first seen, 0 removed" in capsys.readouterr().out
    assert json.loads(out.read_text(encoding="utf-8"))["added"][0]["id"] == "weibo-search-xiaobo"
    assert main(["lists", "timeline", weibo]) == 0
    assert "2017-07-13  5" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["diff", "--on", "2017-07-01", "X"], "give --on exactly twice"),
        (["diff", "--on", "2017-07-01", "--on", "July", "X"], "--on: expected a date"),
        (["diff", "--on", "2017-07-01", "--on", "2017-07-02"], "give rule files"),
        (["timeline", "no-such-file.csv"], "no-such-file.csv"),
    ],
)
def test_cli_lists_bad_input(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [str(ROOT / "wordlists" / "weibo.csv") if a == "X" else a for a in argv]
    assert main(["lists", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
