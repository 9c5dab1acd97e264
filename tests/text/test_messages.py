"""Message files (censorsim.text.messages) and loading several rule files at once."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from censorsim.errors import InputError, UnknownNameError, WordlistError
from censorsim.models import Rule
from censorsim.text.messages import read_messages
from censorsim.text.offsets import (
    byte_to_codepoint_array,
    byte_to_codepoint_offsets,
    span_to_original,
)
from censorsim.text.wordlists import load_rule_files


def test_lines_keep_blank_lines_and_number_them(tmp_path: Path) -> None:
    p = tmp_path / "m.txt"
    p.write_bytes("六四\r\n\nb".encode())
    got = list(read_messages(p))
    assert [i for i, _ in got] == [f"{p}:1", f"{p}:2", f"{p}:3"]
    assert got[0][1] == "六四" and got[1][1] == "" and got[2][1] == "b"
    # Bytes that are not UTF-8 are an error naming the line (tests/text/test_message_files.py).


def test_jsonl_ids_and_errors(tmp_path: Path) -> None:
    p = tmp_path / "m.jsonl"
    p.write_text('{"text": "a", "id": 7}\n\n{"text": "b"}\n', encoding="utf-8")
    assert list(read_messages(p)) == [("7", "a"), (f"{p}:3", "b")]
    with pytest.raises(InputError, match=r"s:2: invalid JSON"):
        list(read_messages(io.StringIO('{"text": "a"}\n{bad\n'), "jsonl", name="s"))
    with pytest.raises(InputError, match=r"s:1: expected an object with a 'text' string"):
        list(read_messages(io.StringIO('["text"]\n'), "jsonl", name="s"))


def test_unreadable_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.txt: cannot read"):
        list(read_messages(tmp_path / "nope.txt"))
    with pytest.raises(UnknownNameError, match=r"unknown message format 'xml'.*lines"):
        list(read_messages(io.StringIO(""), "xml"))  # type: ignore[arg-type]


def test_load_rule_files_concatenates_in_order(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    a.write_text("六四+学生\n", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("法轮功\n", encoding="utf-8")
    rules = load_rule_files([a, b])
    assert [r.id for r in rules] == ["六四+学生", "法轮功"]
    assert load_rule_files([]) == []
    assert load_rule_files([], shipped=True)
    assert all(isinstance(r, Rule) for r in load_rule_files(shipped=True))
    with pytest.raises(WordlistError):
        load_rule_files([tmp_path / "missing.txt"])
    with pytest.raises(UnknownNameError):
        load_rule_files([a], format="yaml")  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["", "abc", "六四ab", "a\U0001f600é六", "\ud800x"])
def test_byte_to_codepoint_forms_agree(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    # Every character boundary in bytes, and the code point index it stands for.
    bounds = [len(text[:i].encode("utf-8", "surrogatepass")) for i in range(len(text) + 1)]
    expected = list(range(len(text) + 1))
    assert byte_to_codepoint_offsets(data, bounds) == expected
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    assert byte_to_codepoint_array(codes, np.array(bounds, dtype=np.int64)).tolist() == expected


def test_span_to_original_identity_and_shift() -> None:
    assert span_to_original(None, 2, 4) == (2, 4)
    assert span_to_original((10, 12, 12, 15), 1, 4, shift=10) == (2, 6)
