"""The visual matcher's score by plain loops, shared by the tests that hold its fast
paths (the FFT path, the local search) to it."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from censorsim.image.visual import PARTS, WINDOW_WEIGHT, VisualFeatures


def plain_score(a: np.ndarray, b: np.ndarray, offsets: Iterable[tuple[int, int]],
                floor: float) -> float:
    """The best score over ``offsets``, ``(oy, ox)`` putting ``a[:, y, x]`` on
    ``b[:, y + oy, x + ox]``: strips of ``a`` correlated in absolute value, over
    ``|a| * max(local ** (1 - w) * |b| ** w, floor |a|)``, capped at 1."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0 or nb == 0:
        return 0.0
    _, ha, wa = a.shape
    _, hb, wb = b.shape
    cuts = np.linspace(0, wa, PARTS + 1).round().astype(int)
    best = 0.0
    for oy, ox in offsets:
        sums = [0.0] * PARTS
        local = 0.0
        for y in range(ha):
            for x in range(wa):
                v, u = y + oy, x + ox
                if 0 <= v < hb and 0 <= u < wb:
                    k = int(np.searchsorted(cuts, x, side="right")) - 1
                    sums[k] += float(a[:, y, x] @ b[:, v, u])
                    local += float(b[:, v, u] @ b[:, v, u])
        denominator = max((local ** 0.5) ** (1 - WINDOW_WEIGHT) * nb ** WINDOW_WEIGHT,
                          floor * na)
        best = max(best, sum(abs(s) for s in sums) / (na * denominator))
    return min(1.0, best)


def features(edges: np.ndarray) -> VisualFeatures:
    """Features over given edge maps (name ``x``)."""
    e = edges.astype(np.float32)
    return VisualFeatures("x", e, float(np.linalg.norm(e)), (e.shape[2], e.shape[1]))
