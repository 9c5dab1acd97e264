"""``censorsim scan -f table``: the original text with matches marked, full rule ids,
CJK aligned by display width; ``--explain`` with action names and near misses."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from censorsim.cli import main


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    rules = tmp_path / "r.csv"
    rules.write_text(
        "id,rule,action,whole_word\n"
        "a-very-long-rule-identifier-that-is-not-cut,六四+学生,drop,false\n"
        "六四民主运动,六四+学生+民主运动,hide,false\n"
        "liu,Liu Xiaobo,drop,true\n", encoding="utf-8")
    msgs = tmp_path / "m.jsonl"
    msgs.write_text("\n".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in (
        ("短", "六 四的學生們"),
        ("a-long-message-id", "今天天气很好"),
        ("中文编号", "我读过Liu Xiaobo的书"),
    )) + "\n", encoding="utf-8")
    return rules, msgs


def _table(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    main(argv)
    return capsys.readouterr().out.splitlines()


def test_table_marks_the_original_text_with_full_ids_aligned(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, msgs = files
    lines = _table(["scan", "-r", str(rules), str(msgs), "-f", "table"], capsys)
    header, rows = lines[0], lines[1:4]
    assert rows[0].endswith("[六 四]的[學生]們")
    assert "a-very-long-rule-identifier-that-is-not-cut" in rows[0]
    assert "DROP" in rows[0] and rows[1].split()[1] == "DELIVER"
    assert rows[2].endswith("我读过[Liu Xiaobo]的书")  # a Han neighbour is a word boundary
    # every column starts at the same display column on every line
    for col in ("action", "rules", "text"):
        at = _width(header[:header.index(col)])
        for row, first in zip(rows, ("DROP", "DELIVER", "DROP"), strict=True):
            if col == "action":
                assert _width(row[:row.index(first)]) == at
    text_at = _width(header[:header.index("text")])
    for row, start in zip(rows, ("[六", "今天", "我读"), strict=True):
        assert _width(row[:row.index(start)]) == text_at


def test_long_texts_are_clipped_around_the_first_match(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, _ = files
    msgs = tmp_path / "long.txt"
    msgs.write_text("很" * 300 + "六四的学生" + "好" * 300 + "\n", encoding="utf-8")
    (row,) = _table(["scan", "-r", str(rules), str(msgs), "-f", "table"], capsys)[1:2]
    text = row[row.index("…"):]
    assert "[六四]的[学生]" in text and text.endswith("…")
    assert _width(text) <= 100


def test_explain_uses_action_names_and_lists_near_misses(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, msgs = files
    out = "\n".join(_table(["scan", "-r", str(rules), str(msgs), "-f", "table", "--explain"],
                           capsys))
    assert "censored: DROP (1 rule fired)" in out
    assert ("DROP by 六四+学生 (rule a-very-long-rule-identifier-that-is-not-cut): "
            "六四 as '六 四' at [0, 3); 学生 as '學生' at [4, 6)") in out
    assert ("near miss 六四+学生+民主运动 (rule 六四民主运动): 2 of 3 components present, "
            "missing 民主运动") in out


def test_jsonl_hits_carry_the_original_text(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rules, msgs = files
    main(["scan", "-r", str(rules), str(msgs), "--only-fired"])
    first = json.loads(capsys.readouterr().out.splitlines()[0])
    assert first["hits"][0]["found"] == ["六 四", "學生"]
