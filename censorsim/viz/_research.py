"""Evasion matrices as heat maps, and black-box probing as a query trace."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from censorsim.probe import Oracle, SupportsCheck
from censorsim.research import EvasionMatrix
from censorsim.viz._style import COLORS, colormap, mpl, new_axes

__all__ = [
    "Query",
    "TracingOracle",
    "draw_matrix",
    "draw_query_trace",
    "matrix_rates",
    "query_masks",
]


def matrix_rates(matrix: EvasionMatrix) -> npt.NDArray[np.float64]:
    """The matrix's detection rates, ``rates[i, j]`` for transform ``i`` and column ``j``."""
    return np.array([[c.rate for c in row] for row in matrix.cells], dtype=np.float64
                    ).reshape(len(matrix.transforms), len(matrix.columns))


def draw_matrix(
    matrix: EvasionMatrix,
    *,
    ax: Any = None,
    annotate: bool | None = None,
    title: str | None = None,
    row_height: float = 0.27,
    column_width: float = 0.62,
) -> Any:
    """Draw an evasion matrix as a heat map: rows transforms, columns detectors.

    Sized so every label stays legible at 40 rows (each row ``row_height`` inches, labels
    at 8 points); cells show the percentage still detected, in white on dark cells.

    Args:
        matrix: from :func:`censorsim.research.text_matrix` or ``image_matrix``.
        ax: the Axes to draw on (default: a new figure sized to the matrix).
        annotate: write the percentage in each cell (default: up to 1,200 cells).
        title: the title (default: kind, items and seed).
        row_height: inches per row for a new figure.
        column_width: inches per column for a new figure.

    Returns:
        The Axes.
    """
    rates = matrix_rates(matrix)
    rows, cols = rates.shape
    label_w = 0.09 * max((len(t) for t in matrix.transforms), default=4) + 0.6
    size = (label_w + column_width * cols + 1.4,
            1.6 + 0.1 * max((len(c) for c in matrix.columns), default=4) + row_height * rows)
    ax = new_axes(ax, size)
    cmap = colormap("RdYlGn_r")
    im = ax.imshow(rates, vmin=0, vmax=1, cmap=cmap, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(cols), matrix.columns, rotation=45, ha="left", fontsize=8,
                  rotation_mode="anchor")
    ax.xaxis.tick_top()
    ax.set_yticks(range(rows), matrix.transforms, fontsize=8)
    ax.set_xticks(np.arange(-0.5, cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=0.8)
    ax.tick_params(which="minor", length=0)
    if annotate is None:
        annotate = rows * cols <= 1200
    if annotate:
        for i in range(rows):
            for j in range(cols):
                r, g, b, _ = cmap(rates[i, j])
                dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                ax.text(j, i, f"{rates[i, j]:.0%}", ha="center", va="center", fontsize=7,
                        color="white" if dark else "black")
    ax.figure.colorbar(im, ax=ax, label="share still detected (red: evasion fails)",
                       fraction=0.04, pad=0.02)
    if title is None:
        title = (f"{matrix.kind} evasion matrix: {matrix.items} items, seed {matrix.seed}")
    if title:
        ax.set_title(title, fontsize=10, pad=12)
    return ax


@dataclass(frozen=True, slots=True)
class Query:
    """One query an oracle answered.

    Attributes:
        number: 1 for the first query.
        fragments: what was sent, before joining with the separator.
        censored: the answer.
    """

    number: int
    fragments: tuple[str, ...]
    censored: bool


class TracingOracle(Oracle):
    """An :class:`~censorsim.probe.Oracle` that records every query and its answer.

    Example:
        >>> from censorsim.probe import isolate
        >>> oracle = TracingOracle(lambda t: "六四" in t, separator="|")
        >>> iso = isolate(oracle, "今天六四")
        >>> iso.components, len(oracle.log) == oracle.queries
        (('六四',), True)
    """

    def __init__(self, target: SupportsCheck | Callable[[str], bool], **options: Any) -> None:
        """``options`` are :class:`~censorsim.probe.Oracle`'s (separator, budget, check)."""
        super().__init__(target, **options)
        self.log: list[Query] = []

    def query(self, fragments: str | Sequence[str]) -> bool:
        """Send one query (see :meth:`Oracle.query`) and record it."""
        answer = super().query(fragments)
        frags = (fragments,) if isinstance(fragments, str) else tuple(f for f in fragments if f)
        self.log.append(Query(len(self.log) + 1, frags, answer))
        return answer


def _place(text: str, fragment: str, prev: tuple[int, int]) -> list[int]:
    """Positions of ``fragment`` in ``text``: a substring after the previous fragment's
    end, else after its start (fragments may overlap), else anywhere; failing that, the
    first greedy subsequence."""
    at = text.find(fragment, prev[1])
    if at < 0:
        at = text.find(fragment, prev[0])
    if at < 0:
        at = text.find(fragment)
    if at >= 0:
        return list(range(at, at + len(fragment)))
    out: list[int] = []
    i = 0
    for ch in fragment:
        j = text.find(ch, i)
        if j < 0:
            return out
        out.append(j)
        i = j + 1
    return out


def query_masks(text: str, queries: Sequence[Query]) -> npt.NDArray[np.bool_]:
    """Which characters of ``text`` each query contained (rows: queries).

    Each fragment is placed where it occurs in ``text``, in order (after the previous
    fragment's end, or after its start when they overlap); a fragment made of the
    characters left after deletions (recursive halving) is placed as a subsequence.
    """
    masks = np.zeros((len(queries), len(text)), dtype=bool)
    for r, q in enumerate(queries):
        prev = (0, 0)
        for frag in q.fragments:
            pos = _place(text, frag, prev)
            if pos:
                masks[r, pos] = True
                prev = (pos[0], pos[-1] + 1)
    return masks


def draw_query_trace(
    text: str,
    queries: Sequence[Query],
    *,
    ax: Any = None,
    title: str = "",
    found: Sequence[tuple[int, int]] = (),
) -> Any:
    """Draw a probing session: one row per query, one column per character of ``text``.

    A filled cell is a character the query sent: red when the query was censored, grey
    when it passed. ``found`` spans (an :class:`~censorsim.probe.Isolation`'s) are
    outlined under the text. Returns the Axes.
    """
    masks = query_masks(text, queries)
    n, m = masks.shape
    ax = new_axes(ax, (1.2 + 0.24 * m, 1.2 + 0.22 * n))
    colors = mpl("colors")
    cmap = colors.ListedColormap(["white", COLORS["passed"], COLORS["censored"]])
    cells = masks.astype(int) * np.array([[2 if q.censored else 1] for q in queries]
                                         ).reshape(n, 1) if n else masks.astype(int)
    ax.imshow(cells, cmap=cmap, vmin=0, vmax=2, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(m), list(text), fontsize=9)
    ax.xaxis.tick_top()
    ax.set_yticks(range(n), [f"{q.number} {'censored' if q.censored else 'passed'}"
                             for q in queries], fontsize=7)
    ax.set_xticks(np.arange(-0.5, m, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, n, 1), minor=True)
    ax.grid(which="minor", color="#dddddd", linewidth=0.5)
    ax.tick_params(which="both", length=0)
    patches = mpl("patches")
    for s, e in found:
        ax.add_patch(patches.Rectangle((s - 0.5, -0.5), e - s, n, fill=False,
                                       edgecolor=COLORS["current"], linewidth=2))
    ax.set_ylabel("query")
    if title:
        ax.set_title(title, fontsize=10)
    return ax
