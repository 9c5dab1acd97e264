"""Issue 10 items 8, 9 and 13 on the rule and message readers and ``censorsim scan``.

Each test's docstring is the reproducer from the issue.
"""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path

import pytest

from censorsim.cli import main
from censorsim.errors import InputError, ParameterError, WordlistError
from censorsim.models import Action
from censorsim.text.messages import read_messages
from censorsim.text.wordlists import load_rules


def _scan(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(["scan", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# -- item 8: wrong types in rule files ---------------------------------------------------


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"components": [["a"]], "action": false}', r"'action' must be an action name"),
        ('{"components": [["a"]], "action": true}', r"'action' must be an action name"),
        ('{"components": [["a"]], "action": 0}', r"'action' must be an action name"),
        ('{"components": [["a"]], "action": ["drop"]}', r"'action' must be an action name"),
        ('{"components": [["a"]], "action": {"x": 1}}', r"'action' must be an action name"),
        ('{"components": [["a"]], "id": ""}', r"'id' must be a non-empty string"),
        ('{"components": [["a"]], "id": 5}', r"'id' must be a non-empty string"),
        ('{"components": [["a"]], "mode": "fuzzy"}', r"'mode': expected one of"),
        ('{"components": [["a"]], "max_gap": true}', r"'max_gap' must be an integer"),
        ('{"components": [["a"]], "whole_word": "no"}', r"'whole_word' must be true or false"),
    ],
)
def test_jsonl_wrong_types_are_errors_with_file_and_line(
    tmp_path: Path, line: str, problem: str
) -> None:
    """``{"components": [["a"]], "action": false}`` in a .jsonl loaded as a DELIVER rule;
    ``"action": [...]`` loaded with the default action. Each is a WordlistError naming
    file and line 2."""
    p = tmp_path / "r.jsonl"
    p.write_text('{"components": [["ok"]]}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(WordlistError, match=problem) as info:
        load_rules(p)
    assert info.value.path == str(p) and info.value.line == 2


def test_jsonl_action_names_still_load(tmp_path: Path) -> None:
    """A string action loads; null or a missing action takes the default."""
    p = tmp_path / "r.jsonl"
    p.write_text(
        '{"components": [["a"]], "action": "flag"}\n'
        '{"components": [["b"]], "action": null}\n{"components": [["c"]]}\n',
        encoding="utf-8",
    )
    assert [r.action for r in load_rules(p, default_action="hide")] == [
        Action.FLAG,
        Action.HIDE,
        Action.HIDE,
    ]


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("rule,rule", r"'rule' appear more than once"),
        ("rule,keyword", r"'rule' appear more than once"),
        ("rule,action,Action", r"'action' appear more than once"),
    ],
)
def test_csv_duplicate_columns_are_errors(tmp_path: Path, header: str, problem: str) -> None:
    """A CSV header ``rule,rule`` (or ``rule,keyword``) kept only the last column's cell,
    dropping the rule in the first. Now a WordlistError on the header line."""
    p = tmp_path / "r.csv"
    cells = ",".join(["六四", "学生", "drop"][: header.count(",") + 1])
    p.write_text(f"{header}\n{cells}\n", encoding="utf-8")
    with pytest.raises(WordlistError, match=problem) as info:
        load_rules(p)
    assert info.value.line == 1


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("a,fuzzy,", r"'mode': expected one of"),
        ("a,ordered,x", r"column 'max_gap': expected an integer"),
        ("a,ordered,1e9", r"column 'max_gap': expected an integer"),
        ("a,ordered,١", r"column 'max_gap': expected an integer"),
    ],
)
def test_csv_bad_cells_are_errors(tmp_path: Path, row: str, problem: str) -> None:
    """``max_gap`` of ``x`` or ``1e9`` and an unknown mode, each on line 2."""
    p = tmp_path / "r.csv"
    p.write_text(f"rule,mode,max_gap\n{row}\n", encoding="utf-8")
    with pytest.raises(WordlistError, match=problem) as info:
        load_rules(p)
    assert info.value.line == 2


def test_deeply_nested_json_rule_is_a_wordlist_error(tmp_path: Path) -> None:
    """A JSON-lines rule file holding ``[[[[...]]]]`` 30,000 deep raised RecursionError."""
    p = tmp_path / "r.jsonl"
    p.write_text("[" * 30_000 + "]" * 30_000 + "\n", encoding="utf-8")
    with pytest.raises(WordlistError, match=r"r\.jsonl:1: JSON nested too deeply"):
        load_rules(p)


# -- item 8: message files that are not UTF-8 ---------------------------------------------


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ("六四\n".encode("gbk"), r"m\.txt:1: not UTF-8"),
        ("ok\n六四\n".encode("gb18030"), r"m\.txt:2: not UTF-8"),
        (codecs.BOM_UTF16_LE + "六四\n".encode("utf-16-le"), r"m\.txt:1: the file is UTF-16"),
        (codecs.BOM_UTF16_BE + "六四\n".encode("utf-16-be"), r"m\.txt:1: the file is UTF-16"),
        (b"ab\x00cd\n", r"m\.txt:1: binary file: NUL"),
    ],
)
def test_non_utf8_messages_are_errors(tmp_path: Path, data: bytes, problem: str) -> None:
    """A GBK or UTF-16 message file was scanned as mojibake (surrogate escapes), never
    matching a keyword. Now an InputError naming file and line."""
    p = tmp_path / "m.txt"
    p.write_bytes(data)
    with pytest.raises(InputError, match=problem):
        list(read_messages(p))


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "big5", "utf-16", "utf-8-sig"])
def test_declared_encoding_is_decoded(tmp_path: Path, encoding: str) -> None:
    """With the encoding declared, the same files are read as the text they hold."""
    p = tmp_path / "m.txt"
    p.write_bytes("六四\r\n民主\n".encode(encoding))
    assert [t for _, t in read_messages(p, encoding=encoding)] == ["六四", "民主"]


def test_wrong_declared_encoding_and_unknown_encoding(tmp_path: Path) -> None:
    """UTF-8 text declared as UTF-16 is an error, and so is an unknown encoding name."""
    p = tmp_path / "m.txt"
    p.write_bytes("六\n".encode())
    with pytest.raises(InputError, match=r"m\.txt:1: not valid utf-16"):
        list(read_messages(p, encoding="utf-16"))
    with pytest.raises(ParameterError, match="unknown text encoding 'klingon'"):
        list(read_messages(p, encoding="klingon"))


def test_binary_stream_and_text_stream() -> None:
    """Standard input is read as bytes and decoded strictly; a text stream is taken as is."""
    raw = io.BytesIO("六四\n".encode("gbk"))
    with pytest.raises(InputError, match=r"<stdin>:1: not UTF-8"):
        list(read_messages(raw, name="<stdin>"))
    raw.seek(0)
    assert list(read_messages(raw, name="s", encoding="gbk")) == [("s:1", "六四")]
    assert list(read_messages(io.StringIO("a\n"), name="s")) == [("s:1", "a")]


def test_scan_gbk_file_exit_2_or_decoded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``censorsim scan -r k.txt gbk.txt`` printed an uncensored row for 六四 in GBK."""
    rules = tmp_path / "k.txt"
    rules.write_text("六四\n", encoding="utf-8")
    msgs = tmp_path / "gbk.txt"
    msgs.write_bytes("六四\n".encode("gbk"))
    code, out, err = _scan(["-r", str(rules), str(msgs)], capsys)
    assert code == 2 and out == ""
    assert "gbk.txt:1: not UTF-8" in err and "--encoding" in err
    code, out, _ = _scan(["-r", str(rules), str(msgs), "--encoding", "gbk"], capsys)
    assert code == 0 and json.loads(out)["censored"] is True


def test_jsonl_error_after_first_batch_says_partial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JSON-lines message file with a bad line 5,000 left 4,096 results on stdout and a
    bare error. Now the error says the results written are a partial result, and how many."""
    rules = tmp_path / "k.txt"
    rules.write_text("六四\n", encoding="utf-8")
    msgs = tmp_path / "m.jsonl"
    lines = ['{"text": "x"}'] * 4999 + ["{bad"]
    msgs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = _scan(["-r", str(rules), str(msgs)], capsys)
    assert code == 2
    assert len(out.splitlines()) == 4096
    assert "m.jsonl:5000: invalid JSON" in err
    assert "4096 result(s) already written" in err and "partial result" in err
    # The table output writes nothing before the end: nothing partial to explain.
    code, out, err = _scan(["-r", str(rules), str(msgs), "-f", "table"], capsys)
    assert code == 2 and out == "" and "partial" not in err


# -- item 9: one definition of censored -----------------------------------------------------


@pytest.fixture
def graded(tmp_path: Path) -> tuple[Path, Path]:
    rules = tmp_path / "r.csv"
    rules.write_text("rule,action\n甲,deliver\n乙,flag\n丙,hide\n", encoding="utf-8")
    msgs = tmp_path / "m.txt"
    msgs.write_text("甲\n乙\n丙\n丁\n", encoding="utf-8")
    return rules, msgs


def test_scan_flag_or_deliver_hit_is_not_censored(
    graded: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """``scan`` counted a hit on a deliver or flag rule as censored; the simulator did not.
    Now ``censored`` is Action.censors (above flag) and ``fired`` is "any rule fired"."""
    rules, msgs = graded
    code, out, _ = _scan(["-r", str(rules), str(msgs)], capsys)
    recs = [json.loads(x) for x in out.splitlines()]
    assert code == 0
    assert [(r["fired"], r["censored"]) for r in recs] == [
        (True, False),
        (True, False),
        (True, True),
        (False, False),
    ]
    assert [r["masked"] for r in recs] == [None, None, "*", None]
    _, out, _ = _scan(["-r", str(rules), str(msgs), "--only-censored"], capsys)
    assert [json.loads(x)["id"] for x in out.splitlines()] == [f"{msgs}:3"]
    _, out, _ = _scan(["-r", str(rules), str(msgs), "--only-fired"], capsys)
    assert [json.loads(x)["id"] for x in out.splitlines()] == [f"{msgs}:{i}" for i in (1, 2, 3)]
    _, out, _ = _scan(["-r", str(rules), str(msgs), "-f", "table"], capsys)
    assert "1 of 4 message(s) censored, 3 with a rule fired" in out


def test_scan_fail_on_hit_and_fail_on_fired(
    graded: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--fail-on-hit exits 1 only for a censored message; --fail-on-fired for any hit."""
    rules, _ = graded
    flagged = tmp_path / "flagged.txt"
    flagged.write_text("甲乙\n", encoding="utf-8")
    assert _scan(["-r", str(rules), str(flagged), "--fail-on-hit"], capsys)[0] == 0
    assert _scan(["-r", str(rules), str(flagged), "--fail-on-fired"], capsys)[0] == 1
    censored = tmp_path / "censored.txt"
    censored.write_text("丙\n", encoding="utf-8")
    assert _scan(["-r", str(rules), str(censored), "--fail-on-hit"], capsys)[0] == 1


# -- item 13: the rule-file format of scan -r ------------------------------------------------


def test_scan_plain_list_with_rules_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``6+1`` in a .txt became the combination 6 and 1, ``猎枪|真枪`` alternatives, with no
    way to read the list as plain. ``--rules-format plain`` reads each line as one keyword;
    auto keeps the documented suffix rule (.txt is the combination format)."""
    rules = tmp_path / "k.txt"
    rules.write_text("6+1\n猎枪|真枪\n", encoding="utf-8")
    msgs = tmp_path / "m.txt"
    msgs.write_text("买6+1彩票\n猎枪\n1和6\n", encoding="utf-8")
    _, out, _ = _scan(["-r", str(rules), "--rules-format", "plain", str(msgs)], capsys)
    assert [json.loads(x)["rules"] for x in out.splitlines()] == [["6+1"], [], []]
    _, out, _ = _scan(["-r", str(rules), str(msgs)], capsys)
    assert [json.loads(x)["rules"] for x in out.splitlines()] == [["6+1"], ["猎枪|真枪"], ["6+1"]]


def test_scan_help_names_the_format_rule(capsys: pytest.CaptureFixture[str]) -> None:
    """--help says how the rule-file format is chosen and what censored means."""
    code, out, _ = _scan(["--help"], capsys)
    assert code == 0
    flat = " ".join(out.split())
    assert "--rules-format {auto,plain,combination,csv,jsonl}" in flat
    assert "any other suffix, .txt included, combination" in flat
    assert "--only-fired" in flat and "--fail-on-fired" in flat
    assert "action above flag" in flat
