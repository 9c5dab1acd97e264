"""Citizen Lab data-set layouts: read from ../shared/data/citizenlab when it exists.

The data is CC BY-NC-SA 4.0 and never copied into the project; these tests skip
when the folder is absent. Set ``CENSORSIM_CITIZENLAB`` to point elsewhere.
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.errors import WordlistError
from censorsim.models import Action, Rule, RuleMode
from censorsim.text.wordlists import (
    load_citizenlab,
    load_client_csv,
    load_line_list,
    load_qqmail,
    load_search_rules,
    load_wechat_csv,
)

# Rules per file, as loaded from chat-censorship commit 1eeb5e67.
EXPECTED_COUNTS = {
    "LINE/raw-block-lists/line-internal.byte_.txt": 50,
    "LINE/raw-block-lists/line-v20.txt": 223,
    "LINE/raw-block-lists/line-v21.txt": 370,
    "LINE/raw-block-lists/line-v22.txt": 535,
    "LINE/raw-block-lists/line-v23.txt": 536,
    "LINE/raw-block-lists/line-v24.txt": 578,
    "LINE/raw-block-lists/line-v25.txt": 578,
    "SVP/svp_words.csv": 17042,
    "TOM-Skype--Sina-UC/blocked-words.csv": 4256,
    "coronavirus/wechat.csv": 516,
    "coronavirus/yy.csv": 53,  # 54 rows, one of them empty (",,,")
    "june-4/june-4-censored-keywords.csv": 3439,
    "qqmail/censored.txt": 173,
    "search/ongoing/baidu.csv": 40,
    "search/ongoing/weibo-soft.csv": 40,
    "search/people/baidu-soft.csv": 222,
    "search/people/baidu.csv": 2,
    "search/people/baidu_zhidao.csv": 401,
    "search/people/bilibili.csv": 24,
    "search/people/bing-soft.csv": 191,
    "search/people/douyin-soft.csv": 317,
    "search/people/jingdong.csv": 129,
    "search/people/sogou-soft.csv": 286,
    "search/people/sogou.csv": 2,
    "search/people/weibo-soft.csv": 482,
    "search/people/weibo.csv": 37,
    "search/rules/baidu-soft.txt": 14999,
    "search/rules/baidu.txt": 1684,
    "search/rules/baidu_zhidao.txt": 23480,
    "search/rules/bilibili.txt": 2396,
    "search/rules/bing-soft.txt": 8827,
    "search/rules/bing.txt": 4,
    "search/rules/jingdong.txt": 4253,
    "search/rules/sogou-soft.txt": 27978,
    "search/rules/sogou.txt": 1783,
    "search/rules/weibo-soft.txt": 10730,
    "search/rules/weibo.txt": 8853,
    "wechat/709crackdown/all-keywords.csv": 862,
    "wechat/lxb/liu_xiaobo_keywords_wechat.csv": 60,
    "wechat/ncpc19/ncpc19_wechat.csv": 245,
    "wechat/one_app_two_systems/wechat_blocked_keywords.csv": 177,
}

COMBINATION_SETS = ("wechat", "coronavirus/wechat", "qqmail", "search")


def _data_root() -> Path:
    env = os.environ.get("CENSORSIM_CITIZENLAB")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "citizenlab"


@pytest.fixture(scope="module")
def root() -> Path:
    path = _data_root()
    if not path.is_dir():
        pytest.skip(f"Citizen Lab data not found at {path} (set CENSORSIM_CITIZENLAB)")
    return path


# Every data set but the live-streaming one: the shared copy of its CSV is a sample of
# every 25th line, which cuts a quoted multi-line cell (a malformed row the loader names;
# see test_citizenlab_dated.py).
WHOLE_SETS = (
    "LINE",
    "SVP",
    "TOM-Skype--Sina-UC",
    "coronavirus",
    "june-4",
    "qqmail",
    "search",
    "wechat",
)


@pytest.fixture(scope="module")
def all_rules(root: Path) -> list[Rule]:
    return [r for name in WHOLE_SETS for r in load_citizenlab(root, name)]


def _csv_column(path: Path, column: str) -> list[str]:
    text = path.read_text(encoding="utf-8-sig")
    return [
        row[column] for row in csv.DictReader(io.StringIO(text, newline="")) if any(row.values())
    ]


# ---------------------------------------------------------------- brute force, plain `in`


def fires(rule: Rule, text: str) -> bool:
    """Brute-force all-of evaluation with plain substring tests."""
    if not all(any(k in text for k in comp) for comp in rule.components):
        return False
    return not any(all(k in text for k in combo) for combo in rule.unless)


def fires_ordered(rule: Rule, text: str) -> bool:
    """Brute-force ordered evaluation: every placement of every component is tried."""

    def han(ch: str) -> bool:
        return "一" <= ch <= "龥"

    def place(i: int, start: int, prev_end: int | None) -> bool:
        if i == len(rule.components):
            return True
        for kw in rule.components[i]:
            for s in range(start, len(text) - len(kw) + 1):
                if not text.startswith(kw, s):
                    continue
                if prev_end is not None and rule.max_gap is not None:
                    gap = text[prev_end:s]
                    if len(gap) > rule.max_gap:
                        continue
                    if not rule.gap_allows_han and any(han(c) for c in gap):
                        continue
                if place(i + 1, s + len(kw), s + len(kw)):
                    return True
        return False

    return place(0, 0, None)


# ---------------------------------------------------------------- acceptance


def test_every_file_loads_with_expected_counts(all_rules: list[Rule]) -> None:
    counts = Counter(r.source for r in all_rules)
    assert dict(counts) == EXPECTED_COUNTS


def test_ids_unique_and_stable(root: Path, all_rules: list[Rule]) -> None:
    ids = [r.id for r in all_rules]
    assert len(ids) == len(set(ids))
    assert all(r.id.startswith(f"{r.source}:") for r in all_rules)
    again = load_citizenlab(root / "wechat" / "709crackdown" / "all-keywords.csv")
    assert [r.id for r in again] == [
        r.id for r in all_rules if r.source == "wechat/709crackdown/all-keywords.csv"
    ]


@pytest.mark.parametrize("dataset", COMBINATION_SETS)
def test_combination_sets_fire_exactly(root: Path, dataset: str) -> None:
    rules = load_citizenlab(root, dataset)
    assert rules
    checked_drops = 0
    for rule in rules:
        assert rule.mode is RuleMode.ALL
        comps = [c[0] for c in rule.components]
        text = "\n".join(comps)
        assert fires(rule, text), rule
        for i, comp in enumerate(comps):
            rest = "\n".join(comps[:i] + comps[i + 1 :])
            if any(comp in other for j, other in enumerate(comps) if j != i):
                continue  # the dropped component is inside another one
            assert not fires(rule, rest), (rule.id, comp)
            checked_drops += 1
    assert checked_drops > 0


def test_combination_components_match_the_file(root: Path) -> None:
    for dataset, rel, column in [
        ("wechat/709crackdown", "wechat/709crackdown/all-keywords.csv", "Keyword"),
        ("wechat/ncpc19", "wechat/ncpc19/ncpc19_wechat.csv", "keyword"),
        ("wechat/lxb", "wechat/lxb/liu_xiaobo_keywords_wechat.csv", "Keyword"),
        ("coronavirus/wechat", "coronavirus/wechat.csv", "keyword_combination"),
    ]:
        cells = _csv_column(root / rel, column)
        rules = load_citizenlab(root, dataset)
        assert ["+".join(c[0] for c in r.components) for r in rules] == [
            re.sub(r"\s*\+\s*", "+", cell.strip()) for cell in cells
        ]


def test_709_component_distribution(root: Path) -> None:
    path = root / "wechat" / "709crackdown" / "all-keywords.csv"
    rules = load_wechat_csv(path)
    # The distribution of issue 4 (113/148/528/69/4); the file agrees.
    assert Counter(len(r.components) for r in rules) == {1: 113, 2: 148, 3: 528, 4: 69, 5: 4}
    declared = [int(n) for n in _csv_column(path, "# of Components")]
    assert [len(r.components) for r in rules] == declared


def test_wechat_metadata(root: Path) -> None:
    lxb = load_wechat_csv(root / "wechat" / "lxb" / "liu_xiaobo_keywords_wechat.csv")
    notes = Counter("not blocked" not in (r.note or "").split("one-to-one chat: ")[1] for r in lxb)
    assert notes == {True: 41, False: 19}  # blocked in 1-1 chat too / group chat only
    assert lxb[0].components == (("六四",), ("刘晓波",))
    assert lxb[0].added == date(2016, 7, 1)
    assert all(r.action is Action.DROP for r in lxb)
    corona = load_wechat_csv(root / "coronavirus" / "wechat.csv")
    assert corona[0].added == date(2020, 2, 14)
    assert max(len(r.components) for r in corona) == 6
    two = load_wechat_csv(root / "wechat" / "one_app_two_systems" / "wechat_blocked_keywords.csv")
    combos = [r for r in two if len(r.components) > 1]
    assert len(combos) > 0 and all(" " not in k for r in combos for k in r.keywords)
    assert two[0].added == date(2016, 7, 1)


def test_qqmail_extenuating(root: Path) -> None:
    rules = load_qqmail(root / "qqmail")
    assert all(r.action is Action.REFUSE for r in rules)
    with_exceptions = [r for r in rules if r.unless]
    assert with_exceptions
    by_text = {"+".join(c[0] for c in r.components): r for r in rules}
    target = by_text["习包子+独裁"]
    assert ("放", "假") in target.unless
    text = "习包子\n独裁"
    assert fires(target, text)
    assert not fires(target, text + "\n放假")
    total_links = sum(len(r.unless) for r in rules)
    declared = sum(
        int(n)
        for n in _csv_column(
            root / "qqmail" / "extenuating.csv", "# of censored keyword combinations it extenuates"
        )
    )
    assert total_links == declared


def test_search_actions(root: Path) -> None:
    hard = load_search_rules(root / "search" / "rules" / "baidu.txt")
    soft = load_search_rules(root / "search" / "rules" / "baidu-soft.txt")
    assert {r.action for r in hard} == {Action.BLOCK}
    assert {r.action for r in soft} == {Action.LIMIT_RESULTS}
    assert hard[0].components == (("1989",), ("六4",))
    only = load_citizenlab(root, "search/baidu")
    assert {r.source for r in only} == {"search/rules/baidu.txt"}


def test_client_lists_keep_plus_literal(root: Path) -> None:
    tom = load_client_csv(root / "TOM-Skype--Sina-UC" / "blocked-words.csv")
    assert (("6+1",),) in [r.components for r in tom]
    assert any(r.action is Action.FLAG for r in tom)  # surveillance-only lists
    june = load_client_csv(root / "june-4" / "june-4-censored-keywords.csv")
    comps = [r.components for r in june]
    assert (("1+3",),) in comps  # TOM-Skype keyword
    assert (("六四",), ("删帖",)) in comps  # WeChat combination


def test_line_literals(root: Path) -> None:
    v24 = load_line_list(root / "LINE" / "raw-block-lists" / "line-v24.txt")
    literal = [r for r in v24 if r.mode is RuleMode.ALL]
    assert (("薄.熙.来自杀",),) in [r.components for r in literal]
    assert all(len(r.components) == 1 for r in literal)
    v21 = load_line_list(root / "LINE" / "raw-block-lists" / "line-v21.txt")
    assert (("判薄无罪",),) in [r.components for r in v21]  # trailing space trimmed


@pytest.mark.parametrize("name", ["line-v24.txt", "line-v25.txt"])
def test_line_regexes_translate_exactly(root: Path, name: str) -> None:
    rules = [r for r in load_line_list(root / "LINE" / "raw-block-lists" / name) if r.note]
    assert len(rules) == 48
    rng = random.Random(1)
    filler = "，我a 1中"
    for rule in rules:
        assert rule.mode is RuleMode.ORDERED and rule.max_gap is None
        pattern = (rule.note or "").removeprefix("regex: ")
        regex = re.compile(pattern)
        keywords = [k for comp in rule.components for k in comp]
        for _ in range(60):
            parts = [
                rng.choice([*keywords, filler[rng.randrange(len(filler))]])
                for _ in range(rng.randrange(1, 5))
            ]
            text = "".join(parts)
            assert fires_ordered(rule, text) == bool(regex.search(text)), (pattern, text)
        for comp in rule.components:
            for kw in comp:
                text = "".join(kw if c is comp else c[0] for c in rule.components)
                assert regex.search(text) and fires_ordered(rule, text)
        assert len(rule.components) == 2


def test_line_gap_regex(tmp_path: Path) -> None:
    # Synthetic lines in LINE's regex style (the examples).
    path = tmp_path / "LINE" / "raw-block-lists" / "line-v99.txt"
    path.parent.mkdir(parents=True)
    path.write_text(
        "海[^一-龥]{0,3}洛[^一-龥]{0,3}因\n.*(64|六四).*学生.*\n6+1\n", encoding="utf-8"
    )
    gap, ordered, plus = load_line_list(path)
    assert gap.components == (("海",), ("洛",), ("因",))
    assert (gap.mode, gap.max_gap, gap.gap_allows_han) == (RuleMode.ORDERED, 3, False)
    assert ordered.components == (("64", "六四"), ("学生",))
    assert plus.components == (("6+1",),)
    assert gap.id == "LINE/raw-block-lists/line-v99.txt:1"

    regex = re.compile("海[^一-龥]{0,3}洛[^一-龥]{0,3}因")

    @settings(max_examples=300, deadline=None)
    @given(st.text(st.sampled_from(list("海洛因中a1 ，")), max_size=14))
    def agree(text: str) -> None:
        assert fires_ordered(gap, text) == bool(regex.search(text))

    agree()


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("^六四.*学生", "cannot translate '\\^'"),
        (".*六.四.*", "cannot translate '\\.'"),
        ("海[^一-龥]{0,3}洛.*因", "mixed gaps"),
        ("海[a-z]洛", "cannot translate"),
        ("(六四|)学生.*x", "empty alternative"),
        ("(a|b)(c|d)(e|f)(g|h)(i|j)(k|l)(m|n)(o|p)(q|r)(s|t)(u|v)", "expands to 2048"),
    ],
)
def test_untranslatable_line_regex(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "line-v99.txt"
    path.write_text(f"ok\n{line}\n", encoding="utf-8")
    with pytest.raises(WordlistError, match=problem) as info:
        load_line_list(path)
    assert info.value.line == 2


def test_dataset_filter_and_errors(root: Path, tmp_path: Path) -> None:
    wechat = load_citizenlab(root, "wechat")
    assert {r.source.split("/")[0] for r in wechat if r.source} == {"wechat"}
    line = load_citizenlab(root / "LINE")
    assert {r.source for r in line} == {k for k in EXPECTED_COUNTS if k.startswith("LINE/")}
    with pytest.raises(WordlistError, match="no data set 'nope' found"):
        load_citizenlab(root, "nope")
    with pytest.raises(WordlistError, match="no Citizen Lab data set found"):
        load_citizenlab(tmp_path)
    with pytest.raises(WordlistError, match="no such file"):
        load_citizenlab(tmp_path / "missing")
