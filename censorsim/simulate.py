"""Seeded simulation of a platform over time, with a resumable SQLite decision log.

A :class:`Simulation` draws users (region, activity), then a stream of messages in
batches: each batch's messages, times, senders, texts, images and deletion delays come
from random generators seeded by ``(seed, batch)``, so a batch can be regenerated on its
own and a run is reproducible from its config. The censor's decisions are written to a
:class:`DecisionLog` (SQLite, WAL) in one transaction per batch, so a killed run resumes
from its last committed batch and ends with the same log as an uninterrupted run.

Log schema (version :data:`LOG_SCHEMA_VERSION`; described in ``docs/simulation.md``)::

    schema_version(version)                   one row
    run(key, value)                           config (canonical JSON), seed, start, status
    users(user_id, region, activity)          the simulated population
    batches(batch, first_message, messages)   one row per committed batch
    decisions(message_id, batch, t, user_id, region, surface, kind, lang, origin, text,
              image, image_md5, action, censored, reason, rule_ids, image_ids, error,
              hidden_from, delete_after, learned_md5)

``t`` and ``delete_after`` are seconds since the run's start (``delete_after`` is NULL
unless the action is ``delete_later``); ``rule_ids``, ``image_ids`` and ``hidden_from``
are ``;``-joined; an empty string means none in every text column.
"""

from __future__ import annotations

import bisect
import csv
import io
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
from typing import Any

from censorsim._data import data_dir
from censorsim._optional import import_optional
from censorsim.errors import CensorsimError, SimulationError
from censorsim.models import Action
from censorsim.policy import (
    _CLEAN,
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
    "RunSummary",
    "Simulation",
    "SimulationConfig",
    "export_log",
    "load_config",
    "open_log",
    "read_log",
]

LOG_SCHEMA_VERSION = 1
"""The decision log schema this version writes and reads."""

LOG_COLUMNS: tuple[str, ...] = (
    "message_id", "batch", "t", "user_id", "region", "surface", "kind", "lang", "origin",
    "text", "image", "image_md5", "action", "censored", "reason", "rule_ids", "image_ids",
    "error", "hidden_from", "delete_after", "learned_md5",
)
"""Columns of the ``decisions`` table, in order."""

_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE run (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users (
    user_id INTEGER PRIMARY KEY, region TEXT NOT NULL, activity REAL NOT NULL);
CREATE TABLE batches (
    batch INTEGER PRIMARY KEY, first_message INTEGER NOT NULL, messages INTEGER NOT NULL);
CREATE TABLE decisions (
    message_id INTEGER PRIMARY KEY,
    batch INTEGER NOT NULL,
    t REAL NOT NULL,
    user_id INTEGER NOT NULL,
    region TEXT NOT NULL,
    surface TEXT NOT NULL,
    kind TEXT NOT NULL,
    lang TEXT NOT NULL,
    origin TEXT NOT NULL,
    text TEXT NOT NULL,
    image TEXT NOT NULL,
    image_md5 TEXT NOT NULL,
    action TEXT NOT NULL,
    censored INTEGER NOT NULL,
    reason TEXT NOT NULL,
    rule_ids TEXT NOT NULL,
    image_ids TEXT NOT NULL,
    error TEXT NOT NULL,
    hidden_from TEXT NOT NULL,
    delete_after REAL,
    learned_md5 TEXT NOT NULL);
"""

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
            self._db.executescript("BEGIN;" + _SCHEMA + "COMMIT;")
            self._db.execute("INSERT INTO schema_version VALUES (?)", (LOG_SCHEMA_VERSION,))
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
                 ("status", "running")],
            )
            self._db.executemany("INSERT INTO users VALUES (?, ?, ?)", users)

    def write_batch(self, batch: int, first: int, rows: Sequence[tuple[Any, ...]]) -> None:
        """Write one batch's rows and its ``batches`` row in one transaction."""
        with self._transaction():
            self._db.executemany(_INSERT, rows)
            self._db.execute("INSERT INTO batches VALUES (?, ?, ?)", (batch, first, len(rows)))

    def finish(self) -> None:
        """Mark the run complete."""
        with self._transaction():
            self._db.execute("UPDATE run SET value='complete' WHERE key='status'")

    def learned(self) -> list[tuple[str, float]]:
        """``(md5, t)`` of every logged learning event."""
        return [
            (r[0], float(r[1]))
            for r in self._db.execute(
                "SELECT learned_md5, t FROM decisions WHERE learned_md5 != ''"
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


_INSERT = f"INSERT INTO decisions VALUES ({', '.join('?' * len(LOG_COLUMNS))})"


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


_TEMPLATES_ZH = ("{a}，{b}", "{a}。另外，{b}", "{a} {b}", "说真的，{a}")
_TEMPLATES_EN = ("{a} {b}", "{a} Also, {b}", "btw {a}", "{a} {b} :)")


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
        self._user_cum = _cumulative([u[2] for u in self.users])
        self._region_of = [Region(u[1]) for u in self.users]
        self._region_name = [u[1] for u in self.users]
        self._surfaces = [s for s, _ in config.surfaces]
        self._surface_cum = _cumulative([w for _, w in config.surfaces])
        self._langs = [lang for lang, _ in config.languages]
        self._lang_cum = _cumulative([w for _, w in config.languages])
        self._variants = [v for v, _ in config.image_variants]
        self._variant_cum = _cumulative([w for _, w in config.image_variants])
        self._clock = _DiurnalClock(config.duration.total_seconds())
        self._keywords = self._rule_keywords()

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

    def messages(self, batch: int) -> list[tuple[Message, float, tuple[Any, ...]]]:
        """Batch ``batch``'s messages with their times and log fields (deterministic)."""
        import numpy as np

        cfg = self.config
        first = batch * cfg.batch_size
        n = min(cfg.batch_size, cfg.messages - first)
        g = np.random.default_rng([cfg.seed, 1, batch])
        u = g.random((8, n))
        times = self._clock.times((first + np.arange(n) + u[0]) / cfg.messages).tolist()
        users = np.searchsorted(self._user_cum, u[1] * self._user_cum[-1], "right").tolist()
        surf = np.searchsorted(self._surface_cum, u[2] * self._surface_cum[-1], "right").tolist()
        sensitive = (u[3] < cfg.sensitive_share).tolist()
        image = (u[4] < cfg.image_share).tolist() if self._images else [False] * n
        langs = np.searchsorted(self._lang_cum, u[5] * self._lang_cum[-1], "right").tolist()
        generated = (u[6] < cfg.generated_share).tolist()
        pick = u[7].tolist()
        rng = random.Random(f"{cfg.seed}:generate:{batch}")
        corpus = self.corpus.texts
        banned = [im for im in self._images if im.banned]
        allowed = [im for im in self._images if not im.banned]
        var_cum, var_top = self._variant_cum, self._variant_cum[-1]
        surfaces = self._surfaces
        surface_names = [s.value for s in surfaces]
        regions = self._region_of
        region_names = self._region_name
        lang_names = self._langs
        out: list[tuple[Message, float, tuple[Any, ...]]] = []
        append = out.append
        for k in range(n):
            user = users[k]
            si = surf[k]
            sens = sensitive[k]
            kind = "sensitive" if sens else "benign"
            attachment = None
            if image[k]:
                pool = banned if sens and banned else (allowed or banned)
                im = pool[int(pick[k] * len(pool))]
                variant = self._variants[bisect.bisect(var_cum, rng.random() * var_top)]
                attachment = im.by_variant[variant]
                text, lang, origin = "", "-", "image"
                name, md5 = attachment.name, attachment.md5
            else:
                lang = lang_names[langs[k]]
                if generated[k]:
                    text = self._generate(rng, kind, lang)
                    origin = "generated"
                else:
                    pool_t = corpus[(kind, lang)]
                    text = pool_t[int(pick[k] * len(pool_t))]
                    origin = "corpus"
                name = md5 = ""
            t = times[k]
            append((
                Message(text, surfaces[si], regions[user], attachment),
                t,
                (first + k, batch, t, user, region_names[user], surface_names[si], kind, lang,
                 origin, text, name, md5),
            ))
        return out

    def _generate(self, rng: random.Random, kind: str, lang: str) -> str:
        benign = self.corpus.texts[("benign", lang)]
        templates = _TEMPLATES_ZH if lang == "zh" else _TEMPLATES_EN
        a = benign[int(rng.random() * len(benign))]
        b = benign[int(rng.random() * len(benign))]
        if kind == "sensitive" and self._keywords[lang]:
            kws = self._keywords[lang][int(rng.random() * len(self._keywords[lang]))]
            sep = "" if lang == "zh" else " "
            if lang == "zh" and rng.random() < 0.3:  # spaced-out characters
                b = " ".join("".join(kws))
            else:
                b = sep.join(kws) + sep + b
        return templates[int(rng.random() * len(templates))].format(a=a, b=b)

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
            memory = ImageMemory()
            delay = self.policy.analysis_delay
            for md5, t in log.learned():
                memory.learn(md5, cfg.start + timedelta(seconds=t) + delay)
            start_done = done
            last = self.n_batches
            if max_batches is not None:
                last = min(last, done_batches + max_batches)
            for batch in range(done_batches, last):
                rows = self._run_batch(batch, memory)
                log.write_batch(batch, batch * cfg.batch_size, rows)
                done += len(rows)
                if progress is not None:
                    progress(done, cfg.messages)
                if cfg.batch_pause:
                    time.sleep(cfg.batch_pause)
            complete = done >= cfg.messages
            if complete:
                log.finish()
        return RunSummary(path, done, start_done, time.perf_counter() - t0, complete)

    def _run_batch(self, batch: int, memory: ImageMemory) -> list[tuple[Any, ...]]:
        cfg = self.config
        items = self.messages(batch)
        start = cfg.start
        td = timedelta
        times = [start + td(seconds=t) for _, t, _ in items]
        decisions = self.censor.check_many([m for m, _, _ in items], at=times, memory=memory)
        delay_rng = random.Random(f"{cfg.seed}:delay:{batch}")
        deletion = self.policy.deletion
        analysis = self.policy.analysis_delay
        rows: list[tuple[Any, ...]] = []
        append = rows.append
        cache: dict[int, tuple[Any, ...]] = {}  # id -> log fields of shared clean decisions
        delete_later = Action.DELETE_LATER
        for (_, _, fields), when, d in zip(items, times, decisions, strict=True):
            tail = cache.get(id(d))
            if tail is not None:
                append(fields + tail)
                continue
            delete_after = None
            if d.action is delete_later:
                delete_after = round(deletion.sample(delay_rng), 3)
            if d.learn_md5 is not None:
                memory.learn(d.learn_md5, when + analysis)
            tail = _decision_fields(d, delete_after)
            if d is _CLEAN.get(d.surface):
                cache[id(d)] = tail
            append(fields + tail)
        return rows


def _decision_fields(d: Decision, delete_after: float | None) -> tuple[Any, ...]:
    return (
        d.action.name.lower(),
        int(d.censored),
        d.reason.value,
        ";".join(d.rule_ids),
        ";".join(d.image_ids),
        d.error or "",
        ";".join(sorted(r.value for r in d.hidden_from)),
        delete_after,
        d.learn_md5 or "",
    )


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
