"""Array helpers the hot paths share: distinct values by sorting.

numpy 2.4's ``np.unique`` without ``return_*`` arguments takes a hash-based path that
measured 40x slower than sorting here (200,000 int64 values: 118 ms against 2.7 ms for
``np.sort``; 2,700 values: 324 us against 38 us), so the pipeline's per-batch distinct
counts use :func:`unique_sorted`; a property test holds it to ``np.unique``.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

__all__: list[str] = []

_S = TypeVar("_S", bound=np.generic)


def unique_sorted(values: npt.NDArray[_S]) -> npt.NDArray[_S]:
    """The sorted distinct values of a 1-D array (``np.unique(values)``), by one sort."""
    flat = np.sort(np.asarray(values).ravel())
    if flat.size < 2:
        return flat
    keep = np.empty(flat.size, dtype=np.bool_)
    keep[0] = True
    np.not_equal(flat[1:], flat[:-1], out=keep[1:])
    out: npt.NDArray[Any] = flat[keep]
    return out
