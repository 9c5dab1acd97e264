"""Parallel image hashing (censorsim.image._parallel) gives hash_many's records (the
reference), in order, on every engine; bad files are raised or recorded in place."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from censorsim.distributed import HashPool, hash_files, iter_hash_files
from censorsim.errors import ImageError
from censorsim.image import Hasher, hash_many
from censorsim.image._parallel import _MIN_CHUNK, _chunks

NAMES = ["六四", "photo", "學生-2", "mixed_中文_ab", "😀", "x"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 10), max_size=400), st.integers(1, 4), st.integers(1, 5),
       st.integers(4, 60))
def test_chunks_keep_order_and_shrink_towards_the_end(items: list[int], workers: int,
                                                      per_worker: int, largest: int) -> None:
    chunks = _chunks(items, workers, per_worker, largest)
    assert [x for c in chunks for x in c] == items
    assert all(chunks)
    sizes = [len(c) for c in chunks]
    assert sizes == sorted(sizes, reverse=True)  # large first, small last
    assert all(_MIN_CHUNK <= n <= largest for n in sizes[:-1])
    if sizes:
        share = -(-len(items) // (workers * per_worker))
        assert sizes[0] == min(largest, max(_MIN_CHUNK, share), len(items))
    share = -(-len(items) // (workers * per_worker))
    if (len(items) >= 4 * workers * per_worker * _MIN_CHUNK and largest >= len(items)
            and share < len(items)):  # one worker's share of all the files: one chunk
        # enough files: several tasks per worker, the last one a few files
        assert len(chunks) > workers * per_worker and sizes[-1] <= _MIN_CHUNK


def _images(folder: Path, colours: list[tuple[int, int, int]]) -> list[Path]:
    paths = []
    for i, rgb in enumerate(colours):
        p = folder / f"{NAMES[i % len(NAMES)]}-{i}.png"
        img = Image.new("RGB", (24, 24), rgb)
        img.putpixel((i % 24, 3), (255 - rgb[0], 0, 0))
        img.save(p)
        paths.append(p)
    return paths


colour = st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))


@settings(max_examples=15, deadline=None)
@given(st.lists(colour, min_size=1, max_size=10), st.integers(1, 3))
def test_hash_files_agrees_with_hash_many(colours: list[tuple[int, int, int]],
                                          per_worker: int) -> None:
    """Chinese, emoji and Latin file names; Dask's sync scheduler and serial engine."""
    with tempfile.TemporaryDirectory() as d:
        paths = _images(Path(d), colours)
        hashers = [Hasher("phash"), Hasher("md5")]
        want = hash_many(paths, hashers)
        assert hash_files(paths, hashers) == want
        assert list(iter_hash_files(paths, hashers, workers=1)) == want
        assert hash_files(paths, hashers, workers=2, engine="dask", scheduler="sync",
                          chunks_per_worker=per_worker) == want


def test_processes_and_pool_agree_and_handle_bad_files(tmp_path: Path) -> None:
    paths = _images(tmp_path, [(i * 20, 100, 200 - i * 10) for i in range(9)])
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not an image")
    paths.insert(4, bad)
    h = Hasher("dhash")
    want = hash_many(paths, h, errors="record")
    got = hash_files(paths, h, workers=2, errors="record")
    assert got == want and not got[4].ok and got[4].source == str(bad)
    assert list(iter_hash_files(paths, h, workers=2, errors="record",
                                chunks_per_worker=3)) == want
    with pytest.raises(ImageError, match=r"broken\.jpg"):
        hash_files(paths, h, workers=2)
    with HashPool(h, workers=2) as pool:
        pool.warm_up()
        assert pool.hash_many(paths, errors="record") == want
        assert pool.hash_many(paths[:3]) == want[:3]  # the pool is reused


def test_images_hash_workers_prints_what_one_process_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from censorsim.cli import main

    _images(tmp_path, [(i * 25, 50, 90) for i in range(7)])
    (tmp_path / "zz-broken.png").write_bytes(b"not an image")
    argv = ["images", "hash", str(tmp_path), "-a", "phash", "-a", "md5", "--format", "jsonl"]
    one = main(argv), capsys.readouterr()
    two = main([*argv, "--workers", "2"]), capsys.readouterr()
    assert one[0] == two[0] == 2  # the broken file fails closed either way
    assert one[1].out == two[1].out and one[1].out.count("\n") == 8
    assert one[1].err == two[1].err
