"""Issue 10 (reliability) for the simulator, the policy and the decision log.

Each test is one item of the issue, with its reproducer in the docstring: resume refuses
changed inputs (1), one writer per log (2), read paths never write (3), one definition of
"censored" (9), and Policy/Censor under a ``spawn`` process pool (10).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from censorsim.errors import SimulationError
from censorsim.models import Action, Hit, Match, Rule, ScanResult
from censorsim.platforms import make_profile
from censorsim.policy import Censor, Decision, Message, Policy, Region, Surface, SurfacePolicy
from censorsim.simulate import (
    DecisionLog,
    Simulation,
    SimulationConfig,
    compute_metrics,
    load_config,
    open_log,
)
from censorsim.text.rules import RuleSet

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2020, 2, 1, 12)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = sqlite3.connect(db)
    try:
        return {
            t: con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            for t in ("run", "users", "batches", "contents", "outcomes", "messages",
                      "deletions")
        }
    finally:
        con.close()


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A private copy of the corpus, the images and a policy file with its rule file."""
    shutil.copytree(ROOT / "samples/corpus", tmp_path / "corpus")
    shutil.copytree(ROOT / "samples/images", tmp_path / "images")
    shutil.copy(ROOT / "wordlists/wechat-combinations.csv", tmp_path / "rules.csv")
    policy = (ROOT / "samples/configs/wechat-policy.toml").read_text(encoding="utf-8")
    policy = policy.replace("../../wordlists/wechat-combinations.csv", "rules.csv")
    (tmp_path / "policy.toml").write_text(policy, encoding="utf-8")
    (tmp_path / "run.toml").write_text(
        "[simulation]\nseed = 7\nmessages = 2000\nbatch_size = 500\n"
        "[policy]\nfile = \"policy.toml\"\n[users]\ncount = 50\n"
        "[messages]\nimage_share = 0.1\ncorpus = \"corpus\"\n[images]\ndir = \"images\"\n",
        encoding="utf-8",
    )
    return tmp_path


# ---------------------------------------------------------------- 1: changed inputs


@pytest.mark.parametrize(
    "edit",
    ["corpus/benign-zh.txt", "rules.csv", "images/01_shapes.jpg", "policy.toml"],
)
def test_resume_refuses_changed_input_and_names_it(inputs: Path, edit: str) -> None:
    """Issue 10.1: run part way, edit the corpus (or a rule file, an image, the policy
    file), resume: it used to report "complete" with rows of texts other than the ones
    decided on. Now the resume is refused, naming the file that changed; the log is
    untouched and resumes once the file is restored."""
    db = inputs / "run.db"
    config = load_config(inputs / "run.toml")
    first = Simulation(config).run(db, max_batches=1)
    assert first.messages == 500 and not first.complete
    target = inputs / edit
    original = target.read_bytes()
    if edit == "rules.csv":  # remove a rule from the policy's rule file
        lines = original.decode("utf-8").splitlines(keepends=True)
        target.write_text("".join(lines[:-1]), encoding="utf-8")
    elif edit.endswith(".jpg"):
        target.write_bytes(original + b"\0")  # same picture for Pillow, other bytes
    elif edit == "policy.toml":
        text = original.decode("utf-8").replace("analysis_delay_seconds = 30",
                                                "analysis_delay_seconds = 60")
        target.write_text(text, encoding="utf-8")
    else:
        target.write_bytes(original + "\n# edited\n一句新的话\n".encode())
    before = _digest(db)
    with pytest.raises(SimulationError, match="changed since the log was started") as err:
        Simulation(load_config(inputs / "run.toml")).run(db)
    assert str(target.resolve()) in str(err.value)
    assert _digest(db) == before
    target.write_bytes(original)
    resumed = Simulation(load_config(inputs / "run.toml")).run(db)
    assert resumed.complete and resumed.resumed_from == 500
    reference = inputs / "reference.db"
    Simulation(config).run(reference)
    assert _tables(db) == _tables(reference)


def test_resume_refuses_changed_policy_object(tmp_path: Path) -> None:
    """Issue 10.1: a policy built in code (no file to name) changed between the first run
    and the resume: refused as "the policy ... changed"."""
    config = SimulationConfig(seed=1, messages=1000, batch_size=250, users=20,
                              image_share=0.0, images=None)
    policy = make_profile("wechat")
    db = tmp_path / "r.db"
    Simulation(config, policy).run(db, max_batches=1)
    smaller = replace(policy, rulesets={
        name: RuleSet(rs.rules[1:]) for name, rs in policy.rulesets.items()
    })
    with pytest.raises(SimulationError, match=r"the policy \(its rules"):
        Simulation(config, smaller).run(db)
    assert Simulation(config, policy).run(db).complete


def test_same_config_by_relative_and_absolute_path_resumes(
    inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10.1: the same config named by a relative and by an absolute path used to be
    refused as "another configuration"; paths are compared resolved."""
    db = inputs / "run.db"
    monkeypatch.chdir(inputs)
    relative = load_config(Path("run.toml"))
    Simulation(relative).run(db, max_batches=1)
    monkeypatch.chdir(ROOT)
    absolute = load_config(inputs / "run.toml")
    assert absolute.to_json() == relative.to_json()
    assert Simulation(absolute).run(db).complete


def test_other_config_names_the_settings_that_differ(tmp_path: Path) -> None:
    """Issue 10.1: a resume with another config says which settings differ."""
    config = SimulationConfig(seed=1, messages=1000, batch_size=250, users=20, image_share=0)
    db = tmp_path / "r.db"
    Simulation(config).run(db, max_batches=1)
    with pytest.raises(SimulationError, match=r"another configuration \(differs in: seed\)"):
        Simulation(replace(config, seed=2)).run(db)


def test_log_without_input_digests_is_not_resumed(tmp_path: Path) -> None:
    """Issue 10.1: a log written before digests were recorded cannot prove its inputs are
    unchanged, so it is not resumed (a new file or --overwrite is)."""
    config = SimulationConfig(seed=1, messages=1000, batch_size=250, users=20, image_share=0)
    db = tmp_path / "r.db"
    Simulation(config).run(db, max_batches=1)
    con = sqlite3.connect(db)
    con.execute("DELETE FROM run WHERE key = 'inputs'")
    con.commit()
    con.close()
    with pytest.raises(SimulationError, match="records no digests of its inputs"):
        Simulation(config).run(db)
    assert Simulation(config).run(db, overwrite=True).complete


# ------------------------------------------------------------------- 2: one writer


def _slow_config(tmp_path: Path) -> Path:
    cfg = tmp_path / "slow.toml"
    cfg.write_text(
        "[simulation]\nseed = 5\nmessages = 12000\nbatch_size = 300\nbatch_pause = 0.15\n"
        f"[users]\ncount = 100\n[messages]\nimage_share = 0.0\n"
        f"corpus = \"{ROOT / 'samples/corpus'}\"\n[images]\ndir = \"\"\n",
        encoding="utf-8",
    )
    return cfg


def _start_writer(cfg: Path, db: Path) -> subprocess.Popen[bytes]:
    """``censorsim simulate`` in another process, returned once it committed a batch."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "censorsim", "simulate", str(cfg), "--db", str(db), "--quiet"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if db.exists():
            try:
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1)
                n = con.execute("SELECT COUNT(*) FROM batches").fetchone()[0]
                con.close()
            except sqlite3.Error:
                continue
            if n:
                break
    assert proc.poll() is None, "the writer finished before the test could race it"
    return proc


def test_overwrite_under_a_live_writer_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 10.2: run A writes x.db; run B with --overwrite used to replace it while A
    went on writing to the unlinked file and reported "complete". Now B exits 2 with
    "log in use by process <A's pid>", and so does B without --overwrite (it used to die
    with a raw IntegrityError); A finishes a log equal to an uninterrupted run."""
    from censorsim.cli import main

    cfg = _slow_config(tmp_path)
    db = tmp_path / "x.db"
    proc = _start_writer(cfg, db)
    try:
        for extra in (["--overwrite"], []):
            code = main(["simulate", str(cfg), "--db", str(db), "--quiet", *extra])
            message = capsys.readouterr().err
            assert code == 2, message
            assert f"log in use by process {proc.pid}" in message
            assert message.startswith("censorsim simulate: error: ")
            assert "IntegrityError" not in message
        assert proc.poll() is None, "A ended before B was refused: the race was not tested"
        out, err_a = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err_a.decode()
    assert b"complete" in out
    reference = tmp_path / "reference.db"
    Simulation(replace(load_config(cfg), batch_pause=0.0)).run(reference)
    assert _tables(db) == _tables(reference)
    assert not Path(f"{db}.lock").exists()


def test_in_process_second_writer_is_refused(tmp_path: Path) -> None:
    """Issue 10.2: a second writer in the same process is refused too (the lock is per
    open file, not per process), and a lock file left by a killed run does not block."""
    config = SimulationConfig(seed=1, messages=500, batch_size=250, users=20, image_share=0)
    db = tmp_path / "r.db"
    with DecisionLog(db):
        with pytest.raises(SimulationError, match=f"log in use by process {os.getpid()}"):
            Simulation(config).run(db, overwrite=True)
        assert db.exists()
    Path(f"{db}.lock").write_text("999999\n", encoding="ascii")  # stale: nobody holds it
    assert Simulation(config).run(db).complete


def test_overwrite_refuses_a_file_that_is_not_a_log(tmp_path: Path) -> None:
    """Issue 10.2/3: --overwrite replaces decision logs only, never another database."""
    other = tmp_path / "precious.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.execute("INSERT INTO t VALUES (1)")
    con.commit()
    con.close()
    before = _digest(other)
    config = SimulationConfig(seed=1, messages=500, batch_size=250, users=20, image_share=0)
    with pytest.raises(SimulationError, match="not a censorsim decision log"):
        Simulation(config).run(other, overwrite=True)
    assert _digest(other) == before


# ------------------------------------------------------------- 3: read paths read-only


def test_report_does_not_write_to_a_foreign_or_empty_file(tmp_path: Path) -> None:
    """Issue 10.3: ``report`` switched a foreign SQLite file to WAL and wrote a schema into
    an empty file (then reported "0 messages"). Read paths now open with mode=ro: both
    files stay byte for byte, no -wal/-shm appears, and the error says what is wrong."""
    foreign = tmp_path / "foreign.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for path, problem in ((foreign, "no schema_version"), (empty, "an empty file")):
        before = _digest(path)
        with pytest.raises(SimulationError, match=problem):
            compute_metrics(path)
        assert _digest(path) == before
        assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()
    con = sqlite3.connect(foreign)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    con.close()


def test_incomplete_run_is_reported_as_incomplete(tmp_path: Path) -> None:
    """Issue 10.3: an interrupted run is reported as "incomplete: N of M messages"."""
    config = SimulationConfig(seed=1, messages=3000, batch_size=500, users=20, image_share=0)
    db = tmp_path / "r.db"
    Simulation(config).run(db, max_batches=2)
    m = compute_metrics(db)
    assert not m.complete and m.status == "incomplete: 1000 of 3000 messages"
    from censorsim.simulate import summary_markdown

    assert "incomplete: 1000 of 3000 messages" in summary_markdown(m)
    Simulation(config).run(db)
    assert compute_metrics(db).status == "complete: 3000 messages"


_READ_SCRIPT = """
import sys
from censorsim.simulate import compute_metrics, export_log
m = compute_metrics(sys.argv[1])
print(m.messages, m.status)
"""


def test_valid_log_on_read_only_storage_is_read(tmp_path: Path) -> None:
    """Issue 10.3: a valid log on read-only storage used to be called "not a censorsim
    decision log" (the reader switched it to WAL). The reader runs as an unprivileged
    user (``nobody`` when the suite runs as root, which ignores file modes) on a log
    whose file and folder are read-only."""
    import tempfile

    config = SimulationConfig(seed=1, messages=1000, batch_size=250, users=20, image_share=0)
    folder = Path(tempfile.mkdtemp(prefix="censorsim-ro-"))
    try:
        db = folder / "r.db"
        Simulation(config).run(db)
        # A log left in WAL mode (its -wal checkpointed away), where SQLite cannot create
        # the -shm file a WAL reader needs: it is opened immutable.
        wal = folder / "wal.db"
        shutil.copy(db, wal)
        con = sqlite3.connect(wal)
        assert con.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
        con.close()
        assert not Path(f"{wal}-wal").exists()
        for f in (db, wal):
            f.chmod(0o444)
        folder.chmod(0o555)
        kwargs: dict[str, object] = {}
        if os.geteuid() == 0:
            kwargs["user"] = 65534
        for f in (db, wal):
            result = subprocess.run(
                [sys.executable, "-c", _READ_SCRIPT, str(f)], capture_output=True, text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": "/tmp"}, timeout=120,
                check=False, **kwargs,  # type: ignore[arg-type]
            )
            assert result.returncode == 0, result.stderr
            assert result.stdout.split() == ["1000", "complete:", "1000", "messages"]
        assert sorted(p.name for p in folder.iterdir()) == ["r.db", "wal.db"]
        # And the unprivileged user really could not write there.
        probe = subprocess.run(
            [sys.executable, "-c", f"open({str(folder / 'x')!r}, 'w')"],
            capture_output=True, check=False, **kwargs,  # type: ignore[arg-type]
        )
        assert probe.returncode != 0
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_open_log_reads_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    """Issue 10.3: reading needs no lock and writes nothing, also during a run."""
    config = SimulationConfig(seed=1, messages=1000, batch_size=250, users=20, image_share=0)
    db = tmp_path / "r.db"
    Simulation(config).run(db, max_batches=1)
    with DecisionLog(db), open_log(db) as reader:
        assert reader.status() == (250, 1000, False)


# ------------------------------------------------------------ 9: one meaning of censored


def _hit(action: Action) -> Hit:
    rule = Rule.keyword("法轮功", action=action)
    return Hit(rule, ((0, 3),), ("法轮功",))


@pytest.mark.parametrize("action", list(Action))
def test_one_definition_of_censored(action: Action) -> None:
    """Issue 10.9: ``scan`` counted a hit on a deliver or flag rule as censored, the
    simulator did not. Both now apply ``Action.censors`` (``action > FLAG``)."""
    result = ScanResult("法轮功", (_hit(action),), (Match(0, 3, "法轮功"),))
    decision = Decision(action, Surface.CHAT)
    assert result.fired
    assert result.censored == decision.censored == action.censors
    assert action.censors == (action > Action.FLAG)
    assert not ScanResult("hello").censored and not ScanResult("hello").fired


@pytest.mark.parametrize("action", [Action.DELIVER, Action.FLAG, Action.HIDE, Action.DROP])
def test_rule_set_censor_and_log_agree_on_censored(action: Action, tmp_path: Path) -> None:
    """Issue 10.9: for one text and one rule, the rule set's verdict, the censor's
    decision and the log's ``censored`` column are the same value."""
    rs = RuleSet([Rule.keyword("法轮功", action=action)])
    policy = Policy("t", {"m": rs}, (SurfacePolicy(Surface.CHAT, ("m",)),))
    scan = rs.check("我练法轮功")
    decision = Censor(policy).check(Message("我练法轮功"), at=AT)
    assert scan.censored == decision.censored == action.censors
    assert decision.action is action


# ------------------------------------------------------------------- 10: spawn pools


def _decide(censor: Censor, texts: list[str]) -> list[Decision]:
    return censor.check_many([Message(t, Surface.CHAT, Region.MAINLAND) for t in texts], at=AT)


def test_policy_and_censor_pickle_and_work_in_a_spawn_pool() -> None:
    """Issue 10.10: Policy (a read-only rule-set mapping) could not be pickled, so a
    Censor could not be sent to a ``spawn`` process pool. Both pickle now, and workers
    decide exactly as the parent does."""
    policy = make_profile("wechat")
    again = pickle.loads(pickle.dumps(policy))
    assert again.fingerprint() == policy.fingerprint()
    assert set(again.rulesets) == set(policy.rulesets)
    censor = Censor(policy)
    texts = ["刘晓波", "今天天气不错", "六四 学生 民主运动", "hello", "法轮功"] * 4
    chunks = [texts[:10], texts[10:]]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        got = pool.starmap(_decide, [(censor, chunk) for chunk in chunks])
    expected = _decide(censor, texts)
    assert [d for chunk in got for d in chunk] == expected
    assert any(d.censored for d in expected)


def test_profile_runs_record_the_example_lists_they_read() -> None:
    """Issue 10.1: a profile's rules come from example list files; the run records their
    digests (and the policy's) so that a resume after one changed names that file."""
    policy = make_profile("wechat")
    lists = {Path(p).name for p in policy.inputs}
    assert lists == {"wechat-combinations.csv", "english-whole-word.csv"}
    sim = Simulation(SimulationConfig(seed=1, messages=100, batch_size=50, users=5,
                                      image_share=0.0, images=None))
    for name in policy.inputs:
        assert sim.inputs[name] == _digest(Path(name))
    assert sim.inputs["<policy>"] == policy.fingerprint()
    assert {Path(p).name for p in sim.inputs if p.endswith(".txt")} == {
        "benign-zh.txt", "benign-en.txt", "sensitive-zh.txt", "sensitive-en.txt"
    }
