"""Simulation throughput: simulated messages/s with logging on vs ``Censor.check_many`` alone.

Both are measured in the same process on the same messages: first a full run (message
generation, the censor, deletion delays, learning and the SQLite log), then the censor's
batch path alone over the same batches. The issue's target is ``ratio >= 0.5``.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
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
        simulate_per_second: full simulation with logging, messages/s.
        check_many_per_second: ``Censor.check_many`` alone on the same batches, messages/s.
    """

    messages: int
    batch_size: int
    simulate_per_second: float
    check_many_per_second: float

    @property
    def ratio(self) -> float:
        """``simulate_per_second / check_many_per_second``."""
        return self.simulate_per_second / self.check_many_per_second


def bench_simulate(
    *, messages: int = 200_000, batch_size: int = 5_000, seed: int = 0, repeat: int = 1
) -> SimulateBench:
    """Measure a WeChat-profile run of ``messages`` (best of ``repeat``)."""
    config = SimulationConfig(seed=seed, messages=messages, batch_size=batch_size, users=1_000)
    sim = Simulation(config)
    best_sim = best_check = 0.0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            sim.run(Path(tmp) / "bench.db")
            best_sim = max(best_sim, messages / (time.perf_counter() - t0))
        batches = [sim.messages(b) for b in range(sim.n_batches)]
        start = config.start
        inputs = [
            ([m for m, _, _ in items], [start + timedelta(seconds=t) for _, t, _ in items])
            for items in batches
        ]
        memory = ImageMemory()
        t0 = time.perf_counter()
        for msgs, times in inputs:
            sim.censor.check_many(msgs, at=times, memory=memory)
        best_check = max(best_check, messages / (time.perf_counter() - t0))
    return SimulateBench(messages, batch_size, best_sim, best_check)


