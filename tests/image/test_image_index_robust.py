"""Issue 10: the index file reader fails only with IndexFormatError (naming file and line),
never reads a file whole, never blocks; ``dump`` never leaves a half-written file; every
index backend and HammingIndex pickle and work in a spawn process pool (item 10)."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import operator
import os
import pickle
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from censorsim.errors import IndexFormatError
from censorsim.image import (
    BACKENDS,
    HammingIndex,
    ImageHash,
    IndexEntry,
    MultiHash,
    NotRegularFileError,
    append_entries,
    save_entries,
)
from censorsim.image.index_format import MAX_LINE_BYTES, read_kind

HEADER = '{"format": "censorsim.hash-index", "version": 1, "algorithm": "phash", "size": 8}\n'
ENTRY = '{"id": "a", "hash": "00000000000000ff", "source": "s.jpg", "added": "2024-06-04"}\n'


@pytest.fixture
def deadline() -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError("blocked for 20 s (waiting on a FIFO?)")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _write(tmp_path: Path, data: bytes, name: str = "bl.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- not UTF-8


def test_binary_index_is_an_index_format_error(tmp_path: Path) -> None:
    """Reproducer: ``HammingIndex.load`` on the bytes ``b"\\xff\\xfe\\x00garbage"`` raised a raw
    ``UnicodeDecodeError``. Now: IndexFormatError naming the file, line and byte."""
    path = _write(tmp_path, b"\xff\xfe\x00garbage")
    with pytest.raises(IndexFormatError, match=r"bl\.jsonl:1: not UTF-8 text \(byte 0xff"):
        HammingIndex.load(path)
    with pytest.raises(IndexFormatError, match=r"bl\.jsonl:1: not UTF-8"):
        read_kind(path)


def test_gbk_entry_line_names_its_line(tmp_path: Path) -> None:
    entry = '{"id": "海报", "hash": "00000000000000ff"}\n'.encode("gbk")
    path = _write(tmp_path, HEADER.encode() + ENTRY.encode() + entry)
    with pytest.raises(IndexFormatError, match=r"bl\.jsonl:3: not UTF-8 text"):
        HammingIndex.load(path)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    """Some editors save UTF-8 with a byte-order mark; it is dropped, not an error."""
    path = _write(tmp_path, b"\xef\xbb\xbf" + HEADER.encode() + ENTRY.encode())
    assert HammingIndex.load(path).get("a").source == "s.jpg"


# --------------------------------------------------------------------------- bounded reads


def test_file_without_line_breaks_is_not_read_whole(tmp_path: Path, deadline: None) -> None:
    """A 3 GB sparse file (NUL bytes, no newline): refused after one bounded line read."""
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as fh:
        fh.truncate(3 * 1024**3)
    expect = rf"huge\.jsonl:1: line longer than {MAX_LINE_BYTES:,}"
    with pytest.raises(IndexFormatError, match=expect):
        HammingIndex.load(path)


def test_long_entry_line_names_its_line(tmp_path: Path) -> None:
    long_line = b'{"id": "' + b"x" * MAX_LINE_BYTES + b'", "hash": "00000000000000ff"}\n'
    path = _write(tmp_path, HEADER.encode() + ENTRY.encode() + long_line)
    with pytest.raises(IndexFormatError, match=r"bl\.jsonl:3: line longer than"):
        HammingIndex.load(path)


@pytest.mark.parametrize(
    ("special", "kind"), [("/dev/zero", "a character device"), ("/dev/null", "a character device")]
)
def test_device_index_is_refused(special: str, kind: str, deadline: None) -> None:
    with pytest.raises(NotRegularFileError, match=kind):
        HammingIndex.load(special)


def test_fifo_index_does_not_block(tmp_path: Path, deadline: None) -> None:
    """Reproducer: ``mkfifo bl.jsonl; censorsim images match x.jpg -i bl.jsonl`` waited forever."""
    fifo = tmp_path / "bl.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFileError, match="a FIFO") as info:
        HammingIndex.load(fifo)
    assert info.value.filename == str(fifo)
    entry = IndexEntry("a", ImageHash("phash", 8, 1))
    with pytest.raises(NotRegularFileError, match="a FIFO"):
        append_entries(fifo, [entry])
    with pytest.raises(NotRegularFileError, match="a FIFO"):
        save_entries(fifo, "phash", 8, [entry], append=True)


# --------------------------------------------------------------------------- hostile JSON


@pytest.mark.parametrize(
    ("data", "expect"),
    [
        ("[" * 100_000 + "]" * 100_000 + "\n", r":1: header is not JSON \(nested too deeply\)"),
        (HEADER + '{"id": ' + "[" * 100_000 + "\n", r":2: not JSON \(nested too deeply\)"),
        (HEADER.replace('"size": 8', '"size": ' + "9" * 5000), r":1: header is not JSON"),
        (HEADER + '{"id": "a", "hash": 1' + "0" * 5000 + "}\n", r":2: not JSON"),
        (HEADER.replace('"version": 1', '"version": true'), r":1: index format version True"),
        (HEADER + '{"id": "\\ud800", "hash": "00000000000000ff"}\n', r":2: .*unpaired surrogate"),
        (HEADER + '{"id": "a", "hash": "00000000000000ff", "category": "\\udfff"}\n',
         r":2: .*unpaired surrogate"),
        (HEADER.replace('"phash"', json.dumps("x" * 100_000)), r":1: unknown hash algorithm"),
        (HEADER + '{"id": "a", "hash": "' + "0" * 100_000 + '"}\n',
         r":2: hash must be 16 hex digits for phash:8, not '0+\.\.\.$"),
    ],
    ids=["deep-header", "deep-entry", "huge-int-header", "huge-int-entry", "bool-version",
         "surrogate-id", "surrogate-category", "long-algorithm", "long-hash"],
)
def test_hostile_json_is_an_index_format_error(tmp_path: Path, data: str, expect: str) -> None:
    """Nesting (RecursionError), 5,000-digit numbers (ValueError), lone surrogates (which
    would fail later, when the entry is printed or dumped): each an IndexFormatError with
    file and line, its message cut to a readable length."""
    path = _write(tmp_path, data.encode("utf-8"))
    with pytest.raises(IndexFormatError, match=expect) as info:
        HammingIndex.load(path)
    assert str(path) in str(info.value) and len(str(info.value)) < 500 + len(str(path))


# --------------------------------------------------------------------------- fuzzing

_VALID = (HEADER + ENTRY + '{"id": "m", "hash": ["00000000000000ff", "ff00000000000000"]}\n'
          ).encode()


def _load_only_index_errors(path: Path) -> None:
    try:
        HammingIndex.load(path)
    except IndexFormatError as exc:
        assert str(exc).startswith(f"{path}:"), str(exc)
    with contextlib.suppress(IndexFormatError):
        read_kind(path)


_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_SETTINGS
@given(data=st.binary(max_size=400))
def test_fuzz_random_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    """Property: any bytes load or raise IndexFormatError naming the file (nothing else)."""
    path = tmp_path_factory.mktemp("fuzz") / "x.jsonl"
    path.write_bytes(data)
    _load_only_index_errors(path)


@_SETTINGS
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(_VALID)), st.integers(0, 8), st.binary(max_size=6)),
        min_size=1,
        max_size=4,
    )
)
def test_fuzz_mutated_valid_file(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[int, int, bytes]]
) -> None:
    """Property: a valid file with bytes replaced, cut or inserted loads or raises
    IndexFormatError naming the file."""
    data = bytearray(_VALID)
    for at, cut, new in edits:
        data[at : at + cut] = new
    path = tmp_path_factory.mktemp("fuzz") / "x.jsonl"
    path.write_bytes(bytes(data))
    _load_only_index_errors(path)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12,
)
_FIELDS = st.sampled_from(["id", "hash", "source", "category", "added", "extra"])


@_SETTINGS
@given(
    header=st.dictionaries(
        st.sampled_from(["format", "version", "algorithm", "size", "bits", "x"]), _JSON
    ),
    good_header=st.booleans(),
    entries=st.lists(st.dictionaries(_FIELDS, _JSON | st.sampled_from(
        ["00000000000000ff", "2024-06-04", "海报", "a"])), max_size=4),
)
def test_fuzz_json_fields(
    tmp_path_factory: pytest.TempPathFactory,
    header: dict[str, object],
    good_header: bool,
    entries: list[dict[str, object]],
) -> None:
    """Property: any JSON values in the header and entry fields (Chinese text included)
    load or raise IndexFormatError naming the file."""
    head = HEADER if good_header else json.dumps(header) + "\n"
    body = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)
    path = tmp_path_factory.mktemp("fuzz") / "x.jsonl"
    path.write_text(head + body, encoding="utf-8")
    _load_only_index_errors(path)


# --------------------------------------------------------------------------- dump


def test_dump_into_a_folder_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    """An ``-o`` that is a folder: IsADirectoryError naming it, no temporary file left."""
    index = HammingIndex("phash")
    index.add(ImageHash("phash", 8, 5), id="a")
    with pytest.raises(IsADirectoryError) as info:
        index.dump(tmp_path)
    assert info.value.filename == str(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_failed_dump_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while writing (a full disk, an interrupt) leaves the old file intact."""
    target = tmp_path / "bl.jsonl"
    target.write_text(HEADER + ENTRY, encoding="utf-8")
    before = target.read_bytes()
    index = HammingIndex("phash")
    index.add(ImageHash("phash", 8, 5), id="new")

    def broken() -> Iterator[str]:
        yield '{"id": "half'
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(index, "_json_lines", broken)
    with pytest.raises(OSError, match="No space left"):
        index.dump(target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["bl.jsonl"]


def test_dump_keeps_umask_permissions(tmp_path: Path) -> None:
    """The temporary file is private while written; the index gets the usual mode."""
    index = HammingIndex("phash")
    index.add(ImageHash("phash", 8, 5), id="a")
    umask = os.umask(0o022)
    try:
        index.dump(tmp_path / "bl.jsonl")
    finally:
        os.umask(umask)
    assert (tmp_path / "bl.jsonl").stat().st_mode & 0o777 == 0o644


# --------------------------------------------------------------------------- item 10: pickle


def _index(backend: str) -> HammingIndex:
    rng = np.random.default_rng(7)
    words = rng.integers(0, 2**63, size=500, dtype=np.uint64)
    index = HammingIndex.from_words(words, "phash", backend=backend)
    index.extend(
        [
            IndexEntry("multi", MultiHash((ImageHash("phash", 8, 3), ImageHash("phash", 8, 12))),
                       source="海报.jpg", category="protest", added=date(2024, 6, 4)),
            IndexEntry("one", ImageHash("phash", 8, int(words[0]) ^ 7)),
        ]
    )
    return index


def _queries() -> np.ndarray:
    stored = np.random.default_rng(7).integers(0, 2**63, size=500, dtype=np.uint64)
    near = stored[:40] ^ np.uint64(5)  # 2 bits from stored hashes
    return np.concatenate([near, np.array([0, 15], dtype=np.uint64)])


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_backend_pickles_and_answers_the_same(backend: str) -> None:
    """Reproducer: ``pickle.dumps(HammingIndex(..., backend="faiss"))`` raised ``TypeError:
    cannot pickle 'module' object``. Now every backend pickles, before and after its
    search structures are built, and the copy answers exactly as the original."""
    if backend == "faiss":
        pytest.importorskip("faiss")
    index = _index(backend)
    queries = _queries()
    fresh = pickle.loads(pickle.dumps(index))  # before any query built tables
    expected = index.query_words(queries, 10)
    built = pickle.loads(pickle.dumps(index))  # after (MIH tables, faiss index)
    for copy in (fresh, built):
        for got, want in zip(copy.query_words(queries, 10), expected, strict=True):
            np.testing.assert_array_equal(got, want)
        assert list(copy) == list(index)
        assert copy.get("multi").source == "海报.jpg"
        copy.add(ImageHash("phash", 8, 0), id="later")  # still a working index
        assert "later" in copy and "later" not in index
    # The pickle carries rows, not search structures.
    assert len(pickle.dumps(index)) < 3 * len(pickle.dumps(_index(backend)))


def test_every_backend_works_in_a_spawn_pool() -> None:
    """Item 10: indexes sent to ``spawn`` workers answer like the parent (faiss rebuilt in
    the worker from the pickled rows)."""
    backends = [b for b in BACKENDS if b != "faiss"]
    try:
        import faiss  # noqa: F401
    except ImportError:
        pass
    else:
        backends.append("faiss")
    queries = _queries()
    indexes = [_index(b) for b in backends]
    for index in indexes:
        index.query_words(queries, 10)  # build search structures before pickling
    ask = operator.methodcaller("query_words", queries, 10)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        answers = list(pool.map(ask, indexes))
        matches = list(pool.map(operator.methodcaller("query", ImageHash("phash", 8, 0), 4),
                                indexes))
    for backend, index, answer, found in zip(backends, indexes, answers, matches, strict=True):
        for got, want in zip(answer, ask(index), strict=True):
            np.testing.assert_array_equal(got, want, err_msg=backend)
        assert [(m.entry.id, m.distance) for m in found] == [("multi", 2)], backend
