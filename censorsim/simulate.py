"""Seeded simulation of a platform over time, with a resumable SQLite decision log.

A :class:`Simulation` draws users (region, activity), then a stream of messages in
batches: each batch's messages, times, senders, texts, images and deletion delays come
from random generators seeded by ``(seed, batch)``, so a batch can be regenerated on its
own and a run is reproducible from its config. The censor's decisions are written to a
:class:`DecisionLog` (SQLite, WAL) in one transaction per batch, so a killed run resumes
from its last committed batch and ends with the same log as an uninterrupted run.

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

import bisect
import csv
import functools
import io
import itertools
import json
import math
import os
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from censorsim._data import data_dir
from censorsim._optional import import_optional
from censorsim.errors import CensorsimError, SimulationError
from censorsim.models import Action
from censorsim.policy import (
    Attachment,
    Censor,
    Decision,
    ImageBlacklist,
    ImageMemory,
    Message,
    Policy,
    Region,
    Surface,
    load_policy,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "LOG_COLUMNS",
    "LOG_SCHEMA_VERSION",
    "Corpus",
    "DecisionLog",
    "MessageBatch",
    "RunSummary",
    "Simulation",
    "SimulationConfig",
    "export_log",
    "load_config",
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
_REGIONS: tuple[Region, ...] = tuple(Region)
_LANGS = ("zh", "en")
_CLEAN_OUTCOME = ("deliver", 0, "none", "", "", "", "", "")
"""Outcome 0: the fields of every clean decision (``Decision.clean``)."""

_SAMPLES = data_dir("samples")

# ------------------------------------------------------------------------- config


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """Everything that determines a run (same config, same log).

    Attributes:
        seed: the seed of every random draw.
        start: the simulated clock's start.
        duration: how much simulated time the messages span.
        messages: how many messages.
        batch_size: messages per batch (one transaction each).
        users: the population size.
        regions: account regions and their shares.
        activity_sigma: users' activity is log-normal with this sigma (0: all equal).
        surfaces: surfaces and their shares of messages.
        languages: ``zh``/``en`` and their shares.
        sensitive_share: share of messages drawn from the sensitive corpus or generator.
        generated_share: share of text messages made by the generator instead of drawn
            from the corpus.
        image_share: share of messages that are images.
        image_variants: ``original``/``resized``/``mirrored`` and their shares.
        banned_images: image file names (in ``images``) put on the perceptual blacklist.
        image_radius: the blacklist's match radius (phash bits).
        profile: a platform profile name (see ``censorsim.platforms``), or None.
        profile_options: keyword options for the profile.
        policy_file: a policy TOML file (instead of a profile).
        corpus: the corpus folder.
        images: the image folder, or None for no images.
        batch_pause: seconds to sleep after each batch (for demos and tests).
    """

    seed: int = 0
    start: datetime = datetime(2020, 2, 1)
    duration: timedelta = timedelta(days=1)
    messages: int = 20_000
    batch_size: int = 2_000
    users: int = 1_000
    regions: tuple[tuple[Region, float], ...] = (
        (Region.MAINLAND, 0.8), (Region.INTERNATIONAL, 0.2)
    )
    activity_sigma: float = 1.0
    surfaces: tuple[tuple[Surface, float], ...] = (
        (Surface.CHAT, 0.5), (Surface.GROUP_CHAT, 0.3), (Surface.FEED, 0.2)
    )
    languages: tuple[tuple[str, float], ...] = (("zh", 0.8), ("en", 0.2))
    sensitive_share: float = 0.05
    generated_share: float = 0.3
    image_share: float = 0.05
    image_variants: tuple[tuple[str, float], ...] = (
        ("original", 0.6), ("resized", 0.25), ("mirrored", 0.15)
    )
    banned_images: tuple[str, ...] = ("00_poster.jpg", "04_poster.jpg", "08_poster.jpg")
    image_radius: int = 10
    profile: str | None = "wechat"
    profile_options: Mapping[str, Any] = field(default_factory=dict)
    policy_file: str | None = None
    corpus: str = str(_SAMPLES / "corpus")
    images: str | None = str(_SAMPLES / "images")
    batch_pause: float = 0.0

    def __post_init__(self) -> None:
        def bad(problem: str) -> SimulationError:
            return SimulationError(f"simulation config: {problem}")

        try:
            object.__setattr__(
                self, "surfaces", tuple((Surface.parse(k), float(w)) for k, w in self.surfaces)
            )
            object.__setattr__(
                self, "regions", tuple((Region.parse(k), float(w)) for k, w in self.regions)
            )
        except CensorsimError as exc:
            raise bad(str(exc)) from None
        if self.messages < 0 or self.batch_size < 1 or self.users < 1:
            raise bad("messages must be >= 0, batch_size and users >= 1")
        if self.duration <= timedelta(0):
            raise bad("duration must be positive")
        for name in ("sensitive_share", "generated_share", "image_share"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise bad(f"{name} must be in [0, 1], got {v}")
        for name in ("regions", "surfaces", "languages", "image_variants"):
            pairs = getattr(self, name)
            if not pairs or any(w < 0 for _, w in pairs) or sum(w for _, w in pairs) <= 0:
                raise bad(f"{name} needs positive shares, got {pairs}")
        for lang, _ in self.languages:
            if lang not in ("zh", "en"):
                raise bad(f"unknown language {lang!r}; expected zh or en")
        for v, _ in self.image_variants:
            if v not in _VARIANTS:
                raise bad(f"unknown image variant {v!r}; expected one of {', '.join(_VARIANTS)}")
        if (self.profile is None) == (self.policy_file is None):
            raise bad("give exactly one of profile and policy_file")
        object.__setattr__(self, "profile_options", dict(self.profile_options))

    def to_json(self) -> str:
        """The config as canonical JSON (what the log stores to recognise its run)."""
        data = asdict(self)
        data.pop("batch_pause")
        return json.dumps(data, sort_keys=True, ensure_ascii=False, default=_json_default)

    def build_policy(self) -> Policy:
        """The policy this config names (a profile, or a policy file)."""
        if self.policy_file is not None:
            return load_policy(self.policy_file)
        from censorsim.platforms import make_profile

        assert self.profile is not None
        return make_profile(self.profile, **self.profile_options)


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Region | Surface):
        return value.value
    raise TypeError(f"cannot serialise {value!r}")


_SIM_KEYS = {"seed", "start", "duration_hours", "messages", "batch_size", "batch_pause"}
_TOP_KEYS = {"simulation", "policy", "users", "messages", "images"}


def _pairs(value: Any, parse: Callable[[str], Any], where: str) -> tuple[tuple[Any, float], ...]:
    if not isinstance(value, dict):
        raise SimulationError(f"{where}: expected a table of shares, got {value!r}")
    try:
        return tuple((parse(k), float(v)) for k, v in value.items())
    except (CensorsimError, ValueError, TypeError) as exc:
        raise SimulationError(f"{where}: {exc}") from None


def load_config(path: str | os.PathLike[str]) -> SimulationConfig:
    """Read a simulation config TOML file (format: ``docs/simulation.md``).

    Relative paths in the file are relative to the file.

    Raises:
        SimulationError: the file is missing or malformed (names it and the problem).
        PolicyError: the policy section is malformed.
    """
    p = Path(path)
    where = str(p)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SimulationError(f"{where}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SimulationError(f"{where}: cannot read config ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SimulationError(f"{where}: malformed TOML ({exc})") from None
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise SimulationError(f"{where}: unknown section(s) {', '.join(unknown)}")

    def section(name: str, keys: set[str]) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise SimulationError(f"{where}: [{name}] must be a table")
        extra = sorted(set(value) - keys)
        if extra:
            raise SimulationError(
                f"{where}: [{name}] unknown key(s) {', '.join(extra)}; "
                f"expected: {', '.join(sorted(keys))}"
            )
        return value

    base = p.parent
    sim = section("simulation", _SIM_KEYS)
    pol = section("policy", {"profile", "options", "file"})
    users = section("users", {"count", "regions", "activity_sigma"})
    msgs = section(
        "messages",
        {"surfaces", "languages", "sensitive_share", "generated_share", "image_share", "corpus"},
    )
    imgs = section("images", {"dir", "banned", "radius", "variants"})
    kw: dict[str, Any] = {}
    try:
        if "seed" in sim:
            kw["seed"] = int(sim["seed"])
        if "start" in sim:
            start = sim["start"]
            kw["start"] = start if isinstance(start, datetime) else datetime.fromisoformat(start)
        if "duration_hours" in sim:
            kw["duration"] = timedelta(hours=float(sim["duration_hours"]))
        for key in ("messages", "batch_size"):
            if key in sim:
                kw[key] = int(sim[key])
        if "batch_pause" in sim:
            kw["batch_pause"] = float(sim["batch_pause"])
        if "file" in pol:
            kw["policy_file"] = str(base / pol["file"])
            kw["profile"] = None
        if "profile" in pol:
            kw["profile"] = str(pol["profile"])
        if "options" in pol:
            if not isinstance(pol["options"], dict):
                raise SimulationError(f"{where}: [policy] options must be a table")
            kw["profile_options"] = dict(pol["options"])
        if "count" in users:
            kw["users"] = int(users["count"])
        if "regions" in users:
            kw["regions"] = _pairs(users["regions"], Region.parse, f"{where} [users] regions")
        if "activity_sigma" in users:
            kw["activity_sigma"] = float(users["activity_sigma"])
        if "surfaces" in msgs:
            kw["surfaces"] = _pairs(msgs["surfaces"], Surface.parse, f"{where} [messages] surfaces")
        if "languages" in msgs:
            kw["languages"] = _pairs(msgs["languages"], str, f"{where} [messages] languages")
        for key in ("sensitive_share", "generated_share", "image_share"):
            if key in msgs:
                kw[key] = float(msgs[key])
        if "corpus" in msgs:
            kw["corpus"] = str(base / msgs["corpus"])
        if "dir" in imgs:
            kw["images"] = str(base / imgs["dir"]) if imgs["dir"] else None
        if "banned" in imgs:
            kw["banned_images"] = tuple(str(b) for b in imgs["banned"])
        if "radius" in imgs:
            kw["image_radius"] = int(imgs["radius"])
        if "variants" in imgs:
            kw["image_variants"] = _pairs(imgs["variants"], str, f"{where} [images] variants")
        return SimulationConfig(**kw)
    except SimulationError as exc:
        if str(exc).startswith(where):
            raise
        raise SimulationError(f"{where}: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise SimulationError(f"{where}: {exc}") from None


# ------------------------------------------------------------------------- corpus


@dataclass(frozen=True, slots=True)
class Corpus:
    """Benign and sensitive messages by language (``<kind>-<lang>.txt`` files)."""

    texts: Mapping[tuple[str, str], tuple[str, ...]]

    @classmethod
    def from_dir(cls, path: str | os.PathLike[str]) -> Corpus:
        """Read ``benign-zh.txt``, ``benign-en.txt``, ``sensitive-zh.txt``, ``sensitive-en.txt``.

        Raises:
            SimulationError: the folder or a file is missing or empty.
        """
        folder = Path(path)
        texts: dict[tuple[str, str], tuple[str, ...]] = {}
        for kind in ("benign", "sensitive"):
            for lang in ("zh", "en"):
                f = folder / f"{kind}-{lang}.txt"
                if not f.is_file():
                    raise SimulationError(f"corpus file {str(f)!r} not found")
                lines = tuple(
                    line.strip()
                    for line in f.read_text(encoding="utf-8").splitlines()
                    if line.strip() and not line.lstrip().startswith("#")
                )
                if not lines:
                    raise SimulationError(f"corpus file {str(f)!r} has no messages")
                texts[(kind, lang)] = lines
        return cls(texts)


_VARIANTS = ("original", "resized", "mirrored")


def _variant_bytes(data: bytes, variant: str) -> bytes:
    from PIL import Image, ImageOps

    if variant == "original":
        return data
    with Image.open(io.BytesIO(data)) as im:
        rgb = im.convert("RGB")
        if variant == "resized":
            rgb = rgb.resize((max(1, rgb.width * 9 // 10), max(1, rgb.height * 9 // 10)))
        else:
            rgb = ImageOps.mirror(rgb)
        buf = io.BytesIO()
        rgb.save(buf, format="JPEG", quality=85)
        return buf.getvalue()


@dataclass(frozen=True, slots=True)
class _Image:
    name: str
    banned: bool
    original: Attachment
    by_variant: Mapping[str, Attachment]


def _load_images(config: SimulationConfig) -> list[_Image]:
    if config.images is None or config.image_share == 0:
        return []
    from censorsim.image import Hasher

    folder = Path(config.images)
    if not folder.is_dir():
        raise SimulationError(f"image folder {str(folder)!r} not found")
    files = sorted(folder.glob("*.jpg"))
    names = {f.name for f in files}
    for b in config.banned_images:
        if b not in names:
            raise SimulationError(f"banned image {b!r} is not a .jpg in {str(folder)!r}")
    hasher = Hasher("phash")
    wanted = [v for v, w in config.image_variants if w > 0]
    out = []
    for f in files:
        data = f.read_bytes()
        atts = {}
        for v in wanted:
            vb = _variant_bytes(data, v)
            atts[v] = Attachment.from_bytes(vb, f"{f.name}:{v}", hasher=hasher)
        original = atts.get("original") or Attachment.from_bytes(data, f.name, hasher=hasher)
        out.append(_Image(f.name, f.name in config.banned_images, original, atts))
    return out


# ------------------------------------------------------------------------- log


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


def export_log(
    path: str | os.PathLike[str], out: str | os.PathLike[str], *, format: str | None = None
) -> int:
    """Export a log's decisions to CSV or Parquet; returns the number of rows.

    Args:
        path: the log.
        out: the output file.
        format: ``csv`` or ``parquet``; by default from ``out``'s suffix.

    Raises:
        SimulationError: an unknown format, or not a log.
        MissingDependencyError: Parquet without the ``parquet`` extra.
    """
    fmt = format or Path(out).suffix.lstrip(".").lower()
    if fmt not in ("csv", "parquet"):
        raise SimulationError(f"unknown export format {fmt!r}; expected csv or parquet")
    with open_log(path) as log:
        if fmt == "csv":
            n = 0
            with open(out, "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(LOG_COLUMNS)
                for row in log.rows():
                    writer.writerow(row)
                    n += 1
            return n
        pa = import_optional("pyarrow", "parquet", "Parquet export")
        pq = import_optional("pyarrow.parquet", "parquet", "Parquet export")
        rows = list(log.rows())
        columns = {c: [r[i] for r in rows] for i, c in enumerate(LOG_COLUMNS)}
        pq.write_table(pa.table(columns), out)
        return len(rows)


# ------------------------------------------------------------------------- simulation


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a run did.

    Attributes:
        path: the log.
        messages: messages in the log.
        resumed_from: messages already committed when this run started.
        seconds: wall-clock time of this call.
        complete: whether every message is in the log.
    """

    path: Path
    messages: int
    resumed_from: int
    seconds: float
    complete: bool


_TEMPLATES: Mapping[str, tuple[str, ...]] = {
    "zh": ("{a}，{b}", "{a}。另外，{b}", "{a} {b}", "说真的，{a}"),
    "en": ("{a} {b}", "{a} Also, {b}", "btw {a}", "{a} {b} :)"),
}
_SPACED_SHARE = 0.3
"""Share of generated sensitive Chinese texts whose keywords are spaced out."""


@dataclass(frozen=True, slots=True)
class MessageBatch:
    """One batch of a run's messages, column by column (position ``k`` is message ``first + k``).

    Attributes:
        batch: the batch number.
        first: the id of its first message.
        messages: what the censor checks (equal messages may be one shared object).
        times: when each is sent.
        seconds: the same times in seconds since the run's start (the log's ``t``).
        users: the senders' ids.
        surface_ids: the log's surface codes (``surfaces`` table).
        content_ids: the log's content ids (``contents`` table).
    """

    batch: int
    first: int
    messages: list[Message]
    times: list[datetime]
    seconds: list[float]
    users: list[int]
    surface_ids: list[int]
    content_ids: list[int]

    def __len__(self) -> int:
        return len(self.messages)


class _Content(NamedTuple):
    """What a message carries besides its sender, surface and time (a ``contents`` row).

    A named tuple: cheap to build, and untracked by the garbage collector.
    """

    kind: str
    lang: str
    origin: str
    text: str
    attachment: Attachment | None = None

    def row(self, content_id: int) -> tuple[Any, ...]:
        att = self.attachment
        return (content_id, self.kind, self.lang, self.origin, self.text,
                att.name if att else "", att.md5 if att else "")


@dataclass(frozen=True, slots=True)
class _Category:
    origin: str
    kind: str
    lang: str
    radices: tuple[int, ...]
    offset: int

    @property
    def size(self) -> int:
        return math.prod(self.radices)


class _ContentSpace:
    """Numbers every content a run can draw, so a content's id is the same in every batch.

    Each ``(origin, kind, lang)`` category owns a range of ids; within it an id is the
    mixed-radix number of the choices that make the content:

    - ``corpus``: the line of ``<kind>-<lang>.txt``;
    - ``generated``: the template, a benign line, then for sensitive texts a rule's
      keywords, and a second benign line (in Chinese one more value: the keywords spaced
      out instead);
    - ``image``: the image file and its variant (language ``-``).

    Ids depend only on the corpus, the rules and the images, never on the order messages
    are drawn in, so batches are generated independently and the log stores each content
    once. Drawing is vectorised; texts are built once per content (:meth:`describe`).
    """

    def __init__(
        self,
        corpus: Corpus,
        keywords: Mapping[str, Sequence[tuple[str, ...]]],
        images: Sequence[_Image],
        variants: Sequence[tuple[str, float]],
    ) -> None:
        self._corpus = corpus.texts
        self._keywords = keywords
        self._images = images
        self._variant_ids = [_VARIANTS.index(v) for v, _ in variants]
        self._variant_cum = _cumulative([w for _, w in variants])
        banned = [i for i, im in enumerate(images) if im.banned]
        allowed = [i for i, im in enumerate(images) if not im.banned]
        # The image pools of benign and sensitive messages (sensitive ones use the banned).
        self._pools = (allowed or banned, banned or allowed)
        self._categories: list[_Category] = []
        self._lookup: dict[tuple[str, str, str], int] = {}
        for origin in ("corpus", "generated", "image"):
            for kind in ("benign", "sensitive"):
                for lang in (("-",) if origin == "image" else _LANGS):
                    self._add(origin, kind, lang, self._radices(origin, kind, lang))
        self._offsets = [c.offset for c in self._categories]
        self._described: dict[int, _Content] = {}

    def _radices(self, origin: str, kind: str, lang: str) -> tuple[int, ...]:
        if origin == "image":
            return (len(self._images), len(_VARIANTS))
        if origin == "corpus":
            return (len(self._corpus[(kind, lang)]),)
        lines = len(self._corpus[("benign", lang)])
        templates = len(_TEMPLATES[lang])
        keywords = len(self._keywords[lang])
        if kind == "benign" or not keywords:
            return (templates, lines, lines)
        return (templates, lines, keywords, lines + (lang == "zh"))

    def _add(self, origin: str, kind: str, lang: str, radices: tuple[int, ...]) -> None:
        offset = self._categories[-1].offset + self._categories[-1].size if self._categories else 0
        self._lookup[(origin, kind, lang)] = len(self._categories)
        self._categories.append(_Category(origin, kind, lang, radices, offset))

    def draw(self, sensitive: Any, image: Any, generated: Any, lang: Any, u: Any) -> Any:
        """Content ids of messages (numpy arrays; ``lang`` indexes ``zh``/``en``).

        ``u`` holds seven rows of uniform draws per message: line or image, first line,
        second line, keywords, spacing, template, image variant.
        """
        import numpy as np

        out = np.empty(len(sensitive), dtype=np.int64)
        for (origin, kind, lang_name), ci in self._lookup.items():
            mask = (sensitive == (kind == "sensitive")) & (image == (origin == "image"))
            if origin != "image":
                mask &= (generated == (origin == "generated")) & (lang == _LANGS.index(lang_name))
            idx = np.flatnonzero(mask)
            if idx.size:
                cat = self._categories[ci]
                digits = self._digits(cat, u[:, idx])
                number = np.zeros(idx.size, dtype=np.int64)
                for digit, radix in zip(digits, cat.radices, strict=True):
                    number = number * radix + digit
                out[idx] = cat.offset + number
        return out

    def _digits(self, cat: _Category, u: Any) -> list[Any]:
        import numpy as np

        def pick(row: Any, k: int) -> Any:
            return np.minimum((row * k).astype(np.int64), k - 1)

        if cat.origin == "corpus":
            return [pick(u[0], cat.radices[0])]
        if cat.origin == "image":
            pool = np.asarray(self._pools[cat.kind == "sensitive"], dtype=np.int64)
            ids = np.asarray(self._variant_ids, dtype=np.int64)
            cum = self._variant_cum
            return [pool[pick(u[0], len(pool))], ids[np.searchsorted(cum, u[6] * cum[-1], "right")]]
        lines = len(self._corpus[("benign", cat.lang)])
        first, second = pick(u[1], lines), pick(u[2], lines)
        template = pick(u[5], cat.radices[0])
        if len(cat.radices) == 3:
            return [template, first, second]
        if cat.lang == "zh":
            second = np.where(u[4] < _SPACED_SHARE, lines, second)  # `lines`: spaced out
        return [template, first, pick(u[3], cat.radices[2]), second]

    def describe(self, content_id: int) -> _Content:
        """The content with this id (built once, then cached)."""
        content = self._described.get(content_id)
        if content is None:
            content = self._described[content_id] = self._build(content_id)
        return content

    def _build(self, content_id: int) -> _Content:
        cat = self._categories[bisect.bisect_right(self._offsets, content_id) - 1]
        number = content_id - cat.offset
        digits: list[int] = []
        for radix in reversed(cat.radices):
            number, digit = divmod(number, radix)
            digits.append(digit)
        digits.reverse()
        if cat.origin == "image":
            att = self._images[digits[0]].by_variant[_VARIANTS[digits[1]]]
            return _Content(cat.kind, "-", "image", "", att)
        if cat.origin == "corpus":
            line = self._corpus[(cat.kind, cat.lang)][digits[0]]
            return _Content(cat.kind, cat.lang, "corpus", line)
        benign = self._corpus[("benign", cat.lang)]
        template, first = _TEMPLATES[cat.lang][digits[0]], benign[digits[1]]
        if len(digits) == 3:
            second = benign[digits[2]]
        else:
            keywords = self._keywords[cat.lang][digits[2]]
            if digits[3] == len(benign):
                second = " ".join("".join(keywords))
            else:
                sep = "" if cat.lang == "zh" else " "
                second = sep.join(keywords) + sep + benign[digits[3]]
        return _Content(cat.kind, cat.lang, "generated", template.format(a=first, b=second))


class Simulation:
    """A seeded simulation of one platform.

    Args:
        config: the run's configuration.
        policy: the policy to simulate; by default ``config.build_policy()``.

    Raises:
        SimulationError: a bad config, corpus or image folder.
        PolicyError: the policy cannot be built, or lacks a configured surface.
    """

    def __init__(self, config: SimulationConfig, policy: Policy | None = None) -> None:
        import numpy as np

        self.config = config
        base = policy if policy is not None else config.build_policy()
        for surface, _ in config.surfaces:
            base.surface(surface)  # raises PolicyError naming the surface
        self.corpus = Corpus.from_dir(config.corpus)
        self._images = _load_images(config)
        banned = [im for im in self._images if im.banned]
        if banned and base.images.perceptual is None:
            from censorsim.image import HammingIndex

            index = HammingIndex("phash")
            for im in banned:
                index.add(im.original.perceptual, id=im.name, category="banned")
            base = replace(
                base,
                images=ImageBlacklist(base.images.md5, index, config.image_radius,
                                      dict(base.images.thresholds)),
            )
        self.policy = base
        self.censor = Censor(base)
        self.users = self._make_users()
        self._user_cum = np.array(_cumulative([u[2] for u in self.users]))
        self._user_region = np.array([_REGIONS.index(Region(u[1])) for u in self.users])
        self._surface_ids = np.array([_SURFACES.index(s) for s, _ in config.surfaces])
        self._surface_cum = np.array(_cumulative([w for _, w in config.surfaces]))
        self._lang_ids = np.array([_LANGS.index(lang) for lang, _ in config.languages])
        self._lang_cum = np.array(_cumulative([w for _, w in config.languages]))
        self._clock = _DiurnalClock(config.duration.total_seconds())
        self._contents = _ContentSpace(
            self.corpus,
            self._rule_keywords(),
            self._images,
            config.image_variants,
        )
        self._message_cache: dict[int, Message] = {}

    def _make_users(self) -> list[tuple[int, str, float]]:
        rng = random.Random(f"{self.config.seed}:users")
        regions = [r for r, _ in self.config.regions]
        cum = _cumulative([w for _, w in self.config.regions])
        sigma = self.config.activity_sigma
        return [
            (u, regions[bisect.bisect(cum, rng.random() * cum[-1])].value,
             round(rng.lognormvariate(0.0, sigma), 9))
            for u in range(self.config.users)
        ]

    def _rule_keywords(self) -> dict[str, list[tuple[str, ...]]]:
        """First-alternative keywords of every rule, by script (for the generator)."""
        out: dict[str, list[tuple[str, ...]]] = {"zh": [], "en": []}
        seen: set[tuple[str, ...]] = set()
        for rs in self.policy.rulesets.values():
            for rule in rs.rules:
                kws = tuple(c[0] for c in rule.components)
                if kws in seen or rule.action is Action.DELIVER:
                    continue
                seen.add(kws)
                lang = "en" if all(k.isascii() for k in kws) else "zh"
                out[lang].append(kws)
        return out

    @property
    def n_batches(self) -> int:
        """How many batches the run has."""
        return math.ceil(self.config.messages / self.config.batch_size)

    def messages(self, batch: int) -> MessageBatch:
        """Batch ``batch``'s messages, times, senders and contents (deterministic).

        Every draw is vectorised (numpy, seeded by ``(seed, batch)``); a message is built
        once per (content, surface, region) and shared by the messages that repeat it.
        """
        import numpy as np

        cfg = self.config
        first = batch * cfg.batch_size
        n = min(cfg.batch_size, cfg.messages - first)
        u = np.random.default_rng([cfg.seed, 2, batch]).random((14, n))
        seconds = self._clock.times((first + np.arange(n) + u[0]) / cfg.messages)
        users = np.searchsorted(self._user_cum, u[1] * self._user_cum[-1], "right")
        surface = self._surface_ids[
            np.searchsorted(self._surface_cum, u[2] * self._surface_cum[-1], "right")
        ]
        lang = self._lang_ids[np.searchsorted(self._lang_cum, u[5] * self._lang_cum[-1], "right")]
        image = u[4] < cfg.image_share if self._images else np.zeros(n, dtype=bool)
        contents = self._contents.draw(
            u[3] < cfg.sensitive_share, image, u[6] < cfg.generated_share, lang, u[7:]
        )
        region = self._user_region[users]
        keys = ((contents * len(_SURFACES) + surface) * len(_REGIONS) + region).tolist()
        cache = self._message_cache
        messages = [cache.get(k) or self._message(k) for k in keys]
        return MessageBatch(
            batch, first, messages, _datetimes(cfg.start, seconds), seconds.tolist(),
            users.tolist(), surface.tolist(), contents.tolist(),
        )

    def _message(self, key: int) -> Message:
        content_id, rest = divmod(key, len(_SURFACES) * len(_REGIONS))
        surface, region = divmod(rest, len(_REGIONS))
        content = self._contents.describe(content_id)
        message = Message(content.text, _SURFACES[surface], _REGIONS[region], content.attachment)
        self._message_cache[key] = message
        return message

    def run(
        self,
        db: str | os.PathLike[str],
        *,
        overwrite: bool = False,
        max_batches: int | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> RunSummary:
        """Run (or resume) the simulation into the log ``db``.

        Args:
            db: the SQLite file. An existing log of the same config is resumed from its
                last committed batch.
            overwrite: delete an existing file first.
            max_batches: stop after this many new batches (for tests and benchmarks).
            progress: called as ``progress(messages_done, messages_total)`` after each batch.

        Raises:
            SimulationError: the file holds another config's run or another schema.
        """
        t0 = time.perf_counter()
        path = Path(db)
        if overwrite:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        cfg = self.config
        with DecisionLog(path) as log:
            log.begin_run(cfg, self.users)
            done_batches, done = log.committed()
            # What earlier batches left behind: learned images, logged contents and outcomes.
            memory = ImageMemory()
            delay = self.policy.analysis_delay
            learned = log.learned()
            times = _datetimes(cfg.start, [t for _, t in learned])
            for (md5, _), when in zip(learned, times, strict=True):
                memory.learn(md5, when + delay)
            state = _LogState(log.content_ids(), log.outcome_ids())
            start_done = done
            last = self.n_batches
            if max_batches is not None:
                last = min(last, done_batches + max_batches)
            for batch in range(done_batches, last):
                done += self._run_batch(self.messages(batch), memory, log, state)
                if progress is not None:
                    progress(done, cfg.messages)
                if cfg.batch_pause:
                    time.sleep(cfg.batch_pause)
            complete = done >= cfg.messages
            if complete:
                log.finish()
        return RunSummary(path, done, start_done, time.perf_counter() - t0, complete)

    def _run_batch(
        self, batch: MessageBatch, memory: ImageMemory, log: DecisionLog, state: _LogState
    ) -> int:
        """Check one batch, apply its learning and deletions, and log it; returns its size."""
        import numpy as np

        decisions = self.censor.check_many(batch.messages, at=batch.times, memory=memory)
        delay_rng = random.Random(f"{self.config.seed}:delay:{batch.batch}")
        deletion = self.policy.deletion
        analysis = self.policy.analysis_delay
        outcome_ids = [0] * len(decisions)  # outcome 0: delivered, nothing matched
        new_outcomes: list[tuple[Any, ...]] = []
        deletions: list[tuple[int, float]] = []
        clean = {s: Decision.clean(s) for s in _SURFACES}
        for i in [i for i, d in enumerate(decisions) if d is not clean[d.surface]]:
            d = decisions[i]
            if d.action is Action.DELETE_LATER:
                deletions.append((batch.first + i, round(deletion.sample(delay_rng), 3)))
            if d.learn_md5 is not None:
                memory.learn(d.learn_md5, batch.times[i] + analysis)
            key = (d.action, d.reason, d.rule_ids, d.image_ids, d.error, d.hidden_from,
                   d.learn_md5)
            outcome = state.by_decision.get(key)
            if outcome is None:
                fields = _outcome_fields(d)
                outcome = state.outcomes.get(fields)
                if outcome is None:
                    outcome = state.outcomes[fields] = len(state.outcomes)
                    new_outcomes.append((outcome, *fields))
                state.by_decision[key] = outcome
            outcome_ids[i] = outcome
        known = state.contents
        new_contents = [c for c in np.unique(batch.content_ids).tolist() if c not in known]
        known.update(new_contents)
        log.write_batch(
            batch.batch,
            batch.first,
            (batch.seconds, batch.users, batch.surface_ids, batch.content_ids, outcome_ids),
            contents=[self._contents.describe(c).row(c) for c in new_contents],
            outcomes=new_outcomes,
            deletions=deletions,
        )
        return len(batch)


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


def _datetimes(start: datetime, seconds: Any) -> list[datetime]:
    """``start`` plus each of ``seconds`` (whole milliseconds), as datetimes.

    Built by numpy, a few times faster than ``start + timedelta(seconds=t)`` per message;
    the run and its resumption both use it, so learned times agree to the microsecond.
    """
    import numpy as np

    ms = np.rint(np.asarray(seconds, dtype=np.float64) * 1000).astype(np.int64)
    naive = (np.datetime64(start.replace(tzinfo=None), "us") + ms.astype("timedelta64[ms]"))
    out: list[datetime] = naive.tolist()
    if start.tzinfo is not None:
        out = [d.replace(tzinfo=start.tzinfo) for d in out]
    return out


def _cumulative(weights: Sequence[float]) -> list[float]:
    out: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


class _DiurnalClock:
    """Maps quantiles in [0, 1) to seconds since the start, under a daily rhythm.

    The message rate follows ``1 + 0.7 cos(2 pi (hour - 21) / 24)`` of the simulated
    clock's hour since the start: busiest at 21:00 and quietest at 09:00 when the run
    starts at midnight (a simple stand-in for a chat platform's day).
    """

    __slots__ = ("_cum", "_seconds")

    def __init__(self, seconds: float) -> None:
        import numpy as np

        steps = max(1, int(seconds // 60))
        edges = np.linspace(0.0, seconds, steps + 1)
        mid = (edges[:-1] + edges[1:]) / 2 / 3600.0
        rate = 1 + 0.7 * np.cos(2 * np.pi * (mid - 21) / 24)
        cum = np.concatenate([[0.0], np.cumsum(rate)])
        self._cum = cum / cum[-1]
        self._seconds = edges

    def times(self, q: Any) -> Any:
        """Seconds since the start for quantiles ``q`` (a numpy array), to milliseconds."""
        import numpy as np

        return np.round(np.interp(q, self._cum, self._seconds), 3)
