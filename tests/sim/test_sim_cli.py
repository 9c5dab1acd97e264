"""``censorsim demo``, ``simulate`` and ``report`` through ``main(argv)``."""

from __future__ import annotations

from pathlib import Path

import pytest

from censorsim.cli import main


def test_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--messages", "3000", "--no-plots"]) == 0
    text = capsys.readouterr().out
    assert "collateral damage" in text and str(out / "demo.db") in text
    assert (out / "summary.md").exists()


def test_simulate_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "c.toml"
    root = Path(__file__).resolve().parents[2]
    cfg.write_text(
        f'[simulation]\nmessages = 1000\nbatch_size = 250\n[messages]\nimage_share = 0.0\n'
        f'corpus = "{root / "samples/corpus"}"\n[images]\ndir = ""\n',
        encoding="utf-8",
    )
    db = tmp_path / "r.db"
    assert main(["simulate", str(cfg), "--db", str(db), "--quiet", "--max-batches", "2"]) == 0
    assert "incomplete" in capsys.readouterr().out
    assert main(["simulate", str(cfg), "--db", str(db), "--quiet",
                 "--export", str(tmp_path / "r.csv")]) == 0
    out = capsys.readouterr().out
    assert "resumed from 500" in out and "exported 1000 rows" in out
    assert main(["report", str(db), "--out", str(tmp_path / "rep"), "--no-plots"]) == 0
    assert "Censored share per surface" in capsys.readouterr().out


def test_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "none.db")]) == 2
    assert "decision log not found" in capsys.readouterr().err
    assert main(["simulate", str(tmp_path / "none.toml")]) == 2
    assert "config file not found" in capsys.readouterr().err
