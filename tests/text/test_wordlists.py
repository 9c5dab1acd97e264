"""Tests of the project's own word-list formats (censorsim.text.wordlists)."""

from __future__ import annotations

import doctest
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from censorsim.errors import RuleError, UnknownNameError, WordlistError
from censorsim.models import Action, Rule, RuleMode
from censorsim.text import wordlists
from censorsim.text.wordlists import (
    RULE_COLUMNS,
    dump_keywords,
    dump_rules,
    format_rule_line,
    load_exceptions,
    load_keywords,
    load_qqmail,
    load_rules,
    parse_rule_line,
)

REPO = Path(__file__).resolve().parents[2]


class StripPunctuation:
    """A stand-in normaliser: keeps letters and digits only."""

    def normalize(self, text: str) -> str:
        return "".join(ch for ch in text if ch.isalnum())


def write(path: Path, data: str | bytes) -> Path:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def test_doctests() -> None:
    result = doctest.testmod(wordlists)
    assert result.attempted > 0
    assert result.failed == 0


def test_all_is_honest() -> None:
    for name in wordlists.__all__:
        assert hasattr(wordlists, name), name
    public = {n for n in vars(wordlists) if not n.startswith("_") and callable(vars(wordlists)[n])}
    defined_here = {
        n for n in public if getattr(vars(wordlists)[n], "__module__", None) == wordlists.__name__
    }
    assert defined_here - {"SupportsNormalize"} <= set(wordlists.__all__)


# ---------------------------------------------------------------- plain lists


def test_plain_list_comments_blank_bom_crlf_whitespace(tmp_path: Path) -> None:
    p = write(
        tmp_path / "k.txt",
        b"\xef\xbb\xbf# a comment\r\n  \xe5\x85\xad\xe5\x9b\x9b  \r\n\r\n   # indented comment\n"
        b"6+1\n\\#hashtag\n\\\\path\n\xe5\x85\xad\xe5\x9b\x9b\nlast",
    )
    assert load_keywords(p) == ["六四", "6+1", "#hashtag", "\\path", "last"]


def test_plain_rules_keep_plus_literal(tmp_path: Path) -> None:
    p = write(tmp_path / "k.txt", "6+1\n非常 6+1\n")
    rules = load_rules(p, format="plain")
    assert [r.components for r in rules] == [(("6+1",),), (("非常 6+1",),)]
    assert [r.id for r in rules] == ["6+1", "非常 6+1"]


def test_dump_keywords_round_trip(tmp_path: Path) -> None:
    words = ["六四", "#tag", "\\x", "a b", "6+1"]
    dump_keywords(words, tmp_path / "k.txt")
    assert load_keywords(tmp_path / "k.txt") == words
    with pytest.raises(ValueError, match="cannot be written"):
        dump_keywords([" padded"], tmp_path / "bad.txt")


# ---------------------------------------------------------------- combination lines


def test_combination_file(tmp_path: Path) -> None:
    p = write(
        tmp_path / "rules.txt",
        "# WeChat-style\n六四 + 学生+ 民主运动\n64|六四+学生\n a\\+b + c\\|d \n\\#tag+x\n单独\n",
    )
    rules = load_rules(p, default_action="drop")
    assert [r.components for r in rules] == [
        (("六四",), ("学生",), ("民主运动",)),
        (("64", "六四"), ("学生",)),
        (("a+b",), ("c|d",)),
        (("#tag",), ("x",)),
        (("单独",),),
    ]
    assert [r.id for r in rules] == [
        "六四+学生+民主运动",
        "64|六四+学生",
        "a\\+b+c\\|d",
        "\\#tag+x",
        "单独",
    ]
    assert all(r.mode is RuleMode.ALL and r.action is Action.DROP for r in rules)


def test_parse_rule_line_escapes() -> None:
    r = parse_rule_line(r"\\ back + \ spaced\  + x\;y", action="block")
    assert r.components == (("\\ back",), (" spaced ",), ("x;y",))
    assert r.action is Action.BLOCK
    assert parse_rule_line(format_rule_line(r), action="block") == r


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("a++b", "component 2 of 3 is empty"),
        ("+a", "component 1 of 2 is empty"),
        ("a+", "component 2 of 2 is empty"),
        ("a+ +b", "component 2 of 3 is empty"),
        ("a||b+c", "empty alternative"),
        ("a\\", "dangling"),
        ("a\\n", "unknown escape"),
    ],
)
def test_bad_combination_lines(tmp_path: Path, line: str, problem: str) -> None:
    p = write(tmp_path / "bad.txt", f"ok\n# fine\n{line}\n")
    with pytest.raises(WordlistError, match=problem) as info:
        load_rules(p)
    assert info.value.line == 3
    assert info.value.path == str(p)
    assert f"{p}:3:" in str(info.value)


# ---------------------------------------------------------------- CSV and JSON lines

CSV_TEXT = (
    ",".join(RULE_COLUMNS)
    + "\n"
    + """\
tank,坦克人,,,,,,,event,https://example.org/r,"note, with comma",2016-07-01,
ordered,海|海洛+因,ordered,3,false,,,hide,,,,,
en,falun gong,,,,true,,flag,,,,,2020-01-01
qq,习包子+独裁,,,,,放+假;成+绩,refuse,,,,,
"""
)


def test_csv_rules(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path / "r.csv", CSV_TEXT))
    tank, ordered, en, qq = rules
    assert tank == Rule(
        id="tank",
        components=(("坦克人",),),
        category="event",
        source="https://example.org/r",
        note="note, with comma",
        added=date(2016, 7, 1),
    )
    assert ordered.mode is RuleMode.ORDERED and ordered.max_gap == 3
    assert not ordered.gap_allows_han and ordered.action is Action.HIDE
    assert ordered.components == (("海", "海洛"), ("因",))
    assert en.whole_word and en.removed == date(2020, 1, 1) and en.action is Action.FLAG
    assert qq.unless == (("放", "假"), ("成", "绩"))


def test_csv_keyword_alias_and_default_ids(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", "keyword,category\n六四+学生,event\n坦克人,\n")
    rules = load_rules(p, default_action=Action.DELETE_LATER)
    assert [r.id for r in rules] == ["六四+学生", "坦克人"]
    assert {r.action for r in rules} == {Action.DELETE_LATER}


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("rule,colour\na,red\n", 1, "unknown column"),
        ("id,category\nx,y\n", 1, "no 'rule' column"),
        ("rule,added\na,2016-13-01\n", 2, "YYYY-MM-DD"),
        ("rule,whole_word\na,maybe\n", 2, "true or false"),
        ("rule,action\na,explode\n", 2, "unknown action"),
        ("rule,mode\na,sideways\n", 2, "sideways"),
        ("rule,category\na,b,c\n", 2, "3 cells"),
        ("rule\nok\n\nb++c\n", 4, "empty"),
        ("rule,unless\na,x++y\n", 2, "empty keyword"),
        ("rule,max_gap\na,3\n", 2, "max_gap needs mode=ORDERED"),
        ('rule,note\na,"unterminated\n', 2, "malformed CSV|unexpected end"),
    ],
)
def test_bad_csv(tmp_path: Path, text: str, line: int, problem: str) -> None:
    p = write(tmp_path / "r.csv", text)
    with pytest.raises(WordlistError, match=problem) as info:
        load_rules(p)
    assert info.value.line == line
    assert info.value.path == str(p)


def test_jsonl_rules(tmp_path: Path) -> None:
    lines = [
        {"components": [["六四", "64"], ["学生"]]},
        {
            "id": "g",
            "components": [["海"], ["洛"], ["因"]],
            "mode": "ordered",
            "max_gap": 3,
            "gap_allows_han": False,
            "action": "drop",
            "added": "2014-04-30",
        },
    ]
    p = write(tmp_path / "r.jsonl", "\n".join(json.dumps(x, ensure_ascii=False) for x in lines))
    a, g = load_rules(p)
    assert a.id == "六四|64+学生"
    assert g.max_gap == 3 and g.added == date(2014, 4, 30) and g.mode is RuleMode.ORDERED


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "invalid JSON"),
        ('["a"]', "JSON object"),
        ('{"components": [["a"]], "colour": 1}', "unknown key"),
        ('{"components": "a"}', "list of lists"),
        ('{"components": [[""]]}', "empty component"),
        ('{"components": [["a"]], "whole_word": "yes"}', "true or false"),
        ('{"components": [["a"]], "max_gap": 1.5}', "integer"),
    ],
)
def test_bad_jsonl(tmp_path: Path, line: str, problem: str) -> None:
    p = write(tmp_path / "r.jsonl", '{"components": [["ok"]]}\n' + line + "\n")
    with pytest.raises(WordlistError, match=problem) as info:
        load_rules(p)
    assert info.value.line == 2


# ---------------------------------------------------------------- round trips

_ALPHABET = st.sampled_from(
    [*"六四学生民主运动坦克人習近平海洛因abcXYZ019 +#\\|;,\"'\u3000.*()", "😀", "\u200b", "ｆ"]
)
_WORD = st.text(_ALPHABET, min_size=1, max_size=6)
_COMPONENT = st.lists(_WORD, min_size=1, max_size=3).map(tuple)
_META = st.none() | st.text(_ALPHABET, min_size=1, max_size=8).filter(lambda s: s == s.strip())
_DATE = st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def rules_strategy(draw: st.DrawFn) -> list[Rule]:
    n = draw(st.integers(0, 6))
    out = []
    for i in range(n):
        comps = tuple(draw(st.lists(_COMPONENT, min_size=1, max_size=4)))
        ordered = draw(st.booleans())
        added = draw(_DATE)
        removed = draw(_DATE)
        if added and removed and removed < added:
            added, removed = removed, added
        out.append(
            Rule(
                id=draw(
                    st.just(f"r{i}")
                    | st.text(_ALPHABET, min_size=1, max_size=5).map(
                        lambda s, i=i: f"{s.strip() or 'x'}-{i}"
                    )
                ),
                components=comps,
                mode=RuleMode.ORDERED if ordered else RuleMode.ALL,
                max_gap=draw(st.none() | st.integers(0, 5)) if ordered else None,
                gap_allows_han=draw(st.booleans()),
                whole_word=draw(st.booleans()),
                unless=tuple(
                    draw(st.lists(st.lists(_WORD, min_size=1, max_size=3).map(tuple), max_size=2))
                ),
                action=draw(st.sampled_from(list(Action))),
                category=draw(_META),
                source=draw(_META),
                note=draw(_META),
                added=added,
                removed=removed,
            )
        )
    return out


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rules=rules_strategy(), fmt=st.sampled_from(["csv", "jsonl"]))
def test_round_trip_full_formats(tmp_path: Path, rules: list[Rule], fmt: str) -> None:
    path = tmp_path / f"rules.{fmt}"
    dump_rules(rules, path)
    assert load_rules(path) == rules


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(comps=st.lists(st.lists(_COMPONENT, min_size=1, max_size=4), max_size=6))
def test_round_trip_combination_format(tmp_path: Path, comps: list[list[tuple[str, ...]]]) -> None:
    rules = [parse_rule_line(format_rule_line(Rule(id="x", components=tuple(c)))) for c in comps]
    assert [r.components for r in rules] == [tuple(c) for c in comps]
    unique = list({r.id: r for r in rules}.values())
    path = tmp_path / "rules.txt"
    dump_rules(unique, path, format="combination")
    assert load_rules(path, format="combination") == unique


def test_dump_refuses_what_a_format_cannot_say(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot express"):
        dump_rules([Rule.keyword("a", category="x")], tmp_path / "r.txt")
    with pytest.raises(ValueError, match="cannot express"):
        dump_rules([Rule.keyword("a", action=Action.BLOCK)], tmp_path / "r.txt")
    with pytest.raises(ValueError, match="single trimmed keyword"):
        dump_rules([Rule.combination("a+b")], tmp_path / "r.txt", format="plain")
    with pytest.raises(ValueError, match="surrounding whitespace"):
        dump_rules([Rule.keyword("a", note=" padded")], tmp_path / "r.csv")
    with pytest.raises(UnknownNameError, match=r"unknown rule file format 'yaml'"):
        dump_rules([], tmp_path / "r.txt", format="yaml")  # type: ignore[arg-type]


# ---------------------------------------------------------------- bad input


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    p = write(tmp_path / "k.txt", "一\n二\n".encode() + b"bad \xff\xfe bytes\n" + "三\n".encode())
    with pytest.raises(WordlistError, match=r"invalid UTF-8 at byte 5") as info:
        load_rules(p)
    assert (info.value.path, info.value.line) == (str(p), 3)


def test_gbk_file_is_rejected(tmp_path: Path) -> None:
    p = write(tmp_path / "k.txt", "ok\n六四\n".encode("gbk"))
    with pytest.raises(WordlistError, match="invalid UTF-8") as info:
        load_keywords(p)
    assert info.value.line == 2


def test_binary_file(tmp_path: Path) -> None:
    p = write(tmp_path / "k.txt", b"abc\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(WordlistError, match="binary file: NUL byte") as info:
        load_rules(p)
    assert info.value.line == 4


def test_utf16_file(tmp_path: Path) -> None:
    p = write(tmp_path / "k.txt", "六四\n".encode("utf-16"))
    with pytest.raises(WordlistError, match="UTF-16"):
        load_keywords(p)


def test_ten_megabyte_line(tmp_path: Path) -> None:
    p = write(tmp_path / "k.txt", b"ok\n" + b"a" * (10 * 1024 * 1024) + b"\nlater\n")
    with pytest.raises(WordlistError, match="longer than 65536 bytes") as info:
        load_rules(p)
    assert info.value.line == 2


def test_max_line_length_is_configurable(tmp_path: Path) -> None:
    p = write(tmp_path / "k.txt", "abcd\r\n六四\n")
    assert load_keywords(p, max_line_length=6) == ["abcd", "六四"]
    with pytest.raises(WordlistError, match="longer than 5 bytes") as info:
        load_keywords(p, max_line_length=5)
    assert info.value.line == 2
    with pytest.raises(ValueError, match="max_line_length"):
        load_keywords(p, max_line_length=0)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WordlistError, match="cannot read file"):
        load_rules(tmp_path / "nope.txt")


def test_component_that_normalises_to_nothing(tmp_path: Path) -> None:
    p = write(tmp_path / "r.txt", "六四+学生\n六四+！！\n")
    assert len(load_rules(p)) == 2
    with pytest.raises(
        WordlistError, match="component 2 keyword '！！' normalises to nothing"
    ) as i:
        load_rules(p, normalizer=StripPunctuation())
    assert i.value.line == 2
    q = write(tmp_path / "r.csv", "rule,unless\n六四,a+...\n")
    with pytest.raises(WordlistError, match=r"exception keyword '\.\.\.'"):
        load_rules(q, normalizer=StripPunctuation())


def test_duplicate_ids(tmp_path: Path) -> None:
    p = write(tmp_path / "r.txt", "a+b\nc\na + b\n")
    with pytest.raises(WordlistError, match=r"duplicate rule id 'a\+b' \(first on line 1\)") as i:
        load_rules(p)
    assert i.value.line == 3
    assert [r.id for r in load_rules(p, duplicates="first")] == ["a+b", "c"]
    q = write(tmp_path / "r.csv", "id,rule\nx,a\ny,b\nx,c\n")
    with pytest.raises(WordlistError, match="duplicate rule id 'x'"):
        load_rules(q)


def test_error_on_last_line_returns_nothing(tmp_path: Path) -> None:
    p = write(tmp_path / "r.txt", "".join(f"k{i}+x\n" for i in range(1000)) + "bad++\n")
    result: list[Rule] | None = None
    with pytest.raises(WordlistError):
        result = load_rules(p)
    assert result is None


def test_exceptions_file(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path / "r.csv", "id,rule\nr1,习包子+独裁\nr2,自焚+活摘\n"))
    ex = write(tmp_path / "ex.csv", "unless,rules\n放+假,r1;r2\n成 + 绩,r2\n")
    r1, r2 = load_exceptions(ex, rules)
    assert r1.unless == (("放", "假"),)
    assert r2.unless == (("放", "假"), ("成", "绩"))
    bad = write(tmp_path / "bad.csv", "unless,rules\n放+假,r1\n挂+科,r1;r9\n")
    with pytest.raises(WordlistError, match="names rule 'r9', which is not defined") as info:
        load_exceptions(bad, rules)
    assert info.value.line == 3


def test_qqmail_layout_missing_reference(tmp_path: Path) -> None:
    # Synthetic files in QQMail's layout (not copied from the data set).
    write(tmp_path / "censored.txt", "甲+乙\n丙+丁+戊\n")
    write(
        tmp_path / "extenuating.csv",
        "Extenuating combination,# of censored keyword combinations it extenuates,"
        'Censored keyword combinations it extenuates\n子+丑,2,"甲+乙, 丙+丁+戊"\n',
    )
    a, b = load_qqmail(tmp_path)
    assert a.unless == b.unless == (("子", "丑"),)
    assert a.action is Action.REFUSE
    with (tmp_path / "extenuating.csv").open("a", encoding="utf-8") as f:
        f.write("寅+卯,1,丙+丁\n")
    with pytest.raises(WordlistError, match=r"'丙\+丁', which is not in censored\.txt") as info:
        load_qqmail(tmp_path)
    assert info.value.line == 3
    assert info.value.path == str(tmp_path / "extenuating.csv")


def test_example_lists_load() -> None:
    folder = REPO / "wordlists"
    files = sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".txt", ".jsonl"))
    assert files, "wordlists/ has no example lists"
    for path in files:
        rules = load_rules(path, normalizer=StripPunctuation())
        assert rules, path
        if path.suffix == ".csv":
            for rule in rules:
                assert rule.source and rule.source.startswith(("https://", "http://")), (
                    path,
                    rule.id,
                )


def test_rule_columns_match_dump(tmp_path: Path) -> None:
    dump_rules([Rule.keyword("x")], tmp_path / "r.csv")
    header = (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()[0]
    assert tuple(header.split(",")) == RULE_COLUMNS


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(st.sampled_from(["六四", "学生", " 六四 ", "#注释", "", "，",
                                                 "\\#tag", "a+b", "！？"]),
                                st.text(alphabet="六四学生ab ，#\\+", max_size=4)),
                      max_size=12),
       duplicates=st.sampled_from(["error", "first"]), normalise=st.booleans())
def test_keyword_rules_loader_equals_the_plain_format(
    tmp_path: Path, lines: list[str], duplicates: str, normalise: bool
) -> None:
    """``load_keyword_rules`` (rules made when read, normalisation checked in one batch)
    gives the rules ``load_rules(format="plain")`` gives, or the same error on the same
    line; ``RuleSet.from_file`` uses it for plain lists."""
    from censorsim.text.normalize import Normalizer
    from censorsim.text.rules import RuleSet

    path = tmp_path / "list.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    norm = Normalizer.from_profile("default") if normalise else None
    kwargs = {"normalizer": norm, "duplicates": duplicates}
    try:
        want = load_rules(path, format="plain", **kwargs)  # type: ignore[arg-type]
    except WordlistError as exc:
        with pytest.raises(WordlistError) as got:
            wordlists.load_keyword_rules(path, **kwargs)  # type: ignore[arg-type]
        assert str(got.value) == str(exc)
        return
    got_rules = wordlists.load_keyword_rules(path, **kwargs)  # type: ignore[arg-type]
    assert list(got_rules) == want
    if normalise and duplicates == "error":
        assert RuleSet.from_file(path, format="plain").rules == tuple(want)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(st.sampled_from(["六四", "学生", " 六四 ", "#注释", "",
                                                 "a+b", "六四|學生", "x;y", "\\+1", "ab c"]),
                                st.text(alphabet="六四学生ab ，#\\+|;", max_size=4)),
                      max_size=10),
       suffix=st.sampled_from([".txt", ".rules"]))
def test_rule_set_from_a_combination_file_without_syntax_reads_it_as_plain(
    tmp_path: Path, lines: list[str], suffix: str
) -> None:
    """``RuleSet.from_file`` reads a combination file none of whose lines uses the
    syntax as ``KeywordRules`` (no ``Rule`` object per line): the rules, and any
    error, are those of ``load_rules``."""
    from censorsim.models import KeywordRules
    from censorsim.text.normalize import Normalizer
    from censorsim.text.rules import RuleSet

    path = tmp_path / f"list{suffix}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    norm = Normalizer.from_profile("default")
    try:
        want = load_rules(path, normalizer=norm)
    except WordlistError as exc:
        with pytest.raises((WordlistError, RuleError)) as got:
            RuleSet.from_file(path)
        assert str(got.value) == str(exc)
        return
    try:
        built = RuleSet.from_file(path)
    except RuleError:  # duplicate normalised ids and the like: RuleSet's own checks
        with pytest.raises(RuleError):
            RuleSet(want, normalizer=norm)
        return
    lazy = isinstance(built._rules, KeywordRules)  # before .rules makes them all
    assert built.rules == tuple(want)
    assert lazy == (not any(ch in line for line in lines for ch in "+|;\\"))
