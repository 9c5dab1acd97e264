"""Simulation throughput: simulated messages/s with logging on vs ``Censor.check_many`` alone.

Both are measured in the same process on the same messages: first a full run (message
generation, the censor, deletion delays, learning and the SQLite log), then the censor's
batch path alone over the same batches. The issue's target is ``ratio >= 0.5``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from censorsim.policy import ImageMemory
from censorsim.simulate import Simulation, SimulationConfig

__all__ = ["SimulateBench", "bench_simulate"]


@dataclass(frozen=True, slots=True)
class SimulateBench:
    """One measurement.

    Attributes:
        messages: messages simulated.
        batch_size: messages per batch (one transaction each).
        simulate_per_second: full simulation with logging, messages/s (best repeat).
        check_many_per_second: ``Censor.check_many`` alone on the same batches, messages/s
            (best repeat).
        paired_ratios: ``simulate / check_many`` of each repeat, measured back to back (on
            a shared machine their median is steadier than the ratio of the bests).
    """

    messages: int
    batch_size: int
    simulate_per_second: float
    check_many_per_second: float
    paired_ratios: tuple[float, ...] = ()

    @property
    def ratio(self) -> float:
        """``simulate_per_second / check_many_per_second``."""
        return self.simulate_per_second / self.check_many_per_second

    @property
    def median_ratio(self) -> float:
        """The median of :attr:`paired_ratios` (:attr:`ratio` when there are none)."""
        return statistics.median(self.paired_ratios) if self.paired_ratios else self.ratio


def bench_simulate(
    *, messages: int = 200_000, batch_size: int = 5_000, seed: int = 0, repeat: int = 1
) -> SimulateBench:
    """Measure a WeChat-profile run of ``messages`` (best of ``repeat``).

    Each repeat builds a fresh :class:`Simulation` (untimed) on the same policy, so the
    timed run starts with cold message caches, then times ``Censor.check_many`` alone on
    that run's batches: the same message objects and times the run checked.
    """
    config = SimulationConfig(seed=seed, messages=messages, batch_size=batch_size, users=1_000)
    policy = Simulation(config).policy
    sims: list[float] = []
    checks: list[float] = []
    for _ in range(repeat):
        sim = Simulation(config, policy)
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            sim.run(Path(tmp) / "bench.db")
            sims.append(messages / (time.perf_counter() - t0))
        batches = [sim.messages(b) for b in range(sim.n_batches)]
        memory = ImageMemory()
        t0 = time.perf_counter()
        for batch in batches:
            sim.censor.check_many(batch.messages, at=batch.times, memory=memory)
        checks.append(messages / (time.perf_counter() - t0))
    return SimulateBench(
        messages, batch_size, max(sims), max(checks),
        tuple(s / c for s, c in zip(sims, checks, strict=True)),
    )
