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
             hidden_from, learned_md5, outcome)
                                              outcome 0: delivered, nothing matched
    messages(message_id, t, user_id, surface_id, content_id, outcome_id)
    deletions(message_id, delete_after)       only messages deleted later
    decisions                                 VIEW: LOG_COLUMNS, one row per message
    legal_requests(...)                       takedown and data requests and the
                                              platforms' answers (``_legal``)

A message's batch is ``message_id // batch_size``. ``t`` and ``delete_after`` are seconds
since the run's start (``delete_after`` is NULL in the view unless the action is
``delete_later``); ``rule_ids``, ``image_ids`` and ``hidden_from`` are ``;``-joined; an
empty string means none in every text column. ``outcome`` is what the people involved
observe (``censorsim.models.Outcome``): it tells apart paths of one action, such as
Weibo's explicit refusal (``refused``) and its "data error" (``data_error``), a post
review kept (``kept``, action ``flag``), or a LINE message delivered masked (``masked``).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import functools
import itertools
import json
import os
import secrets
import sqlite3
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from censorsim._optional import import_optional
from censorsim.errors import ParameterError, SimulationError
from censorsim.models import Decision, Surface
from censorsim.registry import Registry
from censorsim.simulate._legal import LEGAL_SCHEMA

if TYPE_CHECKING:
    from censorsim.simulate._config import SimulationConfig

__all__ = [
    "EXPORT_FORMATS",
    "LOG_COLUMNS",
    "LOG_SCHEMA_VERSION",
    "DecisionLog",
    "check_export",
    "export_log",
    "open_log",
    "read_log",
]

LOG_SCHEMA_VERSION = 4
"""The decision log schema this version writes and reads (1: one wide table; 2: without
the ``outcome`` column; 3: without the ``legal_requests`` table)."""

READABLE_VERSIONS = (3, 4)
"""Schema versions a reader opens (version 3 reads as a log without legal requests; it
cannot be resumed)."""

LOG_COLUMNS: tuple[str, ...] = (
    "message_id", "batch", "t", "user_id", "region", "surface", "kind", "lang", "origin",
    "text", "image", "image_md5", "action", "censored", "reason", "rule_ids", "image_ids",
    "error", "hidden_from", "delete_after", "learned_md5", "outcome",
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
    learned_md5 TEXT NOT NULL,
    outcome TEXT NOT NULL);
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
       d.delete_after, o.learned_md5, o.outcome
FROM messages AS m
CROSS JOIN (SELECT CAST(value AS INTEGER) AS batch_size FROM run WHERE key = 'batch_size') AS r
JOIN users AS u ON u.user_id = m.user_id
JOIN surfaces AS s ON s.surface_id = m.surface_id
JOIN contents AS c ON c.content_id = m.content_id
JOIN outcomes AS o ON o.outcome_id = m.outcome_id
LEFT JOIN deletions AS d ON d.message_id = m.message_id;
""" + LEGAL_SCHEMA

_SURFACES: tuple[Surface, ...] = tuple(Surface)
"""Surfaces by ``surface_id``."""
_CLEAN_OUTCOME = ("deliver", 0, "none", "", "", "", "", "", "delivered")
"""Outcome 0: the fields of every clean decision (``Decision.clean``)."""


class DecisionLog:
    """A decision log in one SQLite file (WAL mode, one transaction per batch).

    A writer (the default) holds the log's lock (``<path>.lock``, naming its process)
    from opening to :meth:`close`: one writer per log. A reader (``read_only=True``, what
    :func:`open_log` returns) opens the file with SQLite's ``mode=ro`` and never writes
    to it, its lock or its journal mode.

    Args:
        path: the database file; a writer creates it when missing (or empty).
        read_only: open for reading only; the file must be a log.
        overwrite: (writer) replace an existing log with a new, empty one, once the lock
            is held. Only a censorsim log or an empty file is replaced.

    Raises:
        SimulationError: the file is not a censorsim log, has another schema version, is
            corrupted or unreadable; or (writer) another process is writing it.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, read_only: bool = False, overwrite: bool = False
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._lock: _WriterLock | None = None
        self._inode: int | None = None
        self._empty = False
        self._writing = False
        self._created = False
        if read_only:
            self._db = _connect_read_only(self.path)
            try:
                self._check_schema(self._tables(), empty_ok=False)
            except BaseException:
                self._db.close()
                raise
            return
        if self.path.exists() and not self.path.is_file():
            raise SimulationError(f"{self.path}: not a file (a decision log is one SQLite file)")
        if not self.path.parent.is_dir():
            raise SimulationError(f"{self.path}: folder {str(self.path.parent)!r} does not exist")
        self._lock = _WriterLock(self.path)
        try:
            if overwrite and self.path.exists():
                _remove_log(self.path)
            self._open_writer()
        except BaseException:
            self._lock.release()
            self._lock = None
            raise

    def _open_writer(self) -> None:
        self._created = not self.path.exists()
        with _guard(self.path, "cannot open the decision log"):
            self._db = sqlite3.connect(self.path, isolation_level=None)
        try:
            tables = self._tables()
            self._empty = not tables
            self._check_schema(tables, empty_ok=True)
            self._inode = os.stat(self.path).st_ino
        except BaseException:
            self._db.close()
            raise

    def _start_writing(self) -> None:
        """Switch to WAL and write the schema into a new log, before the first write.

        Deferred until then so that a writer refused by :meth:`begin_run` (another config,
        a changed input) leaves the file byte for byte as it was.
        """
        if self._writing:
            return
        with _guard(self.path, "cannot write the decision log"):
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._writing = True
            if self._empty:
                with self._transaction():
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            self._db.execute(statement)
                    self._db.execute(
                        "INSERT INTO schema_version VALUES (?)", (LOG_SCHEMA_VERSION,)
                    )
                    self._db.executemany(
                        "INSERT INTO surfaces VALUES (?, ?)",
                        [(i, s.value) for i, s in enumerate(_SURFACES)],
                    )
                    self._db.execute(
                        "INSERT INTO outcomes VALUES (0, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        _CLEAN_OUTCOME,
                    )
                self._empty = False

    def _tables(self) -> set[str]:
        with _guard(self.path, "not a censorsim decision log"):
            return {
                r[0]
                for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }

    def _check_schema(self, tables: set[str], *, empty_ok: bool) -> None:
        if not tables:
            if empty_ok:
                return
            what = "an empty file" if self.path.stat().st_size == 0 else "an empty database"
            raise SimulationError(f"{self.path}: not a censorsim decision log ({what})")
        if "schema_version" not in tables:
            raise SimulationError(f"{self.path}: not a censorsim decision log (no schema_version)")
        with _guard(self.path, "cannot read the decision log"):
            row = self._db.execute("SELECT version FROM schema_version").fetchone()
        found = None if row is None else row[0]
        if found == LOG_SCHEMA_VERSION or (self.read_only and found in READABLE_VERSIONS):
            return
        if found in READABLE_VERSIONS:
            raise SimulationError(
                f"{self.path}: decision log schema version {found}; this censorsim reads "
                f"it but writes only version {LOG_SCHEMA_VERSION}, so it cannot be resumed "
                "(use a new file, or --overwrite)"
            )
        raise SimulationError(
            f"{self.path}: decision log schema version {found}; this censorsim "
            f"reads version {LOG_SCHEMA_VERSION} (re-run the simulation)"
        )

    def reading(self) -> contextlib.AbstractContextManager[None]:
        """A context in which SQLite errors become a :class:`SimulationError` naming the log."""
        return _guard(self.path, "cannot read the decision log")

    def close(self) -> None:
        """Close the database (a writer switches it back to a rollback journal, so the
        finished file stands alone, and releases its lock)."""
        try:
            if self._writing:
                with contextlib.suppress(sqlite3.Error):
                    # One self-contained file (no -wal/-shm), readable on read-only storage;
                    # a no-op while a reader still has the log open.
                    self._db.execute("PRAGMA journal_mode=DELETE")
            self._db.close()
            if self._created and not self._writing:
                with contextlib.suppress(OSError):
                    if self.path.stat().st_size == 0:  # made by this writer, never used
                        self.path.unlink()
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

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
        if self._empty:
            return {}
        with self.reading():
            return dict(self._db.execute("SELECT key, value FROM run").fetchall())

    def committed(self) -> tuple[int, int]:
        """``(batches, messages)`` committed so far."""
        if self._empty:
            return 0, 0
        with self.reading():
            row = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(messages), 0) FROM batches"
            ).fetchone()
        return int(row[0]), int(row[1])

    def status(self) -> tuple[int, int, bool]:
        """``(messages logged, messages planned, complete)``."""
        meta = self.meta()
        planned = int(meta.get("messages", 0))
        return self.committed()[1], planned, meta.get("status") == "complete"

    def begin_run(
        self,
        config: SimulationConfig,
        users: Sequence[tuple[int, str, float]],
        inputs: Mapping[str, str] | None = None,
    ) -> None:
        """Record the run's config, input digests and users, or check them against the log.

        Args:
            config: the run's config (compared as canonical JSON, paths resolved).
            users: the simulated population.
            inputs: SHA-256 digests of everything else the run reads, by resolved file
                path (corpus files, images, rule and index files, the policy file), and
                ``"<policy>"``: a digest of the built policy (:meth:`Policy.fingerprint`).

        Raises:
            SimulationError: the log holds another configuration's run, or one of its
                inputs changed since the log was started (the message names it), or
                the log records no digests to check.
        """
        self._writable()
        meta = self.meta()
        cfg = config.to_json()
        digests = dict(inputs or {})
        if meta:
            if meta.get("config") != cfg:
                raise SimulationError(
                    f"{self.path}: the log holds a run of another configuration"
                    f"{_config_diff(meta.get('config'), cfg)}; use a new file (or --overwrite)"
                )
            _check_inputs(self.path, meta.get("inputs"), digests)
            self._start_writing()
            return
        self._start_writing()
        with self._transaction():
            self._db.executemany(
                "INSERT INTO run VALUES (?, ?)",
                [("config", cfg), ("seed", str(config.seed)),
                 ("start", config.start.isoformat()), ("messages", str(config.messages)),
                 ("batch_size", str(config.batch_size)), ("status", "running"),
                 ("inputs", json.dumps(digests, sort_keys=True, ensure_ascii=False))],
            )
            self._db.executemany("INSERT INTO users VALUES (?, ?, ?)", users)

    def _writable(self) -> None:
        """Raise unless this is the writer of a log still at its path."""
        if self.read_only:
            raise SimulationError(f"{self.path}: the log was opened read-only")
        try:
            inode = os.stat(self.path).st_ino
        except OSError:
            inode = None
        if inode != self._inode:
            raise SimulationError(
                f"{self.path}: the log was removed or replaced while this run was writing it"
            )

    def write_batch(
        self,
        batch: int,
        first: int,
        columns: Sequence[Sequence[Any]],
        *,
        contents: Sequence[tuple[Any, ...]] = (),
        outcomes: Sequence[tuple[Any, ...]] = (),
        deletions: Sequence[tuple[int, float]] = (),
        legal: Sequence[tuple[Any, ...]] = (),
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
            legal: ``legal_requests`` rows of the batch (``_legal.LEGAL_COLUMNS``).

        Raises:
            SimulationError: the messages did not get the ids ``first, first + 1, ...``
                (nothing is written).
        """
        count = len(columns[0])
        self._writable()
        self._start_writing()
        with self._transaction():
            self._db.executemany("INSERT INTO contents VALUES (?, ?, ?, ?, ?, ?, ?)", contents)
            self._db.executemany(
                "INSERT INTO outcomes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", outcomes
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
            if legal:
                marks = ", ".join("?" * len(legal[0]))
                self._db.executemany(f"INSERT INTO legal_requests VALUES ({marks})", legal)
            self._db.execute("INSERT INTO batches VALUES (?, ?, ?)", (batch, first, count))

    def finish(self) -> None:
        """Mark the run complete."""
        self._writable()
        self._start_writing()
        with self._transaction():
            self._db.execute("UPDATE run SET value='complete' WHERE key='status'")

    def content_ids(self) -> set[int]:
        """Ids of the contents logged so far."""
        with self.reading():
            return {r[0] for r in self._db.execute("SELECT content_id FROM contents")}

    def outcome_ids(self) -> dict[tuple[Any, ...], int]:
        """Id of each logged outcome, by its fields (``outcomes`` columns after the id)."""
        with self.reading():
            return {
                tuple(r[1:]): r[0]
                for r in self._db.execute("SELECT * FROM outcomes ORDER BY outcome_id")
            }

    def learned(self) -> list[tuple[str, float]]:
        """``(md5, t)`` of every logged learning event, in message order."""
        with self.reading():
            return [
                (r[0], float(r[1]))
                for r in self._db.execute(
                    "SELECT o.learned_md5, m.t FROM messages AS m "
                    "JOIN outcomes AS o ON o.outcome_id = m.outcome_id "
                    "WHERE o.learned_md5 != '' ORDER BY m.message_id"
                )
            ]

    def legal_requests(self) -> int:
        """How many legal requests are logged (0 in a log without the table)."""
        if self._empty:
            return 0
        with self.reading():
            if self._db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND "
                                "name='legal_requests'").fetchone() is None:
                return 0
            return int(self._db.execute("SELECT COUNT(*) FROM legal_requests").fetchone()[0])

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """Every decision row, in message order."""
        with self.reading():
            yield from self._db.execute(f"SELECT {', '.join(LOG_COLUMNS)} FROM decisions "
                                        "ORDER BY message_id")

    class _Tx:
        def __init__(self, db: sqlite3.Connection, path: Path) -> None:
            self.db = db
            self.path = path

        def __enter__(self) -> None:
            with _guard(self.path, "cannot write the decision log"):
                self.db.execute("BEGIN IMMEDIATE")

        def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
            if exc is not None:
                # SQLite may have rolled back already (disk full); keep the first error.
                with contextlib.suppress(sqlite3.Error):
                    if self.db.in_transaction:
                        self.db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise SimulationError(
                        f"{self.path}: cannot write the decision log: {_describe(exc)} "
                        "(nothing of this batch was written)"
                    ) from None
                return
            with _guard(self.path, "cannot write the decision log"):
                self.db.execute("COMMIT")

    def _transaction(self) -> DecisionLog._Tx:
        return DecisionLog._Tx(self._db, self.path)


def _describe(exc: sqlite3.Error) -> str:
    """What an SQLite error means for a log, in words."""
    text = str(exc)
    low = text.lower()
    if "disk is full" in low:
        return f"disk full ({text})"
    if "readonly" in low or "read-only" in low:
        return f"the file or its folder is read-only ({text})"
    if "not a database" in low or "malformed" in low:
        return f"corrupted, or not a censorsim decision log ({text})"
    if "locked" in low or "busy" in low:
        return f"locked by another process ({text})"
    if "disk i/o error" in low:
        return f"{text} (disk full, a file size limit, or a failing disk)"
    return text


@contextlib.contextmanager
def _guard(path: Path, doing: str) -> Iterator[None]:
    """Turn SQLite errors into a :class:`SimulationError` naming the log."""
    try:
        yield
    except sqlite3.Error as exc:
        raise SimulationError(f"{path}: {doing}: {_describe(exc)}") from None
    except UnicodeDecodeError:  # a damaged page that still parses, with broken text
        raise SimulationError(
            f"{path}: {doing}: corrupted, or not a censorsim decision log (text that is not "
            "UTF-8)"
        ) from None


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection (``mode=ro``) to an existing file; writes nothing to it.

    A WAL-mode log on read-only storage without its ``-wal`` file (nothing uncommitted
    left behind) is opened ``immutable``, since SQLite cannot create the ``-shm`` there.
    """
    if not path.exists():
        raise SimulationError(f"{path}: decision log not found")
    if not path.is_file():
        raise SimulationError(f"{path}: not a file (a decision log is one SQLite file)")
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    con = sqlite3.connect(uri, uri=True)
    try:
        con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        con.close()
        if Path(f"{path}-wal").exists():
            raise SimulationError(
                f"{path}: cannot read the decision log: {_describe(exc)}; it has a -wal file "
                "SQLite cannot use here (read-only storage?): copy the log and its -wal "
                "file to writable storage"
            ) from None
        con = sqlite3.connect(uri + "&immutable=1", uri=True)
    except sqlite3.DatabaseError as exc:
        con.close()
        raise SimulationError(f"{path}: not a censorsim decision log ({exc})") from None
    except UnicodeDecodeError:
        con.close()
        raise SimulationError(
            f"{path}: corrupted, or not a censorsim decision log (text that is not UTF-8)"
        ) from None
    return con


class _WriterLock:
    """The one-writer lock of a log: ``<log>.lock``, locked with ``flock`` for the run.

    The file holds the writer's process id; it is removed on release. A lock file left by
    a killed process is not locked, so the next writer takes it over.
    """

    def __init__(self, log: Path) -> None:
        self.log = log
        self.path = Path(f"{log}.lock")
        self._fd: int | None = None
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise SimulationError(
                    f"{log}: cannot write the decision log: cannot create its lock file "
                    f"{self.path.name} ({exc.strerror or exc}; read-only storage?)"
                ) from None
            try:
                _lock_fd(fd)
            except OSError as exc:
                os.close(fd)
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                raise SimulationError(
                    f"{log}: log in use by process {self._holder()} (another run is writing "
                    "it; wait for it to end, or use another file)"
                ) from None
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:  # not removed by a writer that released it meanwhile
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def _holder(self) -> str:
        try:
            pid = self.path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            pid = ""
        return pid if pid.isdigit() else "(unknown)"

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()
            os.close(self._fd)
            self._fd = None


def _lock_fd(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _remove_log(path: Path) -> None:
    """Delete a log and its -wal/-shm files (``--overwrite``); refuse any other file."""
    if path.stat().st_size > 0:
        probe = DecisionLog.__new__(DecisionLog)
        probe.path, probe.read_only, probe._lock, probe._inode = path, True, None, None
        probe._empty = probe._writing = False
        probe._db = _connect_read_only(path)
        try:
            tables = probe._tables()
        finally:
            probe._db.close()
        if "schema_version" not in tables:
            raise SimulationError(
                f"{path}: not a censorsim decision log; overwrite replaces only decision "
                "logs (remove the file yourself, or choose another)"
            )
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _config_diff(old: str | None, new: str) -> str:
    """`` (differs in: a, b)`` naming the config keys two canonical JSONs disagree on."""
    try:
        a, b = json.loads(old or "{}"), json.loads(new)
    except ValueError:
        return ""
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return f" (differs in: {', '.join(keys)})" if keys else ""


def _check_inputs(path: Path, stored: str | None, now: Mapping[str, str]) -> None:
    """Refuse to resume when an input's digest differs from the one the log recorded."""
    if stored is None:
        raise SimulationError(
            f"{path}: the log records no digests of its inputs (written by an older "
            "censorsim), so a resume cannot check they are unchanged; use a new file "
            "(or --overwrite)"
        )
    try:
        before = dict(json.loads(stored))
    except (ValueError, TypeError):
        raise SimulationError(f"{path}: the log's input digests are unreadable") from None
    for name in sorted(set(before) | set(now)):
        if before.get(name) == now.get(name):
            continue
        if name == "<policy>":
            what = "the policy (its rules, surfaces, images or delays)"
        elif name not in now:
            what = f"{name} (no longer an input)"
        elif name not in before:
            what = f"{name} (a new input)"
        else:
            what = name
        raise SimulationError(
            f"{path}: {what} changed since the log was started; resuming would mix "
            "decisions on two different inputs: restore it, or use a new file "
            "(or --overwrite)"
        )


_ROWS_PER_INSERT = 500
"""Message rows per ``INSERT`` statement (5 parameters each; SQLite allows 32766)."""


@functools.lru_cache(maxsize=8)
def _insert_messages(rows: int) -> str:
    """``INSERT`` of ``rows`` messages: the first one's id, then 5 values per message."""
    values = ", ".join(["(?, ?, ?, ?, ?, ?)"] + ["(NULL, ?, ?, ?, ?, ?)"] * (rows - 1))
    return f"INSERT INTO messages VALUES {values}"


def open_log(path: str | os.PathLike[str]) -> DecisionLog:
    """Open an existing decision log for reading (SQLite ``mode=ro``: nothing is written).

    Raises:
        SimulationError: the file is missing, not a log, or of another schema version.
    """
    return DecisionLog(path, read_only=True)


def read_log(path: str | os.PathLike[str]) -> Any:
    """The decisions of a log as a pandas DataFrame (needs the ``pandas`` extra).

    Adds ``sent_at`` (a datetime from the run's start and ``t``) and ``deleted_at``.

    Raises:
        SimulationError: not a log, or another schema version.
        MissingDependencyError: pandas is not installed.
    """
    pd = import_optional("pandas", "pandas", "reading a decision log as a DataFrame")
    with open_log(path) as log, log.reading():
        start = pd.Timestamp(log.meta().get("start", "1970-01-01"))
        try:
            frame = pd.read_sql_query(
                f"SELECT {', '.join(LOG_COLUMNS)} FROM decisions ORDER BY message_id",
                log.connection,
            )
        except getattr(pd.errors, "DatabaseError", sqlite3.Error) as exc:
            # pandas wraps SQLite's errors in its own DatabaseError
            raise SimulationError(f"{path}: cannot read the decision log: {exc}") from None
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


def check_export(
    path: str | os.PathLike[str], out: str | os.PathLike[str], *, format: str | None = None
) -> Callable[[DecisionLog, str | os.PathLike[str]], int]:
    """Check that the log ``path`` can be exported to ``out`` (before a run, say); returns
    the format's writer.

    Raises:
        UnknownNameError: an unknown format.
        ParameterError: ``out``'s folder does not exist, ``out`` is a folder, or it is the
            log itself.
    """
    target = Path(out)
    if target.is_dir():
        raise ParameterError(f"{target}: cannot export: it is a folder, not a file")
    if not target.parent.is_dir():
        raise ParameterError(f"{target}: cannot export: folder {str(target.parent)!r} "
                             "does not exist")
    write = EXPORT_FORMATS.get(format or target.suffix.lstrip(".").lower())
    if target.exists() and Path(path).exists() and target.samefile(path):
        raise ParameterError(f"{target}: cannot export a log onto itself")
    return write


def export_log(
    path: str | os.PathLike[str], out: str | os.PathLike[str], *, format: str | None = None
) -> int:
    """Export a log's decisions to CSV or Parquet; returns the number of rows.

    Args:
        path: the log.
        out: the output file.
        format: a name in :data:`EXPORT_FORMATS` (``csv``, ``parquet``); by default
            ``out``'s suffix.

    The file is written next to ``out`` under a temporary name and renamed into place
    once complete, so a failed export leaves an earlier ``out`` as it was.

    Raises:
        UnknownNameError: an unknown format (the message lists the formats).
        MissingDependencyError: Parquet without the ``parquet`` extra.
        ParameterError: ``out``'s folder does not exist, ``out`` is a folder, or it is
            the log itself.
        SimulationError: not a log.
    """
    write = check_export(path, out, format=format)
    target = Path(out)
    with open_log(path) as log:
        tmp = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part"
        try:
            n = write(log, tmp)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return n


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
        d.outcome.value,
    )
