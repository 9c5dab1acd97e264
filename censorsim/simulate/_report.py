"""Reports of a decision log: a markdown summary and PNG plots (``censorsim report RUN.db``).

Plots use matplotlib's Agg backend (the ``plot`` extra) and are written as PNGs next to
``summary.md``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from censorsim._optional import import_optional
from censorsim.errors import ParameterError
from censorsim.simulate._metrics import Metrics, Share, compute_metrics

__all__ = ["Report", "summary_markdown", "write_report"]


@dataclass(frozen=True, slots=True)
class Report:
    """The files a report wrote, and the metrics they show."""

    markdown: Path
    plots: tuple[Path, ...]
    metrics: Metrics


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _table(title: str, rows: tuple[Share, ...]) -> list[str]:
    out = [f"| {title} | messages | censored | share |", "|---|---:|---:|---:|"]
    out.extend(f"| {r.key} | {r.messages} | {r.censored} | {_pct(r.share)} |" for r in rows)
    return out


def _quantile(values: tuple[float, ...], q: float) -> float:
    if not values:
        return math.nan
    k = min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))
    return values[k]


def summary_markdown(m: Metrics, *, title: str = "Simulation report") -> str:
    """The markdown summary of metrics ``m``."""
    lines = [f"# {title}", ""]
    if not m.complete:
        lines += [
            f"**{m.status}**: the run stopped before its end; these figures cover the "
            "messages logged so far (resume it with the same `censorsim simulate` command).",
            "",
        ]
    lines.append(
        f"{m.messages} messages, {m.censored} censored ({_pct(m.share)}); "
        f"{m.learned_images} image MD5s learned."
    )
    lines += ["", "## Censored share per surface", "", *_table("surface", m.by_surface)]
    lines += ["", "## Censored share per account region", "", *_table("region", m.by_region)]
    lines += ["", "## Ground truth", "", *_table("kind", m.by_kind)]
    lines += ["", "## Actions", "", "| action | messages |", "|---|---:|"]
    lines += [f"| {a} | {n} |" for a, n in m.actions]
    lines += ["", "## Top rules", "", "| rule | messages censored |", "|---|---:|"]
    lines += [f"| `{r}` | {n} |" for r, n in m.top_rules]
    col = m.collateral
    lines += [
        "",
        "## Collateral damage",
        "",
        f"{col.censored} of {col.benign} benign messages censored ({_pct(col.share)}).",
    ]
    if col.by_rule:
        lines += ["", "| rule or image | benign messages censored |", "|---|---:|"]
        lines += [f"| `{r}` | {n} |" for r, n in col.by_rule]
    if col.examples:
        lines += ["", "Examples:", ""] + [f"- {e}" for e in col.examples]
    d = m.deletion_delays
    lines += ["", "## Time to deletion", ""]
    if d:
        within = sum(1 for x in d if 300 <= x <= 1800) / len(d)
        day = sum(1 for x in d if x <= 86400) / len(d)
        lines.append(
            f"{len(d)} posts deleted later; median {_quantile(d, 0.5) / 60:.0f} min, "
            f"{_pct(within)} within 5-30 min, {_pct(day)} within 24 h."
        )
    else:
        lines.append("No delayed deletions in this run.")
    return "\n".join(lines) + "\n"


def write_report(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    window: float = 3600.0,
    plots: bool = True,
) -> Report:
    """Write ``summary.md`` and PNG plots of the log ``path`` into the folder ``out``.

    Raises:
        SimulationError: not a log.
        ParameterError: ``out`` is an existing file, not a folder.
        MissingDependencyError: ``plots`` without matplotlib (the ``plot`` extra).
    """
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"{folder}: the report's output folder is a file")
    m = compute_metrics(path, window=window)
    folder.mkdir(parents=True, exist_ok=True)
    md = folder / "summary.md"
    md.write_text(summary_markdown(m, title=f"Simulation report: {Path(path).name}"),
                  encoding="utf-8")
    written: list[Path] = []
    if plots:
        written = _plots(m, folder)
    return Report(md, tuple(written), m)


def _plots(m: Metrics, folder: Path) -> list[Path]:
    mpl = import_optional("matplotlib", "plot", "report plots")
    mpl.use("Agg")
    plt = import_optional("matplotlib.pyplot", "plot", "report plots")
    written: list[Path] = []

    def save(fig: object, name: str) -> None:
        p = folder / name
        fig.savefig(p, dpi=100)  # type: ignore[attr-defined]
        plt.close(fig)
        written.append(p)

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    for ax, rows, title in ((axes[0], m.by_surface, "surface"), (axes[1], m.by_region, "region")):
        ax.bar([r.key for r in rows], [100 * r.share for r in rows], color="#b03a2e")
        ax.set_title(f"Censored share per {title}")
        ax.set_ylabel("% censored")
    fig.tight_layout()
    save(fig, "censored_share.png")

    fig, ax = plt.subplots(figsize=(9, 3.5))
    hours = [int(r.key) / 3600 for r in m.by_window]
    ax.plot(hours, [r.messages for r in m.by_window], label="messages", color="#555")
    ax.plot(hours, [r.censored for r in m.by_window], label="censored", color="#b03a2e")
    ax.set_xlabel("hours since start")
    ax.set_title("Messages and censored messages per window")
    ax.legend()
    fig.tight_layout()
    save(fig, "over_time.png")

    fig, ax = plt.subplots(figsize=(9, 3.5))
    rules = list(reversed(m.top_rules))
    ax.barh([r for r, _ in rules] or [""], [n for _, n in rules] or [0], color="#1f618d")
    ax.set_title("Top rules (messages censored)")
    fig.tight_layout()
    save(fig, "top_rules.png")

    if m.deletion_delays:
        fig, ax = plt.subplots(figsize=(9, 3.5))
        d = m.deletion_delays
        ax.plot([x / 60 for x in d], [(k + 1) / len(d) for k in range(len(d))], color="#117a65")
        ax.set_xscale("log")
        ax.axvline(5, ls=":", color="#999")
        ax.axvline(30, ls=":", color="#999")
        ax.axvline(1440, ls=":", color="#999")
        ax.set_xlabel("minutes after posting (log scale)")
        ax.set_ylabel("share deleted")
        ax.set_title("Time to deletion (CDF)")
        fig.tight_layout()
        save(fig, "time_to_deletion.png")
    return written
