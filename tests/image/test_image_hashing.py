"""Contract tests over every hasher, and the hash value objects."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import imagehash
import numpy as np
import pytest
from PIL import Image

from censorsim.errors import ImageError
from censorsim.image import (
    ALGORITHMS,
    Hasher,
    ImageHash,
    MultiHash,
    Transform,
    hash_bits,
    hash_many,
    iter_hashes,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "images"
POSTER = SAMPLES / "00_poster.jpg"
PNG = SAMPLES / "16_transparent.png"

# Every algorithm at its default size, plus non-default sizes.
HASHERS = [Hasher(a) for a in ALGORITHMS] + [
    Hasher("average", 4),
    Hasher("phash", 16),
    Hasher("dhash", 12),
    Hasher("whash", 16),
    Hasher("colorhash", 5),
    Hasher("crop_resistant", 6),
]
PIXEL_HASHERS = [h for h in HASHERS if not h.exact]
# crop_resistant segments at 300x300 in pure Python (~0.5 s a call): one size is enough here.
DIHEDRAL_HASHERS = [h for h in PIXEL_HASHERS if h.kind != "crop_resistant:6"]

IMAGEHASH_FUNCS = {
    "average": lambda im, s: imagehash.average_hash(im, hash_size=s),
    "phash": lambda im, s: imagehash.phash(im, hash_size=s),
    "phash_simple": lambda im, s: imagehash.phash_simple(im, hash_size=s),
    "dhash": lambda im, s: imagehash.dhash(im, hash_size=s),
    "dhash_vertical": lambda im, s: imagehash.dhash_vertical(im, hash_size=s),
    "whash": lambda im, s: imagehash.whash(im, hash_size=s),
    "colorhash": lambda im, s: imagehash.colorhash(im, binbits=s),
}


def ids(h: Hasher) -> str:
    return h.kind


@pytest.mark.parametrize("hasher", HASHERS, ids=ids)
def test_same_hash_from_path_bytes_and_pil(hasher: Hasher) -> None:
    from_path = hasher.hash(POSTER)
    from_str = hasher.hash(str(POSTER))
    from_bytes = hasher.hash(POSTER.read_bytes())
    assert from_path == from_str == from_bytes
    with Image.open(POSTER) as img:
        if hasher.exact:
            with pytest.raises(ImageError, match="file bytes"):
                hasher.hash(img)
        else:
            assert hasher.hash(img) == from_path


@pytest.mark.parametrize("hasher", HASHERS, ids=ids)
def test_hex_round_trip_and_bits(hasher: Hasher) -> None:
    value = hasher.hash(POSTER)
    assert value.kind == hasher.kind
    assert value.bits == hash_bits(hasher.algorithm, hasher.size) == hasher.bits
    cls = MultiHash if isinstance(value, MultiHash) else ImageHash
    assert cls.from_hex(value.to_hex(), hasher.algorithm, hasher.size) == value
    assert str(value) == value.to_hex()
    assert value - value == 0
    first = value.parts[0] if isinstance(value, MultiHash) else value
    assert len(first.to_hex()) == (first.bits + 3) // 4
    assert first.to_bits().size == first.bits
    assert ImageHash.from_bits(first.to_bits(), hasher.algorithm, hasher.size) == first


@pytest.mark.parametrize(
    "hasher", [h for h in PIXEL_HASHERS if h.algorithm in IMAGEHASH_FUNCS], ids=ids
)
def test_exact_mode_equals_imagehash(hasher: Hasher) -> None:
    assert hasher.size is not None
    for path in (POSTER, SAMPLES / "02_photo.jpg", SAMPLES / "09_shapes.jpg"):
        with Image.open(path) as img:
            expected = str(IMAGEHASH_FUNCS[hasher.algorithm](img, hasher.size))
        assert hasher.hash(path).to_hex() == expected


def test_crop_resistant_equals_imagehash_segments() -> None:
    with Image.open(POSTER) as img:
        expected = str(imagehash.crop_resistant_hash(img))
    value = Hasher("crop_resistant").hash(POSTER)
    assert isinstance(value, MultiHash)
    assert value.to_hex() == expected
    assert len(value.parts) > 1


def test_md5_is_md5_of_the_file_bytes() -> None:
    value = Hasher("md5").hash(POSTER)
    assert value.to_hex() == hashlib.md5(POSTER.read_bytes()).hexdigest()
    assert value.bits == 128


@pytest.mark.parametrize("hasher", DIHEDRAL_HASHERS, ids=ids)
def test_dihedral_variants_are_hashes_of_transformed_images(
    hasher: Hasher, record_property: pytest.RecordProperty
) -> None:
    variants = hasher.hash_variants(POSTER)
    assert set(variants) == set(Transform)
    assert variants[Transform.IDENTITY] == hasher.hash(POSTER)
    with Image.open(POSTER) as img:
        img.load()
        checked = [Transform.MIRROR, Transform.ROTATE_90, Transform.TRANSVERSE]
        if hasher.algorithm == "crop_resistant":
            checked = checked[:1]
        for transform in checked:
            assert variants[transform] == hasher.hash(transform.apply(img))
    distances = {t.value: variants[Transform.IDENTITY] - v for t, v in variants.items()}
    record_property("dihedral_distances", distances)
    if hasher.algorithm == "colorhash":
        # Colour histograms do not see geometry: every variant hashes the same.
        assert set(distances.values()) == {0}
    elif hasher.algorithm != "crop_resistant":
        # The asymmetric poster moves every positional hash when mirrored or rotated.
        assert distances["mirror"] > 0
        assert distances["rotate90"] > 0


def test_md5_has_no_variants() -> None:
    with pytest.raises(ValueError, match="no dihedral"):
        Hasher("md5").hash_variants(POSTER)
    with pytest.raises(ValueError, match="no dihedral"):
        hash_many([POSTER], Hasher("md5"), dihedral=True)


def test_dihedral_batch_is_multihash_of_all_variants() -> None:
    (record,) = hash_many([POSTER], Hasher("dhash"), dihedral=True)
    value = record.hashes[0]
    assert isinstance(value, MultiHash)
    assert len(value.parts) == 8
    with Image.open(POSTER) as img:
        mirrored = Hasher("dhash").hash(Transform.MIRROR.apply(img))
    assert value - mirrored == 0


def test_distance_is_popcount_and_symmetric() -> None:
    a = ImageHash("dhash", 8, 0b1011)
    b = ImageHash("dhash", 8, 0b0110)
    assert a - b == b - a == 3
    with pytest.raises(ValueError, match="cannot compare"):
        _ = a - ImageHash("phash", 8, 0)
    with pytest.raises(ValueError, match="cannot compare"):
        _ = a - ImageHash("dhash", 4, 0)


def test_multihash_distance_is_best_pair() -> None:
    m = MultiHash((ImageHash("dhash", 8, 0xFF), ImageHash("dhash", 8, 0xF0F0)))
    assert m - ImageHash("dhash", 8, 0xF0F1) == 1
    assert ImageHash("dhash", 8, 0xF0F1) - m == 1
    other = MultiHash((ImageHash("dhash", 8, 0), ImageHash("dhash", 8, 0x7F)))
    assert m - other == 1
    with pytest.raises(ValueError):
        MultiHash(())


def test_value_validation() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        ImageHash("dhash", 4, 1 << 16)
    with pytest.raises(ValueError, match="hex digits"):
        ImageHash.from_hex("abc", "dhash")
    with pytest.raises(ValueError, match="not a hex"):
        ImageHash.from_hex("zzzzzzzzzzzzzzzz", "dhash")


@pytest.mark.parametrize(
    ("algorithm", "size", "message"),
    [
        ("nope", None, "unknown hash algorithm"),
        ("whash", 12, "power of two"),
        ("md5", 64, "fixed size"),
        ("phash", 1, "between 2 and 64"),
        ("colorhash", 17, "between 1 and 16"),
    ],
)
def test_hasher_validation(algorithm: str, size: int | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Hasher(algorithm, size)


def test_hasher_parse() -> None:
    assert Hasher.parse("phash") == Hasher("phash", 8)
    assert Hasher.parse("colorhash:4", fast=True) == Hasher("colorhash", 4, fast=True)
    with pytest.raises(ValueError, match="bad hash size"):
        Hasher.parse("phash:big")


def test_fast_mode_is_exact_for_non_jpeg() -> None:
    for algorithm in ("phash", "dhash", "whash", "colorhash"):
        assert Hasher(algorithm, fast=True).hash(PNG) == Hasher(algorithm).hash(PNG)


def test_fast_mode_changes_jpeg_hashes_by_few_bits() -> None:
    jpegs = sorted(SAMPLES.glob("*.jpg"))
    for algorithm in ("phash", "dhash", "average"):
        exact = hash_many(jpegs, Hasher(algorithm))
        fast = hash_many(jpegs, Hasher(algorithm, fast=True))
        distances = [a.hashes[0] - b.hashes[0] for a, b in zip(exact, fast, strict=True)]
        assert max(distances) <= 8, (algorithm, distances)
        assert np.mean(distances) <= 2.0, (algorithm, distances)


def test_hash_many_record_policy_keeps_good_results(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image at all")
    empty = tmp_path / "empty.png"
    empty.touch()
    sources = [POSTER, bad, PNG.read_bytes(), empty]
    records = hash_many(sources, [Hasher("dhash"), Hasher("md5")], errors="record")
    assert [r.ok for r in records] == [True, False, True, False]
    assert records[0].hashes[0] == Hasher("dhash").hash(POSTER)
    assert records[2].source == "<bytes #2>"
    assert records[1].error is not None and str(bad) in str(records[1].error)
    assert records[3].error is not None and "empty" in records[3].error.problem
    assert records[1].hashes == ()


def test_hash_many_raise_policy_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(ImageError) as info:
        hash_many([POSTER, bad], Hasher("phash"))
    assert info.value.image == str(bad)


def test_iter_hashes_is_lazy_and_validates() -> None:
    stream = iter_hashes(iter([POSTER, PNG]), Hasher("average"))
    assert next(stream).source == str(POSTER)
    with pytest.raises(ValueError, match="errors must be"):
        hash_many([POSTER], Hasher("average"), errors="ignore")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one hasher"):
        hash_many([POSTER], [])
    with pytest.raises(ValueError, match="workers"):
        hash_many([POSTER], Hasher("average"), workers=0)


def test_process_pool_gives_the_same_records(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gif"
    bad.write_bytes(b"GIF89a")
    sources = [*sorted(SAMPLES.glob("0*.jpg")), bad]
    hashers = [Hasher("phash"), Hasher("md5"), Hasher("dhash", fast=True)]
    serial = hash_many(sources, hashers, errors="record")
    pooled = hash_many(sources, hashers, errors="record", workers=2, chunksize=3)
    assert pooled == serial
    assert not pooled[-1].ok and pooled[-1].error is not None
    assert pooled[-1].error.image == str(bad)
    with pytest.raises(ImageError):
        hash_many(sources, hashers, workers=2)


def test_one_decode_serves_several_hashers() -> None:
    (record,) = hash_many(
        [io.BytesIO(POSTER.read_bytes()).getvalue()],
        [Hasher("phash"), Hasher("phash", fast=True), Hasher("colorhash")],
    )
    assert record.hashes[0] == Hasher("phash").hash(POSTER)
    assert record.hashes[1] == Hasher("phash", fast=True).hash(POSTER)
    assert record.hashes[2] == Hasher("colorhash").hash(POSTER)
