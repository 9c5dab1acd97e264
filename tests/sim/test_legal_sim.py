"""Legal requests in a simulation: logged with the batch, resumable, reported."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from censorsim.errors import SimulationError
from censorsim.legal import hong_kong_2020
from censorsim.simulate import (
    LOG_SCHEMA_VERSION,
    DecisionLog,
    Simulation,
    SimulationConfig,
    compute_metrics,
    compute_transparency,
    load_config,
    write_report,
)
from censorsim.simulate._legal import LEGAL_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
HK = ROOT / "samples/configs/hk-2020.toml"


def _config(**kw: object) -> SimulationConfig:
    base = dict(seed=5, start=datetime(2020, 6, 25), messages=3000, batch_size=500,
                users=200, image_share=0.0, images=None,
                regions=(("mainland", 0.5), ("hong_kong", 0.4), ("international", 0.1)),
                sensitive_share=0.1, legal=hong_kong_2020())
    base.update(kw)
    from datetime import timedelta

    base.setdefault("duration", timedelta(days=37))
    return SimulationConfig(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def hk_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("legal") / "hk.db"
    Simulation(_config()).run(db)
    return db


def _requests(db: Path) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT * FROM legal_requests ORDER BY request_id").fetchall()
    finally:
        con.close()


def test_sample_config_loads() -> None:
    cfg = load_config(HK)
    assert cfg.legal is not None and cfg.legal.host == "wechat"
    assert len(cfg.legal.requests) == 3
    from censorsim.models import Region

    assert dict(cfg.regions)[Region.HONG_KONG] == pytest.approx(0.4)


def test_requests_are_logged_and_answered(hk_log: Path) -> None:
    rows = _requests(hk_log)
    assert rows and len(rows[0]) == len(LEGAL_COLUMNS)
    cols = {c: i for i, c in enumerate(LEGAL_COLUMNS)}
    assert [r[0] for r in rows] == list(range(len(rows)))
    host = [r for r in rows if r[cols["platform"]] == "wechat"
            and r[cols["target_kind"]] == "message"]
    assert host and all(r[cols["message_id"]] is not None for r in host)
    # Requests to the host name the run's own messages, mostly Hong Kong accounts'
    con = sqlite3.connect(hk_log)
    regions = [con.execute("SELECT region FROM decisions WHERE message_id = ?",
                           (r[cols["message_id"]],)).fetchone()[0] for r in host]
    con.close()
    assert regions.count("hong_kong") > len(regions) / 2
    paused = [r for r in rows if r[cols["response"]] == "pause"]
    assert paused and all(r[cols["complied"]] == 0 for r in paused)
    assert all(r[cols["fine_hkd"]] in (0, 100_000) for r in rows)


def test_transparency_table(hk_log: Path) -> None:
    t = compute_transparency(hk_log)
    assert t is not None
    rows = {r.platform: r for r in t.rows}
    assert t.requests == sum(r.received for r in t.rows) == len(_requests(hk_log))
    assert rows["wechat"].not_complied == 0  # Tencent complies (assumption, cited)
    assert rows["facebook"].data_answered < rows["facebook"].data_requests
    assert t.removed_by_automation == compute_metrics(hk_log).censored
    for r in t.rows:
        assert r.complied + r.not_complied == r.received


def test_resume_equals_uninterrupted(hk_log: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    sim = Simulation(_config())
    sim.run(db, max_batches=2)
    Simulation(_config()).run(db)
    assert _requests(db) == _requests(hk_log)


def test_report_has_the_table_and_plots(hk_log: Path, tmp_path: Path) -> None:
    rep = write_report(hk_log, tmp_path / "rep", plots=False, html=True)
    text = rep.markdown.read_text(encoding="utf-8")
    assert "## Legal requests (transparency report)" in text
    assert rep.html is not None and "transparency report" in rep.html.read_text("utf-8")
    assert rep.legal is not None
    # the report's two legal plots (drawing every plot of a report is tested elsewhere)
    from censorsim.simulate._legal_report import transparency_figures
    from censorsim.simulate._report import _pyplot

    plt = _pyplot()
    figs = transparency_figures(rep.legal, plt)
    assert set(figs) == {"legal_requests", "legal_timeline"}
    labels = [t.get_text() for t in figs["legal_timeline"].axes[0].texts]
    assert labels == ["law in force", "Art. 43 rules"]
    for f in figs.values():
        plt.close(f)


def test_no_legal_section_without_a_scenario(tmp_path: Path) -> None:
    cfg = _config(legal=None, messages=500)
    assert '"legal"' not in cfg.to_json()  # a plain run's recorded config is unchanged
    db = tmp_path / "plain.db"
    Simulation(cfg).run(db)
    assert compute_transparency(db) is None
    assert "Legal requests" not in write_report(db, tmp_path / "r", plots=False) \
        .markdown.read_text("utf-8")


def test_previous_schema_is_read_not_resumed(hk_log: Path, tmp_path: Path) -> None:
    """A log of the previous schema version (no legal_requests table) is still read, and
    a resume of it is refused with a clear error."""
    old = tmp_path / "old.db"
    shutil.copy(hk_log, old)
    con = sqlite3.connect(old)
    con.execute("DROP TABLE legal_requests")
    con.execute("UPDATE schema_version SET version = ?", (LOG_SCHEMA_VERSION - 1,))
    con.commit()
    con.close()
    assert compute_transparency(old) is None
    assert compute_metrics(old).messages == 3000
    with pytest.raises(SimulationError, match=rf"schema version {LOG_SCHEMA_VERSION - 1}; "
                       r"this censorsim reads it but writes only .* cannot be resumed"):
        DecisionLog(old)


def test_requests_outside_the_run_are_refused() -> None:
    from censorsim.legal import Request, RequestKind, TargetKind

    late = Request(datetime(2020, 9, 1), "google", "art43-sch4-removal",
                   RequestKind.REMOVE_CONTENT, TargetKind.URL)
    with pytest.raises(SimulationError, match="outside the run"):
        _config(legal=replace(hong_kong_2020(), requests=(late,)))


def test_a_failed_batch_leaves_no_request_behind(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests are written in their batch's transaction: when the write fails, neither
    the batch's messages nor its requests are in the log, and the next run resumes."""
    from censorsim.simulate import _legal

    db = tmp_path / "f.db"
    Simulation(_config()).run(db, max_batches=1)
    before = _requests(db)
    real = _legal._LegalRun.rows

    def broken(self: _legal._LegalRun, *a: object, **k: object) -> list[tuple[object, ...]]:
        rows = real(self, *a, **k)  # type: ignore[arg-type]
        return [*rows, (rows[0][0] if rows else 0, "not", "a", "row")]

    monkeypatch.setattr(_legal._LegalRun, "rows", broken)
    with pytest.raises(SimulationError, match="nothing of this batch was written"):
        Simulation(_config()).run(db)
    monkeypatch.undo()
    assert _requests(db) == before
    with DecisionLog(db) as log:
        assert log.committed() == (1, 500)


def test_cli_simulate_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``censorsim simulate samples/configs/hk-2020.toml`` runs the scenario and says how
    many requests it logged; ``censorsim report`` prints the transparency table."""
    from censorsim.cli import main

    db = tmp_path / "hk.db"
    assert main(["simulate", str(HK), "--db", str(db), "--max-batches", "3"]) == 0
    out = capsys.readouterr().out
    assert "legal requests (hk-2020; host platform wechat)" in out
    assert main(["report", str(db), "--no-plots", "--out", str(tmp_path / "rep")]) == 0
    out = capsys.readouterr().out
    assert "## Legal requests (transparency report)" in out
    assert "| wechat |" in out
