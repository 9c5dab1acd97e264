"""The shipped conformance suites, run over every registered hasher and index backend."""

from __future__ import annotations

import numpy as np
import pytest

from censorsim.image import HASH_ALGORITHMS, INDEX_BACKENDS, Hasher
from censorsim.image.backends import LinearBackend
from censorsim.registry import Entry
from censorsim.testing._hasher import check_hasher
from censorsim.testing._index import check_index_backend


@pytest.mark.parametrize("name", HASH_ALGORITHMS.available())
def test_every_hasher_conforms(name: str) -> None:
    check_hasher(name)


@pytest.mark.parametrize("spec", ["phash:16", "colorhash:4", "dhash:4", "whash:16"])
def test_other_sizes_conform(spec: str) -> None:
    check_hasher(Hasher.parse(spec, fast=True))


@pytest.mark.parametrize("name", INDEX_BACKENDS.available())
def test_every_index_backend_conforms(name: str) -> None:
    check_index_backend(name)


@pytest.mark.parametrize("m", [6, 8])
def test_mih_with_a_fixed_substring_count_conforms(m: int) -> None:
    check_index_backend("mih", m=m)


class _Lossy(LinearBackend):
    """Drops the first result of every query batch."""

    def _query(self, queries: np.ndarray, radius: int):  # type: ignore[no-untyped-def, override]
        qi, rows, dist = super()._query(queries, radius)
        return qi[1:], rows[1:], dist[1:]


def test_the_index_suite_catches_a_lossy_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(INDEX_BACKENDS._entries, "lossy", Entry("lossy", _Lossy))
    with pytest.raises(AssertionError, match=r"'lossy'.*differs from the linear reference"):
        check_index_backend("lossy")


def test_the_hasher_suite_catches_a_non_deterministic_hasher(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = iter(range(1000))
    original = Hasher.hash

    def flaky(self: Hasher, image: object) -> object:
        value = original(self, image)  # type: ignore[arg-type]
        return value if next(calls) % 2 else type(value)(value.algorithm, value.size, 1)  # type: ignore[call-arg, union-attr]

    monkeypatch.setattr(Hasher, "hash", flaky)
    with pytest.raises(AssertionError, match="dhash:8: two hashes of the same bytes differ"):
        check_hasher("dhash")
