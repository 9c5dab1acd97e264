"""The library's own plots (research and benchmarks) use the CJK font and read naturally.

Checked on what is plotted (labels, tick formatters, bar heights, figure size), not on
pixels.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

import censorsim.viz
from censorsim.models import Rule
from censorsim.research import EvasionMatrix, Rate, plot_matrix, validate_probing
from censorsim.research._plots import validation_figure

RULES = [Rule.combination("六四+学生"), Rule.keyword("法轮功"), Rule.combination("习近平+三连任")]


def _calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = censorsim.viz.use_cjk_font

    def spy() -> Any:
        calls.append(1)
        return real()

    monkeypatch.setattr(censorsim.viz, "use_cjk_font", spy)
    return calls


def test_probing_chart_axes_read_naturally(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _calls(monkeypatch)
    v = validate_probing(RULES, articles=8, seed=0, length=200, name="六四 list")
    fig = validation_figure([v])
    assert calls
    acc, cost = fig.axes
    assert [t.get_text() for t in acc.get_xticklabels()] == ["六四 list"]
    assert acc.get_ylabel() == "articles isolated correctly (%)"
    assert acc.yaxis.get_major_formatter()(50, 0) == "50%"
    assert cost.get_yscale() == "log"
    assert cost.yaxis.get_major_formatter()(100, 0) == "100"  # not 10^2
    methods = sorted(s.method for s in v.scores)
    heights = [p.get_height() for p in acc.patches]
    by_method = {s.method: 100 * s.accuracy.rate for s in v.scores}
    assert heights == pytest.approx([by_method[m] for m in methods])
    # bars are centred on their list's tick
    xs = [p.get_x() + p.get_width() / 2 for p in acc.patches]
    assert sum(xs) / len(xs) == pytest.approx(0.0)


def test_heat_map_stays_legible_at_40_rows(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image

    calls = _calls(monkeypatch)
    names = tuple(f"变换-{i}" for i in range(40))
    cells = tuple((Rate.of(i % 10, 10), Rate.of(10, 10)) for i in range(40))
    m = EvasionMatrix("text", names, ("default", "literal"), cells, 0, 10)
    plot_matrix(m, tmp_path / "m.png")
    assert calls
    with Image.open(tmp_path / "m.png") as img:
        height = img.size[1]
    assert height / 120 >= 40 * 0.27  # at least 0.27 inch (8-point labels) per row


def test_bench_plots_use_the_cjk_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from censorsim.bench.tables import plot_run

    calls = _calls(monkeypatch)
    assert plot_run(cast(Any, SimpleNamespace(workloads=[], results=[])), tmp_path) == []
    assert calls
