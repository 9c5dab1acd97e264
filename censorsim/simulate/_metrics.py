"""Metrics over a decision log: censored shares, top rules, collateral damage, deletion delays.

Everything is computed with SQL over the log (no pandas needed). "Censored" is the log's
``censored`` column, :attr:`censorsim.models.Decision.censored` (``action > FLAG``); a
message's ``kind`` is its ground truth, ``benign`` or ``sensitive``.

Example: ``compute_metrics("run.db").by_surface`` lists the censored share per surface.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from censorsim.errors import ParameterError
from censorsim.simulate._log import DecisionLog, open_log

__all__ = ["Collateral", "Metrics", "Share", "compute_metrics"]


@dataclass(frozen=True, slots=True)
class Share:
    """How many messages of a group were censored.

    Attributes:
        key: the group (a surface, a region, or a window's start in seconds).
        messages: messages in the group.
        censored: censored messages in it.
    """

    key: str
    messages: int
    censored: int

    @property
    def share(self) -> float:
        """``censored / messages`` (0 for an empty group)."""
        return self.censored / self.messages if self.messages else 0.0


@dataclass(frozen=True, slots=True)
class Collateral:
    """Benign messages censored.

    Attributes:
        benign: benign messages in the log.
        censored: benign messages censored.
        by_rule: ``(rule id, benign messages it censored)``, most first.
        examples: up to five distinct censored benign texts.
    """

    benign: int
    censored: int
    by_rule: tuple[tuple[str, int], ...]
    examples: tuple[str, ...]

    @property
    def share(self) -> float:
        """``censored / benign``."""
        return self.censored / self.benign if self.benign else 0.0


@dataclass(frozen=True, slots=True)
class Metrics:
    """The summary of a run.

    Attributes:
        messages: messages logged.
        censored: censored messages.
        by_surface, by_region, by_kind: censored share per group (``kind``: the ground
            truth, ``benign`` or ``sensitive``).
        by_window: censored share per time window (key: window start, seconds).
        window: the window length in seconds.
        actions: ``(action, messages)``, most first.
        top_rules: ``(rule id, messages)``, most first.
        collateral: benign messages censored.
        deletion_delays: every ``delete_later`` delay, seconds, sorted.
        learned_images: distinct image MD5s learned.
        by_surface_region: ``(surface, share per region on that surface)`` pairs, sorted.
        by_source: ``(source, messages censored)``, most first: what decided each
            censored message (``text`` keyword rules, image ``md5``, ``visual``
            similarity, ``ocr`` of the text in the image).
        outcomes: ``(outcome, messages)``, most first: what the people involved
            observed (``censorsim.models.Outcome``), which tells apart paths of one
            action (Weibo's ``refused`` and ``data_error``; ``kept``: matched posts
            that review did not delete).
        planned: the messages the run was configured for.
        complete: whether the run finished (``messages == planned`` then); an interrupted
            run's metrics cover the messages logged so far.
    """

    messages: int
    censored: int
    by_surface: tuple[Share, ...]
    by_region: tuple[Share, ...]
    by_kind: tuple[Share, ...]
    by_window: tuple[Share, ...]
    window: float
    actions: tuple[tuple[str, int], ...]
    top_rules: tuple[tuple[str, int], ...]
    collateral: Collateral
    deletion_delays: tuple[float, ...]
    learned_images: int
    by_surface_region: tuple[tuple[str, Share], ...] = ()
    by_source: tuple[tuple[str, int], ...] = ()
    outcomes: tuple[tuple[str, int], ...] = ()
    planned: int = 0
    complete: bool = True

    @property
    def status(self) -> str:
        """``complete: N messages`` or ``incomplete: N of M messages``."""
        if self.complete:
            return f"complete: {self.messages} messages"
        return f"incomplete: {self.messages} of {self.planned} messages"

    @property
    def kept(self) -> int:
        """Matched posts that review kept instead of deleting (outcome ``kept``)."""
        return dict(self.outcomes).get("kept", 0)

    @property
    def share(self) -> float:
        """The censored share of all messages."""
        return self.censored / self.messages if self.messages else 0.0

    def __repr__(self) -> str:
        return (f"<Metrics {self.status}, {self.censored} censored ({100 * self.share:.1f}%), "
                f"{len(self.by_surface)} surfaces, {len(self.by_region)} regions, "
                f"{len(self.deletion_delays)} deleted later>")


_SOURCES = {"keyword": "text", "image_md5": "md5", "image_visual": "visual",
            "image_ocr": "ocr"}
"""The source of a censored message's decision, by its logged reason."""


def _shares(log: DecisionLog, column: str) -> tuple[Share, ...]:
    rows = log.connection.execute(
        f"SELECT {column}, COUNT(*), SUM(censored) FROM decisions GROUP BY 1 ORDER BY 1"
    ).fetchall()
    return tuple(Share(str(k), int(n), int(c or 0)) for k, n, c in rows)


def _split_counts(rows: list[tuple[str, int]], top: int) -> tuple[tuple[str, int], ...]:
    counts: dict[str, int] = {}
    for ids, n in rows:
        for rid in ids.split(";"):
            if rid:
                counts[rid] = counts.get(rid, 0) + int(n)
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top])


def compute_metrics(
    path: str | os.PathLike[str], *, window: float = 3600.0, top: int = 10
) -> Metrics:
    """Compute the metrics of the log at ``path``.

    Args:
        path: the decision log.
        window: the time window for ``by_window``, seconds.
        top: how many rules to list.

    Raises:
        SimulationError: not a log, or another schema version.
        ParameterError: ``window`` is not positive or ``top`` is negative.
    """
    if not (window > 0 and math.isfinite(window)):
        raise ParameterError(f"window must be positive and finite (seconds), got {window}")
    if top < 0:
        raise ParameterError(f"top must be >= 0, got {top}")
    with open_log(path) as log, log.reading():
        _, planned, complete = log.status()
        db = log.connection
        n, c = db.execute("SELECT COUNT(*), COALESCE(SUM(censored), 0) FROM decisions").fetchone()
        windows = db.execute(
            "SELECT CAST(t / ? AS INTEGER), COUNT(*), SUM(censored) FROM decisions "
            "GROUP BY 1 ORDER BY 1",
            (window,),
        ).fetchall()
        actions = db.execute(
            "SELECT action, COUNT(*) FROM decisions GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()
        rules = db.execute(
            "SELECT rule_ids, COUNT(*) FROM decisions WHERE censored = 1 AND rule_ids != '' "
            "GROUP BY 1"
        ).fetchall()
        benign, benign_c = db.execute(
            "SELECT COUNT(*), COALESCE(SUM(censored), 0) FROM decisions WHERE kind = 'benign'"
        ).fetchone()
        b_rules = db.execute(
            "SELECT rule_ids || ';' || image_ids, COUNT(*) FROM decisions "
            "WHERE censored = 1 AND kind = 'benign' GROUP BY 1"
        ).fetchall()
        examples = db.execute(
            "SELECT DISTINCT text FROM decisions WHERE censored = 1 AND kind = 'benign' "
            "AND text != '' ORDER BY message_id LIMIT 5"
        ).fetchall()
        delays = db.execute(
            "SELECT delete_after FROM decisions WHERE delete_after IS NOT NULL ORDER BY 1"
        ).fetchall()
        cross = db.execute(
            "SELECT surface, region, COUNT(*), SUM(censored) FROM decisions "
            "GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
        sources = db.execute(
            "SELECT reason, COUNT(*) FROM decisions WHERE censored = 1 GROUP BY 1"
        ).fetchall()
        outcomes = db.execute(
            "SELECT outcome, COUNT(*) FROM decisions GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()
        learned = db.execute(
            "SELECT COUNT(DISTINCT learned_md5) FROM decisions WHERE learned_md5 != ''"
        ).fetchone()[0]
        return Metrics(
            messages=int(n),
            censored=int(c),
            by_surface=_shares(log, "surface"),
            by_region=_shares(log, "region"),
            by_kind=_shares(log, "kind"),
            by_window=tuple(
                Share(str(int(k * window)), int(m), int(s or 0)) for k, m, s in windows
            ),
            window=float(window),
            actions=tuple((str(a), int(k)) for a, k in actions),
            top_rules=_split_counts(rules, top),
            collateral=Collateral(
                int(benign), int(benign_c), _split_counts(b_rules, top),
                tuple(str(e[0]) for e in examples),
            ),
            deletion_delays=tuple(float(d[0]) for d in delays),
            learned_images=int(learned),
            by_surface_region=tuple(
                (str(surface), Share(str(region), int(m), int(s or 0)))
                for surface, region, m, s in cross
            ),
            planned=planned,
            complete=complete,
            outcomes=tuple((str(o), int(k)) for o, k in outcomes),
            by_source=tuple(sorted(
                ((_SOURCES.get(str(r), str(r)), int(k)) for r, k in sources),
                key=lambda kv: (-kv[1], kv[0]))),
        )
