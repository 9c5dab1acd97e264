"""The transparency report of a log's legal requests: a table per platform, a plot, HTML.

In the spirit of the transparency reports platforms publish: per platform, requests
received and complied with, content removed, accounts affected, data requests answered,
and the penalties the provider is liable to for the rest.
"""

from __future__ import annotations

import html
import os
import sqlite3
from dataclasses import dataclass
from typing import Any

from censorsim.legal import NSL_IN_FORCE, RULES_IN_FORCE
from censorsim.simulate._log import open_log

__all__ = ["Transparency", "TransparencyRow", "compute_transparency", "transparency_markdown"]


@dataclass(frozen=True, slots=True)
class TransparencyRow:
    """One platform's requests, in the shape of the transparency reports platforms publish.

    Attributes:
        platform: the platform.
        received: requests received.
        complied: requests acted on.
        content_removed: messages or URLs removed or restricted because of a request.
        accounts_affected: distinct accounts restricted or whose data was handed over.
        data_requests: user-data requests received.
        data_answered: user-data requests answered.
        not_complied: requests not acted on (paused, refused, declined after review,
            market left).
        late: requests acted on after their deadline.
        fine_hkd: the sum of the maximum fines the provider is liable to.
        prison_months: the sum of the maximum terms.
        median_hours: median hours from request to action (None: no action).
    """

    platform: str
    received: int
    complied: int
    content_removed: int
    accounts_affected: int
    data_requests: int
    data_answered: int
    not_complied: int
    late: int
    fine_hkd: int
    prison_months: int
    median_hours: float | None


@dataclass(frozen=True, slots=True)
class Transparency:
    """The legal side of a run.

    Attributes:
        rows: one per platform that received a request, most requests first.
        by_day: ``(day, response, requests)``: requests per day and response.
        removed_by_automation: the run's messages censored by the automated filter.
        removed_by_request: the run's messages removed or restricted by request (not
            already censored).
        already_censored: requests naming a message the filter had already censored.
        responses: ``(response, requests)``.
    """

    rows: tuple[TransparencyRow, ...]
    by_day: tuple[tuple[str, str, int], ...]
    removed_by_automation: int
    removed_by_request: int
    already_censored: int
    responses: tuple[tuple[str, int], ...]

    @property
    def requests(self) -> int:
        """All requests."""
        return sum(r.received for r in self.rows)


def transparency(db: sqlite3.Connection, start: str) -> Transparency | None:
    """The transparency table of a log, or None when it holds no legal requests (or is
    of schema version 2, which has no ``legal_requests`` table)."""
    has = db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND "
                     "name='legal_requests'").fetchone()
    if has is None or db.execute("SELECT COUNT(*) FROM legal_requests").fetchone()[0] == 0:
        return None
    rows = []
    for r in db.execute(
        "SELECT platform, COUNT(*), SUM(complied), SUM(removed), "
        "COUNT(DISTINCT CASE WHEN accounts = 1 OR data_provided = 1 THEN target END), "
        "SUM(kind = 'provide_user_data'), SUM(data_provided), SUM(complied = 0), SUM(late), "
        "SUM(fine_hkd), SUM(prison_months) FROM legal_requests GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall():
        delays = [d[0] for d in db.execute(
            "SELECT done_after FROM legal_requests WHERE platform = ? AND done_after IS NOT "
            "NULL ORDER BY 1", (r[0],)).fetchall()]
        median = delays[(len(delays) - 1) // 2] / 3600 if delays else None
        n = [int(x or 0) for x in r[1:]]
        rows.append(TransparencyRow(str(r[0]), n[0], n[1], n[2], n[3], n[4], n[5], n[6],
                                    n[7], n[8], n[9], median))
    by_day = db.execute(
        "SELECT date(?, '+' || CAST(t AS INTEGER) || ' seconds'), response, COUNT(*) "
        "FROM legal_requests GROUP BY 1, 2 ORDER BY 1, 2", (start,)).fetchall()
    auto = db.execute("SELECT COALESCE(SUM(censored), 0) FROM decisions").fetchone()[0]
    by_req, already = db.execute(
        "SELECT COALESCE(SUM(removed), 0), COALESCE(SUM(already_censored), 0) "
        "FROM legal_requests WHERE message_id IS NOT NULL").fetchone()
    responses = db.execute("SELECT response, COUNT(*) FROM legal_requests GROUP BY 1 "
                           "ORDER BY 2 DESC, 1").fetchall()
    return Transparency(
        tuple(rows), tuple((str(d), str(s), int(n)) for d, s, n in by_day), int(auto),
        int(by_req), int(already), tuple((str(s), int(n)) for s, n in responses),
    )


def compute_transparency(path: str | os.PathLike[str]) -> Transparency | None:
    """The transparency table of the log at ``path`` (None: no legal requests in it).

    Raises:
        SimulationError: not a log, or of a schema version this censorsim cannot read.
    """
    with open_log(path) as log, log.reading():
        return transparency(log.connection, log.meta().get("start", "1970-01-01"))


def _hours(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


_HEAD = ("platform", "received", "complied", "content removed", "accounts affected",
         "data requests", "data answered", "not complied", "late", "liable: fine HK$",
         "liable: months", "median hours to act")


def _cells(r: TransparencyRow) -> tuple[str, ...]:
    return (r.platform, str(r.received), str(r.complied), str(r.content_removed),
            str(r.accounts_affected), str(r.data_requests), str(r.data_answered),
            str(r.not_complied), str(r.late), f"{r.fine_hkd:,}", str(r.prison_months),
            _hours(r.median_hours))


def transparency_markdown(t: Transparency | None) -> str:
    """The markdown section of a report (empty when the run had no legal layer)."""
    if t is None:
        return ""
    lines = ["", "## Legal requests (transparency report)", "",
             f"{t.requests} requests. The run's own messages: {t.removed_by_automation} "
             f"censored by the automated filter, {t.removed_by_request} removed or "
             f"restricted by request ({t.already_censored} requests named a message the "
             "filter had already censored).", "",
             "| " + " | ".join(_HEAD) + " |", "|---|" + "---:|" * (len(_HEAD) - 1)]
    lines += ["| " + " | ".join(_cells(r)) + " |" for r in t.rows]
    lines += ["", "Fines and terms are the maximum a provider is liable to on conviction "
              "(Article 43 rules, Schedule 4), summed over the requests it did not comply "
              "with in time; nobody is modelled as prosecuted.",
              "", "| response | requests |", "|---|---:|"]
    lines += [f"| {s} | {n} |" for s, n in t.responses]
    return "\n".join(lines) + "\n"


_COLOURS = {"comply": "#1e8449", "comply_after_review": "#7dcea0", "pause": "#f5b041",
            "refuse": "#b03a2e", "exit_market": "#566573"}


def transparency_figures(t: Transparency, plt: Any) -> dict[str, Any]:
    """``legal_requests``: per platform, requests complied with and not; and
    ``legal_timeline``: requests per day by the platforms' response."""
    figs: dict[str, Any] = {}
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.35 * len(t.rows) + 1.3)))
    rows = list(reversed(t.rows))
    names = [r.platform for r in rows]
    ax.barh(names, [r.complied for r in rows], color="#1e8449", label="complied")
    ax.barh(names, [r.not_complied for r in rows], left=[r.complied for r in rows],
            color="#b03a2e", label="not complied (paused, refused, declined, left)")
    ax.set_xlabel("requests")
    ax.set_title("Legal requests per platform")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    figs["legal_requests"] = fig

    fig, ax = plt.subplots(figsize=(9, 3.5))
    days = sorted({d for d, _, _ in t.by_day})
    bottom = [0] * len(days)
    responses = [s for s in _COLOURS if any(r == s for _, r, _ in t.by_day)]
    for resp in responses:
        counts = {d: n for d, r, n in t.by_day if r == resp}
        values = [counts.get(d, 0) for d in days]
        ax.bar(days, values, bottom=bottom, color=_COLOURS[resp], label=resp)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for when, label in ((NSL_IN_FORCE, "law in force"), (RULES_IN_FORCE, "Art. 43 rules")):
        day = when.date().isoformat()
        if day in days:
            x = days.index(day) - 0.5
            ax.axvline(x, color="#222", ls=":", lw=1)
            ax.text(x + 0.2, 0.97, label, fontsize=7, va="top",
                    transform=ax.get_xaxis_transform())
    ax.set_ylabel("requests")
    ax.set_title("Requests per day by the platform's response")
    ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    figs["legal_timeline"] = fig
    return figs


def transparency_html(t: Transparency | None) -> list[str]:
    """The HTML section of the report page (nothing without legal requests)."""
    if t is None:
        return []

    def e(x: object) -> str:
        return html.escape(str(x), quote=True)

    out = ["<h2>Legal requests (transparency report)</h2>",
           f"<p>{t.requests} requests; the run's messages: {t.removed_by_automation} censored "
           f"by the automated filter, {t.removed_by_request} removed or restricted by "
           "request.</p>", "<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in _HEAD)
           + "</tr>"]
    for r in t.rows:
        cells = _cells(r)
        out.append("<tr><td>" + e(cells[0]) + "</td>"
                   + "".join(f'<td class="n">{e(c)}</td>' for c in cells[1:]) + "</tr>")
    out.append("</table>")
    return out
