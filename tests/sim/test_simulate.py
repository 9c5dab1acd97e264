"""The simulator: determinism, the decision log, resuming after SIGKILL, export, errors."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from censorsim.errors import PolicyError, SimulationError, UnknownNameError
from censorsim.policy import Surface
from censorsim.simulate import (
    LOG_COLUMNS,
    LOG_SCHEMA_VERSION,
    Corpus,
    DecisionLog,
    Simulation,
    SimulationConfig,
    export_log,
    load_config,
    read_log,
)

ROOT = Path(__file__).resolve().parents[2]
SMALL = SimulationConfig(seed=3, messages=3_000, batch_size=500, users=100, image_share=0.1)


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return Simulation(SMALL)


def _tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = sqlite3.connect(db)
    try:
        return {
            t: con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            for t in ("schema_version", "run", "users", "batches", "surfaces", "contents",
                      "outcomes", "messages", "deletions", "decisions")
        }
    finally:
        con.close()


def test_same_seed_same_log(sim: Simulation, tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    sim.run(a)
    Simulation(SMALL).run(b)
    assert _tables(a) == _tables(b)
    other = tmp_path / "c.db"
    Simulation(replace(SMALL, seed=4)).run(other)
    assert _tables(other)["decisions"] != _tables(a)["decisions"]


def test_log_contents(sim: Simulation, tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    summary = sim.run(db)
    assert summary.complete and summary.messages == 3_000
    con = sqlite3.connect(db)
    # WAL while running; a closed log is one self-contained file (no -wal, no -shm).
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert not Path(f"{db}-wal").exists() and not Path(f"{db}.lock").exists()
    cols = [r[1] for r in con.execute("PRAGMA table_info(decisions)")]
    assert tuple(cols) == LOG_COLUMNS
    counts = dict(con.execute("SELECT action, COUNT(*) FROM decisions GROUP BY 1").fetchall())
    assert counts["deliver"] > 2_000 and counts.get("drop", 0) > 0
    # International accounts are never filtered in chat.
    assert con.execute(
        "SELECT COUNT(*) FROM decisions WHERE region='international' AND surface='chat' "
        "AND censored=1"
    ).fetchone()[0] == 0
    # MD5 learning: a learned image is blocked by MD5 when it comes back.
    learned = con.execute("SELECT learned_md5 FROM decisions WHERE learned_md5 != ''").fetchall()
    blocked = con.execute("SELECT COUNT(*) FROM decisions WHERE reason='image_md5'").fetchone()
    assert learned and blocked[0] > 0
    con.close()


def test_max_batches_then_resume_equals_full(sim: Simulation, tmp_path: Path) -> None:
    full, part = tmp_path / "full.db", tmp_path / "part.db"
    sim.run(full)
    first = sim.run(part, max_batches=2)
    assert not first.complete and first.messages == 1_000
    second = sim.run(part)
    assert second.resumed_from == 1_000 and second.complete
    assert _tables(full) == _tables(part)


def test_sigkill_mid_run_then_resume_equals_uninterrupted(tmp_path: Path) -> None:
    cfg_path = tmp_path / "slow.toml"
    cfg_path.write_text(
        f"""
[simulation]
seed = 5
messages = 12000
batch_size = 300
batch_pause = 0.05
[users]
count = 200
[messages]
image_share = 0.05
corpus = "{ROOT / 'samples/corpus'}"
[images]
dir = "{ROOT / 'samples/images'}"
""",
        encoding="utf-8",
    )
    killed = tmp_path / "killed.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "censorsim", "simulate", str(cfg_path), "--db", str(killed),
         "--quiet"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        committed = 0
        while time.monotonic() < deadline and committed < 4:
            time.sleep(0.05)
            if killed.exists():
                try:
                    con = sqlite3.connect(killed, timeout=0.1)
                    committed = con.execute("SELECT COUNT(*) FROM batches").fetchone()[0]
                    con.close()
                except sqlite3.OperationalError:
                    pass
        assert proc.poll() is None, "the run finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    partial = _tables(killed)["batches"]
    assert 4 <= len(partial) < 40
    cfg = replace(load_config(cfg_path), batch_pause=0.0)
    resumed = Simulation(cfg).run(killed)
    assert resumed.resumed_from == sum(b[2] for b in partial) and resumed.complete
    reference = tmp_path / "reference.db"
    Simulation(cfg).run(reference)
    assert _tables(killed) == _tables(reference)


def test_other_config_and_schema_version_errors(sim: Simulation, tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    sim.run(db, max_batches=1)
    with pytest.raises(SimulationError, match="another configuration"):
        Simulation(replace(SMALL, seed=99)).run(db)
    con = sqlite3.connect(db)
    con.execute("UPDATE schema_version SET version = 999")
    con.commit()
    con.close()
    with pytest.raises(SimulationError, match=r"schema version 999") as err:
        DecisionLog(db)
    assert str(db) in str(err.value)
    junk = tmp_path / "junk.db"
    con = sqlite3.connect(junk)
    con.execute("CREATE TABLE x (a)")
    con.close()
    with pytest.raises(SimulationError, match="not a censorsim decision log"):
        DecisionLog(junk)


def test_config_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[simulation]\nseed = 'x'\n", encoding="utf-8")
    with pytest.raises(SimulationError, match=r"bad\.toml"):
        load_config(bad)
    bad.write_text("[simulaton]\n", encoding="utf-8")
    with pytest.raises(SimulationError, match="unknown section"):
        load_config(bad)
    bad.write_text("[messages]\nsurfaces = { chatroom = 1.0 }\n", encoding="utf-8")
    with pytest.raises(SimulationError, match="unknown surface 'chatroom'"):
        load_config(bad)
    with pytest.raises(SimulationError, match="config file not found"):
        load_config(tmp_path / "none.toml")
    with pytest.raises(PolicyError, match="no surface 'mail'"):
        Simulation(replace(SMALL, surfaces=((Surface.MAIL, 1.0),), image_share=0))
    with pytest.raises(PolicyError, match="not found"):
        Simulation(replace(SMALL, profile=None, policy_file=str(tmp_path / "p.toml")))
    with pytest.raises(UnknownNameError, match="unknown platform profile 'myspace'"):
        Simulation(replace(SMALL, profile="myspace"))
    with pytest.raises(SimulationError, match="cannot record it as JSON"):
        replace(SMALL, profile_options={"rules": [object()]}).to_json()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("benign-zh", "benign-en", "sensitive-zh", "sensitive-en"):
        (corpus / f"{name}.txt").write_bytes(b"\xff\xfe not utf-8\n")
    with pytest.raises(SimulationError, match="cannot read"):
        Corpus.from_dir(corpus)


def test_shipped_configs_load() -> None:
    for p in sorted((ROOT / "samples/configs").glob("*.toml")):
        if p.name.endswith("-policy.toml") or "[firewall]" in p.read_text(encoding="utf-8") \
                or p.name.startswith("sweep-"):
            continue  # policy files; firewall configs (docs/network.md); sweeps (tests/distributed)
        cfg = load_config(p)
        assert cfg.messages > 0


def test_export_csv_parquet_pandas(sim: Simulation, tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    sim.run(db, max_batches=1)
    assert export_log(db, tmp_path / "r.csv") == 500
    assert (tmp_path / "r.csv").read_text(encoding="utf-8").startswith("message_id,batch,t,")
    pytest.importorskip("pyarrow")
    assert export_log(db, tmp_path / "r.parquet") == 500
    pd = pytest.importorskip("pandas")
    frame = read_log(db)
    assert len(frame) == 500 and str(frame["sent_at"].dtype).startswith("datetime64")
    assert pd.read_parquet(tmp_path / "r.parquet")["message_id"].tolist() == list(range(500))
    with pytest.raises(UnknownNameError, match="unknown export format 'xlsx'; expected one of"):
        export_log(db, tmp_path / "r.xlsx")


def test_batches_are_independent_and_contents_match_messages(sim: Simulation) -> None:
    later = sim.messages(3)
    fresh = Simulation(SMALL)
    again = fresh.messages(3)  # batch 3 first, in a fresh simulation: same batch
    assert again.messages == later.messages and again.times == later.times
    assert again.content_ids == later.content_ids and again.seconds == later.seconds
    for m, cid in zip(again.messages, again.content_ids, strict=True):
        content = fresh._contents.describe(cid)
        assert (m.text, m.attachment) == (content.text, content.attachment)
    assert {fresh._contents.describe(c).origin for c in again.content_ids} == {
        "corpus", "generated", "image"
    }
    # Equal messages are shared objects.
    assert len({id(m) for m in again.messages}) < len(again)


def test_decisions_view_joins_names(sim: Simulation, tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    sim.run(db)
    con = sqlite3.connect(db)
    n_messages = con.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
    rows = con.execute("SELECT * FROM decisions ORDER BY message_id").fetchall()
    assert len(rows) == n_messages == 3_000
    assert [r[0] for r in rows] == list(range(3_000))
    assert [r[1] for r in rows] == [i // SMALL.batch_size for i in range(3_000)]
    assert {r[5] for r in rows} == {"chat", "group_chat", "feed"}
    assert {r[4] for r in rows} <= {"mainland", "international"}
    # delete_after is NULL unless the action is delete_later; contents and outcomes
    # are stored once each.
    assert all((r[19] is None) == (r[12] != "delete_later") for r in rows)
    outcomes = con.execute("SELECT COUNT(*) FROM outcomes").fetchone()[0]
    assert outcomes < 100 and con.execute(
        "SELECT COUNT(DISTINCT content_id) FROM messages"
    ).fetchone()[0] == con.execute("SELECT COUNT(*) FROM contents").fetchone()[0]
    con.close()


def test_log_of_schema_version_1_is_refused(tmp_path: Path) -> None:
    old = tmp_path / "v1.db"
    con = sqlite3.connect(old)
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    con.execute("INSERT INTO schema_version VALUES (1)")
    con.execute("CREATE TABLE decisions (message_id INTEGER PRIMARY KEY, text TEXT)")
    con.commit()
    con.close()
    assert LOG_SCHEMA_VERSION == 4
    with pytest.raises(SimulationError, match=r"schema version 1; this censorsim reads version 4"):
        DecisionLog(old)
