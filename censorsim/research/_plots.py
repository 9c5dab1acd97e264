"""Plots of research results: evasion-matrix heat maps and probing-validation bar charts.

PNG files drawn with matplotlib's Agg backend (the ``plot`` extra), Chinese labels in the
font :func:`censorsim.viz.use_cjk_font` chooses. The heat map is
:func:`censorsim.viz.draw_matrix` (legible at 40 rows); :func:`validation_figure` returns
the probing chart unsaved, to inspect or restyle.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from censorsim.research._matrix import EvasionMatrix
from censorsim.research._validation import ProbeValidation

__all__ = ["plot_matrix", "plot_validation", "validation_figure"]


def plot_matrix(matrix: EvasionMatrix, path: str | os.PathLike[str], *, title: str = "") -> None:
    """Draw the matrix as a heat map (PNG, matplotlib Agg).

    Rows are transforms, columns detectors, each cell the share still detected; the
    figure grows with the matrix so 40 rows stay legible (see
    :func:`censorsim.viz.draw_matrix`).
    """
    plt = _pyplot()
    from censorsim.viz import draw_matrix

    ax = draw_matrix(matrix, title=title or None)
    fig = ax.figure
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _pyplot() -> Any:
    from censorsim._optional import import_optional

    mpl = import_optional("matplotlib", "plot", "plots")
    mpl.use("Agg")
    plt = import_optional("matplotlib.pyplot", "plot", "plots")
    from censorsim.viz import use_cjk_font

    use_cjk_font()
    return plt


def validation_figure(validations: Sequence[ProbeValidation]) -> Any:
    """The probing chart: correct isolations and mean queries per article, per method.

    Left: the share of articles whose combination was isolated correctly, in percent,
    with its Wilson 95% interval. Right: mean oracle queries per article on a log axis
    labelled with plain numbers (1, 10, 100, not 10^2). One group of bars per list
    (its name on the axis), one colour per method.

    Raises:
        MissingDependencyError: without matplotlib (the ``plot`` extra).
    """
    plt = _pyplot()
    from censorsim._optional import import_optional

    ticker = import_optional("matplotlib.ticker", "plot", "plots")
    methods = sorted({s.method for v in validations for s in v.scores})
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    width = 0.8 / max(1, len(methods))
    centres = list(range(len(validations)))
    for k, m in enumerate(methods):
        xs = [i - 0.4 + (k + 0.5) * width for i in centres]
        scores = [next((s for s in v.scores if s.method == m), None) for v in validations]
        acc = [100 * s.accuracy.rate if s else 0.0 for s in scores]
        err = [[100 * (s.accuracy.rate - s.accuracy.low) if s else 0.0 for s in scores],
               [100 * (s.accuracy.high - s.accuracy.rate) if s else 0.0 for s in scores]]
        q = [s.mean_queries if s else 0.0 for s in scores]
        a1.bar(xs, acc, width, label=m, yerr=err, capsize=2)
        a2.bar(xs, q, width, label=m)
    for ax in (a1, a2):
        ax.set_xticks(centres, [v.name for v in validations], fontsize=8)
        ax.set_xlabel("rule list")
    a1.set_ylabel("articles isolated correctly (%)")
    a1.set_ylim(0, 105)
    a1.yaxis.set_major_formatter(ticker.PercentFormatter(xmax=100, decimals=0))
    a1.set_title("Correct isolations (95% interval)")
    a2.set_ylabel("mean queries per article")
    a2.set_yscale("log")
    a2.yaxis.set_major_formatter(ticker.FuncFormatter(lambda y, _pos: f"{y:g}"))
    a2.yaxis.set_minor_formatter(ticker.NullFormatter())
    a2.set_title("Cost: oracle queries per article")
    a1.legend(fontsize=7, title="method", title_fontsize=7)
    fig.tight_layout()
    return fig


def plot_validation(
    validations: Sequence[ProbeValidation], path: str | os.PathLike[str]
) -> None:
    """Bar charts of accuracy and mean queries per list and method (PNG).

    See :func:`validation_figure`.
    """
    plt = _pyplot()
    fig = validation_figure(validations)
    fig.savefig(path, dpi=120)
    plt.close(fig)
