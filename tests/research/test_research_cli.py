"""``censorsim evade`` and ``censorsim probe``, run in process through ``main``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from censorsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "wordlists" / "wechat-combinations.csv"


def test_evade_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "t"
    assert main(["evade", "text", "-t", "noop", "-t", "spaces", "-p", "identity", "-p",
                 "default", "-o", str(out)]) == 0
    table = capsys.readouterr().out
    assert "| spaces | 0/" in table
    for name in ("matrix.json", "matrix.md", "matrix.png"):
        assert (out / name).stat().st_size > 0
    assert json.loads((out / "matrix.json").read_text("utf-8"))["kind"] == "text"


def test_evade_images(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    img = tmp_path / "a.png"
    a = np.zeros((40, 60, 3), dtype=np.uint8)
    a[:, 30:] = 255
    a[10:20, 5:15] = 128
    Image.fromarray(a).save(img)
    out = tmp_path / "i"
    assert main(["evade", "images", str(img), "-d", "phash=8", "-t", "noop", "-t", "mirror",
                 "-o", str(out), "--no-plot"]) == 0
    text = capsys.readouterr().out
    assert "closest to WeChat: phash<=8" in text
    fid = json.loads((out / "fidelity.json").read_text("utf-8"))
    assert [r["transform"] for r in fid["rows"]] == ["noop", "mirror"]
    assert not (out / "matrix.png").exists()


def test_evade_errors(tmp_path: Path) -> None:
    assert main(["evade"]) == 2
    assert main(["evade", "images", str(tmp_path), "-o", str(tmp_path / "x")]) == 2
    empty = tmp_path / "c.txt"
    empty.write_text("今天吃饭了\n", encoding="utf-8")
    assert main(["evade", "text", "--corpus", str(empty), "-o", str(tmp_path / "y")]) == 2


def test_probe_isolate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probe", "isolate", "-r", str(RULES), "今天习 近平说要三连任，去吃饭"]) == 0
    assert capsys.readouterr().out.startswith("习 近平+三连任\t")
    assert main(["probe", "isolate", "-r", str(RULES), "天气很好"]) == 0
    assert "not censored" in capsys.readouterr().out
    assert main(["probe", "isolate", "天气很好"]) == 2
    assert main(["probe", "isolate", "-r", str(RULES)]) == 2


def test_probe_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "p"
    assert main(["probe", "validate", "-r", str(RULES), "--articles", "8", "--length", "200",
                 "-o", str(out)]) == 0
    assert "| wechat-combinations.csv |" in capsys.readouterr().out
    data = json.loads((out / "validation.json").read_text("utf-8"))
    assert {s["method"] for s in data[0]["scores"]} == {"binary-split", "recursive-halving"}
    assert (out / "validation.png").stat().st_size > 0
    assert main(["probe", "validate", "-o", str(out)]) == 2
    assert main(["probe", "validate", "--dataset", "qqmail", "-o", str(out)]) == 2
    assert main(["probe"]) == 2
