"""The regression gate: paired log-ratios, a baseline's measured spread, the CLI's exit status.

The statistics are tested on synthetic timings (seeded, deterministic): noise the size
measured on the shared 2-core machine (``docs/benchmarks.md``) never fails the gate, a
contender slowed by 1.5 always does.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from censorsim.bench.compare import (
    Baseline,
    ComparisonRow,
    compare_runs,
    estimates,
    load_baseline,
    make_baseline,
    median_se,
    save_baseline,
)
from censorsim.bench.contender import Runner
from censorsim.bench.harness import BenchConfig, BenchRun, TextSpec, run_benchmarks
from censorsim.bench.measure import SlowedRunner, scans_for
from censorsim.bench.records import ContenderResult, Stat
from censorsim.bench.tables import save_run
from censorsim.bench.workloads import make_workload
from censorsim.cli import main
from censorsim.errors import ParameterError

CONTENDERS = ("pyahocorasick", "censorsim:pyahocorasick", "censorsim:reference")

#: Synthetic contenders: name -> true time relative to the reference.
TRUE = {"censorsim:fast": 0.3, "pipeline:default": 1.2, "censorsim:slow": 8.0,
        "hyperscan": 0.2}


def synthetic_run(
    rng: np.random.Generator, *, slow: dict[str, float] | None = None, pairs: int = 15,
    pair_noise: float = 0.08, run_noise: float = 0.03, outliers: float = 0.15,
    machine: float = 1.0,
) -> BenchRun:
    """A run of paired samples: per-pair lognormal noise, a per-run shift of each row
    (memory layout, hash seeds), and a share of pairs where one side was preempted (x3).
    """
    results = []
    for name, ratio in TRUE.items():
        factor = ratio * (slow or {}).get(name, 1.0)
        shift = rng.normal(0.0, run_noise)
        ref = machine * 0.01 * np.exp(rng.normal(0.0, 0.2, pairs))  # load drifts over the run
        mine = ref * factor * np.exp(shift + rng.normal(0.0, pair_noise, pairs))
        hit = rng.random(pairs) < outliers
        side = rng.random(pairs) < 0.5
        mine = np.where(hit & side, mine * 3.0, mine)
        ref = np.where(hit & ~side, ref * 3.0, ref)
        results.append(ContenderResult(
            "text", "w", name, "ok", family="peer" if ":" not in name else "censorsim",
            scan=Stat.of(mine.tolist()), throughput={"messages": 1.0 / float(np.median(mine))},
            reference="pyahocorasick", reference_samples=tuple(ref.tolist()),
        ))
    return BenchRun("quick", "2026-01-01T00:00:00+00:00", "", {}, {}, (), tuple(results))


def baseline_of(seed: int, runs: int = 3) -> Baseline:
    rng = np.random.default_rng(seed)
    return make_baseline([synthetic_run(rng) for _ in range(runs)])


def test_median_se_is_the_mad_based_standard_error() -> None:
    assert median_se([1.0]) == 0.0
    values = [0.0, 0.1, -0.1, 0.05, -0.05]
    assert median_se(values) == pytest.approx(1.2533 * 1.4826 * 0.05 / math.sqrt(5))
    # One wild value barely moves it (the MAD ignores it).
    assert median_se([*values, 50.0]) < 2 * median_se(values)


def test_estimates_are_medians_of_paired_log_ratios() -> None:
    run = synthetic_run(np.random.default_rng(0), outliers=0.0, pair_noise=0.0, run_noise=0.0)
    est = estimates(run)
    assert set(est) == {("text", "w", n) for n in TRUE}
    for (_, _, name), e in est.items():
        assert e.log_ratio == pytest.approx(math.log(TRUE[name]))
        assert e.pairs == 15 and e.se == pytest.approx(0.0, abs=1e-12)


def test_noise_is_not_a_regression() -> None:
    """200 runs on unchanged code against a 3-run baseline: no gated row fails."""
    base = baseline_of(1)
    rng = np.random.default_rng(2)
    failures = [compare_runs(synthetic_run(rng), base).regressions for _ in range(200)]
    assert sum(map(len, failures)) == 0


def test_a_busier_or_faster_machine_is_not_a_regression() -> None:
    base = baseline_of(3)
    rng = np.random.default_rng(4)
    for machine in (0.3, 3.0):
        assert compare_runs(synthetic_run(rng, machine=machine), base).ok


def test_a_contender_slowed_by_1_5_is_a_regression() -> None:
    """At this noise a 1.5x slowdown sits above the rule's threshold (flags at about
    +31 %), so it is caught in at least 98 runs of 100, and nothing else is."""
    base = baseline_of(5)
    rng = np.random.default_rng(6)
    caught = 0
    for _ in range(100):
        comparison = compare_runs(synthetic_run(rng, slow={"pipeline:default": 1.5}), base)
        assert {r.contender for r in comparison.regressions} <= {"pipeline:default"}
        caught += bool(comparison.regressions)
    assert caught >= 98
    assert "REGRESSED" in compare_runs(
        synthetic_run(rng, slow={"pipeline:default": 2.0}), base).markdown()


def test_peers_are_reported_not_gated() -> None:
    base = baseline_of(7)
    comparison = compare_runs(
        synthetic_run(np.random.default_rng(8), slow={"hyperscan": 2.0}), base)
    assert comparison.ok
    row = next(r for r in comparison.rows if r.contender == "hyperscan")
    assert row.regressed and not row.gated
    assert "peer, not gated" in comparison.markdown()


def test_a_one_run_baseline_uses_the_floor_and_within_run_spread() -> None:
    rng = np.random.default_rng(9)
    base = make_baseline([synthetic_run(rng)])
    assert all(r.between is None and r.runs == 1 for r in base.rows)
    assert compare_runs(synthetic_run(rng, slow={"censorsim:fast": 2.0}), base).regressions


def test_row_rule() -> None:
    # 30 % slower with little noise: regressed; within 20 %: not; large noise: not.
    assert ComparisonRow("text", "w", "c", "r", 0.0, math.log(1.3), 0.01, 0.2, 4.0).regressed
    assert not ComparisonRow("text", "w", "c", "r", 0.0, math.log(1.19), 0.0, 0.2, 4.0).regressed
    noisy = ComparisonRow("text", "w", "c", "r", 0.0, math.log(1.5), 0.2, 0.2, 4.0)
    assert not noisy.regressed and noisy.detects > 0.5
    with pytest.raises(ParameterError, match="tolerance"):
        compare_runs(synthetic_run(np.random.default_rng(0)), baseline_of(0), tolerance=1.5)


def test_baseline_json_round_trip_and_loading_a_run(tmp_path: Path) -> None:
    base = baseline_of(10)
    path = save_baseline(base, tmp_path / "b.json")
    assert load_baseline(path) == base
    run = synthetic_run(np.random.default_rng(11))
    as_run = load_baseline(save_run(run, tmp_path / "run.json"))
    assert len(as_run.rows) == len(TRUE) and as_run.rows[0].runs == 1
    (tmp_path / "bad.json").write_text(json.dumps({"kind": "censorsim-bench-baseline"}))
    with pytest.raises(ParameterError, match=r"bad\.json"):
        load_baseline(tmp_path / "bad.json")


def test_unpaired_runs_compare_by_ratio_of_throughputs() -> None:
    """Schema-1 runs (no paired samples) still compare, by ratios of medians."""
    data = synthetic_run(np.random.default_rng(12), pair_noise=0.0, run_noise=0.0,
                         outliers=0.0).to_json()
    data["schema_version"] = 1
    ref = dict(data["results"][0], contender="pyahocorasick", throughput={"messages": 100.0})
    data["results"].append(ref)
    for r in data["results"]:
        del r["reference"], r["reference_samples"]
    old = BenchRun.from_json(data)
    est = estimates(old)
    assert est[("text", "w", "censorsim:slow")].pairs == 0
    assert compare_runs(old, old).ok


def test_slowed_runner_and_scans_per_sample() -> None:
    class Inner(Runner):
        def scan(self, batch: Sequence[Any]) -> int:
            t = time.process_time()
            while time.process_time() - t < 0.002:
                pass
            return 7

        def records(self, batch: Sequence[Any], output: Any) -> set[Any]:
            return {output}

    slowed = SlowedRunner(Inner(), 1.5)
    t0 = time.process_time()
    assert slowed.scan([]) == 7 and slowed.records([], 7) == {7}
    assert time.process_time() - t0 >= 0.0025  # 2 ms, plus about 1 ms of extra work
    assert scans_for(0.0, 0.005) == 1_000 and scans_for(0.01, 0.005) == 1


@pytest.fixture(scope="module")
def run() -> BenchRun:
    config = BenchConfig(suites=("text",), text=(TextSpec("zh", 100, 50),), repeats=1,
                         latency_items=3, contenders=CONTENDERS, pairs=5, min_pairs=3,
                         min_sample_seconds=0.001)
    return run_benchmarks(config)


def test_the_harness_pairs_every_scan_with_the_reference(run: BenchRun) -> None:
    for r in run.results:
        assert r.status == "ok" and r.scan is not None
        assert r.reference == "pyahocorasick"
        assert len(r.reference_samples) == len(r.scan.samples) >= 3
    comparison = compare_runs(run, run)
    assert comparison.ok and len(comparison.rows) == 2
    assert all(abs(r.change) < 1e-12 for r in comparison.rows)


def test_cli_exits_non_zero_on_a_regression(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = make_workload("en", 80, 60, seed=5)
    (tmp_path / "kw.txt").write_text("\n".join(w.keywords) + "\n", encoding="utf-8")
    (tmp_path / "corpus.txt").write_text("\n".join(w.messages) + "\n", encoding="utf-8")
    argv = ["bench", "--suite", "text", "--quiet", "--out", str(tmp_path / "out"),
            "--no-plots", "--pairs", "3", "--keywords", str(tmp_path / "kw.txt"),
            "--corpus", str(tmp_path / "corpus.txt")]
    for c in CONTENDERS:
        argv += ["--contender", c]
    assert main(argv) == 0
    saved = tmp_path / "out" / "bench-quick.json"
    first = BenchRun.from_json(json.loads(saved.read_text()))
    assert first.results[0].workload == "kw.txt+corpus.txt"
    base = tmp_path / "base.json"
    assert main(["bench", "--baseline-from", str(saved), str(saved),
                 "--save-baseline", str(base)]) == 0
    merged = load_baseline(base)
    assert {r.runs for r in merged.rows} == {2}
    capsys.readouterr()
    assert main([*argv, "--compare", str(base), "--slowdown", "censorsim:reference=10",
                 "--z", "1"]) == 1
    captured = capsys.readouterr()
    assert "REGRESSION" in captured.err and "REGRESSED" in captured.out
    assert main([*argv, "--compare", str(saved), "--tolerance", "0.99", "--z", "50"]) == 0


def test_cli_list_and_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--list"]) == 0
    assert "pipeline:default" in capsys.readouterr().out
    (tmp_path / "x.json").write_text("[]")
    assert main(["bench", "--compare", str(tmp_path / "x.json")]) == 2
    assert main(["bench", "--slowdown", "censorsim:reference=0.5"]) == 2
    assert main(["bench", "--slowdown", "nope=2"]) == 2
    assert main(["bench", "--baseline-from", str(tmp_path / "x.json")]) == 2
    assert "--save-baseline" in capsys.readouterr().err


def test_the_index_suite_runs_the_clustered_workload() -> None:
    config = BenchConfig.quick(suites=("index",), index_sizes=(), index_clustered=(400,),
                               contenders=("index:linear", "index:mih"), pairs=3)
    run = run_benchmarks(config)
    assert [w["shape"] for w in run.workloads] == ["clustered"]
    mih = next(r for r in run.results if r.contender == "index:mih")
    assert mih.status == "ok" and mih.workload == "index-clustered-400-r10"
    assert mih.reference == "index:linear" and mih.gate is not None and mih.gate.passed
