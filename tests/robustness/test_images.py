"""Bad inputs for ``censorsim images hash`` and ``censorsim images match`` (issue 10).

Each case: exit 2, one ``censorsim images[ SUB]: error: ...`` line naming the file or the
argument and the problem, no traceback, and no input file changed. Cases that could hang
(FIFOs) or exhaust memory (a sparse 3 GB file, ``/dev/zero``) run under an alarm.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.robustness.conftest import BadInput

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "images"
HEADER = '{"format": "censorsim.hash-index", "version": 1, "algorithm": "phash", "size": 8}\n'


@pytest.fixture(autouse=True)
def deadline() -> Iterator[None]:
    """Fail instead of hanging the suite if a case blocks for 30 seconds."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError("blocked for 30 s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(30)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Files:
    """A scratch folder with one good image, one good index and the bad inputs."""

    root: Path

    @property
    def good(self) -> Path:
        return self.root / "good.jpg"

    @property
    def index(self) -> Path:
        return self.root / "good.jsonl"

    def write(self, name: str, data: bytes | str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        return path

    def fifo(self, name: str) -> Path:
        path = self.root / name
        os.mkfifo(path)
        return path

    def sparse(self, name: str, size: int = 3 * 1024**3) -> Path:
        path = self.root / name
        with path.open("wb") as fh:
            fh.truncate(size)
        return path

    def folder(self, name: str) -> Path:
        path = self.root / name
        path.mkdir()
        return path


@pytest.fixture
def files(tmp_path: Path) -> Files:
    f = Files(tmp_path)
    shutil.copy(SAMPLES / "00_poster.jpg", f.good)
    f.write("good.jsonl", HEADER + '{"id": "x", "hash": "f0441f3fc0e0393f"}\n')
    return f


# A case: how to build (argv, inputs that must not change) from the scratch folder, and
# the regular expression the error must contain.
Build = Callable[[Files], tuple[list[str], list[Path]]]


def _dangling(f: Files) -> Path:
    folder = f.folder("uploads")
    (folder / "x.jpg").symlink_to(f.root / "gone.jpg")
    return folder


def _loop(f: Files) -> Path:
    folder = f.folder("loop")
    (folder / "up").symlink_to(folder)
    return folder


HASH_CASES: dict[str, tuple[Build, str]] = {
    "workers-0": (
        lambda f: (["images", "hash", str(f.good), "--workers", "0"], [f.good]),
        r"argument --workers: must be at least 1, not 0",
    ),
    "workers-negative": (
        lambda f: (["images", "hash", str(f.good), "--workers", "-3"], [f.good]),
        r"argument --workers: must be at least 1, not -3",
    ),
    "workers-not-a-number": (
        lambda f: (["images", "hash", str(f.good), "--workers", "two"], [f.good]),
        r"argument --workers: expected a whole number, not 'two'",
    ),
    "max-bytes-0": (
        lambda f: (["images", "hash", str(f.good), "--max-bytes", "0"], [f.good]),
        r"argument --max-bytes: must be at least 1 byte",
    ),
    "max-bytes-garbage": (
        lambda f: (["images", "hash", str(f.good), "--max-bytes", "lots"], [f.good]),
        r"argument --max-bytes: expected a size such as 300M",
    ),
    "output-is-a-folder": (
        lambda f: (["images", "hash", str(f.good), "-o", str(f.folder("out"))], [f.good]),
        r"out: --output is a folder; give a file name",
    ),
    "output-dir-is-a-file": (
        lambda f: (["images", "hash", str(f.good), "--output-dir", str(f.index)],
                   [f.good, f.index]),
        r"good\.jsonl: --output-dir needs a folder here, but it is a file",
    ),
    "output-under-a-file": (
        lambda f: (["images", "hash", str(f.good), "-o", str(f.index / "sub" / "x.jsonl")],
                   [f.good, f.index]),
        r"good\.jsonl: --output needs a folder here, but it is a file",
    ),
    "every-file-bad-writes-nothing": (
        lambda f: (["images", "hash", str(f.write("bad.jpg", b"")), "-o", str(f.index)],
                   [f.index]),
        r"1 of 1 images could not be hashed; nothing was written",
    ),
    "fifo": (
        lambda f: (["images", "hash", str(f.fifo("pipe.jpg")), "--errors", "raise"], []),
        r"pipe\.jpg: not a regular file \(a FIFO\)",
    ),
    "dev-zero": (
        lambda f: (["images", "hash", "/dev/zero", "-a", "md5"], []),
        r"/dev/zero: not a regular file \(a character device\)",
    ),
    "sparse-3GB": (
        lambda f: (["images", "hash", str(f.sparse("big.jpg")), "-a", "md5"], []),
        r"big\.jpg: too large \(3,221,225,472 bytes; the limit is 268,435,456 bytes",
    ),
    "over-max-bytes": (
        lambda f: (["images", "hash", str(f.good), "--max-bytes", "1K"], [f.good]),
        r"good\.jpg: too large \(\d[\d,]* bytes; the limit is 1,024 bytes",
    ),
    "dangling-link-in-folder": (
        lambda f: (["images", "hash", str(_dangling(f))], []),
        r"x\.jpg: dangling symbolic link",
    ),
    "link-loop-in-folder": (
        lambda f: (["images", "hash", str(_loop(f))], []),
        r"up: symbolic link loop",
    ),
    "empty-folder": (
        lambda f: (["images", "hash", str(f.folder("empty"))], []),
        r"empty: no image files found",
    ),
    "missing-file": (
        lambda f: (["images", "hash", str(f.root / "nope.jpg")], []),
        r"nope\.jpg: no such file",
    ),
    "append-to-binary-index": (
        lambda f: (["images", "hash", str(f.good), "--append",
                    "-o", str(f.write("bin.jsonl", b"\xff\xfe\x00garbage"))],
                   [f.good, f.root / "bin.jsonl"]),
        r"bin\.jsonl:1: not UTF-8 text",
    ),
    "append-to-fifo": (
        lambda f: (["images", "hash", str(f.good), "--append", "-o", str(f.fifo("p.jsonl"))],
                   [f.good]),
        r"p\.jsonl: not a regular file \(a FIFO\)",
    ),
    "append-other-kind": (
        lambda f: (["images", "hash", str(f.good), "--append", "-a", "dhash",
                    "-o", str(f.index)], [f.good, f.index]),
        r"good\.jsonl: holds phash:8 hashes, not dhash:8",
    ),
    "bad-added-date": (
        lambda f: (["images", "hash", str(f.good), "--added", "2024-13-01"], [f.good]),
        r"argument --added",
    ),
    "unknown-algorithm": (
        lambda f: (["images", "hash", str(f.good), "-a", "sha1"], [f.good]),
        r"unknown hash algorithm 'sha1'",
    ),
}


def _deep_index(f: Files) -> Path:
    return f.write("deep.jsonl", "[" * 100_000 + "\n")


MATCH_CASES: dict[str, tuple[Build, str]] = {
    "binary-index": (
        lambda f: (["images", "match", str(f.good), "-i",
                    str(f.write("bin.jsonl", b"\xff\xfe\x00garbage"))],
                   [f.good, f.root / "bin.jsonl"]),
        r"bin\.jsonl:1: not UTF-8 text \(byte 0xff",
    ),
    "gbk-index-entry": (
        lambda f: (["images", "match", str(f.good), "-i",
                    str(f.write("gbk.jsonl", HEADER.encode()
                                + '{"id": "海报", "hash": "f0441f3fc0e0393f"}\n'.encode("gbk")))],
                   [f.good, f.root / "gbk.jsonl"]),
        r"gbk\.jsonl:2: not UTF-8 text",
    ),
    "deeply-nested-index": (
        lambda f: (["images", "match", str(f.good), "-i", str(_deep_index(f))],
                   [f.good, f.root / "deep.jsonl"]),
        r"deep\.jsonl:1: header is not JSON \(nested too deeply\)",
    ),
    "sparse-3GB-index": (
        lambda f: (["images", "match", str(f.good), "-i", str(f.sparse("big.jsonl"))],
                   [f.good]),
        r"big\.jsonl:1: line longer than 1,048,576 bytes",
    ),
    "fifo-index": (
        lambda f: (["images", "match", str(f.good), "-i", str(f.fifo("p.jsonl"))], [f.good]),
        r"p\.jsonl: cannot read index: not a regular file \(a FIFO\)",
    ),
    "missing-index": (
        lambda f: (["images", "match", str(f.good), "-i", str(f.root / "no.jsonl")], [f.good]),
        r"no\.jsonl: cannot read index: No such file or directory",
    ),
    "index-folder-without-indexes": (
        lambda f: (["images", "match", str(f.good), "-i", str(f.folder("bl"))], [f.good]),
        r"bl: no index files \(\*\.jsonl\) in this folder",
    ),
    "workers-0": (
        lambda f: (["images", "match", str(f.good), "-i", str(f.index), "--workers", "0"],
                   [f.good, f.index]),
        r"argument --workers: must be at least 1, not 0",
    ),
    "bad-threshold": (
        lambda f: (["images", "match", str(f.good), "-i", str(f.index), "-t", "phash=-1"],
                   [f.good, f.index]),
        r"bad --threshold 'phash=-1'",
    ),
    "unknown-backend": (
        lambda f: (["images", "match", str(f.good), "-i", str(f.index), "--backend", "kd"],
                   [f.good, f.index]),
        r"unknown index backend 'kd'",
    ),
    "unreadable-upload-fail-on-hit": (
        lambda f: (["images", "match", str(f.write("up.jpg", b"not an image")), "-i",
                    str(f.index), "--fail-on-hit"], [f.root / "up.jpg", f.index]),
        r"1 of 1 images could not be checked \(neither passed nor blocked\)",
    ),
    "fifo-upload": (
        lambda f: (["images", "match", str(f.fifo("up.jpg")), "-i", str(f.index)], [f.index]),
        r"up\.jpg: not a regular file \(a FIFO\)",
    ),
    "dangling-link-upload": (
        lambda f: (["images", "match", str(_dangling(f)), "-i", str(f.index)], [f.index]),
        r"x\.jpg: dangling symbolic link",
    ),
    "no-uploads-found": (
        lambda f: (["images", "match", str(f.folder("uploads")), "-i", str(f.index)],
                   [f.index]),
        r"uploads: no image files found",
    ),
}


@pytest.mark.parametrize("case", list(HASH_CASES))
def test_images_hash_bad_input(case: str, files: Files, bad_input: BadInput) -> None:
    """``censorsim images hash`` with a bad input or argument: exit 2, named, no traceback."""
    build, expect = HASH_CASES[case]
    argv, inputs = build(files)
    bad_input(argv, expect=expect, inputs=inputs)


@pytest.mark.parametrize("case", list(MATCH_CASES))
def test_images_match_bad_input(case: str, files: Files, bad_input: BadInput) -> None:
    """``censorsim images match`` with a bad input or argument: exit 2, named, no traceback."""
    build, expect = MATCH_CASES[case]
    argv, inputs = build(files)
    bad_input(argv, expect=expect, inputs=inputs)


def test_every_file_bad_leaves_no_index(files: Files, bad_input: BadInput) -> None:
    """Reproducer: ``censorsim images hash bad.jpg -o bl.jsonl`` wrote an empty blacklist and
    exited 0. Now: exit 2 and no file."""
    bad = files.write("bad.jpg", b"")
    out = files.root / "new.jsonl"
    bad_input(["images", "hash", str(bad), "-o", str(out)], expect=r"nothing was written")
    assert not out.exists()
