"""Bad inputs to ``simulate``, ``report`` and ``demo``: exit 2, one named error, inputs intact.

Issue 10, "No raw tracebacks": deeply nested TOML configs and policies, corrupted,
read-only and full SQLite logs, config values out of range (``inf``, ``1e9`` hours,
``users = 2e8``, negative seeds and pauses, a date in year 9999), an export into a
missing folder and an ``--out`` that is a file. Each row of a table is one reproducer;
hypothesis fuzzes the config, policy and log readers.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from censorsim.errors import CensorsimError
from censorsim.policy import load_policy
from censorsim.simulate import (
    Simulation,
    SimulationConfig,
    compute_metrics,
    export_log,
    load_config,
    read_log,
)
from tests.robustness.conftest import BadInput, RunCli

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "samples/corpus"


def _config(tmp_path: Path, body: str, name: str = "c.toml") -> Path:
    """A small config file: ``body`` goes first, then a corpus and no images."""
    path = tmp_path / name
    path.write_text(f'{body}\n[messages]\ncorpus = "{CORPUS}"\nimage_share = 0.0\n'
                    '[images]\ndir = ""\n', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete small decision log (do not modify; copy it)."""
    db = tmp_path_factory.mktemp("log") / "good.db"
    Simulation(SimulationConfig(seed=1, messages=1000, batch_size=250, users=20,
                                image_share=0.0, images=None)).run(db)
    return db


# ------------------------------------------------------------- config values, simulate

_NESTED = "x = " + "[" * 5000 + "]" * 5000

CONFIG_CASES = [
    # (id, [simulation]/[users] body, expected message)
    ("nested", _NESTED, r"c\.toml: malformed TOML \(nested too deeply\)"),
    ("seed-negative", "[simulation]\nseed = -1", r"c\.toml: .*seed must be between 0"),
    ("seed-inf", "[simulation]\nseed = inf", r"c\.toml: .*seed must be an integer"),
    ("seed-fraction", "[simulation]\nseed = 1.5", r"c\.toml: .*seed must be an integer"),
    ("hours-huge", "[simulation]\nduration_hours = 1e9", r"c\.toml: .*duration_hours"),
    ("hours-inf", "[simulation]\nduration_hours = inf", r"c\.toml: .*duration_hours"),
    ("hours-nan", "[simulation]\nduration_hours = nan", r"c\.toml: .*duration_hours"),
    ("hours-zero", "[simulation]\nduration_hours = 0", r"c\.toml: .*duration must be more"),
    ("messages-inf", "[simulation]\nmessages = inf", r"c\.toml: .*messages must be an integer"),
    ("messages-negative", "[simulation]\nmessages = -5", r"c\.toml: .*messages must be between"),
    ("batch-huge", "[simulation]\nbatch_size = 1e12", r"c\.toml: .*batch_size must be between"),
    ("pause-negative", "[simulation]\nbatch_pause = -1", r"c\.toml: .*batch_pause"),
    ("pause-inf", "[simulation]\nbatch_pause = inf", r"c\.toml: .*batch_pause"),
    ("year-9999", "[simulation]\nstart = 9999-12-31T00:00:00",
     r"c\.toml: .*time span .* must lie between"),
    ("start-time-only", "[simulation]\nstart = 07:32:00", r"c\.toml: .*start must be a date"),
    ("start-garbage", "[simulation]\nstart = 'soon'", r"c\.toml: .*start must be a date"),
    ("users-2e8", "[users]\ncount = 2e8", r"c\.toml: .*users must be between 1 and 1000000"),
    ("users-zero", "[users]\ncount = 0", r"c\.toml: .*users must be between"),
    ("sigma-inf", "[users]\nactivity_sigma = inf", r"c\.toml: .*activity_sigma"),
    ("region-share-nan", "[users]\nregions = { mainland = nan }",
     r"c\.toml: .*regions share of"),
    ("region-share-inf", "[users]\nregions = { mainland = inf, international = 1 }",
     r"c\.toml: .*regions share of"),
    ("binary", "\0\xff", r"c\.toml:1: malformed TOML"),
]


@pytest.mark.parametrize(("body", "expect"), [c[1:] for c in CONFIG_CASES],
                         ids=[c[0] for c in CONFIG_CASES])
def test_simulate_bad_config_values(
    bad_input: BadInput, tmp_path: Path, body: str, expect: str
) -> None:
    """A config value out of range is one ``simulate: error: FILE: problem`` line, found
    before anything is written (no log file appears)."""
    cfg = _config(tmp_path, body)
    db = tmp_path / "run.db"
    bad_input(["simulate", str(cfg), "--db", str(db)], expect=expect, inputs=[cfg])
    assert not db.exists()


def test_simulate_nested_policy_file(bad_input: BadInput, tmp_path: Path) -> None:
    """A deeply nested policy TOML was a RecursionError traceback."""
    policy = tmp_path / "p.toml"
    policy.write_text("[policy]\nname = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    cfg = _config(tmp_path, '[policy]\nfile = "p.toml"')
    bad_input(["simulate", str(cfg), "--db", str(tmp_path / "r.db")],
              expect=r"p\.toml: malformed TOML \(nested too deeply\)", inputs=[cfg, policy])


POLICY_CASES = [
    ("delay-inf", "[policy]\nanalysis_delay_seconds = inf", r"analysis_delay_seconds"),
    ("delay-negative", "[policy]\nanalysis_delay_seconds = -5", r"analysis_delay_seconds"),
    ("radius-huge", "[images]\nradius = 1e300", r"\[images\] radius"),
    ("threshold-nan", "[images]\nthresholds = { a = nan }", r"thresholds"),
    ("knots-inf", "[deletion]\nknots = [[60, 0.0], [inf, 1.0]]", r"knots must be finite"),
    ("knots-huge", "[deletion]\nknots = [[60, 0.0], [1e12, 1.0]]", r"within"),
]


@pytest.mark.parametrize(("body", "expect"), [c[1:] for c in POLICY_CASES],
                         ids=[c[0] for c in POLICY_CASES])
def test_simulate_bad_policy_values(
    bad_input: BadInput, tmp_path: Path, body: str, expect: str
) -> None:
    """Policy values out of range were OverflowError tracebacks or nonsense delays."""
    policy = tmp_path / "p.toml"
    policy.write_text(body + "\n[surfaces.chat]\n", encoding="utf-8")
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[policy]\nfile = "p.toml"\n[messages]\ncorpus = "{CORPUS}"\n'
                   'image_share = 0.0\nsurfaces = { chat = 1.0 }\n[images]\ndir = ""\n',
                   encoding="utf-8")
    bad_input(["simulate", str(cfg), "--db", str(tmp_path / "r.db")],
              expect=rf"p\.toml.*{expect}", inputs=[cfg, policy])


# ------------------------------------------------------------------ logs, simulate


def _foreign(tmp_path: Path) -> Path:
    path = tmp_path / "foreign.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.execute("INSERT INTO t VALUES (1)")
    con.commit()
    con.close()
    return path


def _corrupt(log: Path, tmp_path: Path) -> Path:
    data = bytearray(log.read_bytes())
    for i in range(4096, len(data), 7):  # everything after the first page
        data[i] = 0xA5
    path = tmp_path / "corrupt.db"
    path.write_bytes(bytes(data))
    return path


def test_simulate_onto_files_that_are_not_logs(
    bad_input: BadInput, tmp_path: Path, log: Path
) -> None:
    """``--db`` naming a foreign database, junk, a corrupted log or a folder: refused,
    byte for byte unchanged, also with ``--overwrite`` (which replaces logs only)."""
    cfg = _config(tmp_path, "[simulation]\nmessages = 500\nbatch_size = 250")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    cases = [
        (_foreign(tmp_path), r"foreign\.db: not a censorsim decision log", True),
        (junk, r"junk\.db: not a censorsim decision log", True),
        # A damaged log is still a log: --overwrite may replace it, a resume may not.
        (_corrupt(log, tmp_path), r"corrupt\.db: .*(corrupted|not a censorsim)", False),
    ]
    for db, expect, protected in cases:
        for extra in ([], ["--overwrite"]) if protected else ([],):
            bad_input(["simulate", str(cfg), "--db", str(db), *extra], expect=expect,
                      inputs=[db, cfg])
    folder = tmp_path / "folder.db"
    folder.mkdir()
    bad_input(["simulate", str(cfg), "--db", str(folder)], expect=r"folder\.db: not a file")
    bad_input(["simulate", str(cfg), "--db", str(tmp_path / "no/such/x.db")],
              expect=r"x\.db: folder .* does not exist")


def test_simulate_bad_arguments(bad_input: BadInput, tmp_path: Path, log: Path) -> None:
    """``--export`` into a missing folder (found before the run), ``--export`` onto the
    log itself, a negative ``--max-batches``."""
    cfg = _config(tmp_path, "[simulation]\nmessages = 500\nbatch_size = 250")
    db = tmp_path / "r.db"
    bad_input(["simulate", str(cfg), "--db", str(db), "--export", str(tmp_path / "no/x.csv")],
              expect=r"x\.csv: cannot export: folder .* does not exist", inputs=[cfg])
    assert not db.exists()
    bad_input(["simulate", str(cfg), "--db", str(db), "--max-batches", "-1"],
              expect=r"max_batches must be >= 0")
    same = tmp_path / "same.csv"
    bad_input(["simulate", str(cfg), "--db", str(same), "--export", str(same)],
              expect=r"same\.csv: cannot export a log onto itself")


_FULL_SCRIPT = """
import resource, sys
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), int(sys.argv[3])))
from censorsim.cli import main
sys.exit(main(["simulate", sys.argv[1], "--db", sys.argv[2], "--quiet"]))
"""


def test_simulate_on_a_full_disk(tmp_path: Path) -> None:
    """A full disk (a file-size limit: SQLite cannot grow the log) was a raw
    ``sqlite3.OperationalError``. Now: exit 2 naming the log; the batches committed
    before stay, and the run resumes to a log equal to an uninterrupted one."""
    cfg = _config(tmp_path, "[simulation]\nmessages = 6000\nbatch_size = 500\n"
                            "[users]\ncount = 20")
    db = tmp_path / "full.db"
    result = subprocess.run(
        [sys.executable, "-c", _FULL_SCRIPT, str(cfg), str(db), str(300_000)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300, check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"censorsim simulate: error: {db}: cannot write")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    committed = con.execute("SELECT COUNT(*), SUM(messages) FROM batches").fetchone()
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    assert 0 < committed[0] < 12
    config = load_config(cfg)
    resumed = Simulation(config).run(db)
    assert resumed.complete and resumed.resumed_from == committed[1]
    reference = tmp_path / "ref.db"
    Simulation(config).run(reference)
    a, b = sqlite3.connect(db), sqlite3.connect(reference)
    q = "SELECT * FROM decisions ORDER BY message_id"
    assert a.execute(q).fetchall() == b.execute(q).fetchall()
    a.close()
    b.close()


_WRITE_RO_SCRIPT = """
import sys
from censorsim.cli import main
sys.exit(main(["simulate", sys.argv[1], "--db", sys.argv[2], "--quiet"]))
"""


def test_simulate_resume_on_a_read_only_log(tmp_path: Path) -> None:
    """Resuming a log on read-only storage: exit 2 "read-only", not a traceback (run as
    ``nobody`` when the suite runs as root, which ignores file modes)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="censorsim-ro-"))
    try:
        cfg = _config(folder, "[simulation]\nmessages = 1000\nbatch_size = 250\n"
                              "[users]\ncount = 20")
        db = folder / "r.db"
        Simulation(load_config(cfg)).run(db, max_batches=1)
        before = db.read_bytes()
        db.chmod(0o444)
        cfg.chmod(0o444)
        folder.chmod(0o555)
        kwargs: dict[str, object] = {"user": 65534} if os.geteuid() == 0 else {}
        result = subprocess.run(
            [sys.executable, "-c", _WRITE_RO_SCRIPT, str(cfg), str(db)], capture_output=True,
            text=True, env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": "/tmp"},
            timeout=300, check=False, **kwargs,  # type: ignore[arg-type]
        )
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith("censorsim simulate: error: ")
        assert f"{db}: cannot write the decision log" in result.stderr
        assert "read-only" in result.stderr
        assert db.read_bytes() == before
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


# ------------------------------------------------------------------------- report


def test_report_bad_logs(bad_input: BadInput, tmp_path: Path, log: Path) -> None:
    """``report`` on a foreign database, an empty file, junk, a corrupted log, a folder
    or a missing file: exit 2 saying what is wrong; nothing is written to the input."""
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(3000))
    folder = tmp_path / "dir.db"
    folder.mkdir()
    cases = [
        (_foreign(tmp_path), r"foreign\.db: not a censorsim decision log \(no schema_version"),
        (empty, r"empty\.db: not a censorsim decision log \(an empty file\)"),
        (junk, r"junk\.db: not a censorsim decision log"),
        (_corrupt(log, tmp_path), r"corrupt\.db: .*(corrupted|not a censorsim)"),
        (folder, r"dir\.db: not a file"),
        (tmp_path / "none.db", r"none\.db: decision log not found"),
    ]
    for db, expect in cases:
        out = tmp_path / f"{db.name}-out"
        bad_input(["report", str(db), "--out", str(out), "--no-plots"], expect=expect,
                  inputs=[db] if db.is_file() else [])
        assert not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--window", "0"], r"--window must be a positive number of minutes, got 0"),
        (["--window", "nan"], r"--window must be a positive number of minutes, got nan"),
        (["--window", "-5"], r"--window must be a positive number of minutes"),
        (["--window", "inf"], r"--window must be a positive number of minutes"),
        (["--export", "{tmp}/no/x.csv"], r"x\.csv: cannot export: folder .* does not exist"),
        (["--export", "{tmp}"], r"cannot export: it is a folder"),
        (["--export", "{tmp}/x.xlsx"], r"unknown export format 'xlsx'"),
        (["--out", "{file}"], r"afile\.txt: the report's output folder is a file"),
    ],
    ids=["window-0", "window-nan", "window-negative", "window-inf", "export-missing-folder",
         "export-folder", "export-format", "out-is-a-file"],
)
def test_report_bad_arguments(
    bad_input: BadInput, tmp_path: Path, log: Path, args: list[str], expect: str
) -> None:
    """Bad ``report`` arguments: exit 2 naming the argument; the log is unchanged."""
    afile = tmp_path / "afile.txt"
    afile.write_text("keep me\n", encoding="utf-8")
    argv = [a.format(tmp=tmp_path, file=afile) for a in args]
    bad_input(["report", str(log), "--no-plots", "--out", str(tmp_path / "rep"), *argv],
              expect=expect, inputs=[log, afile])


# --------------------------------------------------------------------------- demo


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--out", "{file}"], r"afile\.txt: --out must be a folder, but it is a file"),
        (["--messages", "-5"], r"messages must be between 0"),
        (["--users", "0"], r"users must be between 1"),
        (["--users", "200000000"], r"users must be between 1 and 1000000"),
        (["--seed", "-1"], r"seed must be between 0"),
    ],
    ids=["out-is-a-file", "messages-negative", "users-zero", "users-2e8", "seed-negative"],
)
def test_demo_bad_arguments(
    bad_input: BadInput, tmp_path: Path, args: list[str], expect: str
) -> None:
    """Bad ``demo`` arguments: exit 2, and an ``--out`` file is left as it was."""
    afile = tmp_path / "afile.txt"
    afile.write_text("keep me\n", encoding="utf-8")
    argv = [a.format(file=afile) for a in args]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "demo")]
    bad_input(["demo", "--no-plots", *argv], expect=expect, inputs=[afile])


def test_demo_refuses_to_overwrite_a_foreign_demo_db(bad_input: BadInput, tmp_path: Path) -> None:
    """``demo --out D`` overwrites ``D/demo.db`` only if it is a decision log."""
    out = tmp_path / "d"
    out.mkdir()
    precious = _foreign(tmp_path)
    (out / "demo.db").write_bytes(precious.read_bytes())
    bad_input(["demo", "--out", str(out), "--messages", "500", "--no-plots"],
              expect=r"demo\.db: not a censorsim decision log", inputs=[out / "demo.db"])


# ----------------------------------------------------------------- progress output


def test_progress_bar_only_on_a_terminal(run_cli: RunCli, tmp_path: Path) -> None:
    """``simulate`` writes a progress bar only when stderr is a terminal: captured
    (a file, a pipe) it writes nothing there; on a pseudo-terminal it draws one."""
    import fcntl
    import pty
    import struct
    import termios

    cfg = _config(tmp_path, "[simulation]\nmessages = 1000\nbatch_size = 250\n"
                            "[users]\ncount = 20")
    outcome = run_cli(["simulate", str(cfg), "--db", str(tmp_path / "a.db")])
    assert outcome.code == 0 and outcome.err == ""
    leader, follower = pty.openpty()
    # A new pseudo-terminal is 0 columns wide; tqdm draws nothing in 0 columns.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "censorsim", "simulate", str(cfg), "--db",
             str(tmp_path / "b.db")],
            stdout=subprocess.DEVNULL, stderr=follower,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        os.close(follower)
        chunks = []
        while True:  # until the child closes the terminal (EIO)
            try:
                data = os.read(leader, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=300)
    finally:
        os.close(leader)
    assert proc.returncode == 0
    assert b"msg" in b"".join(chunks)


# ------------------------------------------------------------------------ fuzzing

_values = st.one_of(
    st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8), st.booleans(), st.just("2020-02-01T00:00:00"),
)
_keys = {
    "simulation": ["seed", "start", "duration_hours", "messages", "batch_size", "batch_pause"],
    "users": ["count", "activity_sigma"],
    "messages": ["sensitive_share", "generated_share", "image_share"],
    "images": ["radius"],
}


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(v), repr(v))
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').encode(
            "ascii", "backslashreplace").decode().replace("\\x", "\\u00") + '"'
    return str(v)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(
    st.sampled_from([(s, k) for s, ks in _keys.items() for k in ks]), _values, max_size=5))
def test_fuzz_config_values(tmp_path: Path, values: dict[tuple[str, str], object]) -> None:
    """Any value for any config key: a config, or a SimulationError naming the file."""
    sections: dict[str, list[str]] = {}
    for (section, key), v in values.items():
        sections.setdefault(section, []).append(f"{key} = {_toml_value(v)}")
    text = "\n".join(f"[{s}]\n" + "\n".join(lines) for s, lines in sections.items())
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    try:
        config = load_config(path)
    except CensorsimError as exc:
        assert str(path) in str(exc)
    else:
        config.to_json()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8")))
def test_fuzz_config_and_policy_readers_on_any_bytes(tmp_path: Path, data: bytes) -> None:
    """Any bytes as a config or a policy file: a result or a CensorsimError, nothing else."""
    path = tmp_path / "any.toml"
    path.write_bytes(data)
    for read in (load_config, load_policy):
        try:
            read(path)
        except CensorsimError as exc:
            assert str(path) in str(exc)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzz_log_reader_on_damaged_logs(
    tmp_path: Path, log: Path, data: st.DataObject
) -> None:
    """A log with random bytes overwritten or cut off: metrics, a DataFrame (pandas) and
    an export, or a SimulationError naming it (never a raw sqlite3 or pandas error); the
    damaged file is not written to."""
    raw = bytearray(log.read_bytes())
    cut = data.draw(st.integers(0, len(raw)), label="length")
    raw = raw[:cut]
    for _ in range(data.draw(st.integers(0, 20), label="edits")):
        if raw:
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    path = tmp_path / "damaged.db"
    path.write_bytes(bytes(raw))
    out = tmp_path / "damaged.csv"
    for read in (compute_metrics, read_log, lambda p: export_log(p, out)):
        try:
            read(path)
        except CensorsimError as exc:
            assert str(path) in str(exc)
    assert path.read_bytes() == bytes(raw)
    assert not list(tmp_path.glob(".damaged.csv.*"))  # no partial export left behind
