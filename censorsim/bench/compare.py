"""Compare a run with a saved baseline, by ratios to a reference measured in the same run.

Absolute times drift on shared machines; the ratio of a contender's throughput to a
reference contender's throughput measured minutes apart in the same process drifts much
less. A contender regresses when its ratio fell by more than the tolerance:
``current_ratio < baseline_ratio * (1 - tolerance)``.

Example:
    >>> row = ComparisonRow("text", "w", "censorsim:x", 2.0, 1.0, 0.3)
    >>> row.change, row.regressed
    (-0.5, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from censorsim.bench.records import BenchRun, ContenderResult
from censorsim.bench.tables import REFERENCES, THROUGHPUT_KEY
from censorsim.errors import ParameterError

__all__ = ["Comparison", "ComparisonRow", "compare_runs"]


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One contender on one workload in both runs.

    Attributes:
        suite, workload, contender: what was compared.
        baseline_ratio: its throughput over the reference's, in the baseline.
        current_ratio: the same in the current run.
        tolerance: the allowed relative fall.
    """

    suite: str
    workload: str
    contender: str
    baseline_ratio: float
    current_ratio: float
    tolerance: float

    @property
    def change(self) -> float:
        """Relative change of the ratio (``-0.2`` is 20 % slower relative to the reference)."""
        return self.current_ratio / self.baseline_ratio - 1.0

    @property
    def regressed(self) -> bool:
        """Whether the ratio fell by more than the tolerance."""
        return self.current_ratio < self.baseline_ratio * (1.0 - self.tolerance)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Every comparable row, and what could not be compared."""

    rows: tuple[ComparisonRow, ...]
    missing: tuple[str, ...]
    tolerance: float

    @property
    def regressions(self) -> list[ComparisonRow]:
        """Rows that regressed beyond the tolerance."""
        return [r for r in self.rows if r.regressed]

    @property
    def ok(self) -> bool:
        """Whether nothing regressed."""
        return not self.regressions

    def markdown(self) -> str:
        """The comparison as a markdown table (regressions first)."""
        lines = [
            f"Comparison with the baseline (tolerance {self.tolerance:.0%} on the ratio to "
            "the reference contender measured in the same run):",
            "",
            "| suite | workload | contender | baseline ratio | current ratio | change | |",
            "|---|---|---|---:|---:|---:|---|",
        ]
        for r in sorted(self.rows, key=lambda r: (not r.regressed, r.change)):
            flag = "REGRESSED" if r.regressed else ""
            lines.append(
                f"| {r.suite} | {r.workload} | `{r.contender}` | {r.baseline_ratio:.3f} | "
                f"{r.current_ratio:.3f} | {r.change:+.1%} | {flag} |"
            )
        if self.missing:
            lines += ["", "Not compared: " + "; ".join(self.missing)]
        return "\n".join(lines) + "\n"


def _index(run: BenchRun) -> dict[tuple[str, str, str], ContenderResult]:
    return {(r.suite, r.workload, r.contender): r for r in run.results}


def _ratio(
    results: Mapping[tuple[str, str, str], ContenderResult], key: tuple[str, str, str],
    reference: str,
) -> float | None:
    r = results.get(key)
    ref = results.get((key[0], key[1], reference))
    if r is None or ref is None or r.status != "ok" or ref.status != "ok":
        return None
    metric = THROUGHPUT_KEY[key[0]]
    a, b = r.throughput.get(metric), ref.throughput.get(metric)
    return a / b if a and b else None


def compare_runs(
    current: BenchRun,
    baseline: BenchRun,
    *,
    tolerance: float = 0.3,
    references: Mapping[str, str] | None = None,
) -> Comparison:
    """Compare every contender measured ``ok`` in the baseline with the current run.

    Args:
        current: the new run.
        baseline: the saved run.
        tolerance: the allowed relative fall of a ratio (0.3: 30 %).
        references: per suite, the reference contender (default :data:`REFERENCES`).

    Raises:
        ParameterError: for a tolerance outside ``[0, 1)``.
    """
    if not 0.0 <= tolerance < 1.0:
        raise ParameterError(f"tolerance must be in [0, 1), got {tolerance!r}")
    refs = {**REFERENCES, **(references or {})}
    now = _index(current)
    then = _index(baseline)
    rows: list[ComparisonRow] = []
    missing: list[str] = []
    for key, old in then.items():
        suite, workload, contender = key
        reference = refs.get(suite)
        if reference is None or old.status != "ok" or contender == reference:
            continue
        before = _ratio(then, key, reference)
        if before is None:
            continue
        after = _ratio(now, key, reference)
        if after is None:
            state = now[key].status if key in now else "not run"
            missing.append(f"{suite}/{workload}/{contender} ({state})")
            continue
        rows.append(ComparisonRow(suite, workload, contender, before, after, tolerance))
    return Comparison(tuple(rows), tuple(missing), tolerance)
