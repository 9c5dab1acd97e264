"""``censorsim images hash`` and ``censorsim images match``, run in process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from censorsim.cli import main
from censorsim.image import HammingIndex, Hasher, default_threshold

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "images"


@pytest.fixture
def images(tmp_path: Path) -> Path:
    folder = tmp_path / "imgs"
    (folder / "sub").mkdir(parents=True)
    for name in ("00_poster.jpg", "01_shapes.jpg"):
        shutil.copy(SAMPLES / name, folder / name)
    shutil.copy(SAMPLES / "16_transparent.png", folder / "sub" / "t.png")
    (folder / "notes.txt").write_text("skipped: not an image suffix")
    return folder


def test_hash_prints_jsonl(images: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["images", "hash", str(images), "-a", "dhash", "-a", "md5", "--format", "jsonl"]) == 0
    )
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(r["path"]).name for r in rows] == ["00_poster.jpg", "01_shapes.jpg", "t.png"]
    assert rows[0]["dhash:8"] == Hasher("dhash").hash(images / "00_poster.jpg").to_hex()
    assert len(rows[0]["md5:128"]) == 32


def test_hash_to_index_and_match(
    images: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bl"
    code = main(
        [
            "images",
            "hash",
            str(images),
            "-a",
            "phash",
            "-a",
            "md5",
            "--output-dir",
            str(out),
            "--category",
            "demo",
            "--added",
            "2024-06-04",
        ]
    )
    assert code == 0
    index = HammingIndex.load(out / "phash-8.jsonl")
    assert len(index) == 3
    entry = index.get(str(images / "00_poster.jpg"))
    assert (
        entry.category == "demo"
        and entry.added is not None
        and entry.added.isoformat() == "2024-06-04"
    )
    assert len(HammingIndex.load(out / "md5-128.jsonl")) == 3
    capsys.readouterr()

    upload = tmp_path / "upload.png"
    from PIL import Image

    with Image.open(images / "01_shapes.jpg") as img:
        img.resize((320, 240)).save(upload)  # new bytes: md5 misses, phash matches
    unrelated = SAMPLES / "03_gradient.jpg"
    code = main(
        [
            "images",
            "match",
            str(upload),
            str(unrelated),
            "-i",
            str(out),
            "--format",
            "jsonl",
            "--fail-on-hit",
        ]
    )
    assert code == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0]["blocked"] is True
    assert {h["hash"] for h in rows[0]["hits"]} == {"phash:8"}
    assert rows[0]["hits"][0]["entry"] == str(images / "01_shapes.jpg")
    assert rows[0]["hits"][0]["category"] == "demo"
    assert {k: v for k, v in rows[1].items() if k != "nearest"} == {
        "path": str(unrelated), "blocked": False, "hits": []}

    # A mirrored copy walks past the filter at the default threshold...
    mirrored = tmp_path / "mirrored.png"
    with Image.open(images / "01_shapes.jpg") as img:
        img.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(mirrored)
    assert main(["images", "match", str(mirrored), "-i", str(out), "--fail-on-hit"]) == 0
    assert "pass" in capsys.readouterr().out
    # ...unless the blacklist stores the dihedral variants.
    dihedral = tmp_path / "dihedral.jsonl"
    assert main(["images", "hash", str(images), "--dihedral", "-o", str(dihedral)]) == 0
    assert main(["images", "match", str(mirrored), "-i", str(dihedral), "--fail-on-hit"]) == 1
    assert "BLOCK" in capsys.readouterr().out


def test_match_table_and_exact_copy(
    images: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "md5.jsonl"
    assert main(["images", "hash", str(images / "00_poster.jpg"), "-a", "md5", "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["images", "match", str(images / "00_poster.jpg"), "-i", str(out)]) == 0
    table = capsys.readouterr().out
    assert "BLOCK" in table and "md5:128" in table


def test_append_skips_present_entries(
    images: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bl.jsonl"
    assert main(["images", "hash", str(images / "00_poster.jpg"), "-o", str(out)]) == 0
    assert main(["images", "hash", str(images), "-o", str(out), "--append"]) == 0
    assert "(1 already present)" in capsys.readouterr().err
    assert len(HammingIndex.load(out)) == 3


def test_bad_files_are_reported(
    images: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"")
    # Fail closed (issue 10, item 7): the good image is still reported, the status is 2.
    assert (
        main(["images", "hash", str(bad), str(images / "00_poster.jpg"), "--format", "jsonl"]) == 2
    )
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert "empty file" in rows[0]["error"] and rows[1]["path"].endswith("00_poster.jpg")
    assert "censorsim images: error: 1 of 2 images could not be hashed" in captured.err
    assert main(["images", "hash", str(bad), "--errors", "raise"]) == 2
    assert str(bad) in capsys.readouterr().err


def test_usage_errors(images: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["images", "hash", str(images), "-a", "phash", "-a", "md5", "-o", str(tmp_path / "x")])
        == 2
    )
    assert "--output-dir" in capsys.readouterr().err
    assert main(["images", "hash", str(images), "-a", "sha1"]) == 2
    assert "unknown hash algorithm" in capsys.readouterr().err
    index = tmp_path / "bad.jsonl"
    index.write_text('{"format": "censorsim.hash-index", "version": 9}\n')
    assert main(["images", "match", str(images), "-i", str(index)]) == 2
    assert "version 9" in capsys.readouterr().err
    ok = tmp_path / "ok.jsonl"
    main(["images", "hash", str(images / "00_poster.jpg"), "-o", str(ok)])
    assert main(["images", "match", str(images), "-i", str(ok), "-t", "phash"]) == 2
    assert "bad --threshold" in capsys.readouterr().err
    assert main(["images"]) == 2


def test_default_thresholds() -> None:
    assert default_threshold("md5", 128) == 0
    assert default_threshold("phash", 8) == 10
    assert default_threshold("phash", 16) == 40
    assert default_threshold("colorhash", 3) == 7


# --------------------------------------------------------------------------- fail closed


@pytest.fixture
def blacklist(images: Path, tmp_path: Path) -> Path:
    out = tmp_path / "bl.jsonl"
    assert main(["images", "hash", str(images / "00_poster.jpg"), "-o", str(out)]) == 0
    return out


def test_unchecked_upload_is_never_pass(
    blacklist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 10, item 7. Reproducer: ``censorsim images match broken.jpg -i bl.jsonl
    --fail-on-hit`` exited 0 (the upload "passed" the CI gate without being checked).

    Now: exit 2, an ``ERROR`` row in the table (``"blocked": null`` in JSON lines), never
    ``pass``, and a final ``censorsim images: error: N of M images could not be checked``.
    """
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 not really a jpeg")
    capsys.readouterr()
    assert main(["images", "match", str(broken), "-i", str(blacklist), "--fail-on-hit"]) == 2
    out, err = capsys.readouterr()
    rows = out.splitlines()[1:]
    assert len(rows) == 1 and rows[0].split() == ["ERROR", str(broken)]
    assert "pass" not in out
    assert err.splitlines()[-1] == (
        "censorsim images: error: 1 of 1 images could not be checked (neither passed nor blocked)"
    )
    assert main(["images", "match", str(broken), "-i", str(blacklist), "--format", "jsonl"]) == 2
    row = json.loads(capsys.readouterr().out)
    assert row["blocked"] is None and "broken.jpg" in row["error"]


def test_unchecked_upload_outranks_a_hit(
    images: Path, blacklist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hit and an unreadable upload in one run: exit 2 (not 1), both reported in walk
    order, the skipped entry of the folder walk included."""
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    shutil.copy(images / "00_poster.jpg", uploads / "a.jpg")
    (uploads / "b.jpg").symlink_to(uploads / "gone.jpg")
    (uploads / "c.png").write_bytes(b"")
    args = ["images", "match", str(uploads), "-i", str(blacklist), "--fail-on-hit"]
    assert main([*args, "--format", "jsonl"]) == 2
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(Path(r["path"]).name, r["blocked"]) for r in rows] == [
        ("a.jpg", True), ("b.jpg", None), ("c.png", None)
    ]
    assert "dangling symbolic link" in rows[1]["error"] and "empty file" in rows[2]["error"]
    assert "2 of 3 images could not be checked" in err
    # --errors raise stops at the first unreadable entry, the skipped link included.
    assert main([*args, "--errors", "raise"]) == 2
    assert "b.jpg: dangling symbolic link" in capsys.readouterr().err


def test_partial_hash_writes_the_good_images_and_fails(
    images: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 10, item 7: ``images hash`` with some unreadable files writes the others and
    exits 2 (``N of M images could not be hashed``); with none readable it writes nothing.
    A huge file among them (item 6) is one such failure, not the end of the batch."""
    big = images / "big.jpg"
    with big.open("wb") as fh:
        fh.truncate(3 * 1024**3)
    out = tmp_path / "bl.jsonl"
    assert main(["images", "hash", str(images), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "big.jpg: too large (3,221,225,472 bytes" in err
    assert "wrote 3 phash:8 entries" in err and "1 of 4 images could not be hashed" in err
    assert len(HammingIndex.load(out)) == 3


def test_export_into_a_missing_folder_creates_it(
    images: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-o`` and ``--output-dir`` create missing folders (documented), exit 0."""
    poster = str(images / "00_poster.jpg")
    out = tmp_path / "new" / "deeper" / "bl.jsonl"
    assert main(["images", "hash", poster, "-o", str(out)]) == 0
    assert len(HammingIndex.load(out)) == 1
    folder = tmp_path / "other" / "dir"
    assert main(["images", "hash", poster, "-a", "md5", "--output-dir", str(folder)]) == 0
    assert len(HammingIndex.load(folder / "md5-128.jsonl")) == 1


@pytest.mark.parametrize(("size", "ok"), [("1G", True), ("300M", True), ("2kb", False),
                                          ("1048576", True), ("10", False)])
def test_max_bytes_sizes(images: Path, size: str, ok: bool,
                         capsys: pytest.CaptureFixture[str]) -> None:
    """``--max-bytes`` takes bytes or K/M/G/T (powers of 1024); the poster is ~30 kB."""
    code = main(["images", "hash", str(images / "00_poster.jpg"), "--max-bytes", size])
    assert code == (0 if ok else 2)
    assert ("too large" in capsys.readouterr().err) is not ok
