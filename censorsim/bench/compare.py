"""The regression gate: a run against a baseline, on paired log-ratios to a reference.

Absolute times drift on a shared machine; a contender's time relative to a reference
contender timed *alternately with it* (:mod:`censorsim.bench.measure`) drifts much less.
For every pair ``i`` of a contender's scan samples the harness records the contender's
seconds ``c_i`` and the reference's ``r_i``; the gate works on ``l_i = ln(c_i / r_i)``
(positive: slower than the reference).

The rule (``docs/benchmarks.md``, "Regression gate"):

1. A run's estimate for a row is the median ``m`` of its ``l_i``, with the standard
   error of a median, ``se = 1.2533 * 1.4826 * MAD(l) / sqrt(n)`` (normal consistency
   constants; the median and MAD ignore the samples a neighbour's burst of load ruins).
2. A baseline (:class:`Baseline`) merges ``R >= 1`` runs on unchanged code: per row, the
   mean ``b`` of the runs' medians, the between-run standard deviation of those medians
   ``s_between`` (the measured run-to-run spread, None with one run) and the runs' mean
   ``se``.
3. The spread of one run's median is ``sigma = max(s_between, pooled, se_baseline,
   se_current)``, where ``pooled`` is the median of ``s_between`` over the baseline's gated
   rows (a standard deviation from three runs is often far too small by chance; the
   pooled value is its floor), and the difference ``d = m - b`` has spread
   ``noise = sigma * sqrt(1 + 1/R)``.
4. A row regressed when ``d > ln(1 + tolerance)`` **and** ``d > z * noise``: the slowdown
   is both larger than the tolerance (default 20 %) and well outside the measured
   run-to-run spread (default ``z = 3.5``). A row whose noise is so large that a 1.5x
   slowdown would go unseen says so (:attr:`ComparisonRow.detects`).
5. Only the project's own contenders gate (names with a ``:``, such as
   ``pipeline:default``, ``index:mih``, ``hash:phash``); third-party peers used directly
   (``pyahocorasick``, ``hyperscan``, ``faiss-flat``) are reported, not gated: their
   ratios change with package versions and machines, not with this code.

Example:
    >>> row = ComparisonRow("text", "w", "censorsim:x", "pyahocorasick", 0.0,
    ...                     math.log(1.5), 0.03, 0.2, 3.5)
    >>> round(row.change, 2), row.regressed, round(row.threshold, 3)
    (0.5, True, 0.182)
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from censorsim.bench.records import BenchRun, ContenderResult
from censorsim.bench.tables import REFERENCES, THROUGHPUT_KEY
from censorsim.errors import ParameterError

__all__ = [
    "BASELINE_KIND",
    "Baseline",
    "BaselineRow",
    "Comparison",
    "ComparisonRow",
    "RatioEstimate",
    "compare_runs",
    "estimates",
    "load_baseline",
    "make_baseline",
    "median_se",
    "save_baseline",
]

BASELINE_KIND: Final = "censorsim-bench-baseline"
"""The ``kind`` field of a baseline file."""

BASELINE_VERSION: Final = 1

Key = tuple[str, str, str]

_SE_OF_MEDIAN: Final = 1.2533  # sqrt(pi / 2): se of a normal sample's median over sigma/sqrt(n)
_MAD_TO_SIGMA: Final = 1.4826  # MAD of a normal sample over its sigma, inverted


def median_se(values: Sequence[float]) -> float:
    """The standard error of the median of ``values`` from their MAD (0 for fewer than 2).

    >>> round(median_se([0.0, 0.1, -0.1, 0.05, -0.05]), 4)
    0.0415
    """
    n = len(values)
    if n < 2:
        return 0.0
    mid = statistics.median(values)
    mad = statistics.median(abs(v - mid) for v in values)
    return _SE_OF_MEDIAN * _MAD_TO_SIGMA * mad / math.sqrt(n)


@dataclass(frozen=True, slots=True)
class RatioEstimate:
    """One row of one run: the contender's time relative to the reference's.

    Attributes:
        suite, workload, contender: the row.
        reference: the contender it was timed against.
        log_ratio: median of ``ln(contender seconds / reference seconds)`` over the pairs
            (unpaired runs: the log of the ratio of median throughputs).
        se: the standard error of that median (0 when unpaired).
        pairs: the number of pairs (0: unpaired).
    """

    suite: str
    workload: str
    contender: str
    reference: str
    log_ratio: float
    se: float
    pairs: int


def _log_ratios(r: ContenderResult) -> list[float]:
    if r.scan is None or not r.reference_samples:
        return []
    return [
        math.log(c / ref)
        for c, ref in zip(r.scan.samples, r.reference_samples, strict=False)
        if c > 0 and ref > 0
    ]


def estimates(
    run: BenchRun, references: Mapping[str, str] | None = None
) -> dict[Key, RatioEstimate]:
    """Every ``ok`` row's :class:`RatioEstimate` (the reference's own rows excluded).

    Paired rows use their own samples; rows of an unpaired run (schema 1, or ``pairs=0``)
    fall back to the ratio of median throughputs to ``references`` (per suite; default
    :data:`~censorsim.bench.tables.REFERENCES`).
    """
    refs = {**REFERENCES, **(references or {})}
    index = {(r.suite, r.workload, r.contender): r for r in run.results}
    out: dict[Key, RatioEstimate] = {}
    for key, r in index.items():
        if r.status != "ok":
            continue
        logs = _log_ratios(r)
        if logs and r.reference is not None:
            if r.contender == r.reference:
                continue
            out[key] = RatioEstimate(*key, r.reference, statistics.median(logs),
                                     median_se(logs), len(logs))
            continue
        reference = refs.get(r.suite)
        ref = index.get((r.suite, r.workload, reference or ""))
        if reference is None or ref is None or ref.status != "ok" or r.contender == reference:
            continue
        metric = THROUGHPUT_KEY[r.suite]
        a, b = r.throughput.get(metric), ref.throughput.get(metric)
        if a and b:
            out[key] = RatioEstimate(*key, reference, math.log(b / a), 0.0, 0)
    return out


@dataclass(frozen=True, slots=True)
class BaselineRow:
    """One row of a baseline, merged over its runs.

    Attributes:
        suite, workload, contender, reference: the row.
        log_ratio: mean over runs of each run's median log-ratio.
        se: mean over runs of each run's standard error of that median.
        between: standard deviation of the runs' medians (None with one run).
        runs: how many runs measured the row.
    """

    suite: str
    workload: str
    contender: str
    reference: str
    log_ratio: float
    se: float
    between: float | None
    runs: int

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"suite": self.suite, "workload": self.workload, "contender": self.contender,
                "reference": self.reference, "log_ratio": self.log_ratio, "se": self.se,
                "between": self.between, "runs": self.runs}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BaselineRow:
        """The inverse of :meth:`to_json`."""
        between = data["between"]
        return cls(str(data["suite"]), str(data["workload"]), str(data["contender"]),
                   str(data["reference"]), float(data["log_ratio"]), float(data["se"]),
                   None if between is None else float(between), int(data["runs"]))


@dataclass(frozen=True, slots=True)
class Baseline:
    """Ratios to the reference contender, merged over runs on unchanged code.

    Attributes:
        profile: the runs' profile.
        runs: when each run was made (``created``) and on which commit.
        environment: the first run's machine (CPU, packages), for the record.
        rows: one :class:`BaselineRow` per contender and workload.
    """

    profile: str
    runs: tuple[dict[str, Any], ...]
    environment: dict[str, Any]
    rows: tuple[BaselineRow, ...]

    @property
    def pooled_between(self) -> float:
        """The median between-run spread of the gated rows (0 with fewer than three)."""
        spreads = [r.between for r in self.rows
                   if r.between is not None and not _is_peer(r.contender)]
        return statistics.median(spreads) if len(spreads) >= 3 else 0.0

    def to_json(self) -> dict[str, Any]:
        """The baseline file's JSON."""
        return {"kind": BASELINE_KIND, "version": BASELINE_VERSION, "profile": self.profile,
                "runs": [dict(r) for r in self.runs], "environment": self.environment,
                "rows": [r.to_json() for r in self.rows]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Baseline:
        """The inverse of :meth:`to_json`.

        Raises:
            ParameterError: not a baseline of this version.
        """
        if data.get("kind") != BASELINE_KIND or data.get("version") != BASELINE_VERSION:
            raise ParameterError(
                f"not a benchmark baseline of version {BASELINE_VERSION} "
                f"(kind {data.get('kind')!r}, version {data.get('version')!r})"
            )
        return cls(str(data["profile"]), tuple(dict(r) for r in data["runs"]),
                   dict(data["environment"]),
                   tuple(BaselineRow.from_json(r) for r in data["rows"]))


def make_baseline(runs: Sequence[BenchRun]) -> Baseline:
    """Merge runs on unchanged code into a :class:`Baseline` (at least one run).

    Raises:
        ParameterError: no runs, or runs of different profiles.
    """
    if not runs:
        raise ParameterError("a baseline needs at least one run")
    profiles = {r.profile for r in runs}
    if len(profiles) > 1:
        raise ParameterError(f"runs of different profiles: {sorted(profiles)}")
    per_key: dict[Key, list[RatioEstimate]] = {}
    for run in runs:
        for key, est in estimates(run).items():
            per_key.setdefault(key, []).append(est)
    rows = []
    for key, ests in per_key.items():
        medians = [e.log_ratio for e in ests]
        between = statistics.stdev(medians) if len(medians) > 1 else None
        rows.append(BaselineRow(*key, ests[0].reference, statistics.fmean(medians),
                                statistics.fmean(e.se for e in ests), between, len(ests)))
    info = [{"created": r.created, "commit": (r.environment.get("git") or {}).get("commit")}
            for r in runs]
    env = {k: runs[0].environment.get(k) for k in ("cpu_model", "cpu_count", "packages")}
    return Baseline(runs[0].profile, tuple(info), env, tuple(rows))


def save_baseline(baseline: Baseline, path: str | Path) -> Path:
    """Write a baseline as JSON."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(baseline.to_json(), indent=1) + "\n", encoding="utf-8")
    return out


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline file, or a saved run (a one-run baseline).

    Raises:
        ParameterError: the file is neither (the message names it).
    """
    from censorsim.bench.tables import load_run

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ParameterError(f"{path}: not JSON ({exc})") from None
    if isinstance(data, dict) and data.get("kind") == BASELINE_KIND:
        try:
            return Baseline.from_json(data)
        except ParameterError as exc:
            raise ParameterError(f"{path}: {exc}") from None
        except (KeyError, TypeError, ValueError) as exc:
            raise ParameterError(f"{path}: malformed benchmark baseline ({exc!r})") from None
    return make_baseline([load_run(path)])


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One contender on one workload: baseline and current log-ratios, and the verdict.

    Attributes:
        suite, workload, contender, reference: the row.
        baseline: the baseline's log-ratio ``b``.
        current: this run's median log-ratio ``m``.
        noise: the spread of ``m - b`` (rule step 3).
        tolerance: the smallest relative slowdown that counts.
        z: how many ``noise`` the slowdown must exceed.
        gated: whether a regression of this row fails the gate (the project's own
            contenders) or is only reported (peers).
        pairs: pairs behind ``current`` (0: unpaired).
    """

    suite: str
    workload: str
    contender: str
    reference: str
    baseline: float
    current: float
    noise: float
    tolerance: float
    z: float
    gated: bool = True
    pairs: int = 0

    @property
    def change(self) -> float:
        """Relative slowdown against the reference (``0.5``: 50 % slower than the baseline)."""
        return math.exp(self.current - self.baseline) - 1.0

    @property
    def threshold(self) -> float:
        """The log-ratio increase beyond which the row regressed (rule step 4)."""
        return max(math.log1p(self.tolerance), self.z * self.noise)

    @property
    def regressed(self) -> bool:
        """Whether the slowdown exceeds the tolerance and ``z`` times the noise."""
        return self.current - self.baseline > self.threshold

    @property
    def detects(self) -> float:
        """The smallest relative slowdown this row reports (``0.25``: 25 %)."""
        return math.expm1(self.threshold)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Every comparable row, and what could not be compared."""

    rows: tuple[ComparisonRow, ...]
    missing: tuple[str, ...]
    tolerance: float
    z: float
    baseline_runs: int

    @property
    def regressions(self) -> list[ComparisonRow]:
        """Gated rows that regressed."""
        return [r for r in self.rows if r.regressed and r.gated]

    @property
    def ok(self) -> bool:
        """Whether no gated row regressed."""
        return not self.regressions

    def markdown(self) -> str:
        """The comparison as a markdown table (regressions first, then by change)."""
        lines = [
            f"Comparison with the baseline ({self.baseline_runs} run(s)): time relative to "
            "the reference contender timed alternately in the same run; a row regressed "
            f"when its slowdown exceeds {self.tolerance:.0%} and {self.z:g} times its "
            "measured run-to-run noise. Peers (no ':' in the name) are not gated.",
            "",
            "| suite | workload | contender | baseline x | current x | change | noise | "
            "flags at | pairs | |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for r in sorted(self.rows, key=lambda r: (not (r.regressed and r.gated), -r.change)):
            flag = ("REGRESSED" if r.gated else "slower (peer, not gated)") if r.regressed \
                else ""
            lines.append(
                f"| {r.suite} | {r.workload} | `{r.contender}` | {math.exp(r.baseline):.3f} | "
                f"{math.exp(r.current):.3f} | {r.change:+.1%} | {r.noise:.3f} | "
                f"{r.detects:+.0%} | {r.pairs} | {flag} |"
            )
        blind = [r for r in self.rows if r.gated and r.detects >= 0.5]
        if blind:
            lines += ["", "Too noisy to see a 1.5x slowdown: " + "; ".join(
                f"{r.suite}/{r.workload}/{r.contender} (flags at {r.detects:+.0%})"
                for r in blind)]
        if self.missing:
            lines += ["", "Not compared: " + "; ".join(self.missing)]
        return "\n".join(lines) + "\n"


def _is_peer(contender: str) -> bool:
    return ":" not in contender


def compare_runs(
    current: BenchRun,
    baseline: Baseline | BenchRun,
    *,
    tolerance: float = 0.2,
    z: float = 3.5,
    references: Mapping[str, str] | None = None,
) -> Comparison:
    """Compare every row of the baseline with the current run (the module's rule).

    Args:
        current: the new run.
        baseline: a :class:`Baseline` or a saved run (a one-run baseline).
        tolerance: the smallest relative slowdown that counts (0.2: 20 %).
        z: how many times the measured noise the slowdown must exceed.
        references: per suite, the reference contender of unpaired runs.

    Raises:
        ParameterError: a tolerance outside ``[0, 1)`` or a negative ``z``.
    """
    if not 0.0 <= tolerance < 1.0:
        raise ParameterError(f"tolerance must be in [0, 1), got {tolerance!r}")
    if not z >= 0.0:
        raise ParameterError(f"z must be >= 0, got {z!r}")
    base = baseline if isinstance(baseline, Baseline) else make_baseline([baseline])
    now = estimates(current, references)
    statuses = {(r.suite, r.workload, r.contender): r.status for r in current.results}
    rows: list[ComparisonRow] = []
    missing: list[str] = []
    n_runs = max((b.runs for b in base.rows), default=1)
    pooled = base.pooled_between
    for b in base.rows:
        key = (b.suite, b.workload, b.contender)
        est = now.get(key)
        if est is None:
            missing.append(f"{b.suite}/{b.workload}/{b.contender} "
                           f"({statuses.get(key, 'not run')})")
            continue
        sigma = max(b.between or 0.0, pooled, b.se, est.se)
        noise = sigma * math.sqrt(1.0 + 1.0 / b.runs)
        rows.append(ComparisonRow(*key, est.reference, b.log_ratio, est.log_ratio, noise,
                                  tolerance, z, not _is_peer(b.contender), est.pairs))
    return Comparison(tuple(rows), tuple(missing), tolerance, z, n_runs)
