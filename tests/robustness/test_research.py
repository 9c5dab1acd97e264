"""Bad input to ``censorsim evade`` and ``censorsim probe``: one named error, exit 2.

Each row of a table is one bad input, with the reproducer in its id and the error the
command must print (file, line or option, and the problem). Every case also checks that
no input file changed and no traceback was printed (``bad_input`` in conftest).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from censorsim.errors import InputError, ParameterError
from censorsim.models import Rule
from censorsim.research import (
    load_article,
    load_matrix_json,
    load_texts,
    make_articles,
    text_matrix,
    validate_probing,
)
from tests.robustness.conftest import BadInput, RunCli

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "wordlists" / "wechat-combinations.csv"
ARTICLE = "今天习近平说要三连任，我们去吃饭"

# name -> bytes of a bad text file
BAD_TEXT_FILES: dict[str, bytes] = {
    "gbk.txt": "法轮功\n六四学生\n".encode("gbk"),
    "utf16.txt": "法轮功\n".encode("utf-16"),
    "binary.txt": bytes(range(256)) * 4,
    "nul.txt": "第一行\n第二\0行\n".encode(),
    "latin1.txt": "ok line\ncaf\xe9\n".encode("latin-1"),
}
# name -> the error expected for it (file and line)
BAD_TEXT_EXPECT: dict[str, str] = {
    "gbk.txt": r"gbk\.txt:1: not UTF-8",
    "utf16.txt": r"utf16\.txt:1: file is UTF-16",
    "binary.txt": r"binary\.txt:1: binary data: NUL byte",
    "nul.txt": r"nul\.txt:2: binary data: NUL byte at byte 7",
    "latin1.txt": r"latin1\.txt:2: not UTF-8",
}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Bad and good inputs in ``tmp_path``."""
    out = {}
    for name, data in BAD_TEXT_FILES.items():
        out[name] = tmp_path / name
        out[name].write_bytes(data)
    good = tmp_path / "corpus.txt"
    good.write_text("今天习近平说要三连任\n法轮功好\n", encoding="utf-8")
    out["corpus"] = good
    out["afile"] = tmp_path / "afile"
    out["afile"].write_text("x", encoding="utf-8")
    out["empty"] = tmp_path / "empty.txt"
    out["empty"].write_bytes(b"")
    out["blank"] = tmp_path / "blank.txt"
    out["blank"].write_text("\n  \n", encoding="utf-8")
    out["long"] = tmp_path / "long.txt"
    out["long"].write_bytes(b"x" * ((1 << 20) + 5) + b"\n")
    out["fifo"] = tmp_path / "fifo"
    os.mkfifo(out["fifo"])
    out["dir"] = tmp_path / "folder"
    out["dir"].mkdir()
    img = tmp_path / "img.png"
    a = np.zeros((40, 60, 3), dtype=np.uint8)
    a[:, 30:] = 255
    a[10:20, 5:15] = 128
    Image.fromarray(a).save(img)
    out["img"] = img
    out["notimg"] = tmp_path / "bad.jpg"
    out["notimg"].write_bytes(b"not an image at all")
    out["truncated"] = tmp_path / "cut.png"
    out["truncated"].write_bytes(img.read_bytes()[:60])
    out["linkdir"] = tmp_path / "with-link"
    out["linkdir"].mkdir()
    (out["linkdir"] / "a.png").write_bytes(img.read_bytes())
    (out["linkdir"] / "gone.jpg").symlink_to(tmp_path / "missing.jpg")
    out["deep"] = tmp_path / "deep.json"
    out["deep"].write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    return out


Argv = Callable[[dict[str, Path], Path], list[str]]
Inputs = Callable[[dict[str, Path]], list[Path]]
Case = tuple[Argv, str, Inputs]


def _evade_text(corpus: str, *extra: str) -> Argv:
    return lambda f, out: ["evade", "text", "-t", "noop", "-p", "identity", "--no-plot",
                           "--corpus", str(f[corpus]), "-o", str(out),
                           *(str(f[a]) if a in f else a for a in extra)]


def _images(*args: str, out: str | None = None) -> Argv:
    return lambda f, o: ["evade", "images", *(str(f[a]) if a in f else a for a in args),
                         "-t", "noop", "-d", "phash=8", "--no-plot",
                         "-o", str(f[out]) if out else str(o)]


def _isolate(*args: str) -> Argv:
    return lambda f, o: ["probe", "isolate", "-r", str(RULES),
                         *(str(f[a]) if a in f else a for a in args)]


def _validate(*args: str) -> Argv:
    return lambda f, o: ["probe", "validate", "-r", str(RULES), "--articles", "2",
                         "--length", "50", "--no-plot",
                         *(str(f[a]) if a in f else a for a in args),
                         *([] if "-o" in args else ["-o", str(o)])]


def _none(f: dict[str, Path]) -> list[Path]:
    return [f["corpus"]]


def _all(f: dict[str, Path]) -> list[Path]:
    return [p for p in f.values() if p.is_file()]


CASES: dict[str, Case] = {
    # --- evade text: corpus files
    **{f"evade text --corpus {name}": (_evade_text(name), BAD_TEXT_EXPECT[name], _all)
       for name in BAD_TEXT_FILES},
    "evade text --corpus missing": (
        lambda f, o: ["evade", "text", "--corpus", str(o.parent / "nope.txt"), "-o", str(o)],
        r"nope\.txt: cannot read: No such file", _none),
    "evade text --corpus FOLDER": (
        _evade_text("dir"), r"folder: not a regular file \(a directory\)", _none),
    "evade text --corpus FIFO (would block)": (
        _evade_text("fifo"), r"fifo: not a regular file \(a FIFO\)", _none),
    "evade text --corpus /dev/zero (never ends)": (
        lambda f, o: ["evade", "text", "--corpus", "/dev/zero", "-o", str(o)],
        r"/dev/zero: not a regular file \(a character device\)", _none),
    "evade text --corpus with a 1 MiB line": (_evade_text("long"), r"long\.txt:1: line is longer",
                                              _none),
    "evade text --corpus none censored": (_evade_text("blank"), r"none of the 0 texts", _none),
    "evade text -r deeply nested JSON": (_evade_text("corpus", "-r", "deep"), r"deep\.json",
                                         _all),
    "evade text --out FILE": (
        lambda f, o: ["evade", "text", "--corpus", str(f["corpus"]), "-o", str(f["afile"])],
        r"--out .*afile: is not a folder", _all),
    "evade text --out FILE/sub": (
        lambda f, o: ["evade", "text", "--corpus", str(f["corpus"]), "-o", str(f["afile"] / "x")],
        r"--out .*afile/x: is inside .*afile, which is not a folder", _all),
    "evade text --strength nan": (_evade_text("corpus", "--strength", "nan"),
                                  r"argument --strength: must be a finite number", _none),
    "evade text --strength 2": (_evade_text("corpus", "--strength", "2"),
                                r"argument --strength: must be <= 1", _none),
    "evade text -p nope": (
        _evade_text("corpus", "-p", "nope"), r"unknown normalisation step 'nope'", _none),
    # --- evade images
    "evade images --workers 0": (_images("img", "--workers", "0"),
                                 r"argument --workers: must be >= 1, got 0", _all),
    "evade images --workers -2": (_images("img", "--workers", "-2"),
                                  r"argument --workers: must be >= 1", _all),
    "evade images --out FILE": (
        _images("img", out="afile"), r"--out .*afile: is not a folder", _all),
    "evade images not an image": (_images("notimg"), r"bad\.jpg: ", _all),
    "evade images truncated PNG": (_images("truncated"), r"cut\.png: ", _all),
    "evade images missing file": (_images("nope.png"), r"nope\.png: cannot read", _all),
    "evade images FIFO (would block)": (_images("fifo"), r"fifo: not a regular file", _all),
    "evade images /dev/zero (never ends)": (_images("/dev/zero"), r"/dev/zero: not a regular file",
                                            _all),
    "evade images empty folder": (_images("dir"), r"no images", _all),
    "evade images folder with a dangling link": (
        _images("linkdir"), r"gone\.jpg: dangling symbolic link", _all),
    "evade images -d phash=nan": (
        lambda f, o: ["evade", "images", str(f["img"]), "-d", "phash=nan", "-o", str(o)],
        r"detector 'phash=nan': thresholds must be integers", _all),
    "evade images -d phash=-1": (
        lambda f, o: ["evade", "images", str(f["img"]), "-d", "phash=-1", "-o", str(o)],
        r"give thresholds >= 0", _all),
    "evade images -d phash=99999": (
        lambda f, o: ["evade", "images", str(f["img"]), "-d", "phash=99999", "-o", str(o)],
        r"threshold 99999 exceeds the 64 bits", _all),
    "evade images --citizenlab missing": (
        _images("img", "--citizenlab", "nowhere"),
        r"filtered-duplicates\.txt: cannot read the sliding-window results: no such file", _all),
    # --- probe isolate
    "probe isolate --separator ''": (_isolate("--separator", "", ARTICLE),
                                     r"separator '': must not be empty", _none),
    "probe isolate --separator NEWLINE (the normaliser removes it)": (
        _isolate("--separator", "\n", ARTICLE),
        r"separator '\\n': the censor's normaliser 'default' removes it", _none),
    "probe isolate --separator 习 (a keyword contains it)": (
        _isolate("--separator", "习", ARTICLE), r"separator '习': keyword '习近平' contains '习'",
        _none),
    "probe isolate --budget -5": (_isolate("--budget", "-5", ARTICLE),
                                  r"argument --budget: must be >= 0, got -5", _none),
    "probe isolate --budget nan": (_isolate("--budget", "nan", ARTICLE),
                                   r"argument --budget: expected an integer", _none),
    **{f"probe isolate --file {name}": (_isolate("--file", name), BAD_TEXT_EXPECT[name], _all)
       for name in BAD_TEXT_FILES},
    "probe isolate --file FOLDER": (
        _isolate("--file", "dir"), r"folder: not a regular file", _none),
    "probe isolate --file FIFO (would block)": (_isolate("--file", "fifo"),
                                                r"fifo: not a regular file \(a FIFO\)", _none),
    "probe isolate --file /dev/zero (never ends)": (_isolate("--file", "/dev/zero"),
                                                    r"/dev/zero: not a regular file", _none),
    "probe isolate --file empty": (_isolate("--file", "empty"), r"empty\.txt: no text", _none),
    "probe isolate --file missing": (_isolate("--file", "nope.txt"),
                                     r"nope\.txt: cannot read: No such file", _none),
    "probe isolate text and --file": (_isolate("--file", "corpus", ARTICLE),
                                      r"give a text or --file, not both", _none),
    "probe isolate -r GBK rules": (
        lambda f, o: ["probe", "isolate", "-r", str(f["gbk.txt"]), ARTICLE],
        r"gbk\.txt:1: invalid UTF-8", _all),
    "probe isolate -r deeply nested JSON": (
        lambda f, o: ["probe", "isolate", "-r", str(f["deep"]), ARTICLE], r"deep\.json", _all),
    "probe isolate -n nope": (
        _isolate("-n", "nope", ARTICLE), r"unknown normalisation step", _none),
    # --- probe validate
    "probe validate --articles 0": (_validate("--articles", "0"),
                                    r"argument --articles: must be >= 1, got 0", _none),
    "probe validate --length -5": (_validate("--length", "-5"),
                                   r"argument --length: must be >= 0", _none),
    "probe validate --max-rules 0": (_validate("--max-rules", "0"),
                                     r"argument --max-rules: must be >= 1", _none),
    "probe validate --adjacent nan": (_validate("--adjacent", "nan"),
                                      r"argument --adjacent: must be a finite number", _none),
    "probe validate --adjacent 2": (_validate("--adjacent", "2"),
                                    r"argument --adjacent: must be <= 1", _none),
    "probe validate --out FILE": (
        _validate("-o", "afile"), r"--out .*afile: is not a folder", _all),
    "probe validate -r GBK rules": (
        lambda f, o: ["probe", "validate", "-r", str(f["gbk.txt"]), "-o", str(o)],
        r"gbk\.txt:1: invalid UTF-8", _all),
    "probe validate -r empty rules": (
        lambda f, o: ["probe", "validate", "-r", str(f["empty"]), "-o", str(o)],
        r"no rule to plant", _all),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_research_input(case: str, bad_input: BadInput, files: dict[str, Path],
                            tmp_path: Path) -> None:
    """Issue 10, "No raw tracebacks", for ``evade`` and ``probe``: the id is the
    reproducer (``censorsim <id>``); the command must exit 2 with one
    ``censorsim CMD: error:`` line naming the file, line or option and the problem,
    leave every input unchanged, and write nothing into ``--out``."""
    argv, expect, inputs = CASES[case]
    out = tmp_path / "out"
    bad_input(argv(files, out), expect=expect, inputs=inputs(files))
    assert not out.exists(), f"{case}: wrote {sorted(out.iterdir())}"


def test_existing_results_survive_a_failed_run(run_cli: RunCli, files: dict[str, Path],
                                               tmp_path: Path) -> None:
    """A run that fails leaves the matrix of an earlier run in ``--out`` as it was."""
    out = tmp_path / "results"
    ok = run_cli(["evade", "text", "-t", "noop", "-p", "identity", "--no-plot",
                  "--corpus", str(files["corpus"]), "-o", str(out)])
    assert ok.code == 0, ok.err
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = run_cli(["evade", "text", "--corpus", str(files["gbk.txt"]), "-o", str(out)])
    assert bad.code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_probe_isolate_picks_a_separator(run_cli: RunCli) -> None:
    """Issue 10, item 11: without ``--separator`` the CLI picks one the censor keeps and
    no keyword contains, and isolates the combination."""
    done = run_cli(["probe", "isolate", "-r", str(RULES), ARTICLE])
    assert done.code == 0, done.err
    assert done.out.startswith("习近平+三连任\t")


# ------------------------------------------------------------------ library readers


def test_library_readers_name_the_file(files: dict[str, Path]) -> None:
    """The readers behind the commands raise the named error, never a decoding error."""
    for name, expect in BAD_TEXT_EXPECT.items():
        with pytest.raises(InputError, match=expect):
            load_texts([files[name]])
        with pytest.raises(InputError, match=expect):
            load_article(files[name])
    with pytest.raises(InputError, match=r"corpus\.txt: too large \(44 bytes; the limit is 10\)"):
        load_article(files["corpus"], max_bytes=10)
    with pytest.raises(ParameterError, match="max_bytes"):
        load_article(files["corpus"], max_bytes=0)
    with pytest.raises(ParameterError, match=r"deep\.json: JSON nested too deeply"):
        load_matrix_json(files["deep"])
    with pytest.raises(ParameterError, match=r"gbk\.txt:1: not UTF-8"):
        load_matrix_json(files["gbk.txt"])
    with pytest.raises(ParameterError, match=r"fifo: not a regular file|fifo.*FIFO"):
        load_matrix_json(files["fifo"])


@pytest.mark.parametrize(("kwargs", "expect"), [
    ({"length": -1}, r"length must be an integer >= 0"),
    ({"max_rules": 0}, r"max_rules must be an integer >= 1"),
    ({"adjacent": math.nan}, r"adjacent must be a probability"),
    ({"repeat": 1.5}, r"repeat must be a probability"),
    ({"n": 0}, r"n must be an integer >= 1"),
])
def test_make_articles_checks_its_arguments(kwargs: dict[str, object], expect: str) -> None:
    """``probe validate --length -5`` used to run on and ``--max-rules 0`` ended in a raw
    ``ValueError: empty range for randrange()``: the library refuses them by name."""
    args: dict[str, object] = {"n": 2, **kwargs}
    n = args.pop("n")
    with pytest.raises(ParameterError, match=expect):
        make_articles([Rule.combination("六四+学生")], n, **args)  # type: ignore[arg-type]


def test_validate_probing_checks_separator_and_budget() -> None:
    rules = [Rule.combination("六四+学生")]
    with pytest.raises(ParameterError, match="keyword '六四' contains '六'"):
        validate_probing(rules, articles=1, separator="六")
    with pytest.raises(ParameterError, match="budget must be an integer >= 0"):
        validate_probing(rules, articles=1, budget=-5)


# ------------------------------------------------------------------ load_matrix_json fuzz

MATRIX = text_matrix(["六四的学生"], [Rule.combination("六四+学生")],
                     transforms=["noop", "spaces"], profiles=["identity", "default"]).to_json()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=3),
    max_leaves=12,
)


@st.composite
def mutated_matrices(draw: st.DrawFn) -> object:
    """The JSON of a real matrix with one value anywhere replaced by random JSON."""
    data = json.loads(json.dumps(MATRIX))
    paths: list[list[str | int]] = []

    def walk(node: object, at: list[str | int]) -> None:
        paths.append(at)
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, [*at, k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, [*at, i])

    walk(data, [])
    path = draw(st.sampled_from(paths))
    value = draw(json_values)
    if not path:
        return value
    node = data
    for key in path[:-1]:
        node = node[key]  # type: ignore[index]
    node[path[-1]] = value  # type: ignore[index]
    return data


def test_load_matrix_json_round_trip() -> None:
    assert load_matrix_json(json.loads(json.dumps(MATRIX))).to_json() == MATRIX


@settings(max_examples=300, deadline=None)
@given(mutated_matrices())
def test_load_matrix_json_fuzz_raises_only_parameter_error(data: object) -> None:
    """Issue 10: nested JSON in a matrix file (a list where a name or a count belongs,
    ``{"columns": [[...]]}`` used to be a raw ``TypeError: unhashable type``) gives
    ``ParameterError`` saying where, or a valid matrix; nothing else."""
    try:
        m = load_matrix_json(data)  # type: ignore[arg-type]
    except ParameterError as exc:
        assert str(exc).startswith("matrix")
    else:
        assert load_matrix_json(m.to_json()) == m


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_load_matrix_json_file_fuzz(tmp_path_factory: pytest.TempPathFactory,
                                    raw: bytes) -> None:
    """Any bytes as a matrix file: ``ParameterError`` naming the file, or a matrix."""
    path = tmp_path_factory.mktemp("m") / "matrix.json"
    path.write_bytes(raw)
    try:
        load_matrix_json(path)
    except ParameterError as exc:
        assert str(exc).startswith(str(path))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_load_texts_fuzz(tmp_path_factory: pytest.TempPathFactory, raw: bytes) -> None:
    """Any bytes as a corpus: the stripped UTF-8 lines, or ``InputError`` naming the file
    and line; no decoding error escapes and no line is changed."""
    path = tmp_path_factory.mktemp("t") / "corpus.txt"
    path.write_bytes(raw)
    try:
        texts = load_texts([path])
    except InputError as exc:
        assert str(exc).startswith(f"{path}:")
    else:
        body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
        expected = [s for line in body.decode("utf-8").split("\n")
                    if (s := line.rstrip("\r").strip()) and not s.startswith("#")]
        assert texts == expected
