"""The decision log: one SQLite file (schema below), written one transaction per batch.

Log schema (version :data:`LOG_SCHEMA_VERSION`; described in ``docs/simulation.md``): one
narrow row per message, pointing at what it carried and what was decided; each content
and each distinct outcome is stored once. The ``decisions`` view joins them back into one
row per message with names (:data:`LOG_COLUMNS`); read the log through it::

    schema_version(version)                   one row
    run(key, value)                           config (canonical JSON), seed, start,
                                              messages, batch_size, status
    users(user_id, region, activity)          the simulated population
    batches(batch, first_message, messages)   one row per committed batch
    surfaces(surface_id, name)                the codes of messages.surface_id
    contents(content_id, kind, lang, origin, text, image, image_md5)
    outcomes(outcome_id, action, censored, reason, rule_ids, image_ids, error,
             hidden_from, learned_md5)        outcome 0: delivered, nothing matched
    messages(message_id, t, user_id, surface_id, content_id, outcome_id)
    deletions(message_id, delete_after)       only messages deleted later
    decisions                                 VIEW: LOG_COLUMNS, one row per message

A message's batch is ``message_id // batch_size``. ``t`` and ``delete_after`` are seconds
since the run's start (``delete_after`` is NULL in the view unless the action is
``delete_later``); ``rule_ids``, ``image_ids`` and ``hidden_from`` are ``;``-joined; an
empty string means none in every text column.
"""

from __future__ import annotations

import csv
import functools
import itertools
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from censorsim._optional import import_optional
from censorsim.errors import SimulationError
from censorsim.models import Decision, Surface
from censorsim.registry import Registry

if TYPE_CHECKING:
    from censorsim.simulate._config import SimulationConfig

__all__ = [
    "EXPORT_FORMATS",
    "LOG_COLUMNS",
    "LOG_SCHEMA_VERSION",
    "DecisionLog",
    "export_log",
    "open_log",
    "read_log",
]

LOG_SCHEMA_VERSION = 2
"""The decision log schema this version writes and reads (1: one wide table)."""

LOG_COLUMNS: tuple[str, ...] = (
    "message_id", "batch", "t", "user_id", "region", "surface", "kind", "lang", "origin",
    "text", "image", "image_md5", "action", "censored", "reason", "rule_ids", "image_ids",
    "error", "hidden_from", "delete_after", "learned_md5",
)
"""Columns of the ``decisions`` view, in order."""

_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE run (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users (
    user_id INTEGER PRIMARY KEY, region TEXT NOT NULL, activity REAL NOT NULL);
CREATE TABLE batches (
    batch INTEGER PRIMARY KEY, first_message INTEGER NOT NULL, messages INTEGER NOT NULL);
CREATE TABLE surfaces (surface_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE contents (
    content_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    lang TEXT NOT NULL,
    origin TEXT NOT NULL,
    text TEXT NOT NULL,
    image TEXT NOT NULL,
    image_md5 TEXT NOT NULL);
CREATE TABLE outcomes (
    outcome_id INTEGER PRIMARY KEY,
    action TEXT NOT NULL,
    censored INTEGER NOT NULL,
    reason TEXT NOT NULL,
    rule_ids TEXT NOT NULL,
    image_ids TEXT NOT NULL,
    error TEXT NOT NULL,
    hidden_from TEXT NOT NULL,
    learned_md5 TEXT NOT NULL);
CREATE TABLE messages (
    message_id INTEGER PRIMARY KEY,
    t REAL NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users,
    surface_id INTEGER NOT NULL REFERENCES surfaces,
    content_id INTEGER NOT NULL REFERENCES contents,
    outcome_id INTEGER NOT NULL REFERENCES outcomes);
CREATE TABLE deletions (
    message_id INTEGER PRIMARY KEY REFERENCES messages, delete_after REAL NOT NULL);
CREATE VIEW decisions AS
SELECT m.message_id, m.message_id / r.batch_size AS batch, m.t, m.user_id, u.region,
       s.name AS surface, c.kind, c.lang, c.origin, c.text, c.image, c.image_md5,
       o.action, o.censored, o.reason, o.rule_ids, o.image_ids, o.error, o.hidden_from,
       d.delete_after, o.learned_md5
FROM messages AS m
CROSS JOIN (SELECT CAST(value AS INTEGER) AS batch_size FROM run WHERE key = 'batch_size') AS r
JOIN users AS u ON u.user_id = m.user_id
JOIN surfaces AS s ON s.surface_id = m.surface_id
JOIN contents AS c ON c.content_id = m.content_id
JOIN outcomes AS o ON o.outcome_id = m.outcome_id
LEFT JOIN deletions AS d ON d.message_id = m.message_id;
"""

_SURFACES: tuple[Surface, ...] = tuple(Surface)
"""Surfaces by ``surface_id``."""
_CLEAN_OUTCOME = ("deliver", 0, "none", "", "", "", "", "")
"""Outcome 0: the fields of every clean decision (``Decision.clean``)."""


class DecisionLog:
    """A decision log in one SQLite file (WAL mode, one transaction per batch).

    Args:
        path: the database file; created when missing.

    Raises:
        SimulationError: the file is not a censorsim log, or has another schema version.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            tables = {
                r[0]
                for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        except sqlite3.DatabaseError as exc:
            raise SimulationError(f"{self.path}: not a censorsim decision log ({exc})") from None
        if not tables:
            with self._transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute("INSERT INTO schema_version VALUES (?)", (LOG_SCHEMA_VERSION,))
                self._db.executemany(
                    "INSERT INTO surfaces VALUES (?, ?)",
                    [(i, s.value) for i, s in enumerate(_SURFACES)],
                )
                self._db.execute(
                    "INSERT INTO outcomes VALUES (0, ?, ?, ?, ?, ?, ?, ?, ?)", _CLEAN_OUTCOME
                )
        elif "schema_version" not in tables:
            self.close()
            raise SimulationError(f"{self.path}: not a censorsim decision log (no schema_version)")
        else:
            row = self._db.execute("SELECT version FROM schema_version").fetchone()
            if row is None or row[0] != LOG_SCHEMA_VERSION:
                found = None if row is None else row[0]
                self.close()
                raise SimulationError(
                    f"{self.path}: decision log schema version {found}; this censorsim "
                    f"reads version {LOG_SCHEMA_VERSION} (re-run the simulation)"
                )

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> DecisionLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying connection (for queries)."""
        return self._db

    def meta(self) -> dict[str, str]:
        """The ``run`` table as a dict."""
        return dict(self._db.execute("SELECT key, value FROM run").fetchall())

    def committed(self) -> tuple[int, int]:
        """``(batches, messages)`` committed so far."""
        row = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(messages), 0) FROM batches"
        ).fetchone()
        return int(row[0]), int(row[1])

    def begin_run(self, config: SimulationConfig, users: Sequence[tuple[int, str, float]]) -> None:
        """Record the run's config and users, or check that they match a logged run.

        Raises:
            SimulationError: the log holds another configuration's run.
        """
        meta = self.meta()
        cfg = config.to_json()
        if meta:
            if meta.get("config") != cfg:
                raise SimulationError(
                    f"{self.path}: the log holds a run of another configuration; "
                    "use a new file (or --overwrite)"
                )
            return
        with self._transaction():
            self._db.executemany(
                "INSERT INTO run VALUES (?, ?)",
                [("config", cfg), ("seed", str(config.seed)),
                 ("start", config.start.isoformat()), ("messages", str(config.messages)),
                 ("batch_size", str(config.batch_size)), ("status", "running")],
            )
            self._db.executemany("INSERT INTO users VALUES (?, ?, ?)", users)

    def write_batch(
        self,
        batch: int,
        first: int,
        columns: Sequence[Sequence[Any]],
        *,
        contents: Sequence[tuple[Any, ...]] = (),
        outcomes: Sequence[tuple[Any, ...]] = (),
        deletions: Sequence[tuple[int, float]] = (),
    ) -> None:
        """Write one batch in one transaction.

        Args:
            batch: the batch number.
            first: the id of its first message (every message before it is logged).
            columns: the ``messages`` columns after ``message_id`` (``t``, ``user_id``,
                ``surface_id``, ``content_id``, ``outcome_id``), one value per message.
            contents: ``contents`` rows the batch is the first to use.
            outcomes: ``outcomes`` rows the batch is the first to use.
            deletions: ``deletions`` rows of the batch.

        Raises:
            SimulationError: the messages did not get the ids ``first, first + 1, ...``
                (nothing is written).
        """
        count = len(columns[0])
        with self._transaction():
            self._db.executemany("INSERT INTO contents VALUES (?, ?, ?, ?, ?, ?, ?)", contents)
            self._db.executemany(
                "INSERT INTO outcomes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", outcomes
            )
            last = first - 1
            # Many rows per statement, a few times faster than executemany's row at a
            # time; each statement's first row has its id, SQLite numbers the rest on.
            for lo in range(0, count, _ROWS_PER_INSERT):
                chunk = zip(*(c[lo:lo + _ROWS_PER_INSERT] for c in columns), strict=True)
                params = [first + lo, *itertools.chain.from_iterable(chunk)]
                sql = _insert_messages(len(params) // len(columns))
                last = self._db.execute(sql, params).lastrowid or last
            if last != first + count - 1:
                raise SimulationError(
                    f"{self.path}: batch {batch} got message ids up to {last}, "
                    f"expected {first}..{first + count - 1}"
                )
            self._db.executemany("INSERT INTO deletions VALUES (?, ?)", deletions)
            self._db.execute("INSERT INTO batches VALUES (?, ?, ?)", (batch, first, count))

    def finish(self) -> None:
        """Mark the run complete."""
        with self._transaction():
            self._db.execute("UPDATE run SET value='complete' WHERE key='status'")

    def content_ids(self) -> set[int]:
        """Ids of the contents logged so far."""
        return {r[0] for r in self._db.execute("SELECT content_id FROM contents")}

    def outcome_ids(self) -> dict[tuple[Any, ...], int]:
        """Id of each logged outcome, by its fields (``outcomes`` columns after the id)."""
        return {
            tuple(r[1:]): r[0]
            for r in self._db.execute("SELECT * FROM outcomes ORDER BY outcome_id")
        }

    def learned(self) -> list[tuple[str, float]]:
        """``(md5, t)`` of every logged learning event, in message order."""
        return [
            (r[0], float(r[1]))
            for r in self._db.execute(
                "SELECT o.learned_md5, m.t FROM messages AS m "
                "JOIN outcomes AS o ON o.outcome_id = m.outcome_id "
                "WHERE o.learned_md5 != '' ORDER BY m.message_id"
            )
        ]

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """Every decision row, in message order."""
        yield from self._db.execute(f"SELECT {', '.join(LOG_COLUMNS)} FROM decisions "
                                    "ORDER BY message_id")

    class _Tx:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __enter__(self) -> None:
            self.db.execute("BEGIN IMMEDIATE")

        def __exit__(self, exc_type: object, *rest: object) -> None:
            self.db.execute("ROLLBACK" if exc_type else "COMMIT")

    def _transaction(self) -> DecisionLog._Tx:
        return DecisionLog._Tx(self._db)


_ROWS_PER_INSERT = 500
"""Message rows per ``INSERT`` statement (5 parameters each; SQLite allows 32766)."""


@functools.lru_cache(maxsize=8)
def _insert_messages(rows: int) -> str:
    """``INSERT`` of ``rows`` messages: the first one's id, then 5 values per message."""
    values = ", ".join(["(?, ?, ?, ?, ?, ?)"] + ["(NULL, ?, ?, ?, ?, ?)"] * (rows - 1))
    return f"INSERT INTO messages VALUES {values}"


def open_log(path: str | os.PathLike[str]) -> DecisionLog:
    """Open an existing decision log.

    Raises:
        SimulationError: the file is missing, not a log, or of another schema version.
    """
    if not Path(path).is_file():
        raise SimulationError(f"{path}: decision log not found")
    return DecisionLog(path)


def read_log(path: str | os.PathLike[str]) -> Any:
    """The decisions of a log as a pandas DataFrame (needs the ``pandas`` extra).

    Adds ``sent_at`` (a datetime from the run's start and ``t``) and ``deleted_at``.

    Raises:
        SimulationError: not a log, or another schema version.
        MissingDependencyError: pandas is not installed.
    """
    pd = import_optional("pandas", "pandas", "reading a decision log as a DataFrame")
    with open_log(path) as log:
        start = pd.Timestamp(log.meta().get("start", "1970-01-01"))
        frame = pd.read_sql_query(
            f"SELECT {', '.join(LOG_COLUMNS)} FROM decisions ORDER BY message_id",
            log.connection,
        )
    frame["sent_at"] = start + pd.to_timedelta(frame["t"], unit="s")
    frame["deleted_at"] = frame["sent_at"] + pd.to_timedelta(frame["delete_after"], unit="s")
    return frame


def _write_csv(log: DecisionLog, out: str | os.PathLike[str]) -> int:
    n = 0
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(LOG_COLUMNS)
        for row in log.rows():
            writer.writerow(row)
            n += 1
    return n


def _write_parquet(log: DecisionLog, out: str | os.PathLike[str]) -> int:
    pa = import_optional("pyarrow", "parquet", "Parquet export")
    pq = import_optional("pyarrow.parquet", "parquet", "Parquet export")
    rows = list(log.rows())
    columns = {c: [r[i] for r in rows] for i, c in enumerate(LOG_COLUMNS)}
    pq.write_table(pa.table(columns), out)
    return len(rows)


EXPORT_FORMATS: Registry[Callable[[DecisionLog, str | os.PathLike[str]], int]] = Registry(
    "export format"
)
"""Writers of a log's decisions by format name (what :func:`export_log` accepts)."""
EXPORT_FORMATS.add("csv", _write_csv, summary="CSV with a header row")
EXPORT_FORMATS.add(
    "parquet", _write_parquet, requires="pyarrow", extra="parquet", summary="Apache Parquet"
)


def export_log(
    path: str | os.PathLike[str], out: str | os.PathLike[str], *, format: str | None = None
) -> int:
    """Export a log's decisions to CSV or Parquet; returns the number of rows.

    Args:
        path: the log.
        out: the output file.
        format: a name in :data:`EXPORT_FORMATS` (``csv``, ``parquet``); by default
            ``out``'s suffix.

    Raises:
        UnknownNameError: an unknown format (the message lists the formats).
        MissingDependencyError: Parquet without the ``parquet`` extra.
        SimulationError: not a log.
    """
    write = EXPORT_FORMATS.get(format or Path(out).suffix.lstrip(".").lower())
    with open_log(path) as log:
        return write(log, out)


@dataclass(slots=True)
class _LogState:
    """What the log already holds: content ids, and outcome ids by their fields.

    ``by_decision`` caches outcome ids by the decision fields they come from, which
    skips formatting the fields of a decision seen before.
    """

    contents: set[int]
    outcomes: dict[tuple[Any, ...], int]
    by_decision: dict[tuple[Any, ...], int] = field(default_factory=dict)


def _outcome_fields(d: Decision) -> tuple[Any, ...]:
    """A decision as an ``outcomes`` row (without the id)."""
    return (
        d.action.name.lower(),
        int(d.censored),
        d.reason.value,
        ";".join(d.rule_ids),
        ";".join(d.image_ids),
        d.error or "",
        ";".join(sorted(r.value for r in d.hidden_from)),
        d.learn_md5 or "",
    )
