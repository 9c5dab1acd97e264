"""The simulation benchmark library runs and reports consistent figures."""

from __future__ import annotations

from censorsim.bench.simulate import bench_simulate


def test_bench_simulate_small() -> None:
    r = bench_simulate(messages=2_000, batch_size=500)
    assert r.messages == 2_000 and r.simulate_per_second > 0 and r.check_many_per_second > 0
    assert r.ratio == r.simulate_per_second / r.check_many_per_second
    assert len(r.paired_ratios) == 1 and r.median_ratio == r.paired_ratios[0]
