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
    assert rows[1] == {"path": str(unrelated), "blocked": False, "hits": []}

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
