"""Reports of a decision log: markdown summary, PNG plots, one HTML page (``censorsim report``).

Plots use matplotlib's Agg backend (the ``plot`` extra), Chinese text drawn with the font
:func:`censorsim.viz.use_cjk_font` chooses, and are written as PNGs next to
``summary.md``. :func:`report_figures` returns the same figures unsaved, to inspect or
restyle. ``html=True`` also writes ``report.html``: one self-contained page (plots
inlined as base64 PNGs, inline CSS and a few lines of inline JavaScript, nothing fetched
from the network) with the tables, the plots and a filter by surface, region and rule.
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from censorsim._optional import import_optional
from censorsim.errors import ParameterError
from censorsim.simulate._corpus import benign_summary
from censorsim.simulate._legal_report import (
    Transparency,
    compute_transparency,
    transparency_figures,
    transparency_html,
    transparency_markdown,
)
from censorsim.simulate._log import open_log
from censorsim.simulate._metrics import Metrics, Share, compute_metrics

__all__ = ["Report", "report_figures", "summary_markdown", "write_report"]

_DELAY_MARKS: tuple[tuple[float, str], ...] = ((5, "5 min"), (30, "30 min"), (1440, "24 h"))
"""Marks on the time-to-deletion plot (minutes, label): the published 5-30 min and 24 h."""

_HTML_MESSAGES = 1000
"""How many censored messages the HTML page lists (the first ones of the run)."""


@dataclass(frozen=True, slots=True)
class Report:
    """The files a report wrote, and the metrics they show.

    Attributes:
        markdown: ``summary.md``.
        plots: the PNG files.
        metrics: what they show.
        html: ``report.html`` when asked for (``html=True``), else None.
        legal: the transparency table of the run's legal requests, or None.
    """

    markdown: Path
    plots: tuple[Path, ...]
    metrics: Metrics
    html: Path | None = None
    legal: Transparency | None = None

    def __repr__(self) -> str:
        page = f", html={str(self.html)!r}" if self.html is not None else ""
        return (f"Report(markdown={str(self.markdown)!r}, plots={len(self.plots)}{page}, "
                f"metrics={self.metrics!r})")


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _table(title: str, rows: tuple[Share, ...]) -> list[str]:
    out = [f"| {title} | messages | censored | share |", "|---|---:|---:|---:|"]
    out.extend(f"| {r.key} | {r.messages} | {r.censored} | {_pct(r.share)} |" for r in rows)
    return out


def _quantile(values: tuple[float, ...], q: float) -> float:
    if not values:
        return math.nan
    k = min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))
    return values[k]


def _delay_sentence(d: tuple[float, ...]) -> str:
    if not d:
        return "No delayed deletions in this run."
    within = sum(1 for x in d if 300 <= x <= 1800) / len(d)
    day = sum(1 for x in d if x <= 86400) / len(d)
    return (f"{len(d)} posts deleted later; median {_quantile(d, 0.5) / 60:.0f} min, "
            f"{_pct(within)} within 5-30 min, {_pct(day)} within 24 h.")


_PLAIN = {"delivered", "flagged", "limited", "hidden", "deleted_later", "refused", "blocked",
          "dropped"}
"""Outcomes that are the plain outcome of their action (``Outcome.of``)."""


def summary_markdown(m: Metrics, *, title: str = "Simulation report") -> str:
    """The markdown summary of metrics ``m``."""
    lines = [f"# {title}", ""]
    if not m.complete:
        lines += [
            f"**{m.status}**: the run stopped before its end; these figures cover the "
            "messages logged so far (resume it with the same `censorsim simulate` command).",
            "",
        ]
    lines.append(
        f"{m.messages} messages, {m.censored} censored ({_pct(m.share)}); "
        f"{m.learned_images} image MD5s learned."
    )
    lines += ["", "## Censored share per surface", "", *_table("surface", m.by_surface)]
    lines += ["", "## Censored share per account region", "", *_table("region", m.by_region)]
    lines += ["", "## Ground truth", "", *_table("kind", m.by_kind)]
    lines += ["", "## Actions", "", "| action | messages |", "|---|---:|"]
    lines += [f"| {a} | {n} |" for a, n in m.actions]
    if any(o not in _PLAIN for o, _ in m.outcomes):
        lines += ["", "## Outcomes", "",
                  "What the people involved observed, where one action has several paths "
                  "(`kept`: matched posts review did not delete; `data_error`: refused "
                  "without saying why; `author_only`: camouflaged; `masked`).", "",
                  "| outcome | messages |", "|---|---:|"]
        lines += [f"| {o} | {n} |" for o, n in m.outcomes]
    if m.by_source:
        lines += ["", "## Removals by source", "",
                  "What decided each censored message: `text` keyword rules, image `md5`, "
                  "`visual` similarity, `ocr` of the text in the image.", "",
                  "| source | messages censored |", "|---|---:|"]
        lines += [f"| {s} | {n} |" for s, n in m.by_source]
    lines += ["", "## Top rules", "", "| rule | messages censored |", "|---|---:|"]
    lines += [f"| `{r}` | {n} |" for r, n in m.top_rules]
    col = m.collateral
    lines += [
        "",
        "## Collateral damage",
        "",
        f"{col.censored} of {col.benign} benign messages censored ({_pct(col.share)}).",
    ]
    if col.by_rule:
        lines += ["", "| rule or image | benign messages censored |", "|---|---:|"]
        lines += [f"| `{r}` | {n} |" for r, n in col.by_rule]
    if col.examples:
        lines += ["", "Examples:", ""] + [f"- {e}" for e in col.examples]
    lines += ["", "## Time to deletion", "", _delay_sentence(m.deletion_delays)]
    return "\n".join(lines) + "\n"


def write_report(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    window: float = 3600.0,
    plots: bool = True,
    html: bool = False,
) -> Report:
    """Write ``summary.md`` and PNG plots of the log ``path`` into the folder ``out``.

    Args:
        path: the decision log.
        out: the output folder (created).
        window: the time window of ``over_time.png``, seconds.
        plots: draw the PNGs (needs matplotlib).
        html: also write ``report.html``, one self-contained page (with the plots
            inlined when ``plots``).

    Raises:
        SimulationError: not a log.
        ParameterError: ``out`` is an existing file, not a folder.
        MissingDependencyError: ``plots`` without matplotlib (the ``plot`` extra).
    """
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"{folder}: the report's output folder is a file")
    m = compute_metrics(path, window=window)
    legal = compute_transparency(path)
    folder.mkdir(parents=True, exist_ok=True)
    md = folder / "summary.md"
    title = f"Simulation report: {Path(path).name}"
    source = benign_summary(path)
    benign = "\n".join(["", "## Benign text", "", *source]) + "\n"
    md.write_text(summary_markdown(m, title=title) + benign + transparency_markdown(legal),
                  encoding="utf-8")
    written: list[Path] = []
    pngs: dict[str, bytes] = {}
    if plots:
        plt = _pyplot()
        figures = report_figures(m)
        if legal is not None:
            figures.update(transparency_figures(legal, plt))
        for name, fig in figures.items():
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=100)
            plt.close(fig)
            p = folder / f"{name}.png"
            p.write_bytes(buf.getvalue())
            pngs[name] = buf.getvalue()
            written.append(p)
    page: Path | None = None
    if html:
        page = folder / "report.html"
        page.write_text(_html_page(m, title, pngs, _censored_messages(path),
                                   transparency_html(legal), source),
                        encoding="utf-8")
    return Report(md, tuple(written), m, page, legal)


def _pyplot() -> Any:
    mpl = import_optional("matplotlib", "plot", "report plots")
    mpl.use("Agg")
    plt = import_optional("matplotlib.pyplot", "plot", "report plots")
    from censorsim.viz import use_cjk_font

    use_cjk_font()
    return plt


def report_figures(m: Metrics) -> dict[str, Any]:
    """The report's plots as matplotlib figures, by file stem (not saved, not closed).

    ``censored_share`` (per surface and per region), ``over_time`` (messages per window
    on the left axis, the censored share in percent on the right one), ``top_rules``,
    ``collateral`` (benign messages censored per rule or image) and, when the run
    deleted posts later, ``time_to_deletion`` (a CDF with its 5 min, 30 min and 24 h
    marks labelled). Chinese rule ids draw with :func:`censorsim.viz.use_cjk_font`'s
    font.

    Raises:
        MissingDependencyError: without matplotlib (the ``plot`` extra).
    """
    plt = _pyplot()
    figs: dict[str, Any] = {}

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    for ax, rows, title in ((axes[0], m.by_surface, "surface"),
                            (axes[1], m.by_region, "account region")):
        ax.bar([r.key for r in rows], [100 * r.share for r in rows], color="#b03a2e")
        ax.set_title(f"Censored share per {title}")
        ax.set_ylabel("% censored")
        ax.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    figs["censored_share"] = fig

    fig, ax = plt.subplots(figsize=(9, 3.5))
    hours = [int(r.key) / 3600 for r in m.by_window]
    ax.plot(hours, [r.messages for r in m.by_window], label="messages", color="#555")
    ax.plot(hours, [r.censored for r in m.by_window], label="censored", color="#b03a2e",
            ls="--")
    ax.set_xlabel("hours since start")
    ax.set_ylabel(f"messages per {_window_name(m.window)}")
    share_ax = ax.twinx()
    share_ax.plot(hours, [100 * r.share for r in m.by_window], color="#1f618d",
                  label="% censored")
    share_ax.set_ylabel("% censored", color="#1f618d")
    share_ax.set_ylim(0, max([100 * r.share for r in m.by_window] + [1.0]) * 1.15)
    ax.set_title("Messages, censored messages and the censored share per window")
    lines = ax.get_lines() + share_ax.get_lines()
    ax.legend(lines, [ln.get_label() for ln in lines], fontsize=8, loc="upper left")
    fig.tight_layout()
    figs["over_time"] = fig

    figs["top_rules"] = _barh(plt, m.top_rules, "Top rules (messages censored)",
                              "messages censored", "#1f618d", "no message censored")
    col = m.collateral
    figs["collateral"] = _barh(
        plt, col.by_rule,
        f"Collateral damage: {col.censored} of {col.benign} benign messages censored "
        f"({_pct(col.share)})",
        "benign messages censored", "#b9770e", "no benign message censored")

    if m.deletion_delays:
        fig, ax = plt.subplots(figsize=(9, 3.5))
        d = m.deletion_delays
        ax.plot([x / 60 for x in d], [(k + 1) / len(d) for k in range(len(d))],
                color="#117a65", label="posts deleted later")
        ax.set_xscale("log")
        for minutes, label in _DELAY_MARKS:
            ax.axvline(minutes, ls=":", color="#777")
            ax.text(minutes, 1.02, label, ha="center", va="bottom", fontsize=8,
                    color="#555", transform=ax.get_xaxis_transform())
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(_percent_formatter())
        ax.set_xlabel("minutes after posting (log scale)")
        ax.set_ylabel("share of later deletions done")
        ax.set_title("Time to deletion (CDF)", pad=16)
        fig.tight_layout()
        figs["time_to_deletion"] = fig
    return figs


def _window_name(seconds: float) -> str:
    if seconds % 3600 == 0:
        return "hour" if seconds == 3600 else f"{seconds / 3600:g} h"
    return f"{seconds / 60:g} min"


def _percent_formatter() -> Any:
    ticker = import_optional("matplotlib.ticker", "plot", "report plots")
    return ticker.PercentFormatter(xmax=1.0, decimals=0)


def _barh(plt: Any, rows: tuple[tuple[str, int], ...], title: str, xlabel: str, color: str,
          empty: str) -> Any:
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.3 * len(rows) + 1.3)))
    ordered = list(reversed(rows))
    ax.barh([r for r, _ in ordered], [n for _, n in ordered], color=color)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    if not rows:
        ax.set_yticks([])
        ax.text(0.5, 0.5, empty, ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    return fig


# --- the HTML page -------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:1.5em auto;max-width:72em;padding:0 1em;color:#1b1b1b}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;
padding:.2em .6em}th{background:#f2f2f2}td.n{text-align:right}
img{max-width:100%;border:1px solid #eee}.filter{position:sticky;top:0;background:#fff;
padding:.5em 0;border-bottom:1px solid #ccc}.filter label{margin-right:1em}
.note{color:#555}.text{max-width:40em}
"""

_JS = """
function applyFilter(){
  var s=document.getElementById('f-surface').value,
      r=document.getElementById('f-region').value,
      u=document.getElementById('f-rule').value;
  var rows=document.querySelectorAll('tr[data-f]'), shown=0;
  for(var i=0;i<rows.length;i++){
    var t=rows[i],ok=true;
    if(s&&t.hasAttribute('data-surface')&&t.getAttribute('data-surface')!==s)ok=false;
    if(r&&t.hasAttribute('data-region')&&t.getAttribute('data-region')!==r)ok=false;
    if(u&&t.hasAttribute('data-rules')&&
       t.getAttribute('data-rules').split(';').indexOf(u)<0)ok=false;
    t.style.display=ok?'':'none';
    if(ok&&t.parentNode.parentNode.id==='messages')shown++;
  }
  document.getElementById('shown').textContent=shown;
}
"""


def _censored_messages(path: str | os.PathLike[str]) -> list[tuple[Any, ...]]:
    with open_log(path) as log, log.reading():
        rows = log.connection.execute(
            "SELECT message_id, t, surface, region, action, rule_ids, image_ids, "
            "hidden_from, text FROM decisions WHERE censored = 1 ORDER BY message_id "
            "LIMIT ?", (_HTML_MESSAGES,)).fetchall()
    return [tuple(r) for r in rows]


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _share_rows(rows: tuple[Share, ...], attr: str) -> list[str]:
    return [f'<tr data-f {attr}="{_e(r.key)}"><td>{_e(r.key)}</td><td class="n">'
            f'{r.messages}</td><td class="n">{r.censored}</td><td class="n">'
            f'{_pct(r.share)}</td></tr>' for r in rows]


def _share_table(head: str, body: list[str]) -> list[str]:
    return ["<table>", f"<tr><th>{head}</th><th>messages</th><th>censored</th>"
            "<th>share</th></tr>", *body, "</table>"]


def _select(name: str, label: str, values: list[str]) -> str:
    opts = "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in values)
    return (f'<label>{label} <select id="f-{name}" onchange="applyFilter()">'
            f'<option value="">all</option>{opts}</select></label>')


def _html_page(m: Metrics, title: str, pngs: dict[str, bytes],
               messages: list[tuple[Any, ...]], legal: list[str] | None = None,
               benign: list[str] | None = None) -> str:
    rules = sorted({r for _, _, _, _, _, ids, imgs, _, _ in messages
                    for r in f"{ids};{imgs}".split(";") if r}
                   | {r for r, _ in m.top_rules} | {r for r, _ in m.collateral.by_rule})
    surfaces = [s.key for s in m.by_surface]
    regions = [r.key for r in m.by_region]
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{_e(title)}</title>", f"<style>{_CSS}</style>",
           f"<script>{_JS}</script></head><body>", f"<h1>{_e(title)}</h1>"]
    if not m.complete:
        out.append(f"<p><strong>{_e(m.status)}</strong>: the run stopped before its end; "
                   "these figures cover the messages logged so far.</p>")
    out.append(f"<p>{m.messages} messages, {m.censored} censored ({_pct(m.share)}); "
               f"{m.learned_images} image MD5s learned.</p>")
    out.append('<div class="filter">' + _select("surface", "surface", surfaces)
               + _select("region", "region", regions) + _select("rule", "rule", rules)
               + ' <span class="note">the filter hides table rows that do not match; '
               "plots show the whole run</span></div>")
    out += ["<h2>Censored share per surface and region</h2>",
            "<table><tr><th>surface</th><th>region</th><th>messages</th><th>censored</th>"
            "<th>share</th></tr>"]
    out += [f'<tr data-f data-surface="{_e(s)}" data-region="{_e(r.key)}"><td>{_e(s)}</td>'
            f'<td>{_e(r.key)}</td><td class="n">{r.messages}</td><td class="n">{r.censored}'
            f'</td><td class="n">{_pct(r.share)}</td></tr>' for s, r in m.by_surface_region]
    out.append("</table>")
    out += ["<h2>Censored share per surface</h2>",
            *_share_table("surface", _share_rows(m.by_surface, "data-surface"))]
    out += ["<h2>Censored share per account region</h2>",
            *_share_table("region", _share_rows(m.by_region, "data-region"))]
    out += ["<h2>Ground truth</h2>",
            *_share_table("kind", [f"<tr><td>{_e(r.key)}</td><td class='n'>{r.messages}"
                                   f"</td><td class='n'>{r.censored}</td><td class='n'>"
                                   f"{_pct(r.share)}</td></tr>" for r in m.by_kind])]
    out += ["<h2>Actions</h2>", "<table><tr><th>action</th><th>messages</th></tr>"]
    out += [f"<tr><td>{_e(a)}</td><td class='n'>{n}</td></tr>" for a, n in m.actions]
    out.append("</table>")
    out += ["<h2>Top rules</h2>", "<table><tr><th>rule</th><th>messages censored</th></tr>"]
    out += [f'<tr data-f data-rules="{_e(r)}"><td>{_e(r)}</td><td class="n">{n}</td></tr>'
            for r, n in m.top_rules]
    out.append("</table>")
    col = m.collateral
    out += ["<h2>Collateral damage</h2>",
            f"<p>{col.censored} of {col.benign} benign messages censored "
            f"({_pct(col.share)}).</p>",
            # Where the benign texts came from (the markdown summary's "Benign text").
            *[f'<p class="benign-source">{_e(line.replace("`", ""))}</p>'
              for line in benign or []],
            "<table><tr><th>rule or image</th><th>benign messages censored</th></tr>"]
    out += [f'<tr data-f data-rules="{_e(r)}"><td>{_e(r)}</td><td class="n">{n}</td></tr>'
            for r, n in col.by_rule]
    out.append("</table>")
    if col.examples:
        out += ["<p>Examples:</p><ul>", *[f"<li>{_e(x)}</li>" for x in col.examples], "</ul>"]
    out += ["<h2>Time to deletion</h2>", f"<p>{_e(_delay_sentence(m.deletion_delays))}</p>"]
    out += legal or []
    if pngs:
        out.append("<h2>Plots</h2>")
        for name, data in pngs.items():
            b64 = base64.b64encode(data).decode("ascii")
            out.append(f'<figure><img alt="{_e(name)}" src="data:image/png;base64,{b64}">'
                       f"<figcaption>{_e(name)}</figcaption></figure>")
    out += [f"<h2>Censored messages</h2><p class='note'>The first {len(messages)} "
            f"censored messages of the run; <span id='shown'>{len(messages)}</span> shown."
            " <em>hidden from</em>: the viewers' regions a message is hidden from (a "
            "region-scoped decision, e.g. international Moments hidden from mainland "
            "viewers).</p>",
            '<table id="messages"><tr><th>#</th><th>hour</th><th>surface</th><th>region</th>'
            "<th>action</th><th>rules</th><th>hidden from</th><th>text</th></tr>"]
    for mid, t, surface, region, action, ids, imgs, hidden, text in messages:
        fired = ";".join(x for x in (ids, imgs) if x)
        out.append(f'<tr data-f data-surface="{_e(surface)}" data-region="{_e(region)}" '
                   f'data-rules="{_e(fired)}"><td class="n">{mid}</td><td class="n">'
                   f'{float(t) / 3600:.2f}</td><td>{_e(surface)}</td><td>{_e(region)}</td>'
                   f"<td>{_e(action)}</td><td>{_e(fired.replace(';', ' '))}</td>"
                   f'<td>{_e(hidden)}</td><td class="text">{_e(text)}</td></tr>')
    out += ["</table>", "</body></html>"]
    return "\n".join(out) + "\n"
