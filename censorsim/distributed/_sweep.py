"""Parameter sweeps: a grid of independent simulations run in parallel, then metrics
with intervals across seeds.

A sweep config (TOML) names a base simulation config and the grid::

    [sweep]
    base = "wechat-day.toml"        # every cell starts from this config
    messages = 4000                 # optional: messages per cell (else the base's)
    bases = { weibo = "weibo-posts.toml" }   # optional: another base per platform

    [grid]
    seeds = [1, 2, 3, 4, 5]
    platforms = ["wechat"]          # profile names (default: the base's profile)
    lists = ["default", "../../wordlists/wechat-combinations.csv"]
    dates = [2020-02-01, 2020-06-04]

``lists`` entries are rule files handed to the platform profile as its rules
(``default``: the profile's own list); ``dates`` are the simulated start dates (rules
are in force by their dates). Every cell is one :class:`~censorsim.simulate.Simulation`
with its own SQLite log under ``OUT/cells/``, resumable as a single run is: a sweep
stopped half-way is resumed by running it again (a cell whose inputs changed is an
error naming the input).

Metrics per cell (:data:`SWEEP_METRICS`) are aggregated over seeds for every
(platform, list, date): mean, sample standard deviation and a two-sided 95% Student-t
interval ``mean ± t(0.975, n-1)·sd/√n`` (seeds are independent draws of the same
model, so the t interval is the textbook one; every metric is a share, so the interval
is cut to [0, 1]; with one seed the interval is not defined and left empty).
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from censorsim._toml import read_toml
from censorsim.distributed._engine import run_tasks
from censorsim.errors import CensorsimError, SimulationError

__all__ = [
    "SWEEP_METRICS",
    "Aggregate",
    "Cell",
    "SweepConfig",
    "SweepResult",
    "load_sweep",
    "run_sweep",
    "t_interval",
]

SWEEP_METRICS: tuple[str, ...] = ("censored_share", "sensitive_censored", "benign_censored")
"""Per cell: share of messages censored; of sensitive messages censored (the censor's
recall on the ground truth); of benign messages censored (collateral)."""
MAX_CELLS = 10_000
"""The most cells one sweep may have."""
MAX_CONFIG_BYTES = 1 << 20

_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
         2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074,
         2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)
"""Student-t 0.975 quantiles for 1..30 degrees of freedom (standard tables)."""


def _t975(df: int) -> float:
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959964  # Cornish-Fisher expansion around the normal quantile
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def t_interval(values: Sequence[float]) -> tuple[float, float, float, float]:
    """``(mean, sd, low, high)``: the mean, sample standard deviation and two-sided 95%
    Student-t interval of ``values`` (low and high are NaN for fewer than two values).

    Example:
        >>> m, sd, lo, hi = t_interval([0.1, 0.2, 0.3])
        >>> round(m, 3), round(sd, 3), round(lo, 3), round(hi, 3)
        (0.2, 0.1, -0.048, 0.448)
    """
    n = len(values)
    if n == 0:
        nan = float("nan")
        return nan, nan, nan, nan
    mean = sum(values) / n
    if n < 2:
        return mean, float("nan"), float("nan"), float("nan")
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = _t975(n - 1) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


@dataclass(frozen=True, slots=True)
class Cell:
    """One simulation of the grid."""

    platform: str
    rules: str
    day: date
    seed: int
    base: str
    messages: int | None

    @property
    def group(self) -> tuple[str, str, str]:
        """What the cell aggregates under: platform, list, date."""
        return self.platform, self.list_name, self.day.isoformat()

    @property
    def list_name(self) -> str:
        """``default`` or the list file's name."""
        return self.rules if self.rules == "default" else Path(self.rules).name

    @property
    def stem(self) -> str:
        """The file name of the cell's log (without ``.db``)."""
        name = re.sub(r"[^\w.-]+", "_", self.list_name)
        return f"{self.platform}-{name}-{self.day.isoformat()}-seed{self.seed}"


@dataclass(frozen=True, slots=True)
class SweepConfig:
    """A loaded sweep: its file and every cell, in grid order (platform, list, date, seed)."""

    path: Path
    cells: tuple[Cell, ...]
    seeds: tuple[int, ...]


def _line_of(text: str, section: str, key: str | None) -> int:
    """The line of ``key`` in ``[section]`` of a TOML text (the section's line, or 1)."""
    lines = text.splitlines()
    start = None
    for i, line in enumerate(lines):
        if re.match(rf"\s*\[\s*{re.escape(section)}\s*\]", line):
            start = i
            break
    if start is None:
        return 1
    if key is None:
        return start + 1
    for j in range(start + 1, len(lines)):
        if re.match(r"\s*\[", lines[j]):
            break
        if re.match(rf"\s*{re.escape(key)}\s*=", lines[j]):
            return j + 1
    return start + 1


def load_sweep(path: str | os.PathLike[str]) -> SweepConfig:
    """Read and check a sweep config (format: the module docstring).

    Every cell's simulation config and policy are built here, so a bad grid fails
    before anything runs.

    Raises:
        SimulationError: the file is missing or malformed, naming the file and line.
    """
    p = Path(path)
    data, text = read_toml(p, what="sweep config", limit=MAX_CONFIG_BYTES,
                           error=SimulationError)

    def bad(section: str, key: str | None, problem: str) -> SimulationError:
        where = f"[{section}] {key}" if key else f"[{section}]"
        return SimulationError(f"{p}:{_line_of(text, section, key)}: {where}: {problem}")

    unknown = sorted(set(data) - {"sweep", "grid"})
    if unknown:
        raise SimulationError(f"{p}:{_line_of(text, unknown[0], None)}: unknown section "
                              f"[{unknown[0]}]; expected [sweep] and [grid]")
    for name in ("sweep", "grid"):
        if not isinstance(data.get(name), dict):
            raise SimulationError(f"{p}:1: missing [{name}] table")
    sweep, grid = data["sweep"], data["grid"]
    keys = {"sweep": {"base", "messages", "bases"},
            "grid": {"seeds", "platforms", "lists", "dates"}}
    for name, table in (("sweep", sweep), ("grid", grid)):
        extra = sorted(set(table) - keys[name])
        if extra:
            raise bad(name, extra[0], f"unknown key; expected one of "
                                      f"{', '.join(sorted(keys[name]))}")
    folder = p.resolve().parent
    if not isinstance(sweep.get("base"), str):
        raise bad("sweep", "base", "a simulation config file name is required")
    base = str(folder / sweep["base"])
    messages = sweep.get("messages")
    if messages is not None and (not isinstance(messages, int) or isinstance(messages, bool)
                                 or not 1 <= messages <= 1_000_000_000):
        raise bad("sweep", "messages", f"must be an integer from 1 to 10^9, got {messages!r}")
    bases_raw = sweep.get("bases", {})
    if not isinstance(bases_raw, dict) or not all(isinstance(v, str)
                                                  for v in bases_raw.values()):
        raise bad("sweep", "bases", "must be a table of platform = \"config file\"")
    bases = {k: str(folder / v) for k, v in bases_raw.items()}

    seeds = _list(grid, "seeds", bad, required=True)
    if not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**63
               for s in seeds):
        raise bad("grid", "seeds", f"must be non-negative integers, got {seeds!r}")
    if len(set(seeds)) != len(seeds):
        raise bad("grid", "seeds", "a seed is repeated")
    from censorsim.platforms import PLATFORMS
    from censorsim.simulate import load_config

    try:
        base_config = load_config(base)
    except CensorsimError as exc:
        raise bad("sweep", "base", str(exc)) from None
    platforms = _list(grid, "platforms", bad) or [base_config.profile or "wechat"]
    for name in platforms:
        if not isinstance(name, str) or name not in PLATFORMS.names():
            raise bad("grid", "platforms", f"unknown platform profile {name!r}; expected "
                                           f"one of {', '.join(PLATFORMS.names())}")
    for name in bases:
        if name not in platforms:
            raise bad("sweep", "bases", f"{name!r} is not one of the grid's platforms")
    lists = _list(grid, "lists", bad) or ["default"]
    resolved: list[str] = []
    for item in lists:
        if not isinstance(item, str):
            raise bad("grid", "lists", f"entries are rule file names or 'default', got {item!r}")
        if item == "default":
            resolved.append(item)
            continue
        file = folder / item
        if not file.is_file():
            raise bad("grid", "lists", f"{file}: no such rule file")
        resolved.append(str(file))
    days_raw = _list(grid, "dates", bad) or [base_config.start.date()]
    days: list[date] = []
    for d in days_raw:
        if isinstance(d, datetime):
            days.append(d.date())
        elif isinstance(d, date):
            days.append(d)
        else:
            try:
                days.append(date.fromisoformat(str(d)))
            except ValueError:
                raise bad("grid", "dates", f"expected dates (2020-06-04), got {d!r}") from None
    n = len(seeds) * len(platforms) * len(resolved) * len(days)
    if n > MAX_CELLS:
        raise bad("grid", None, f"{n} cells; at most {MAX_CELLS}")
    cells = tuple(
        Cell(pl, rl, d, s, bases.get(pl, base), messages)
        for pl, rl, d, s in itertools.product(platforms, resolved, days, seeds)
    )
    # Build each (platform, list, date) once now: a bad combination fails before any run.
    for group in {(c.platform, c.rules, c.day, c.base) for c in cells}:
        probe = next(c for c in cells if (c.platform, c.rules, c.day, c.base) == group)
        try:
            _prepare(probe)
        except CensorsimError as exc:
            raise bad("grid", "platforms", f"cell {probe.stem}: {exc}") from None
    return SweepConfig(p, cells, tuple(seeds))


def _list(table: dict[str, Any], key: str, bad: Callable[[str, str | None, str],
          SimulationError], *, required: bool = False) -> list[Any]:
    value = table.get(key)
    if value is None:
        if required:
            raise bad("grid", key, "required (a non-empty list)")
        return []
    if not isinstance(value, list) or not value:
        raise bad("grid", key, f"must be a non-empty list, got {value!r}")
    return value


def _prepare(cell: Cell) -> tuple[Any, Any]:
    """The simulation config and policy of a cell."""
    from censorsim.platforms import make_profile
    from censorsim.simulate import load_config
    from censorsim.text.wordlists import load_rules

    config = load_config(cell.base)
    start = datetime.combine(cell.day, config.start.time())
    changes: dict[str, Any] = {"seed": cell.seed, "start": start, "profile": cell.platform,
                               "policy_file": None}
    if cell.messages is not None:
        changes["messages"] = cell.messages
    if cell.platform != config.profile:
        changes["profile_options"] = {}
    config = replace(config, **changes)
    options = dict(config.profile_options)
    if cell.rules != "default":
        options["rules"] = load_rules(cell.rules)
    policy = make_profile(cell.platform, **options)
    if cell.rules != "default":
        policy = replace(policy, inputs=(*policy.inputs, cell.rules))
    for surface, _ in config.surfaces:
        policy.surface(surface)  # PolicyError naming a surface the platform lacks
    return config, policy


def run_cell(cell: Cell, out: str) -> dict[str, Any]:
    """Run (or resume) one cell into ``out/cells/STEM.db`` and return its metrics."""
    from censorsim.simulate import Simulation, compute_metrics

    config, policy = _prepare(cell)
    db = Path(out) / "cells" / f"{cell.stem}.db"
    summary = Simulation(config, policy=policy).run(db)
    m = compute_metrics(db)
    kinds = {s.key: s for s in m.by_kind}
    sens = kinds.get("sensitive")
    return {
        "platform": cell.platform, "list": cell.list_name, "date": cell.day.isoformat(),
        "seed": cell.seed, "messages": m.messages, "resumed_from": summary.resumed_from,
        "censored_share": m.censored / m.messages if m.messages else float("nan"),
        "sensitive_censored": sens.censored / sens.messages if sens and sens.messages
        else float("nan"),
        "benign_censored": m.collateral.censored / m.collateral.benign
        if m.collateral.benign else float("nan"),
        "log": str(db),
    }


@dataclass(frozen=True, slots=True)
class Aggregate:
    """One metric of one (platform, list, date) across seeds."""

    platform: str
    list: str
    date: str
    metric: str
    seeds: int
    mean: float
    sd: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class SweepResult:
    """A finished sweep: per-cell metrics, aggregates, and the files written."""

    cells: tuple[dict[str, Any], ...]
    aggregates: tuple[Aggregate, ...]
    files: tuple[Path, ...]

    def markdown(self) -> str:
        """The aggregate table as markdown (one row per group and metric)."""
        head = ("| platform | list | date | metric | seeds | mean | 95% interval (t) |\n"
                "|---|---|---|---|---:|---:|---|\n")
        rows = [
            f"| {a.platform} | {a.list} | {a.date} | {a.metric} | {a.seeds} | "
            f"{_fmt(a.mean)} | {_interval(a)} |"
            for a in self.aggregates
        ]
        return head + "\n".join(rows) + "\n"


def _fmt(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:.4f}"


def _interval(a: Aggregate) -> str:
    return "-" if math.isnan(a.low) else f"[{a.low:.4f}, {a.high:.4f}]"


def aggregate(cells: Sequence[dict[str, Any]]) -> tuple[Aggregate, ...]:
    """Aggregates over seeds of every (platform, list, date), in first-seen order."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for c in cells:
        groups.setdefault((c["platform"], c["list"], c["date"]), []).append(c)
    out: list[Aggregate] = []
    for (pl, li, d), members in groups.items():
        for metric in SWEEP_METRICS:
            values = [float(c[metric]) for c in members if not math.isnan(float(c[metric]))]
            mean, sd, lo, hi = t_interval(values)
            if not math.isnan(lo):  # every metric is a share: the interval is cut to [0, 1]
                lo, hi = max(0.0, lo), min(1.0, hi)
            out.append(Aggregate(pl, li, d, metric, len(values), mean, sd, lo, hi))
    return tuple(out)


def run_sweep(
    config: SweepConfig | str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    engine: str = "processes",
    workers: int = 1,
    address: str | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    plot: bool = True,
) -> SweepResult:
    """Run every cell of a sweep (in parallel), then write ``out/sweep.csv`` (aggregates),
    ``out/sweep.md``, ``out/cells.csv`` (per cell) and ``out/sweep.png`` (with ``plot``,
    needs the extra ``plot``).

    Raises:
        SimulationError: a bad sweep config (file and line), or a cell's log cannot be
            resumed (an input changed).
    """
    sweep = config if isinstance(config, SweepConfig) else load_sweep(config)
    out_dir = Path(out)
    (out_dir / "cells").mkdir(parents=True, exist_ok=True)
    cells = sweep.cells
    results: list[dict[str, Any] | None] = [None] * len(cells)
    if progress is not None:
        progress(0, len(cells))
    items = list(cells)
    tasks = run_tasks(run_cell, items, str(out_dir), engine=engine,
                      workers=min(workers, len(items)), address=address, scheduler=scheduler)
    for done, (i, res) in enumerate(tasks, 1):
        results[i] = res
        if progress is not None:
            progress(done, len(cells))
    rows = tuple(r for r in results if r is not None)
    aggs = aggregate(rows)
    result = SweepResult(rows, aggs, ())
    files = [out_dir / "cells.csv", out_dir / "sweep.csv", out_dir / "sweep.md"]
    _write(files[0], _csv(rows, ["platform", "list", "date", "seed", "messages",
                                 *SWEEP_METRICS, "log"]))
    _write(files[1], _csv([{"platform": a.platform, "list": a.list, "date": a.date,
                            "metric": a.metric, "seeds": a.seeds, "mean": a.mean, "sd": a.sd,
                            "low": a.low, "high": a.high} for a in aggs],
                          ["platform", "list", "date", "metric", "seeds", "mean", "sd",
                           "low", "high"]))
    _write(files[2], f"# Sweep {sweep.path.name}\n\n{len(rows)} simulations, seeds "
                     f"{', '.join(map(str, sweep.seeds))}; mean over seeds and two-sided 95% "
                     f"Student-t interval.\n\n" + result.markdown())
    if plot:
        files.append(_plot(aggs, out_dir / "sweep.png"))
    return SweepResult(rows, aggs, tuple(files))


def _csv(rows: Sequence[dict[str, Any]], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _plot(aggs: Sequence[Aggregate], path: Path) -> Path:
    from censorsim._optional import import_optional

    mpl = import_optional("matplotlib", "plot", "sweep plots")
    mpl.use("Agg")
    plt = import_optional("matplotlib.pyplot", "plot", "sweep plots")
    fig, axes = plt.subplots(1, len(SWEEP_METRICS), figsize=(4.2 * len(SWEEP_METRICS), 3.6),
                             squeeze=False)
    for ax, metric in zip(axes[0], SWEEP_METRICS, strict=True):
        rows = [a for a in aggs if a.metric == metric]
        labels = [f"{a.platform} {Path(a.list).stem}\n{a.date}" for a in rows]
        means = [a.mean for a in rows]
        errs = [[0.0 if math.isnan(a.low) else a.mean - a.low for a in rows],
                [0.0 if math.isnan(a.high) else a.high - a.mean for a in rows]]
        ax.errorbar(range(len(rows)), means, yerr=errs, fmt="o", capsize=4)
        ax.set_xticks(range(len(rows)), labels, fontsize=7, rotation=25, ha="right")
        ax.set_title(metric.replace("_", " "), fontsize=10)
        ax.set_ylim(bottom=0)
    fig.suptitle("mean over seeds, 95% t interval", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
