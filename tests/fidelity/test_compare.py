"""``compare_platforms`` and ``censorsim compare``: one corpus through every profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from censorsim.cli import main
from censorsim.errors import ParameterError, SimulationError, UnknownNameError
from censorsim.research import compare_platforms
from censorsim.simulate import Corpus

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "corpus"


def test_every_profile_side_by_side() -> None:
    """Issue 11 (Deliver): the same corpus through every profile, censored share, actions
    and collateral damage. The profiles decide differently because each has its own
    list (issue 11.2) and surface behaviour (LINE refuses, WeChat drops, search blocks)."""
    c = compare_platforms(SAMPLES)
    by = {(r.profile, r.surface): r for r in c.rows}
    assert ("wechat", "group_chat") in by and ("search:bing", "search") in by
    assert {r.messages for r in c.rows} == {327}
    assert by[("wechat", "chat")].actions.keys() == {"DELIVER", "DROP"}
    assert "REFUSE" in by[("line", "chat")].actions
    assert "LIMIT_RESULTS" in by[("search:baidu", "search")].actions
    assert by[("wechat", "chat")].sensitive.rate > by[("qqmail", "mail")].sensitive.rate
    assert all(r.collateral.total == 299 for r in c.rows)
    assert json.loads(json.dumps(c.to_json()))["rows"][0]["profile"] == "wechat"
    assert c.to_markdown().startswith("| profile | surface |")


def test_compare_bad_input() -> None:
    corpus = Corpus({("benign", "zh"): ("你好",), ("sensitive", "zh"): ("刘晓波",)})
    with pytest.raises(UnknownNameError, match="myspace"):
        compare_platforms(corpus, profiles=["myspace"])
    with pytest.raises(UnknownNameError, match="altavista"):
        compare_platforms(corpus, profiles=["search:altavista"])
    with pytest.raises(ParameterError, match="only the search profile"):
        compare_platforms(corpus, profiles=["wechat:x"])
    with pytest.raises(ParameterError, match="at least one"):
        compare_platforms(corpus, profiles=[])
    with pytest.raises(UnknownNameError, match="region"):
        compare_platforms(corpus, profiles=["wechat"], region="mars")
    with pytest.raises(SimulationError, match="not found"):
        compare_platforms(ROOT / "no-such-corpus")


def test_cli_table_json_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    out_json, out_png = tmp_path / "c.json", tmp_path / "c.png"
    code = main(["compare", str(SAMPLES), "--profile", "wechat", "--profile", "search:bing",
                 "--at", "2021-06-04", "--json", str(out_json), "--plot", str(out_png)])
    assert code == 0
    out = capsys.readouterr().out
    assert "| search:bing | search |" in out
    data = json.loads(out_json.read_text(encoding="utf-8"))
    bing = next(r for r in data["rows"] if r["profile"] == "search:bing")
    assert bing["sensitive"]["detected"] == 1  # "tank man", blocked on 4 June 2021
    assert out_png.stat().st_size > 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--profile", "myspace"], "unknown platform profile 'myspace'"),
        (["--at", "yesterday"], "--at: expected a date"),
        (["--region", "mars"], "unknown region 'mars'"),
    ],
)
def test_cli_bad_input_is_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", str(SAMPLES), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
