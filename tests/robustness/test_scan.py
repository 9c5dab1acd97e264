"""Bad input to ``censorsim scan``: one named error and exit 2, inputs unchanged.

Each row is one bad rule file, message file or option value; the id is the reproducer.
Hypothesis then fuzzes the rule readers (every format) and the message reader: random
bytes give rules or messages, or the reader's named error, never anything else.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from censorsim.errors import InputError, WordlistError
from censorsim.text.messages import read_messages
from censorsim.text.wordlists import load_rules
from tests.robustness.conftest import BadInput, RunCli

FILES: dict[str, bytes] = {
    "rules.txt": "六四+学生\n法轮功\n".encode(),
    "msgs.txt": "六四的学生\n你好\n".encode(),
    "msgs.jsonl": '{"text": "六四的学生"}\n'.encode(),
    # rule files
    "false_action.jsonl": b'{"components": [["a"]], "action": false}\n',
    "list_action.jsonl": b'{"components": [["a"]], "action": ["drop"]}\n',
    "deep_rule.jsonl": b"[" * 30_000 + b"]" * 30_000 + b"\n",
    "not_json.jsonl": b'{"components": [["a"]]\n',
    "dup_cols.csv": "rule,keyword\n六四,学生\n".encode(),
    "unknown_col.csv": "rule,colour\n六四,red\n".encode(),
    "bad_mode.csv": "rule,mode\n六四,fuzzy\n".encode(),
    "bad_gap.csv": "rule,mode,max_gap\n六四+学生,ordered,-1\n".encode(),
    "short_row.csv": "rule,action\n六四,drop,extra\n".encode(),
    "gbk_rules.txt": "六四\n".encode("gbk"),
    "utf16_rules.txt": "六四\n".encode("utf-16"),
    "binary_rules.txt": bytes(range(256)) * 4,
    "empty_comp.txt": b"a++b\n",
    "long_line.txt": b"x" * 70_000 + b"\n",
    "punct_rules.txt": "！！\n".encode(),
    # message files
    "gbk.txt": "六四的学生\n".encode("gbk"),
    "gb18030_line2.txt": b"ok\n" + "六四".encode("gb18030") + b"\n",
    "utf16.txt": "六四\n".encode("utf-16"),
    "binary.txt": b"abc\x00def\n",
    "deep.jsonl": b"[" * 30_000 + b"]" * 30_000 + b"\n",
    "no_text.jsonl": b'{"id": "a"}\n',
    "bool_id.jsonl": b'{"text": "a", "id": true}\n',
    "bad_json.jsonl": b'{"text": "a"}\n{oops\n',
}


@pytest.fixture
def f(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, data in FILES.items():
        out[name] = tmp_path / name
        out[name].write_bytes(data)
    out["dir"] = tmp_path / "folder"
    out["dir"].mkdir()
    out["missing"] = tmp_path / "nope.txt"
    out["fifo"] = tmp_path / "fifo.txt"
    os.mkfifo(out["fifo"])
    return out


Argv = Callable[[dict[str, Path]], list[str]]


def _rules(name: str, *extra: str) -> Argv:
    return lambda f: ["scan", "-r", str(f[name]), str(f["msgs.txt"]), *extra]


def _msgs(name: str, *extra: str) -> Argv:
    return lambda f: ["scan", "-r", str(f["rules.txt"]), str(f[name]), *extra]


def _opts(*extra: str) -> Argv:
    return lambda f: ["scan", "-r", str(f["rules.txt"]), str(f["msgs.txt"]), *extra]


CASES: dict[str, tuple[Argv, str]] = {
    # rule files (issue 10 item 8 and "no raw tracebacks")
    '-r x.jsonl with "action": false': (
        _rules("false_action.jsonl"),
        r"false_action\.jsonl:1: 'action' must be an action name",
    ),
    '-r x.jsonl with "action": ["drop"]': (
        _rules("list_action.jsonl"),
        r"list_action\.jsonl:1: 'action' must be an action name",
    ),
    "-r x.jsonl nested 30,000 deep": (
        _rules("deep_rule.jsonl"),
        r"deep_rule\.jsonl:1: JSON nested",
    ),
    "-r x.jsonl not JSON": (_rules("not_json.jsonl"), r"not_json\.jsonl:1: invalid JSON"),
    "-r x.csv with rule,keyword": (_rules("dup_cols.csv"), r"dup_cols\.csv:1: column\(s\) 'rule'"),
    "-r x.csv unknown column": (_rules("unknown_col.csv"), r"unknown_col\.csv:1: unknown column"),
    "-r x.csv mode fuzzy": (_rules("bad_mode.csv"), r"bad_mode\.csv:2: 'mode': expected"),
    "-r x.csv max_gap -1": (_rules("bad_gap.csv"), r"bad_gap\.csv:2: .*max_gap must be >= 0"),
    "-r x.csv row too long": (_rules("short_row.csv"), r"short_row\.csv:2: row has 3 cells"),
    "-r gbk rules": (_rules("gbk_rules.txt"), r"gbk_rules\.txt:1: invalid UTF-8"),
    "-r utf-16 rules": (_rules("utf16_rules.txt"), r"utf16_rules\.txt:1: .*UTF-16"),
    "-r binary rules": (_rules("binary_rules.txt"), r"binary_rules\.txt:1: binary file"),
    "-r a++b": (_rules("empty_comp.txt"), r"empty_comp\.txt:1: .*empty"),
    "-r 70 KB line": (_rules("long_line.txt"), r"long_line\.txt:1: line is longer"),
    "-r keyword normalising to nothing": (
        _rules("punct_rules.txt"),
        r"punct_rules\.txt:1: .*normalises to nothing",
    ),
    "-r folder": (_rules("dir"), r"folder: cannot read file: is a folder"),
    "-r missing": (_rules("missing"), r"nope\.txt: cannot read file"),
    "-r x.txt --rules-format yaml": (_opts("--rules-format", "yaml"), r"invalid choice: 'yaml'"),
    "--citizenlab missing": (
        lambda f: ["scan", "--citizenlab", str(f["missing"]), str(f["msgs.txt"])],
        r"nope\.txt: no such file or folder",
    ),
    "--citizenlab folder with no data set": (
        lambda f: ["scan", "--citizenlab", str(f["dir"]), str(f["msgs.txt"])],
        r"no Citizen Lab data set found",
    ),
    "no rules": (lambda f: ["scan", str(f["msgs.txt"])], r"no rules: give --rules"),
    # message files (item 8)
    "GBK messages": (_msgs("gbk.txt"), r"gbk\.txt:1: not UTF-8.*--encoding"),
    "GB18030 on line 2": (_msgs("gb18030_line2.txt"), r"gb18030_line2\.txt:2: not UTF-8"),
    "UTF-16 messages with a BOM": (_msgs("utf16.txt"), r"utf16\.txt:1: the file is UTF-16"),
    "UTF-8 declared as UTF-16": (
        _msgs("msgs.txt", "--encoding", "utf-16"),
        r"msgs\.txt:1: not valid utf-16",
    ),
    "binary messages": (_msgs("binary.txt"), r"binary\.txt:1: binary file: NUL"),
    "messages nested 30,000 deep": (_msgs("deep.jsonl"), r"deep\.jsonl:1: JSON nested too deeply"),
    "jsonl without text": (_msgs("no_text.jsonl"), r"no_text\.jsonl:1: expected an object"),
    "jsonl with a boolean id": (_msgs("bool_id.jsonl"), r"bool_id\.jsonl:1: 'id' must be"),
    "jsonl bad line 2": (_msgs("bad_json.jsonl"), r"bad_json\.jsonl:2: invalid JSON"),
    "messages folder": (_msgs("dir"), r"folder: cannot read: is a folder"),
    "messages missing": (_msgs("missing"), r"nope\.txt: cannot read"),
    # option values
    "--encoding klingon": (_opts("--encoding", "klingon"), r"unknown text encoding 'klingon'"),
    "--on 2020-13-01": (_opts("--on", "2020-13-01"), r"expected a YYYY-MM-DD date"),
    "--on 9999-99-99": (_opts("--on", "9999-99-99"), r"expected a YYYY-MM-DD date"),
    "--on yesterday": (_opts("--on", "yesterday"), r"expected a YYYY-MM-DD date"),
    "--input-format xml": (_opts("--input-format", "xml"), r"invalid choice: 'xml'"),
    "-n nosuchstep": (_opts("-n", "nosuchstep"), r"nosuchstep"),
    "-b nosuchbackend": (_opts("-b", "nosuchbackend"), r"invalid choice: 'nosuchbackend'"),
    "-f xml": (_opts("-f", "xml"), r"invalid choice: 'xml'"),
    "--only-censored with --only-fired": (
        _opts("--only-censored", "--only-fired"),
        r"not allowed with argument",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_scan_bad_input(case: str, f: dict[str, Path], bad_input: BadInput) -> None:
    """Each row: ``censorsim scan`` with that input exits 2 with one named error."""
    argv, expect = CASES[case]
    bad_input(argv(f), expect=expect, inputs=[p for p in f.values() if p.is_file()])


def test_scan_fifo_without_writer_does_not_block(f: dict[str, Path], run_cli: RunCli) -> None:
    """A FIFO given as a message file (nobody writing) used to block forever; it now
    reads as empty: no results, exit 0."""
    out = run_cli(["scan", "-r", str(f["rules.txt"]), str(f["fifo"])])
    assert out.code == 0 and out.out == ""


def test_scan_good_files_still_work(f: dict[str, Path], run_cli: RunCli) -> None:
    """The good inputs of the table scan (the table's failures are the inputs' fault)."""
    out = run_cli(["scan", "-r", str(f["rules.txt"]), str(f["msgs.txt"]), str(f["msgs.jsonl"])])
    assert out.code == 0 and out.out.count('"censored": true') == 2


# ---------------------------------------------------------------- hypothesis fuzzing

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

_PIECES = st.sampled_from(
    [
        b"\n",
        b"\r\n",
        b",",
        b'"',
        b"+",
        b"|",
        b"\\",
        b"#",
        b"{",
        b"}",
        b"[",
        b"]",
        b":",
        b'"components"',
        b'"action"',
        b"false",
        b"null",
        b"1",
        b"-",
        "六四".encode(),
        "學生".encode(),
        b"\xff",
        b"\x00",
        b"\xef\xbb\xbf",
        b"rule",
        b"mode",
        b"ordered",
        b"max_gap",
        b"action",
        b"drop",
        b"id",
        b"unless",
        b"2020-01-01",
        b"added",
        b"removed",
    ]
)
_BYTES = st.one_of(st.binary(max_size=300), st.lists(_PIECES, max_size=60).map(b"".join))


@FUZZ
@given(data=_BYTES, fmt=st.sampled_from(["plain", "combination", "csv", "jsonl"]))
def test_fuzz_rule_readers(tmp_path: Path, data: bytes, fmt: str) -> None:
    """Random bytes as a rule file in every format: rules, or a WordlistError naming the
    file (never another exception)."""
    p = tmp_path / "fuzz.rules"
    p.write_bytes(data)
    try:
        rules = load_rules(p, format=fmt)  # type: ignore[arg-type]
    except WordlistError as exc:
        assert str(p) in str(exc)
    else:
        assert all(r.components for r in rules)


@FUZZ
@given(
    data=_BYTES,
    fmt=st.sampled_from(["lines", "jsonl"]),
    encoding=st.sampled_from(["utf-8", "gbk", "utf-16"]),
)
def test_fuzz_message_reader(tmp_path: Path, data: bytes, fmt: str, encoding: str) -> None:
    """Random bytes as a message file: messages (each a str without NUL), or an
    InputError naming the file and a line (never another exception, never mojibake
    with surrogate escapes)."""
    p = tmp_path / "fuzz.msgs"
    p.write_bytes(data)
    try:
        got = list(read_messages(p, fmt, encoding=encoding))  # type: ignore[arg-type]
    except InputError as exc:
        assert f"{p}:" in str(exc)
    else:
        for ident, text in got:
            assert isinstance(ident, str) and "\0" not in text
            text.encode("utf-8")  # no lone surrogates
