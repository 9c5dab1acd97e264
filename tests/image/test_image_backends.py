"""Every index backend returns exactly the numpy reference's (query, row, distance) triples."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim._optional import has_module
from censorsim.errors import MissingDependencyError, UnknownNameError
from censorsim.image import BACKENDS, available_backends, make_backend
from censorsim.image._mih import _sub_radii
from censorsim.image.backends import MIHBackend

HAS_FAISS = has_module("faiss")
# (name, options) for every backend, with MIH both planned and forced through each path.
CONFIGS = [
    ("linear", {}),
    ("mih", {}),
    ("mih", {"m": 3, "max_table_bits": 24}),
    ("mih", {"m": 4}),
    ("mih", {"m": 9}),
] + ([("faiss", {})] if HAS_FAISS else [])
CONFIG_IDS = [f"{n}{o.get('m', '')}" for n, o in CONFIGS]


@st.composite
def _problems(draw: st.DrawFn) -> tuple[int, np.ndarray, np.ndarray, int]:
    """Random rows with duplicates and near neighbours, queries near and far, a radius."""
    bits = draw(st.sampled_from([16, 42, 64, 100, 128]))
    n_words = (bits + 63) // 64
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = draw(st.integers(1, 300))
    n_queries = draw(st.integers(1, 20))
    radius = draw(st.integers(0, bits))
    top_mask = np.uint64((1 << (bits - 64 * (n_words - 1))) - 1)
    rows = rng.integers(0, 2**64, size=(n, n_words), dtype=np.uint64)
    rows[:, 0] &= top_mask
    rows[n // 2 :] = rows[: n - n // 2]  # duplicates
    queries = rows[rng.integers(0, n, n_queries)].copy()
    flips = rng.random(queries.shape) < 0.1
    noise = rng.integers(0, 2**64, size=queries.shape, dtype=np.uint64)
    queries ^= np.where(flips, noise, np.uint64(0))
    queries[:, 0] &= top_mask
    return bits, rows, queries, radius


@settings(max_examples=60, deadline=None)
@given(_problems())
def test_every_backend_equals_the_reference(
    problem: tuple[int, np.ndarray, np.ndarray, int],
) -> None:
    bits, rows, queries, radius = problem
    reference = make_backend("linear", bits)
    reference.add(rows)
    expected = reference.query(queries, radius)
    # The reference itself against a plain Python double loop.
    pairs = sorted(
        (q, sum(int(x ^ y).bit_count() for x, y in zip(queries[q], rows[r], strict=True)), r)
        for q in range(len(queries))
        for r in range(len(rows))
    )
    plain = [(q, r, d) for q, d, r in pairs if d <= radius]
    assert list(zip(*(a.tolist() for a in expected), strict=True)) == plain
    for name, options in CONFIGS:
        if "m" in options and (options["m"] * 24 < bits or radius > bits // 3):
            continue  # a forced m needs short substrings and a small radius to be quick
        backend = make_backend(name, bits, **options)
        # Add in two chunks to exercise appends after a build.
        backend.add(rows[: len(rows) // 2])
        backend.query(queries[:1], radius)
        backend.add(rows[len(rows) // 2 :])
        got = backend.query(queries, radius)
        for g, e in zip(got, expected, strict=True):
            assert np.array_equal(g, e), (name, options)


@pytest.mark.parametrize(("name", "options"), CONFIGS, ids=CONFIG_IDS)
def test_radius_is_inclusive(name: str, options: dict[str, int]) -> None:
    backend = make_backend(name, 64, **options)
    rows = np.array([0b0, 0b1, 0b11, 0b111, 0b1111], dtype=np.uint64)
    backend.add(rows)
    qi, ri, d = backend.query(np.array([0], dtype=np.uint64), 2)
    assert ri.tolist() == [0, 1, 2]
    assert d.tolist() == [0, 1, 2]
    assert qi.tolist() == [0, 0, 0]
    assert backend.query(np.array([0b1111], dtype=np.uint64), 0)[1].tolist() == [4]


@pytest.mark.parametrize(("name", "options"), CONFIGS, ids=CONFIG_IDS)
def test_empty_index_and_empty_queries(name: str, options: dict[str, int]) -> None:
    backend = make_backend(name, 64, **options)
    assert [len(a) for a in backend.query(np.array([1], dtype=np.uint64), 5)] == [0, 0, 0]
    backend.add(np.array([1, 2], dtype=np.uint64))
    assert [len(a) for a in backend.query(np.zeros((0, 1), dtype=np.uint64), 5)] == [0, 0, 0]
    assert len(backend) == 2


def test_validation() -> None:
    backend = make_backend("linear", 128)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        backend.add(np.zeros((3, 1), dtype=np.uint64))
    with pytest.raises(ValueError, match="at least 0"):
        backend.query(np.zeros((1, 2), dtype=np.uint64), -1)
    with pytest.raises(TypeError, match="radius"):
        backend.query(np.zeros((1, 2), dtype=np.uint64), 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="words"):
        backend.add(np.zeros((1, 2), dtype=np.float64))
    with pytest.raises(ValueError, match="max_table_bits"):
        MIHBackend(64, m=2)
    with pytest.raises(ValueError, match="m must be"):
        MIHBackend(64, m=0)


def test_unknown_backend_name() -> None:
    with pytest.raises(UnknownNameError, match="unknown index backend 'annoy'") as info:
        make_backend("annoy", 64)
    assert isinstance(info.value, ValueError)
    assert info.value.known == BACKENDS
    assert "mih" in str(info.value)
    assert set(available_backends()) <= set(BACKENDS)


def test_missing_faiss_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "faiss", None)
    with pytest.raises(MissingDependencyError, match=r"censorsim\[faiss\]"):
        make_backend("faiss", 64)
    assert "faiss" not in available_backends()


def test_mih_plans_by_size_and_radius() -> None:
    backend = MIHBackend(64)
    backend.add(np.arange(1_000_000, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    assert backend.plan(10) == 4  # the measured sweet spot at 1M hashes, radius 10
    assert backend.plan(40) is None  # a scan is cheaper for large radii
    small = MIHBackend(64)
    small.add(np.arange(3, dtype=np.uint64))
    assert small.plan(10) is None  # and for tiny indexes


@given(st.integers(0, 128), st.integers(1, 16), st.data())
def test_sub_radii_keep_the_pigeonhole_guarantee(radius: int, m: int, data: st.DataObject) -> None:
    radii = _sub_radii(radius, m)
    assert len(radii) == m
    # Any split of a distance <= radius over m substrings has a substring within its radius.
    parts = data.draw(st.lists(st.integers(0, radius), min_size=m, max_size=m))
    if sum(parts) <= radius:
        assert any(p <= r for p, r in zip(parts, radii, strict=True))
    # And the radii are tight: this split of radius + 1 escapes every substring.
    escape = [r + 1 for r in radii]
    assert sum(escape) == radius + 1
