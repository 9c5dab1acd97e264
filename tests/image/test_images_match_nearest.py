"""``censorsim images match`` prints the nearest distance and the threshold of every image."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from censorsim.cli import main
from censorsim.image import HammingIndex, Hasher, default_threshold

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "images"


@pytest.fixture
def blacklist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "imgs"
    folder.mkdir()
    for name in ("00_poster.jpg", "01_shapes.jpg"):
        shutil.copy(SAMPLES / name, folder / name)
    out = tmp_path / "bl"
    assert main(["images", "hash", str(folder), "-a", "phash", "-a", "md5",
                 "--output-dir", str(out)]) == 0
    capsys.readouterr()
    return out


def _mirrored(tmp_path: Path) -> Path:
    mirrored = tmp_path / "mirrored.png"
    with Image.open(SAMPLES / "01_shapes.jpg") as img:
        img.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(mirrored)
    return mirrored


def test_jsonl_gives_nearest_distance_and_threshold_per_index(
    blacklist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirrored = _mirrored(tmp_path)
    assert main(["images", "match", str(mirrored), str(SAMPLES / "00_poster.jpg"),
                 "-i", str(blacklist), "--format", "jsonl"]) == 0
    passed, blocked = (json.loads(x) for x in capsys.readouterr().out.splitlines())
    assert passed["blocked"] is False and passed["hits"] == []
    by_kind = {n["hash"]: n for n in passed["nearest"]}
    assert set(by_kind) == {"phash:8", "md5:128"}
    index = HammingIndex.load(blacklist / "phash-8.jsonl")
    value = Hasher("phash").hash(mirrored)
    expected = min(value - e.hash for e in index)
    assert by_kind["phash:8"]["distance"] == expected > default_threshold("phash", 8)
    assert by_kind["phash:8"]["radius"] == default_threshold("phash", 8)
    assert by_kind["phash:8"]["entry"] == min(index, key=lambda e: value - e.hash).id
    assert by_kind["md5:128"]["radius"] == 0 and by_kind["md5:128"]["distance"] > 0
    # an exact copy: nearest is the hit itself, at distance 0
    assert blocked["blocked"] is True
    assert {n["hash"]: n["distance"] for n in blocked["nearest"]} == {"phash:8": 0,
                                                                       "md5:128": 0}


def test_table_shows_distance_and_threshold_for_a_pass(
    blacklist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirrored = _mirrored(tmp_path)
    assert main(["images", "match", str(mirrored), "-i", str(blacklist / "phash-8.jsonl"),
                 "--threshold", "phash=6"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[:5] == ["verdict", "hash", "dist", "max", "entry"]
    cells = row.split()
    index = HammingIndex.load(blacklist / "phash-8.jsonl")
    expected = min(Hasher("phash").hash(mirrored) - e.hash for e in index)
    assert cells[:4] == ["pass", "phash:8", str(expected), "6"]
    assert "(nearest)" in row and row.endswith(str(mirrored))


def test_empty_index_has_no_nearest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.jsonl"
    HammingIndex("phash").dump(empty)
    assert main(["images", "match", str(SAMPLES / "00_poster.jpg"), "-i", str(empty),
                 "--format", "jsonl"]) == 0
    (row,) = (json.loads(x) for x in capsys.readouterr().out.splitlines())
    assert row["nearest"] == [{"index": str(empty), "hash": "phash:8", "radius": 10,
                               "entry": None, "distance": None}]
