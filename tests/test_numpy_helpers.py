"""``censorsim._numpy.unique_sorted`` (the sort-based distinct values the text pipeline
uses instead of numpy 2.4's slow hash-based ``np.unique``) equals ``np.unique``."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from censorsim._numpy import unique_sorted


@settings(max_examples=200, deadline=None)
@given(hnp.arrays(st.sampled_from([np.int64, np.int32, np.uint64, np.uint8]),
                  st.integers(0, 300)))
def test_unique_sorted_equals_np_unique(values: np.ndarray) -> None:
    got = unique_sorted(values)
    want = np.unique(values)
    assert got.dtype == want.dtype
    assert np.array_equal(got, want)


def test_unique_sorted_leaves_its_input_alone() -> None:
    values = np.array([3, 1, 3, 2, 1], dtype=np.int64)
    assert unique_sorted(values).tolist() == [1, 2, 3]
    assert values.tolist() == [3, 1, 3, 2, 1]
    assert unique_sorted(np.zeros(0, dtype=np.int64)).size == 0
