"""``censorsim scan`` through ``main(argv)``, in process."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from censorsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
WECHAT = ROOT / "wordlists" / "wechat-combinations.csv"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_jsonl_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("今天天气很好\n六 四 的學生在民主運動中\n"))
    code, out, _ = _run(["scan", "-r", str(WECHAT)], capsys)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["censored"] for r in records] == [False, True]
    assert records[0]["id"] == "<stdin>:1"
    hit = records[1]
    assert hit["rules"] == ["oats-64-students-democracy"]
    assert hit["action"] == "drop"
    assert hit["hits"][0]["spans"] == [[0, 3], [5, 7], [8, 12]]
    assert hit["masked"] == "*** 的**在****中"


def test_jsonl_input_table_output_and_exit_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    msgs = tmp_path / "m.jsonl"
    msgs.write_text(
        '{"id": "x1", "text": "习近平三连任"}\n\n{"id": 7, "text": "hello \\ud800"}\n',
        encoding="utf-8",
    )
    code, out, _ = _run(
        ["scan", "-r", str(WECHAT), str(msgs), "-f", "table", "--explain", "--fail-on-hit"],
        capsys,
    )
    assert code == 1
    assert "x1" in out and "xk19-xi-third-term" in out and "[习近平三连任]" in out
    assert "1 of 2 message(s) censored" in out
    code, out, _ = _run(["scan", "-r", str(WECHAT), str(msgs), "--only-censored"], capsys)
    assert code == 0
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["x1"]


def test_lone_surrogates_are_escaped_in_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    msgs = tmp_path / "m.jsonl"
    msgs.write_text('{"text": "刘晓波\\ud800"}\n', encoding="utf-8")
    code, out, _ = _run(["scan", "-r", str(WECHAT), str(msgs), "-n", "identity"], capsys)
    assert code == 0
    record = json.loads(out)
    assert record["censored"] and record["spans"] == [[0, 3]]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{bad\n", "m.jsonl:1: invalid JSON"),
        ('{"text": 1}\n', "m.jsonl:1: expected an object with a 'text' string"),
    ],
)
def test_bad_input_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    msgs = tmp_path / "m.jsonl"
    msgs.write_text(content, encoding="utf-8")
    code, _, err = _run(["scan", "-r", str(WECHAT), str(msgs)], capsys)
    assert code == 2
    assert message in err


def test_bad_rules_and_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok\n\xff\xfe broken\n")
    code, _, err = _run(["scan", "-r", str(bad), str(bad)], capsys)
    assert code == 2 and "bad.txt:2" in err
    code, _, err = _run(["scan", str(bad)], capsys)
    assert code == 2 and "no rules" in err
    code, _, err = _run(["scan", "-r", str(WECHAT), str(tmp_path / "nope.txt")], capsys)
    assert code == 2 and "nope.txt: cannot read" in err


def test_backend_and_profile_choices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    msgs = tmp_path / "m.txt"
    msgs.write_text("劉曉波\n", encoding="utf-8")
    for backend in ("reference", "naive", "regex", "pyahocorasick"):
        code, out, _ = _run(["scan", "-r", str(WECHAT), "-b", backend, str(msgs)], capsys)
        assert code == 0 and json.loads(out)["censored"]
    code, _, err = _run(["scan", "-r", str(WECHAT), "-n", "nonsense", str(msgs)], capsys)
    assert code == 2 and "unknown normalisation step 'nonsense'" in err
