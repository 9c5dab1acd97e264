"""Bad input to ``censorsim bench``: one named error and exit 2, before anything runs.

Each row is one bad ``--keywords``, ``--corpus`` or ``--compare`` file or option value;
the id is the reproducer. Every case must fail before the first contender is timed (the
suite runs in seconds), name the file or option, and leave the inputs unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.robustness.conftest import BadInput, RunCli

FILES: dict[str, bytes] = {
    "kw.txt": "习近平\n法轮功\n".encode(),
    "corpus.txt": "今天习近平说要三连任\n法轮功好\n".encode(),
    "gbk.txt": "法轮功\n六四学生\n".encode("gbk"),
    "utf16.txt": "法轮功\n".encode("utf-16"),
    "binary.txt": bytes(range(256)) * 4,
    "empty.txt": b"",
    "blank.txt": b"\n\n\n",
    "comments.txt": b"# only a comment\n",
    "deep.json": b"[" * 100_000 + b"]" * 100_000,
    "deepobj.json": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "notrun.json": b'{"schema": 1}',
    "list.json": b"[1, 2, 3]",
    "notjson.json": b"{not json",
    "afile": b"x",
}


@pytest.fixture
def f(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, data in FILES.items():
        out[name] = tmp_path / name
        out[name].write_bytes(data)
    out["fifo"] = tmp_path / "fifo"
    os.mkfifo(out["fifo"])
    out["dir"] = tmp_path / "folder"
    out["dir"].mkdir()
    out["missing"] = tmp_path / "nope.txt"
    return out


Argv = Callable[[dict[str, Path]], list[str]]
QUICK = ["--suite", "text", "--quiet", "--no-plots"]


def _user(keywords: str, corpus: str, *extra: str) -> Argv:
    return lambda f: ["bench", "--keywords", str(f[keywords]), "--corpus", str(f[corpus]),
                      *QUICK, *extra]


def _compare(name: str) -> Argv:
    return lambda f: ["bench", "--compare", str(f[name]), *QUICK]


def _opt(*extra: str) -> Argv:
    return lambda f: ["bench", *QUICK, *(str(f[a]) if a in f else a for a in extra)]


CASES: dict[str, tuple[Argv, str]] = {
    # --keywords
    "--keywords GBK": (_user("gbk.txt", "corpus.txt"), r"gbk\.txt:1: invalid UTF-8"),
    "--keywords UTF-16": (_user("utf16.txt", "corpus.txt"), r"utf16\.txt:1: file is UTF-16"),
    "--keywords binary": (_user("binary.txt", "corpus.txt"), r"binary\.txt:1: binary file"),
    "--keywords deeply nested JSON": (_user("deep.json", "corpus.txt"), r"deep\.json:1: "),
    "--keywords missing": (_user("missing", "corpus.txt"),
                           r"--keywords .*nope\.txt: No such file"),
    "--keywords FOLDER": (_user("dir", "corpus.txt"), r"--keywords .*folder: a folder"),
    "--keywords FIFO (would block)": (_user("fifo", "corpus.txt"), r"--keywords .*fifo: a FIFO"),
    "--keywords /dev/zero": (lambda f: ["bench", "--keywords", "/dev/zero", "--corpus",
                                        str(f["corpus.txt"]), *QUICK],
                             r"--keywords /dev/zero: a device"),
    "--keywords empty": (_user("empty.txt", "corpus.txt"), r"empty\.txt: no keywords"),
    "--keywords only a comment": (_user("comments.txt", "corpus.txt"),
                                  r"comments\.txt: no keywords"),
    "--keywords without --corpus": (lambda f: ["bench", "--keywords", str(f["kw.txt"]), *QUICK],
                                    r"--keywords and --corpus go together"),
    # --corpus
    "--corpus GBK": (_user("kw.txt", "gbk.txt"), r"gbk\.txt:1: not UTF-8"),
    "--corpus UTF-16": (_user("kw.txt", "utf16.txt"), r"utf16\.txt:1: not UTF-8"),
    "--corpus binary": (_user("kw.txt", "binary.txt"), r"binary\.txt:\d+: not UTF-8"),
    "--corpus missing": (_user("kw.txt", "missing"), r"--corpus .*nope\.txt: No such file"),
    "--corpus FOLDER": (_user("kw.txt", "dir"), r"--corpus .*folder: a folder"),
    "--corpus FIFO (would block)": (_user("kw.txt", "fifo"), r"--corpus .*fifo: a FIFO"),
    "--corpus empty": (_user("kw.txt", "empty.txt"), r"empty\.txt: no messages"),
    "--corpus blank lines": (_user("kw.txt", "blank.txt"), r"blank\.txt: no messages"),
    "--max-messages 0": (_user("kw.txt", "corpus.txt", "--max-messages", "0"),
                         r"argument --max-messages: must be >= 1, got 0"),
    "--max-messages -3": (_user("kw.txt", "corpus.txt", "--max-messages", "-3"),
                          r"argument --max-messages: must be >= 1"),
    # --compare
    "--compare GBK": (_compare("gbk.txt"), r"gbk\.txt: not UTF-8"),
    "--compare binary": (_compare("binary.txt"), r"binary\.txt: not UTF-8"),
    "--compare deeply nested list": (_compare("deep.json"), r"deep\.json: JSON nested too deeply"),
    "--compare deeply nested object": (_compare("deepobj.json"),
                                       r"deepobj\.json: JSON nested too deeply"),
    "--compare not a run": (_compare("notrun.json"), r"notrun\.json: .*schema"),
    "--compare a list": (_compare("list.json"), r"list\.json: not a benchmark run"),
    "--compare not JSON": (_compare("notjson.json"), r"notjson\.json: not JSON"),
    "--compare missing": (_compare("missing"), r"--compare .*nope\.txt: No such file"),
    "--compare FOLDER": (_compare("dir"), r"--compare .*folder: a folder"),
    "--compare FIFO (would block)": (_compare("fifo"), r"--compare .*fifo: a FIFO"),
    # option values
    "--repeats 0": (_opt("--repeats", "0"), r"argument --repeats: must be >= 1, got 0"),
    "--budget nan": (_opt("--budget", "nan"), r"argument --budget: must be a finite number"),
    "--budget -5": (_opt("--budget", "-5"), r"argument --budget: must be > 0"),
    "--budget 0": (_opt("--budget", "0"), r"argument --budget: must be > 0"),
    "--tolerance nan": (_opt("--tolerance", "nan"), r"argument --tolerance: must be a finite"),
    "--tolerance -1": (_opt("--tolerance", "-1"), r"argument --tolerance: must be >= 0"),
    "--tolerance 1": (_opt("--tolerance", "1"), r"--tolerance must be in \[0, 1\), got 1"),
    "--contender nope": (_opt("--contender", "nope"), r"unknown bench contender 'nope'"),
    "--reference nope": (_opt("--reference", "nope"), r"unknown text contender 'nope'"),
    "--out FILE": (_opt("--out", "afile"), r"--out .*afile: is not a folder"),
    "--out FILE/sub": (lambda f: ["bench", *QUICK, "--out", str(f["afile"] / "sub")],
                       r"--out .*afile/sub: is inside .*afile, which is not a folder"),
    "--save-baseline FOLDER": (_opt("--save-baseline", "dir"),
                               r"--save-baseline .*folder: is a folder, not a file"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_bench_input(case: str, bad_input: BadInput, f: dict[str, Path]) -> None:
    """Issue 10, "No raw tracebacks", for ``censorsim bench`` with bad ``--keywords``,
    ``--corpus`` and ``--compare`` files and option values: the id is the reproducer
    (``censorsim bench <id>``; ``--compare`` with a GBK or binary file was a raw
    ``UnicodeDecodeError``, a FIFO hung, ``--out FILE`` failed only after the whole run,
    ``--repeats 0``, ``--budget nan`` and ``--contender nope`` ran on silently). Exit 2,
    one ``censorsim bench: error:`` line naming the file or option, inputs unchanged."""
    argv, expect = CASES[case]
    inputs = [p for p in f.values() if p.is_file()]
    bad_input(argv(f), expect=expect, inputs=inputs)


def test_good_files_still_run(run_cli: RunCli, f: dict[str, Path], tmp_path: Path) -> None:
    """The checks refuse nothing valid: a user's keywords and corpus run, the result is
    saved into a new folder and as a baseline, and that baseline is read back by
    ``--compare``."""
    out, base = tmp_path / "new" / "results", tmp_path / "base.json"
    one = ["--suite", "text", "--quiet", "--no-plots", "--contender", "pyahocorasick"]
    first = run_cli(["bench", "--keywords", str(f["kw.txt"]), "--corpus", str(f["corpus.txt"]),
                     *one, "--out", str(out), "--save-baseline", str(base)])
    assert first.code == 0, first.err
    assert (out / "bench-quick.json").is_file() and (out / "bench-quick.md").is_file()
    second = run_cli(["bench", "--keywords", str(f["kw.txt"]), "--corpus",
                      str(f["corpus.txt"]), *one, "--compare", str(base)])
    assert second.code == 0, second.err
