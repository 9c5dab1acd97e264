"""The benchmark library runs end to end on tiny inputs and checks its backends."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from censorsim._optional import has_module
from censorsim.image import Transform, available_backends
from censorsim.image.bench import (
    bench_hashing,
    bench_index,
    dihedral_distances,
    draft_effect,
    make_queries,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "images"
JPEGS = sorted(SAMPLES.glob("*.jpg"))[:3]


def test_bench_index_checks_every_backend_against_the_reference() -> None:
    results = bench_index((3_000,), radius=10, n_queries=100, seed=1)
    names = [r.backend for r in results]
    assert names[0] == "linear"
    assert set(available_backends()) <= set(names)
    assert ("faiss-flat" in names) == has_module("faiss")
    assert all(r.identical for r in results)
    assert len({r.results for r in results}) == 1 and results[0].results >= 40
    assert all(r.queries_per_second > 0 for r in results)


def test_make_queries_mixes_near_and_far() -> None:
    rng = np.random.default_rng(0)
    entries = rng.integers(0, 2**64, size=1000, dtype=np.uint64)
    queries = make_queries(entries, 100, rng, max_flips=3)
    near = queries[:50, None] ^ entries[None, :]
    assert (np.bitwise_count(near).min(axis=1) <= 3).all()


def test_hashing_figures() -> None:
    results = bench_hashing(JPEGS, ("dhash", "md5"), workers=(1,))
    assert [(r.algorithm, r.fast) for r in results] == [
        ("dhash", False),
        ("dhash", True),
        ("md5", False),
    ]
    assert all(r.images == 3 and r.images_per_second > 0 for r in results)


def test_draft_effect_and_dihedral() -> None:
    (effect,) = draft_effect(JPEGS, ("phash",))
    assert effect.images == 3 and effect.changed == len(effect.bits)
    assert all(1 <= b <= 64 for b in effect.bits)
    table = dihedral_distances(JPEGS[:1], ("dhash", "colorhash"))
    assert table["dhash"][Transform.IDENTITY] == 0
    assert table["dhash"][Transform.MIRROR] > 0
    assert set(table["colorhash"].values()) == {0.0}
