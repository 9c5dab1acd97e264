"""Metrics and the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from censorsim.errors import ParameterError
from censorsim.metrics import compute_metrics
from censorsim.policy import Surface
from censorsim.simulate import Simulation, SimulationConfig


@pytest.fixture(scope="module")
def weibo_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("w") / "w.db"
    cfg = SimulationConfig(seed=2, messages=4_000, batch_size=1_000, users=50, profile="weibo",
                           profile_options={"deletion_share": 1.0},  # every match deleted
                           surfaces=((Surface.POST, 1.0),),
                           sensitive_share=0.3, image_share=0.0, images=None)
    Simulation(cfg).run(db)
    return db


def test_metrics(weibo_log: Path) -> None:
    """Weibo posts use Weibo's own cited list since issue 11.2 (they used WeChat's), so
    fewer of the sample's sensitive texts are deleted: about 200 delays, not 300+."""
    m = compute_metrics(weibo_log, window=3600)
    assert m.messages == 4_000 and 0 < m.censored < m.messages
    assert sum(s.messages for s in m.by_window) == 4_000
    assert m.top_rules and m.top_rules[0][1] >= m.top_rules[-1][1]
    assert m.collateral.benign > 0
    d = m.deletion_delays
    assert len(d) > 150 and list(d) == sorted(d)
    share_5_30 = sum(300 <= x <= 1800 for x in d) / len(d)
    assert 0.2 < share_5_30 < 0.4 and sum(x <= 86400 for x in d) / len(d) > 0.8
    cross = m.by_surface_region
    assert [(s, r.key) for s, r in cross] == sorted((s, r.key) for s, r in cross)
    assert sum(r.messages for _, r in cross) == 4_000
    assert sum(r.censored for _, r in cross) == m.censored


def test_metrics_parameters_and_import_paths(weibo_log: Path) -> None:
    import censorsim.metrics
    import censorsim.report
    import censorsim.simulate

    with pytest.raises(ParameterError, match="window must be positive"):
        compute_metrics(weibo_log, window=0)
    assert censorsim.metrics.compute_metrics is censorsim.simulate.compute_metrics
    assert censorsim.report.write_report is censorsim.simulate.write_report


def test_write_report(weibo_log: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from censorsim.report import write_report

    rep = write_report(weibo_log, tmp_path / "out")
    text = rep.markdown.read_text(encoding="utf-8")
    assert "## Collateral damage" in text and "within 5-30 min" in text
    names = {p.name for p in rep.plots}
    assert {"censored_share.png", "time_to_deletion.png"} <= names
    assert all(p.stat().st_size > 1000 for p in rep.plots)
