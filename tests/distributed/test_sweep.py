"""``censorsim sweep``: a grid of simulations, aggregated over seeds with t intervals;
bad sweep configs name the file and the line."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.cli import main
from censorsim.distributed import load_sweep, run_sweep, t_interval
from censorsim.errors import SimulationError

BASE = """
[simulation]
seed = 1
start = 2017-07-01T00:00:00
duration_hours = 2
messages = 120
batch_size = 60

[policy]
profile = "wechat"

[users]
count = 20

[messages]
sensitive_share = 0.3
image_share = 0.0

[images]
dir = ""
"""

SWEEP = """[sweep]
base = "base.toml"

[grid]
seeds = [1, 2, 3]
lists = ["default", "mine.txt"]
dates = [2017-08-01]
"""


@pytest.fixture
def sweep_file(tmp_path: Path) -> Path:
    (tmp_path / "base.toml").write_text(BASE, encoding="utf-8")
    (tmp_path / "mine.txt").write_text("法轮功\n", encoding="utf-8")
    path = tmp_path / "sweep.toml"
    path.write_text(SWEEP, encoding="utf-8")
    return path


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=2, max_size=40))
def test_t_interval_agrees_with_scipy(values: list[float]) -> None:
    """The table-and-expansion t quantile gives scipy's interval (to 1e-3 of a unit)."""
    stats = pytest.importorskip("scipy.stats")
    mean, sd, lo, hi = t_interval(values)
    assert math.isclose(mean, sum(values) / len(values), abs_tol=1e-12)
    if sd == 0:
        assert lo == hi == mean
        return
    want_lo, want_hi = stats.t.interval(0.95, len(values) - 1, loc=mean,
                                        scale=sd / math.sqrt(len(values)))
    assert math.isclose(lo, want_lo, abs_tol=1e-3 * sd)
    assert math.isclose(hi, want_hi, abs_tol=1e-3 * sd)


def test_sweep_runs_every_cell_aggregates_and_resumes(sweep_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    sweep = load_sweep(sweep_file)
    assert len(sweep.cells) == 6
    result = run_sweep(sweep, out, engine="dask", scheduler="sync", plot=False)
    assert {(c["list"], c["seed"]) for c in result.cells} == {
        (li, s) for li in ("default", "mine.txt") for s in (1, 2, 3)}
    assert all(c["messages"] == 120 for c in result.cells)
    share = [a for a in result.aggregates if a.metric == "censored_share"]
    assert [a.list for a in share] == ["default", "mine.txt"]
    for a in share:
        assert a.seeds == 3 and a.low <= a.mean <= a.high
    with (out / "sweep.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 2 * 3
    assert "| wechat | mine.txt | 2017-08-01 | censored_share | 3 |" in (
        out / "sweep.md").read_text(encoding="utf-8")
    again = run_sweep(sweep, out, engine="serial", plot=False)
    assert all(c["resumed_from"] == 120 for c in again.cells)
    assert again.aggregates == result.aggregates


def test_sweep_command(sweep_file: Path, tmp_path: Path,
                       capsys: pytest.CaptureFixture[str]) -> None:
    sweep_file.write_text(SWEEP.replace("[1, 2, 3]", "[4, 5]").replace(
        '"default", "mine.txt"', '"default"'), encoding="utf-8")
    code = main(["sweep", str(sweep_file), "--out", str(tmp_path / "o"), "--workers", "1"])
    cap = capsys.readouterr()
    assert code == 0 and cap.err == ""
    assert "| wechat | default | 2017-08-01 | censored_share | 2 |" in cap.out
    assert (tmp_path / "o" / "sweep.png").stat().st_size > 1000


BAD: dict[str, tuple[str, str]] = {
    "malformed TOML": ("[sweep]\nbase = \n", r"sweep\.toml:2: malformed TOML"),
    "unknown section": (SWEEP + "\n[extra]\nx = 1\n", r"sweep\.toml:9: unknown section \[extra\]"),
    "unknown grid key": (SWEEP.replace("dates", "days"),
                         r"sweep\.toml:7: \[grid\] days: unknown key"),
    "seeds not integers": (SWEEP.replace("[1, 2, 3]", '["a"]'),
                           r"sweep\.toml:5: \[grid\] seeds: must be non-negative integers"),
    "repeated seed": (SWEEP.replace("[1, 2, 3]", "[1, 1]"), r"sweep\.toml:5: .*repeated"),
    "missing base": (SWEEP.replace("base.toml", "nope.toml"),
                     r"sweep\.toml:2: \[sweep\] base: .*nope\.toml: config file not found"),
    "unknown platform": (SWEEP.replace("[grid]\n", '[grid]\nplatforms = ["wechatt"]\n'),
                         r"sweep\.toml:5: \[grid\] platforms: unknown platform profile"),
    "missing list": (SWEEP.replace("mine.txt", "gone.txt"),
                     r"sweep\.toml:6: \[grid\] lists: .*gone\.txt: no such rule file"),
    "bad date": (SWEEP.replace("2017-08-01", '"yesterday"'),
                 r"sweep\.toml:7: \[grid\] dates: expected dates"),
    "platform without the base's surfaces": (
        SWEEP.replace("[grid]\n", '[grid]\nplatforms = ["qqmail"]\n'),
        r"sweep\.toml:5: \[grid\] platforms: cell qqmail-.*surface",
    ),
    "no seeds": (SWEEP.replace("seeds = [1, 2, 3]\n", ""),
                 r"sweep\.toml:4: \[grid\] seeds: required"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_sweep_configs_name_file_and_line(case: str, sweep_file: Path) -> None:
    text, expect = BAD[case]
    sweep_file.write_text(text, encoding="utf-8")
    with pytest.raises(SimulationError, match=expect):
        load_sweep(sweep_file)


def test_bad_sweep_config_on_the_command_line(sweep_file: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    sweep_file.write_text(SWEEP.replace("[1, 2, 3]", "[-1]"), encoding="utf-8")
    assert main(["sweep", str(sweep_file), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("censorsim sweep: error: ")
    assert "sweep.toml:5: [grid] seeds" in err[0]


def test_shipped_sweep_configs_load() -> None:
    root = Path(__file__).resolve().parents[2] / "samples" / "configs"
    found = sorted(root.glob("sweep-*.toml"))
    assert found
    for p in found:
        assert len(load_sweep(p).cells) >= 2
