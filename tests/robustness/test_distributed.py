"""Bad input to partitioned scans (``censorsim scan --out``, ``--workers``): one named
error and exit 2, or with ``--errors record`` the bad lines listed and the rest scanned."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.robustness.conftest import BadInput, RunCli

FILES: dict[str, bytes] = {
    "rules.txt": "六四+学生\n法轮功\n".encode(),
    "msgs.txt": "六四的学生\n你好\n".encode(),
    "bad_utf8_line5.txt": "ok\n六四的学生\n你好\nfine\n".encode() + b"\xff\xfe bad\n" +
    "法轮功\n".encode(),
    "bad_json_line3.jsonl": '{"text": "六四的学生"}\n{"text": "你好"}\n{oops\n{"text": "法轮功"}\n'
    .encode(),
    "nul_line2.txt": b"ok\nabc\x00def\nlast\n",
    "no_text.parquet": b"",  # written in the fixture (needs pyarrow)
    "a_file": b"not a folder\n",
}

Argv = Callable[[dict[str, Path]], list[str]]


@pytest.fixture
def f(tmp_path: Path) -> dict[str, Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = {}
    for name, data in FILES.items():
        out[name] = tmp_path / name
        out[name].write_bytes(data)
    pq.write_table(pa.table({"body": ["x"]}), out["no_text.parquet"])
    out["missing"] = tmp_path / "nope.txt"
    out["fifo"] = tmp_path / "fifo.txt"
    os.mkfifo(out["fifo"])
    out["out"] = tmp_path / "out"
    return out


def _scan(msgs: str, *extra: str) -> Argv:
    return lambda f: ["scan", "-r", str(f["rules.txt"]), str(f[msgs]), "--out", str(f["out"]),
                      "--partition-size", "2", *extra]


CASES: dict[str, tuple[Argv, str]] = {
    "missing file": (_scan("missing"), r"nope\.txt: cannot read: no such file"),
    "FIFO": (_scan("fifo"), r"fifo\.txt: cannot read: not a regular file"),
    "glob matching nothing": (
        lambda f: ["scan", "-r", str(f["rules.txt"]), str(f["out"].parent / "*.csv"),
                   "--out", str(f["out"])],
        r"\*\.csv: no file matches",
    ),
    "bad UTF-8 on line 5 (third partition)": (
        _scan("bad_utf8_line5.txt"), r"bad_utf8_line5\.txt:5: not UTF-8"),
    "bad UTF-8 on line 5, two workers": (
        _scan("bad_utf8_line5.txt", "--workers", "2"), r"bad_utf8_line5\.txt:5: not UTF-8"),
    "bad JSON on line 3": (_scan("bad_json_line3.jsonl"), r"bad_json_line3\.jsonl:3: invalid"),
    "NUL on line 2": (_scan("nul_line2.txt"), r"nul_line2\.txt:2: binary file: NUL"),
    "Parquet without text": (_scan("no_text.parquet"), r"no_text\.parquet: .*no 'text'"),
    "--out is a file": (
        lambda f: ["scan", "-r", str(f["rules.txt"]), str(f["msgs.txt"]), "--out",
                   str(f["a_file"])],
        r"--out .*a_file: is not a folder",
    ),
    "--workers without --out": (
        lambda f: ["scan", "-r", str(f["rules.txt"]), str(f["msgs.txt"]), "--workers", "2"],
        r"--workers writes Parquet partitions: give --out DIR",
    ),
    "--errors record without --out": (
        lambda f: ["scan", "-r", str(f["rules.txt"]), str(f["msgs.txt"]), "--errors", "record"],
        r"--errors record writes Parquet",
    ),
    "--out with -f table": (_scan("msgs.txt", "-f", "table"), r"-f table does not apply"),
    "--out reading standard input": (
        lambda f: ["scan", "-r", str(f["rules.txt"]), "--out", str(f["out"])],
        r"--out needs message files",
    ),
    "--out with --platform and -r": (_scan("msgs.txt", "--platform", "wechat"),
                                     r"--platform takes the profile's own rules"),
    "--out with --platform nowhere": (
        lambda f: ["scan", str(f["msgs.txt"]), "--out", str(f["out"]), "--platform", "nowhere"],
        r"unknown platform profile 'nowhere'"),
    "--workers 0": (_scan("msgs.txt", "--workers", "0"), r"must be >= 1"),
    "--workers with --dask": (_scan("msgs.txt", "--workers", "2", "--dask"), r"not allowed"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_partitioned_scan_bad_input(case: str, f: dict[str, Path], bad_input: BadInput) -> None:
    """Each row: ``censorsim scan --out`` with that input exits 2 with one named error."""
    argv, expect = CASES[case]
    bad_input(argv(f), expect=expect, inputs=[p for p in f.values() if p.is_file()])


def test_errors_record_lists_bad_lines_and_scans_the_rest(
    f: dict[str, Path], run_cli: RunCli
) -> None:
    out = run_cli(["scan", "-r", str(f["rules.txt"]), str(f["bad_utf8_line5.txt"]),
                   str(f["bad_json_line3.jsonl"]), "--out", str(f["out"]),
                   "--partition-size", "2", "--errors", "record"])
    assert out.code == 0, out.err
    assert "2 bad line(s) listed in summary.json" in out.out
    summary = json.loads((f["out"] / "summary.json").read_text(encoding="utf-8"))
    assert [(Path(b["file"]).name, b["line"]) for b in summary["bad_lines"]] == [
        ("bad_utf8_line5.txt", 5), ("bad_json_line3.jsonl", 3)]
    assert summary["messages"] == 5 + 3 and summary["censored"] == 4


def test_changed_input_on_resume_is_named(f: dict[str, Path], run_cli: RunCli,
                                          bad_input: BadInput) -> None:
    argv = ["scan", "-r", str(f["rules.txt"]), str(f["msgs.txt"]), "--out", str(f["out"])]
    assert run_cli(argv).code == 0
    f["msgs.txt"].write_text("changed\n", encoding="utf-8")
    bad_input(argv, expect=r"msgs\.txt: changed since the scan in .*--fresh")
    assert run_cli([*argv, "--fresh"]).code == 0
