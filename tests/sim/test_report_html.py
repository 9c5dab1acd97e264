"""The report's plots (checked on what they plot, not on pixels) and its HTML page."""

from __future__ import annotations

import base64
import html
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from censorsim.models import Region
from censorsim.policy import Surface
from censorsim.simulate import Simulation, SimulationConfig, compute_metrics, write_report

pytest.importorskip("matplotlib", reason="the report's plots need the plot extra")


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("r") / "run.db"
    cfg = SimulationConfig(seed=5, messages=3_000, batch_size=1_000, users=60,
                           profile="weibo", surfaces=((Surface.POST, 0.7),
                                                      (Surface.SEARCH, 0.3)),
                           regions=((Region.MAINLAND, 0.7), (Region.INTERNATIONAL, 0.3)),
                           sensitive_share=0.3, image_share=0.0, images=None)
    Simulation(cfg).run(db)
    return db


@pytest.fixture
def figures(log: Path) -> Iterator[dict[str, Any]]:
    import matplotlib.pyplot as plt

    from censorsim.simulate._report import report_figures

    figs = report_figures(compute_metrics(log, window=3600))
    yield figs
    plt.close("all")


def test_over_time_shows_the_censored_share_on_a_second_axis(
        log: Path, figures: dict[str, Any]) -> None:
    m = compute_metrics(log, window=3600)
    left, right = figures["over_time"].axes
    assert right.get_ylabel() == "% censored"
    (share,) = right.get_lines()
    assert list(share.get_ydata()) == pytest.approx([100 * w.share for w in m.by_window])
    assert [ln.get_label() for ln in left.get_lines()] == ["messages", "censored"]
    assert left.get_legend() is not None
    labels = [t.get_text() for t in left.get_legend().get_texts()]
    assert labels == ["messages", "censored", "% censored"]


def test_deletion_marks_are_labelled(figures: dict[str, Any]) -> None:
    (ax,) = figures["time_to_deletion"].axes
    assert [t.get_text() for t in ax.texts] == ["5 min", "30 min", "24 h"]
    marks = [ln.get_xdata()[0] for ln in ax.get_lines()[1:]]
    assert marks == [5, 30, 1440]


def test_collateral_plot_lists_the_rules_that_censored_benign_messages(
        log: Path, figures: dict[str, Any]) -> None:
    col = compute_metrics(log).collateral
    (ax,) = figures["collateral"].axes
    assert f"{col.censored} of {col.benign} benign" in ax.get_title()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == [r for r, _ in reversed(col.by_rule)]
    assert [p.get_width() for p in ax.patches] == [n for _, n in reversed(col.by_rule)]


def test_plots_use_the_cjk_font(figures: dict[str, Any]) -> None:
    import matplotlib

    from censorsim.viz import use_cjk_font

    font = use_cjk_font()
    if font is None:
        pytest.skip("no CJK font on this machine")
    assert matplotlib.rcParams["font.family"][0] == font.family


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.images: list[str] = []
        self.tables = 0
        self.rows: list[dict[str, str | None]] = []
        self.selects: list[str] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key):
                self.refs.append(str(a[key]))
        if tag == "img":
            self.images.append(str(a["src"]))
        elif tag == "table":
            self.tables += 1
        elif tag == "tr" and "data-f" in a:
            self.rows.append(a)
        elif tag == "select":
            self.selects.append(str(a.get("id")))
        elif tag in ("script", "link"):
            self.scripts.append(a)


@pytest.fixture(scope="module")
def page(log: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    rep = write_report(log, tmp_path_factory.mktemp("html") / "rep", html=True)
    assert rep.html is not None and rep.html.name == "report.html"
    return rep.html


def test_html_page_is_self_contained_with_tables_and_filters(log: Path, page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    p = _Page()
    p.feed(text)
    # nothing is fetched: every src/href is an inline data: URI, no external script or CSS
    assert p.refs and all(r.startswith("data:image/png;base64,") for r in p.refs)
    assert all("src" not in s and "href" not in s for s in p.scripts)
    assert "http://" not in text and "https://" not in text
    for src in p.images:
        assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG")
    assert len(p.images) == 5
    assert p.selects == ["f-surface", "f-region", "f-rule"]
    m = compute_metrics(log)
    assert p.tables >= 7
    for heading in ("Censored share per surface", "Top rules", "Collateral damage",
                    "Censored messages", "Time to deletion"):
        assert f"<h2>{heading}" in text
    surfaces = {r["data-surface"] for r in p.rows if "data-surface" in r}
    assert surfaces == {s.key for s in m.by_surface}
    regions = {r["data-region"] for r in p.rows if "data-region" in r}
    assert regions == {r.key for r in m.by_region}
    rules = {x for r in p.rows for x in str(r.get("data-rules") or "").split(";") if x}
    assert {r for r, _ in m.top_rules} <= rules
    assert f"{m.messages} messages, {m.censored} censored" in text


def test_report_cli_writes_the_page(log: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    from censorsim.cli import main

    assert main(["report", str(log), "--out", str(tmp_path / "o"), "--html",
                 "--no-plots"]) == 0
    out = capsys.readouterr().out
    assert f"page:    {tmp_path / 'o' / 'report.html'}" in out
    text = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    assert "<img" not in text and "<table" in text


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def test_html_page_renders_in_headless_chromium(page: Path, tmp_path: Path) -> None:
    exe = _chromium()
    if exe is None:
        pytest.skip("no headless Chromium on this machine (Debian: apt-get install chromium)")
    shot = tmp_path / "page.png"
    subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
         "--window-size=1200,2000", page.as_uri()],
        check=True, capture_output=True, timeout=120)
    from PIL import Image

    with Image.open(shot) as img:
        assert img.size == (1200, 2000)
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50  # text, tables and plots drawn


def test_report_and_metrics_reprs_are_short(page: Path, log: Path) -> None:
    m = compute_metrics(log)
    assert repr(m).startswith(f"<Metrics complete: {m.messages} messages, {m.censored} censored")
    rep = write_report(log, page.parent, plots=False, html=True)
    text = repr(rep)
    assert len(text) < 300 and "plots=0" in text and "report.html" in text


def test_html_page_says_where_the_benign_texts_came_from(log: Path, page: Path) -> None:
    """The page states the benign source under "Collateral damage", as ``summary.md``'s
    "Benign text" does: a collateral share means little without it."""
    from censorsim.simulate._corpus import benign_summary

    text = page.read_text(encoding="utf-8")
    lines = benign_summary(log)
    assert lines
    collateral = text.index("<h2>Collateral damage")
    for line in lines:
        shown = html.escape(line.replace("`", ""), quote=True)
        assert text.index(f'<p class="benign-source">{shown}</p>') > collateral
