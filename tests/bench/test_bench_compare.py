"""Baseline comparison: ratios to a reference in the same run, exit status of the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from censorsim.bench.compare import ComparisonRow, compare_runs
from censorsim.bench.harness import BenchConfig, BenchRun, TextSpec, run_benchmarks
from censorsim.bench.tables import save_run
from censorsim.bench.workloads import make_workload
from censorsim.cli import main

CONTENDERS = ("pyahocorasick", "censorsim:pyahocorasick", "censorsim:reference")


@pytest.fixture(scope="module")
def run() -> BenchRun:
    config = BenchConfig(suites=("text",), text=(TextSpec("zh", 100, 50),), repeats=1,
                         latency_items=3, contenders=CONTENDERS)
    return run_benchmarks(config)


def _scaled(run: BenchRun, contender: str, factor: float) -> BenchRun:
    data = run.to_json()
    for r in data["results"]:
        if r["contender"] == contender:
            r["throughput"] = {k: v * factor for k, v in r["throughput"].items()}
    return BenchRun.from_json(data)


def test_a_run_equals_itself(run: BenchRun) -> None:
    comparison = compare_runs(run, run, tolerance=0.0)
    assert comparison.ok and len(comparison.rows) == 2
    assert all(abs(r.change) < 1e-12 for r in comparison.rows)


def test_a_faster_baseline_is_a_regression(run: BenchRun) -> None:
    baseline = _scaled(run, "censorsim:reference", 2.0)
    comparison = compare_runs(run, baseline, tolerance=0.3)
    assert [r.contender for r in comparison.regressions] == ["censorsim:reference"]
    assert "REGRESSED" in comparison.markdown()
    assert compare_runs(run, _scaled(run, "censorsim:reference", 1.2), tolerance=0.3).ok


def test_ratios_are_to_the_reference_measured_in_the_same_run(run: BenchRun) -> None:
    # Everything slower by the same factor (a busier machine) is not a regression.
    slower = _scaled(_scaled(_scaled(run, "pyahocorasick", 0.25), "censorsim:reference", 0.25),
                     "censorsim:pyahocorasick", 0.25)
    assert compare_runs(slower, run, tolerance=0.05).ok


def test_row_arithmetic_and_tolerance_checks(run: BenchRun) -> None:
    row = ComparisonRow("text", "w", "c", 1.0, 0.69, 0.3)
    assert row.regressed and round(row.change, 2) == -0.31
    assert not ComparisonRow("text", "w", "c", 1.0, 0.71, 0.3).regressed
    with pytest.raises(ValueError, match="tolerance"):
        compare_runs(run, run, tolerance=1.5)


def test_cli_exits_non_zero_on_a_regression(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = make_workload("en", 80, 60, seed=5)
    (tmp_path / "kw.txt").write_text("\n".join(w.keywords) + "\n", encoding="utf-8")
    (tmp_path / "corpus.txt").write_text("\n".join(w.messages) + "\n", encoding="utf-8")
    argv = ["bench", "--suite", "text", "--quiet", "--out", str(tmp_path / "out"),
            "--keywords", str(tmp_path / "kw.txt"), "--corpus", str(tmp_path / "corpus.txt")]
    for c in CONTENDERS:
        argv += ["--contender", c]
    assert main(argv) == 0
    saved = tmp_path / "out" / "bench-quick.json"
    first = BenchRun.from_json(json.loads(saved.read_text()))
    assert first.results[0].workload == "kw.txt+corpus.txt"
    baseline = save_run(_scaled(first, "censorsim:reference", 100.0), tmp_path / "base.json")
    capsys.readouterr()
    assert main([*argv, "--compare", str(baseline), "--tolerance", "0.5"]) == 1
    captured = capsys.readouterr()
    assert "REGRESSION" in captured.err and "REGRESSED" in captured.out
    assert main([*argv, "--compare", str(saved), "--tolerance", "0.95"]) == 0


def test_cli_list_and_bad_baseline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--list"]) == 0
    assert "pipeline:default" in capsys.readouterr().out
    (tmp_path / "x.json").write_text("[]")
    assert main(["bench", "--compare", str(tmp_path / "x.json")]) == 2
