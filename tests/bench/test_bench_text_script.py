"""``benchmarks/bench_text.py`` judges issue 16's ratios against the paired reference.

Each contender's repeats are timed in their own window of a run; a machine that slows
down during one window slows that contender's paired reference scans too. The ``vs ref``
ratio divides that out, the raw ratio of medians does not.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from censorsim.bench.records import Stat

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_text.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_text_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _result(contender: str, seconds: list[float], reference: list[float]) -> SimpleNamespace:
    scan = Stat.of(seconds)
    return SimpleNamespace(
        workload="en-100000kw-10000msg-10to140", contender=contender, status="ok",
        scan=scan, reference_samples=tuple(reference),
        throughput={"messages": 10_000 / scan.median},
    )


def test_a_window_twice_as_slow_cancels_out_against_its_reference(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench = _script()
    # About the same speed relative to pyahocorasick, but hyperscan timed while the
    # machine ran at half speed: raw medians say 2x, the reference pairs about 1x.
    pipe = _result("pipeline:default", [0.010, 0.011, 0.009], [0.030, 0.033, 0.027])
    hs = _result("hyperscan", [0.020, 0.022, 0.018], [0.059, 0.065, 0.053])
    assert bench._vs_reference(pipe) == pytest.approx(3.0)
    assert bench._vs_reference(hs) == pytest.approx(2.95)
    run = SimpleNamespace(
        environment={"cpu_model": "test", "cpu_count": 2, "python": "3", "load_average": 0},
        workloads=[{"name": pipe.workload, "kind": "chat", "language": "en"}],
        results=[pipe, hs],
    )
    bench._print_table(run)
    row = next(line for line in capsys.readouterr().out.splitlines()
               if "hyperscan" in line)
    assert "2.00x" in row and "1.02x" in row and row.rstrip().endswith("yes")
    # A peer faster against its reference fails the target whatever the raw ratio says.
    hs.reference_samples = (0.070, 0.077, 0.063)
    bench._print_table(run)
    row = next(line for line in capsys.readouterr().out.splitlines()
               if "hyperscan" in line)
    assert "2.00x" in row and "0.86x" in row and row.rstrip().endswith("NO")


def test_unpaired_results_fall_back_to_the_raw_ratio() -> None:
    bench = _script()
    assert bench._vs_reference(_result("hyperscan", [0.02], [])) is None
    assert bench._vs_reference(_result("hyperscan", [0.02, 0.03], [0.05])) is None


def test_table_of_an_unreadable_run_is_exit_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    bench = _script()
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    for path in (tmp_path / "missing.json", bad):
        assert bench.main(["--table", str(path)]) == 2
        err = capsys.readouterr().err
        assert f"{path.name}: cannot read a saved run" in err and "Traceback" not in err
