"""Plots of research results: evasion-matrix heat maps and probing-validation bar charts.

PNG files drawn with matplotlib's Agg backend (the ``plot`` extra).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from censorsim.research._matrix import EvasionMatrix
from censorsim.research._validation import ProbeValidation

__all__ = ["plot_matrix", "plot_validation"]


def plot_matrix(matrix: EvasionMatrix, path: str | os.PathLike[str], *, title: str = "") -> None:
    """Draw the matrix as a heat map (PNG, matplotlib Agg)."""
    plt = _pyplot()
    rates = [[c.rate for c in row] for row in matrix.cells]
    h = max(3.0, 0.28 * len(matrix.transforms) + 1.5)
    w = max(4.0, 0.7 * len(matrix.columns) + 3)
    fig, ax = plt.subplots(figsize=(w, h))
    im = ax.imshow(rates, vmin=0, vmax=1, cmap="RdYlGn_r", aspect="auto")
    ax.set_xticks(range(len(matrix.columns)), matrix.columns, rotation=60, ha="right",
                  fontsize=7)
    ax.set_yticks(range(len(matrix.transforms)), matrix.transforms, fontsize=7)
    for i, row in enumerate(rates):
        for j, v in enumerate(row):
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=5)
    fig.colorbar(im, ax=ax, label="still detected")
    ax.set_title(title or f"{matrix.kind} evasion matrix ({matrix.items} items, seed "
                 f"{matrix.seed})", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _pyplot() -> Any:
    from censorsim._optional import import_optional

    mpl = import_optional("matplotlib", "plot", "plots")
    mpl.use("Agg")
    return import_optional("matplotlib.pyplot", "plot", "plots")


def plot_validation(
    validations: Sequence[ProbeValidation], path: str | os.PathLike[str]
) -> None:
    """Bar charts of accuracy and mean queries per list and method (PNG)."""
    plt = _pyplot()
    methods = sorted({s.method for v in validations for s in v.scores})
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.5))
    width = 0.8 / max(1, len(methods))
    for k, m in enumerate(methods):
        xs = [i + k * width for i in range(len(validations))]
        acc = [next((s.accuracy.rate for s in v.scores if s.method == m), 0.0)
               for v in validations]
        q = [next((s.mean_queries for s in v.scores if s.method == m), 0.0)
             for v in validations]
        a1.bar(xs, acc, width, label=m)
        a2.bar(xs, q, width, label=m)
    for ax, label in ((a1, "correct isolations"), (a2, "mean queries per article")):
        ax.set_xticks([i + 0.4 - width / 2 for i in range(len(validations))],
                      [v.name for v in validations], fontsize=8)
        ax.set_ylabel(label)
    a1.set_ylim(0, 1)
    a2.set_yscale("log")
    a1.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
