"""HammingIndex: entries, queries, and the JSON-lines file format."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from censorsim._optional import has_module
from censorsim.errors import IndexFormatError, UnknownNameError
from censorsim.image import (
    FORMAT_VERSION,
    HammingIndex,
    Hasher,
    ImageHash,
    IndexEntry,
    MultiHash,
    append_entries,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "images"
BACKEND_NAMES = ["linear", "mih"] + (["faiss"] if has_module("faiss") else [])


def h(value: int, algorithm: str = "dhash", size: int = 8) -> ImageHash:
    return ImageHash(algorithm, size, value)


@pytest.fixture
def index() -> HammingIndex:
    ix = HammingIndex("dhash")
    ix.add(h(0b0000), id="zero", source="a.jpg", category="x", added=date(2024, 6, 4))
    ix.add(h(0b0011), id="three")
    ix.add(h(0b0001), id="one")
    ix.add(MultiHash((h(0xFF00), h(0b0111))), id="multi", category="y")
    return ix


def test_query_orders_by_distance_then_insertion(index: HammingIndex) -> None:
    matches = index.query(h(0b0001), 2)
    assert [(m.entry.id, m.distance) for m in matches] == [
        ("one", 0),
        ("zero", 1),
        ("three", 1),
        ("multi", 2),
    ]
    entry, distance = matches[0]
    assert entry.id == "one" and distance == 0


def test_multihash_entry_reported_once_at_its_best_part(index: HammingIndex) -> None:
    matches = index.query(h(0xFF00), 0)
    assert [(m.entry.id, m.distance) for m in matches] == [("multi", 0)]
    assert index.query(h(0xFF01), 1)[0].entry.hash == MultiHash((h(0xFF00), h(0b0111)))
    # 0b0111 is within 3 of every single entry, and 0xFF00 is far from them all.
    ids = [m.entry.id for m in index.query(h(0b0111), 3)]
    assert ids.count("multi") == 1


def test_multihash_query_matches_through_any_part(index: HammingIndex) -> None:
    query = MultiHash((h(0xFFFF_FFFF), h(0b0011)))
    assert [(m.entry.id, m.distance) for m in index.query(query, 0)] == [("three", 0)]


def test_query_many_equals_repeated_query(index: HammingIndex) -> None:
    queries = [h(0), h(0xFF01), h(1 << 63), MultiHash((h(1), h(2)))]
    assert index.query_many(queries, 3) == [index.query(q, 3) for q in queries]
    assert index.query_many([], 3) == []


def test_entries_and_metadata(index: HammingIndex) -> None:
    assert len(index) == 4
    assert "zero" in index and "nope" not in index
    zero = index.get("zero")
    assert zero == IndexEntry("zero", h(0), "a.jpg", "x", date(2024, 6, 4))
    assert [e.id for e in index] == ["zero", "three", "one", "multi"]
    with pytest.raises(UnknownNameError, match="unknown index entry 'nope'"):
        index.get("nope")


def test_default_ids_are_positions_and_never_collide() -> None:
    ix = HammingIndex("dhash")
    ix.add(h(1), id="1")
    entry = ix.add(h(2))
    assert entry.id == "2"
    assert ix.add(h(3)).id == "3"


def test_kind_and_duplicate_checks(index: HammingIndex) -> None:
    with pytest.raises(ValueError, match="holds dhash:8 hashes, not phash:8"):
        index.add(h(1, "phash"))
    with pytest.raises(ValueError, match="holds dhash:8"):
        index.query(h(1, "dhash", 4), 3)
    with pytest.raises(ValueError, match="duplicate entry id 'zero'"):
        index.add(h(5), id="zero")
    with pytest.raises(ValueError, match="duplicate"):
        index.extend([IndexEntry("new", h(1)), IndexEntry("new", h(2))])
    assert len(index) == 4  # all or nothing


def test_unknown_backend() -> None:
    with pytest.raises(UnknownNameError, match="unknown index backend"):
        HammingIndex("phash", backend="kdtree")


@pytest.mark.parametrize("backend", BACKEND_NAMES)
def test_backends_agree_through_the_index(backend: str) -> None:
    rng = np.random.default_rng(7)
    words = rng.integers(0, 2**64, size=20_000, dtype=np.uint64)
    queries = words[rng.integers(0, len(words), 200)] ^ (
        np.uint64(1) << rng.integers(0, 64, 200).astype(np.uint64)
    )
    queries = np.concatenate([queries, rng.integers(0, 2**64, size=50, dtype=np.uint64)])
    reference = HammingIndex.from_words(words, "phash", backend="linear")
    index = HammingIndex.from_words(words, "phash", backend=backend)
    for radius in (0, 1, 6, 12):
        got = index.query_words(queries, radius)
        expected = reference.query_words(queries, radius)
        assert all(np.array_equal(g, e) for g, e in zip(got, expected, strict=True))
    assert len(got[0]) >= 200


def test_from_words_entries_and_query_words(index: HammingIndex) -> None:
    words = np.array([5, 6, 2**64 - 1], dtype=np.uint64)
    ix = HammingIndex.from_words(words, "average")
    assert [e.id for e in ix] == ["0", "1", "2"]
    assert ix.get("2").hash == ImageHash("average", 8, 2**64 - 1)
    qi, ei, d = ix.query_words(np.array([4], dtype=np.uint64), 2)
    assert ei.tolist() == [0, 1] and d.tolist() == [1, 1] and qi.tolist() == [0, 0]
    with pytest.raises(ValueError, match="beyond the 42 bits"):
        HammingIndex.from_words(np.array([1 << 50], dtype=np.uint64), "colorhash")


def test_wide_hashes(tmp_path: Path) -> None:
    ix = HammingIndex("phash", 16)
    a = Hasher("phash", 16).hash(SAMPLES / "00_poster.jpg")
    b = Hasher("phash", 16).hash(SAMPLES / "01_shapes.jpg")
    ix.add(a, id="a")
    ix.add(b, id="b")
    assert [(m.entry.id, m.distance) for m in ix.query(a, 0)] == [("a", 0)]
    assert ix.query(b, 256)[1].distance == a - b
    ix.dump(tmp_path / "w.jsonl")
    assert list(HammingIndex.load(tmp_path / "w.jsonl")) == list(ix)


# --------------------------------------------------------------------------- files


def test_dump_load_round_trip(index: HammingIndex, tmp_path: Path) -> None:
    path = tmp_path / "bl.jsonl"
    index.dump(path)
    lines = path.read_text().splitlines()
    assert json.loads(lines[0]) == {
        "format": "censorsim.hash-index",
        "version": FORMAT_VERSION,
        "algorithm": "dhash",
        "size": 8,
        "bits": 64,
    }
    assert json.loads(lines[1]) == {
        "id": "zero",
        "hash": "0000000000000000",
        "source": "a.jpg",
        "category": "x",
        "added": "2024-06-04",
    }
    assert json.loads(lines[4])["hash"] == ["000000000000ff00", "0000000000000007"]
    for backend in BACKEND_NAMES:
        loaded = HammingIndex.load(path, backend=backend)
        assert list(loaded) == list(index)
        assert loaded.query(h(1), 2) == index.query(h(1), 2)


def test_bulk_load_keeps_metadata(tmp_path: Path) -> None:
    ix = HammingIndex("colorhash")
    ix.add(ImageHash("colorhash", 3, 7), id="c", category="cat", added=date(2020, 1, 2))
    ix.add(ImageHash("colorhash", 3, 2**42 - 1), id="d", source="s")
    path = tmp_path / "c.jsonl"
    ix.dump(path)
    assert list(HammingIndex.load(path)) == list(ix)


def test_append_entries(index: HammingIndex, tmp_path: Path) -> None:
    path = tmp_path / "bl.jsonl"
    assert append_entries(path, [IndexEntry("first", h(9))]) == 1  # creates the file
    assert append_entries(path, [IndexEntry("second", h(10), category="z")]) == 1
    loaded = HammingIndex.load(path)
    assert [e.id for e in loaded] == ["first", "second"]
    index.dump(path)
    append_entries(path, [IndexEntry("later", MultiHash((h(1), h(2))))])
    assert [e.id for e in HammingIndex.load(path)][-2:] == ["multi", "later"]
    with pytest.raises(ValueError, match="holds dhash:8 hashes, not phash:8"):
        append_entries(path, [IndexEntry("p", h(1, "phash"))])
    assert append_entries(path, []) == 0


def test_append_after_a_missing_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "bl.jsonl"
    append_entries(path, [IndexEntry("a", h(1))])
    path.write_text(path.read_text().rstrip("\n"))
    append_entries(path, [IndexEntry("b", h(2))])
    assert [e.id for e in HammingIndex.load(path)] == ["a", "b"]


HEADER = '{"format": "censorsim.hash-index", "version": 1, "algorithm": "dhash", "size": 8}\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("not json\n", "header is not JSON"),
        ('{"format": "other"}\n', "not a censorsim hash index"),
        (HEADER.replace('"version": 1', '"version": 2'), "version 2 is not supported"),
        (HEADER.replace('"size": 8', '"size": 8, "extra": 1'), "unknown header fields"),
        (HEADER.replace('"dhash"', '"sha1"'), "unknown hash algorithm"),
        (HEADER.replace('"size": 8', '"size": 8, "bits": 32'), "header says 32 bits"),
        (HEADER + '{"id": "a", "hash": "00ff"}\n', ":2: hash must be 16 hex digits"),
        (HEADER + '{"id": "a", "hash": "zz00000000000000"}\n', "16 hex digits"),
        (HEADER + '{"id": "a", "hash": 17}\n', "hex digits"),
        (HEADER + '{"id": "a", "hash": []}\n', "empty hash list"),
        (HEADER + '{"hash": "0000000000000000"}\n', 'needs a non-empty string "id"'),
        (HEADER + '{"id": "a", "hash": "0000000000000000", "tag": 1}\n', "unknown fields: tag"),
        (HEADER + '{"id": "a", "hash": "0000000000000000", "added": "June"}\n', "'added'"),
        (HEADER + '{"id": "a", "hash": "0000000000000000", "source": 3}\n', "'source'"),
        (HEADER + '{"id": "a", "hash": "0000000000000000"}\n' * 2, ":3: duplicate id 'a'"),
        (HEADER + '{"id": "a", "hash": "00000000', ":2: not JSON"),
        (HEADER + "[1, 2]\n", "must be a JSON object"),
    ],
)
def test_malformed_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(text)
    with pytest.raises(IndexFormatError, match=message) as info:
        HammingIndex.load(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_colorhash_top_digit_must_fit(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(
        '{"format": "censorsim.hash-index", "version": 1, "algorithm": "colorhash", "size": 3}\n'
        '{"id": "a", "hash": "fffffffffff"}\n'
    )
    with pytest.raises(IndexFormatError, match="exceeds 42 bits"):
        HammingIndex.load(path)


def test_read_kind(index: HammingIndex, tmp_path: Path) -> None:
    index.dump(tmp_path / "x.jsonl")
    assert HammingIndex.read_kind(tmp_path / "x.jsonl") == ("dhash", 8)
