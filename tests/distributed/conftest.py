"""Shared data of the distributed tests: a small mixed-script corpus and its rules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from censorsim.models import Action, Rule
from censorsim.text.rules import RuleSet

LINES = [
    "今天天气很好",
    "六 四 那年，學生們的民主運動",
    "法 轮 功",
    "",
    "hello Falun Gong and 法轮功",
    "只是flag一下 习近平",
    "😀 emoji 六四",
    "ＡＢＣ６４ 学生",
    "普通的消息 number 7",
]


def make_rules() -> RuleSet:
    """Rules with censoring, flag and deliver actions, Chinese and Latin keywords."""
    return RuleSet([
        Rule.combination("六四+学生+民主运动"),
        Rule.keyword("法轮功"),
        Rule.keyword("falun gong", id="fg-en"),
        Rule.keyword("习近平", action=Action.FLAG),
        Rule.keyword("emoji", action=Action.DELIVER),
    ])


@pytest.fixture
def rules() -> RuleSet:
    return make_rules()


@pytest.fixture
def corpus(tmp_path: Path) -> list[Path]:
    """Three files: plain lines (CRLF in one), JSON lines, and a second plain file."""
    a = tmp_path / "a.txt"
    a.write_text("\n".join(LINES * 3) + "\n", encoding="utf-8")
    b = tmp_path / "b.jsonl"
    b.write_text("".join(
        f'{{"id": "b{i}", "text": "{t}"}}\n' if i % 2 else f'{{"text": "{t}"}}\n\n'
        for i, t in enumerate(LINES)
    ), encoding="utf-8")
    c = tmp_path / "c.txt"
    c.write_bytes(("\r\n".join(reversed(LINES)) + "\r\n").encode("utf-8"))
    return [a, b, c]


@pytest.fixture(scope="package")
def cluster() -> Iterator[str]:
    """One in-process Dask cluster (threads) for all these tests; its address."""
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    # Generous timeouts: on a loaded machine the default 30 s can pass before start-up.
    with dask.config.set({"distributed.comm.timeouts.connect": "120s",
                          "distributed.comm.timeouts.tcp": "120s"}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                     dashboard_address=":0", silence_logs=40) as lc:
        yield lc.scheduler_address
