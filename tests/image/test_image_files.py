"""Issue 10, item 6: one huge or odd file never aborts an image batch; folder walks report
every entry they skip (``censorsim.image.files``)."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import string
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from censorsim.errors import ImageError, ParameterError
from censorsim.image import (
    DEFAULT_MAX_BYTES,
    IMAGE_SUFFIXES,
    Hasher,
    NotRegularFileError,
    hash_many,
    iter_image_files,
)
from censorsim.image import files as files_module
from censorsim.image.files import open_regular

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "images"
POSTER = SAMPLES / "00_poster.jpg"


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail (instead of hanging the suite) if the test body blocks for 20 seconds."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError("blocked for 20 s (waiting on a FIFO?)")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _problems(records: list, index: int) -> str:  # type: ignore[type-arg]
    error = records[index].error
    assert error is not None, f"record {index} has no error"
    return str(error.problem)


# --------------------------------------------------------------------------- item 6: batch


def test_huge_sparse_file_is_refused_unread_and_the_batch_goes_on(
    tmp_path: Path, deadline: None
) -> None:
    """Reproducer: ``truncate -s 3G big.jpg; censorsim images hash big.jpg good.jpg``.

    Before: the file was read whole (``Path.read_bytes``) before Pillow's guard, so the batch
    died with ``MemoryError`` and nothing was written. Now: a per-file "too large" error
    naming the limit, checked from the size before reading; the next image is hashed.
    """
    big = tmp_path / "big.jpg"
    with big.open("wb") as fh:
        fh.truncate(3 * 1024**3)  # sparse: no disk space, 3 GB apparent size
    records = hash_many([big, POSTER], [Hasher("phash"), Hasher("md5")], errors="record")
    assert not records[0].ok
    problem = _problems(records, 0)
    assert "too large" in problem and "3,221,225,472 bytes" in problem
    assert f"{DEFAULT_MAX_BYTES:,} bytes" in problem
    assert records[0].error is not None and records[0].error.image == str(big)
    assert records[1].ok and len(records[1].hashes) == 2


def test_dev_zero_is_not_a_regular_file(deadline: None) -> None:
    """Reproducer: ``censorsim images hash /dev/zero`` read forever (``MemoryError``).

    Now: "not a regular file (a character device)", without reading a byte.
    """
    records = hash_many(["/dev/zero", POSTER], Hasher("md5"), errors="record")
    assert "not a regular file (a character device)" in _problems(records, 0)
    assert records[1].ok


def test_fifo_does_not_hang(tmp_path: Path, deadline: None) -> None:
    """Reproducer: ``mkfifo up.jpg; censorsim images hash up.jpg`` blocked forever in open().

    Now: the FIFO is opened non-blocking, seen to be a FIFO and refused at once.
    """
    fifo = tmp_path / "up.jpg"
    os.mkfifo(fifo)
    for hasher in (Hasher("phash"), Hasher("md5")):
        records = hash_many([fifo, POSTER], hasher, errors="record")
        assert "not a regular file (a FIFO)" in _problems(records, 0)
        assert records[1].ok
    with pytest.raises(ImageError, match="a FIFO"):
        Hasher("dhash").hash_variants(fifo)


def test_fifo_in_a_folder_is_reported_not_waited_on(tmp_path: Path, deadline: None) -> None:
    """A FIFO with an image suffix inside a walked folder is an error record, not a hang."""
    os.mkfifo(tmp_path / "a.jpg")
    shutil.copy(POSTER, tmp_path / "b.jpg")
    found = list(iter_image_files([tmp_path]))
    assert [p.name for p in found] == ["a.jpg", "b.jpg"]
    records = hash_many(found, Hasher("phash"), errors="record")
    assert "a FIFO" in _problems(records, 0) and records[1].ok


def test_file_with_a_wrong_size_is_cut_at_the_limit(deadline: None) -> None:
    """The limit holds on the read too: ``/proc`` files report size 0 but hold bytes."""
    records = hash_many(["/proc/self/status"], Hasher("md5", max_bytes=10), errors="record")
    assert "too large (more bytes; the limit is 10 bytes" in _problems(records, 0)


def test_max_bytes_is_per_hasher(tmp_path: Path) -> None:
    """``Hasher(max_bytes=N)``: a larger file is refused by that hasher only."""
    size = POSTER.stat().st_size
    small = Hasher("phash", max_bytes=size - 1)
    records = hash_many([POSTER], small, errors="record")
    assert f"too large ({size:,} bytes; the limit is {size - 1:,} bytes" in _problems(records, 0)
    assert hash_many([POSTER], Hasher("phash", max_bytes=size))[0].ok
    both = hash_many([POSTER], [Hasher("md5"), small], errors="record")
    assert not both[0].ok  # one hasher refusing the file fails the record
    with pytest.raises(ImageError, match="too large"):
        small.hash(POSTER)
    with pytest.raises(ImageError, match="too large"):
        small.hash_variants(POSTER)
    # Bytes already in memory are hashed whatever their size: the limit guards reads.
    assert small.hash(POSTER.read_bytes()) == Hasher("phash").hash(POSTER)


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "1M"])
def test_max_bytes_must_be_a_positive_int(bad: object) -> None:
    with pytest.raises(ParameterError, match="max_bytes"):
        Hasher("phash", max_bytes=bad)  # type: ignore[arg-type]


def test_hasher_with_max_bytes_crosses_a_process_pool(tmp_path: Path) -> None:
    """The limit travels with the hasher into pool workers."""
    size = POSTER.stat().st_size
    records = hash_many(
        [POSTER, POSTER], Hasher("md5", max_bytes=size - 1), errors="record", workers=2
    )
    assert all("too large" in str(r.error) for r in records)


def test_open_regular_refuses_folders_devices_and_fifos(tmp_path: Path, deadline: None) -> None:
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    for path, kind in ((tmp_path, "a directory"), ("/dev/null", "a character device"),
                       (fifo, "a FIFO")):
        with pytest.raises(NotRegularFileError) as info:
            open_regular(path)
        assert info.value.kind == kind and info.value.filename == os.fspath(path)
        assert isinstance(info.value, OSError)
    fh, size = open_regular(POSTER)
    with fh:
        assert size == POSTER.stat().st_size and fh.read(2) == b"\xff\xd8"


# --------------------------------------------------------------------------- item 6: walks


def _tree(root: Path) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    for rel in ("a.jpg", "B.PNG", "notes.txt", "sub/c.gif", "sub/deeper/d.webp", "z.tiff"):
        (root / rel).write_bytes(b"x")


def test_walk_finds_images_in_path_order(tmp_path: Path) -> None:
    _tree(tmp_path)
    found = list(iter_image_files([tmp_path]))
    expected = sorted(
        p for p in tmp_path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    )
    assert found == expected
    assert [p.name for p in found] == ["B.PNG", "a.jpg", "c.gif", "d.webp", "z.tiff"]
    top = list(iter_image_files([tmp_path], recursive=False))
    assert [p.name for p in top] == ["B.PNG", "a.jpg", "z.tiff"]
    assert list(iter_image_files([tmp_path], suffixes=[".TXT"])) == [tmp_path / "notes.txt"]


def test_explicit_paths_are_kept_as_given(tmp_path: Path) -> None:
    """A file named explicitly is never dropped, even missing or with another suffix:
    whoever reads it reports the problem (so it counts as a failed input)."""
    missing, text = tmp_path / "missing.jpg", tmp_path / "notes.txt"
    text.write_text("x")
    assert list(iter_image_files([missing, text])) == [missing, text]


def test_dangling_link_is_reported(tmp_path: Path) -> None:
    """Reproducer: ``ln -s gone.jpg uploads/x.jpg; censorsim images match uploads/ ...``
    skipped the link silently (``is_file()`` is false for it)."""
    (tmp_path / "a.jpg").write_bytes(b"x")
    (tmp_path / "x.jpg").symlink_to(tmp_path / "gone.jpg")
    skipped: list[tuple[Path, str]] = []
    found = list(iter_image_files([tmp_path], on_skip=lambda p, why: skipped.append((p, why))))
    assert found == [tmp_path / "a.jpg"]
    assert skipped == [(tmp_path / "x.jpg", "dangling symbolic link (its target does not exist)")]


def test_link_loops_are_reported(tmp_path: Path) -> None:
    """A link to itself and a link back to an ancestor folder are reported, and the walk
    ends (it does not recurse forever)."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.jpg").write_bytes(b"x")
    (tmp_path / "sub" / "up").symlink_to(tmp_path)
    (tmp_path / "self.jpg").symlink_to(tmp_path / "self.jpg")
    skipped: list[tuple[Path, str]] = []
    found = list(iter_image_files([tmp_path], on_skip=lambda p, why: skipped.append((p, why))))
    assert found == [tmp_path / "sub" / "a.jpg"]
    assert skipped == [
        (tmp_path / "self.jpg", "symbolic link loop (the link resolves to itself)"),
        (tmp_path / "sub" / "up", f"symbolic link loop (leads back to {tmp_path})"),
    ]


def test_folder_reached_twice_is_walked_once(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.jpg").write_bytes(b"x")
    (tmp_path / "zlink").symlink_to(tmp_path / "real")
    skipped: list[str] = []
    found = list(iter_image_files([tmp_path], on_skip=lambda p, why: skipped.append(p.name)))
    assert found == [tmp_path / "real" / "a.jpg"] and skipped == ["zlink"]


def test_linked_folder_is_followed(tmp_path: Path) -> None:
    """A symbolic link to a folder outside the walk is followed (``rglob`` did not)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.jpg").write_bytes(b"x")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(outside)
    assert list(iter_image_files([root])) == [root / "link" / "a.jpg"]


def test_unreadable_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder that cannot be listed is reported with the system's reason.

    ``chmod 000`` does not stop root (who runs CI), so the refusal is injected at
    ``os.scandir``, the one call the walk lists folders with.
    """
    _tree(tmp_path)
    real_scandir = os.scandir
    locked = tmp_path / "sub"

    def scandir(path: str | os.PathLike[str]):  # type: ignore[no-untyped-def]
        if Path(path) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(files_module.os, "scandir", scandir)
    skipped: list[tuple[Path, str]] = []
    found = list(iter_image_files([tmp_path], on_skip=lambda p, why: skipped.append((p, why))))
    assert [p.name for p in found] == ["B.PNG", "a.jpg", "z.tiff"]
    assert skipped == [(locked, "cannot read folder: Permission denied")]
    with pytest.raises(ImageError, match="cannot read folder: Permission denied") as info:
        list(iter_image_files([locked]))
    assert info.value.image == str(locked)


def test_without_on_skip_the_first_skip_raises(tmp_path: Path) -> None:
    (tmp_path / "x.jpg").symlink_to(tmp_path / "gone.jpg")
    with pytest.raises(ImageError, match="dangling symbolic link") as info:
        list(iter_image_files([tmp_path]))
    assert info.value.image == str(tmp_path / "x.jpg")


def test_deep_folders_do_not_overflow_the_stack(tmp_path: Path) -> None:
    """The walk keeps its own stack: 300 nested folders under a recursion limit of 100
    frames above the caller (a recursive walk would raise RecursionError)."""
    folder = tmp_path
    for _ in range(300):
        folder = folder / "d"
    folder.mkdir(parents=True)
    (folder / "a.jpg").write_bytes(b"x")
    depth = 0
    frame = sys._getframe()
    while frame.f_back is not None:
        depth, frame = depth + 1, frame.f_back
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 100)
    try:
        found = list(iter_image_files([tmp_path]))
    finally:
        sys.setrecursionlimit(limit)
    assert found == [folder / "a.jpg"]


_NAMES = st.text(alphabet=string.ascii_letters + string.digits + "._-中文", min_size=1,
                 max_size=8).filter(lambda n: n not in (".", ".."))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    layout=st.lists(
        st.tuples(st.lists(_NAMES, max_size=3), _NAMES, st.sampled_from([".jpg", ".JPG", ".png",
                  ".txt", ".tiff", ""])),
        max_size=12,
    )
)
def test_walk_agrees_with_sorted_rglob(tmp_path_factory: pytest.TempPathFactory,
                                       layout: list[tuple[list[str], str, str]]) -> None:
    """Property: on a tree without links, the walk equals the plain reference
    ``sorted(p for p in root.rglob('*') if p.is_file() and suffix matches)``."""
    root = tmp_path_factory.mktemp("walk")
    for folders, name, suffix in layout:
        parent = root.joinpath(*folders)
        try:
            parent.mkdir(parents=True, exist_ok=True)
            (parent / (name + suffix)).touch()
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            continue  # a name used both as a file and as a folder
    reference = sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    )
    assert list(iter_image_files([root])) == reference


def test_reading_does_not_allocate_the_limit() -> None:
    """``read(n)`` allocates ``n`` bytes up front: the reader asks for the file's size plus
    one, never for ``max_bytes`` (the first version's 256 MiB per image, seen in the
    benchmark's Python peak memory)."""
    import tracemalloc

    tracemalloc.start()
    try:
        Hasher("md5").hash(POSTER)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024


def test_file_larger_than_its_size_is_read_whole_under_the_limit() -> None:
    """A ``/proc`` file reports size 0 but is read completely when under the limit."""
    data = Path("/proc/self/cmdline").read_bytes()
    assert data  # the test process has a command line
    value = Hasher("md5", max_bytes=1 << 30).hash("/proc/self/cmdline")
    assert value.to_hex() == hashlib.md5(data).hexdigest()
    records = hash_many(["/proc/self/cmdline"], Hasher("md5", max_bytes=len(data) - 1),
                        errors="record")
    assert "too large" in _problems(records, 0)
