"""``censorsim scan --out/--workers/--dask``: the same rows whichever way it runs, no
progress bar when stderr is not a terminal, a summary line, exit 1 with --fail-on-hit."""

from __future__ import annotations

from pathlib import Path

import pytest

from censorsim.cli import main
from censorsim.distributed import read_scan


def _rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.txt"
    path.write_text("六四+学生+民主运动\n法轮功\n", encoding="utf-8")
    return path


def test_workers_and_dask_write_the_rows_of_the_single_process_run(
    tmp_path: Path, corpus: list[Path], cluster: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["scan", "-r", str(_rules(tmp_path)), *map(str, corpus), "--partition-size", "4"]
    assert main([*base, "--out", str(tmp_path / "one")]) == 0
    one = capsys.readouterr()
    assert one.err == ""  # no progress bar: stderr is not a terminal
    assert "partition(s) in" in one.out and "(serial, 1 worker(s)" in one.out
    assert main([*base, "--out", str(tmp_path / "two"), "--workers", "2"]) == 0
    assert main([*base, "--out", str(tmp_path / "dask"), "--dask", cluster]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    assert "(processes, 2 worker(s)" in out.out and "(dask," in out.out
    want = read_scan(tmp_path / "one")
    assert read_scan(tmp_path / "two") == want
    assert read_scan(tmp_path / "dask") == want
    again = [*base, "--out", str(tmp_path / "one"), "--fail-on-hit"]
    assert main(again) == 1  # resumed (nothing to do), and something is censored
    assert "resumed" in capsys.readouterr().out


def test_progress_bar_only_on_a_terminal(
    tmp_path: Path, corpus: list[Path], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    base = ["scan", "-r", str(_rules(tmp_path)), *map(str, corpus), "--partition-size", "4"]
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main([*base, "--out", str(tmp_path / "tty")]) == 0
    assert "partition" in capsys.readouterr().err  # tqdm drew on the "terminal"
    assert main([*base, "--out", str(tmp_path / "quiet"), "--no-progress"]) == 0
    assert capsys.readouterr().err == ""


def test_platform_scan_partitioned_gives_the_json_lines_decisions(
    tmp_path: Path, corpus: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    files = [str(corpus[0]), str(corpus[2])]
    assert main(["scan", "--platform", "wechat", "--on", "2020-02-01", *files]) == 0
    want = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert main(["scan", "--platform", "wechat", "--on", "2020-02-01", *files,
                 "--out", str(tmp_path / "p"), "--workers", "2", "--partition-size", "5"]) == 0
    rows = read_scan(tmp_path / "p")
    assert [(r["id"], r["censored"], r["action"], r["rules"]) for r in rows] == [
        (w["id"], w["censored"], w["action"], w["rules"]) for w in want]
    assert any(r["censored"] and r["spans"] for r in rows)


@pytest.mark.parametrize("address", ["notascheme://x:1", "tcp://"])
def test_a_bad_scheduler_address_is_exit_2_with_a_message(
    tmp_path: Path, corpus: list[Path], capsys: pytest.CaptureFixture[str], address: str
) -> None:
    """An address Distributed cannot parse: exit 2 naming it, no traceback."""
    base = ["scan", "-r", str(_rules(tmp_path)), *map(str, corpus), "--no-progress"]
    assert main([*base, "--out", str(tmp_path / "bad"), "--dask", address]) == 2
    err = capsys.readouterr().err
    assert f"Dask scheduler address {address!r}" in err and "Traceback" not in err
