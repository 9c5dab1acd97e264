"""Partitions read exactly what the reference reader reads (read_messages), however the
corpus is cut; Parquet inputs; globs."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.distributed import expand_inputs, plan_partitions, read_partition
from censorsim.errors import InputError
from censorsim.text.messages import read_messages
from tests.text.strategies import ALPHABET

# Lines of Chinese, mixed-script and emoji text (no lone surrogates: a file holds UTF-8).
line_text = st.text(alphabet=st.sampled_from([c for c in ALPHABET if c != "\ud800"]),
                    max_size=12)


def _partitioned(paths: list[Path], size: int, encoding: str = "utf-8") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for part in plan_partitions(paths, partition_size=size, encoding=encoding)[1]:
        data = read_partition(part)
        out.extend(zip(data.ids, data.texts, strict=True))
    return out


def _reference(paths: list[Path], encoding: str = "utf-8") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for p in paths:
        out.extend(read_messages(str(p), encoding=encoding))
    return out


@settings(max_examples=40, deadline=None)
@given(
    lines=st.lists(line_text, max_size=15),
    size=st.integers(1, 6),
    crlf=st.booleans(),
    final_newline=st.booleans(),
    jsonl=st.booleans(),
)
def test_partitions_read_what_read_messages_reads(
    lines: list[str], size: int, crlf: bool, final_newline: bool, jsonl: bool
) -> None:
    """Plain reader (read_messages) and partitioned reader agree, Chinese and mixed text."""
    end = "\r\n" if crlf else "\n"
    if jsonl:
        body = [json.dumps({"text": t}, ensure_ascii=False) if t.strip() else "" for t in lines]
    else:
        body = [t.replace("\r", "") for t in lines]
    data = end.join(body) + (end if final_newline and body else "")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / ("m.jsonl" if jsonl else "m.txt")
        path.write_bytes(data.encode("utf-8"))
        assert _partitioned([path], size) == _reference([path])


def test_gbk_and_utf16_are_read_like_the_reference(tmp_path: Path) -> None:
    gbk = tmp_path / "g.txt"
    gbk.write_bytes("六四的学生\n你好\n法轮功\n".encode("gbk"))
    assert _partitioned([gbk], 1, "gbk") == _reference([gbk], "gbk")
    u16 = tmp_path / "u.txt"
    u16.write_bytes("六四的学生\n你好\n".encode("utf-16"))
    assert len(plan_partitions([u16], partition_size=1, encoding="utf-16")[1]) == 1
    assert _partitioned([u16], 1, "utf-16") == _reference([u16], "utf-16")


def test_parquet_inputs_are_cut_by_row_group(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "posts.parquet"
    table = pa.table({"text": ["六四学生", "你好", None, "法轮功"], "id": ["a", None, "c", "d"]})
    pq.write_table(table, path, row_group_size=2)
    parts = plan_partitions([path])[1]
    assert [(p.start, p.first_line) for p in parts] == [(0, 1), (1, 3)]
    with pytest.raises(InputError, match=r"posts\.parquet:3: row without a 'text' string"):
        read_partition(parts[1])
    got = [read_partition(p, "record") for p in parts]
    assert [x for g in got for x in g.ids] == ["a", f"{path}:2", "d"]
    assert got[1].bad[0].line == 3


def test_globs_expand_sorted_and_nothing_matched_is_an_error(tmp_path: Path) -> None:
    for name in ("b.txt", "a.txt", "c.log"):
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    assert expand_inputs([str(tmp_path / "*.txt")]) == [
        str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    with pytest.raises(InputError, match=r"\*\.csv: no file matches"):
        expand_inputs([str(tmp_path / "*.csv")])
