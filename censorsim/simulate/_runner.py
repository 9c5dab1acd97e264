"""The run: draws each batch's messages, checks them with the censor, and logs the decisions.

A :class:`Simulation` draws users (region, activity), then a stream of messages in
batches: each batch's messages, times, senders, texts, images and deletion delays come
from random generators seeded by ``(seed, batch)``, so a batch can be regenerated on its
own and a run is reproducible from its config. The decisions go to a
:class:`~censorsim.simulate.DecisionLog` in one transaction per batch, so a killed run
resumes from its last committed batch and ends with the same log as an uninterrupted run.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from censorsim.errors import ParameterError, SimulationError
from censorsim.models import Action, Decision, Message, Region
from censorsim.policy import Censor, ImageMemory, Policy
from censorsim.simulate._config import SimulationConfig
from censorsim.simulate._content import _LANGS, _ContentSpace, _cumulative
from censorsim.simulate._corpus import Corpus, _load_images
from censorsim.simulate._legal import _LegalRun
from censorsim.simulate._log import _SURFACES, DecisionLog, _LogState, _outcome_fields
from censorsim.simulate._ocr import read_image_text

__all__ = ["MessageBatch", "RunSummary", "Simulation"]

_REGIONS: tuple[Region, ...] = tuple(Region)
"""Regions by index (the region codes of message keys)."""


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
        self.corpus = Corpus.from_dir(config.corpus, benign_zh=config.benign_zh)
        self._images = _load_images(config)
        banned = [im for im in self._images if im.banned]
        if banned and config.image_matcher == "visual" and base.images.visual is None:
            from censorsim.simulate._visual import with_visual_verdicts

            base = with_visual_verdicts(self._images, base)
        elif banned and base.images.perceptual is None:
            from censorsim.image import HammingIndex

            index = HammingIndex("phash")
            for im in banned:
                index.add(im.original.perceptual, id=im.name, category="banned")
            base = replace(
                base,
                images=replace(base.images, perceptual=index, radius=config.image_radius),
            )
        self.policy = base
        self._images = read_image_text(self._images, base)  # OCR, once per file (issue 12)
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
        self.inputs = self._input_digests()
        self._legal: _LegalRun | None = None
        self._legal_next = 0
        if config.legal is not None:
            regions = [u[1] for u in self.users]
            self._legal = _LegalRun(config.legal, config.seed, config.start,
                                    regions.__getitem__,
                                    lambda c: self._contents.describe(c).kind)

    def _input_digests(self) -> dict[str, str]:
        """SHA-256 of every input besides the config, by resolved path, and the policy's.

        The log records them; a resume refuses when one differs (the message names it).
        """
        digests = dict(self.corpus.digests)
        digests.update((im.path, im.sha256) for im in self._images if im.path)
        for name in self.policy.inputs:
            digests[str(Path(name).resolve())] = _input_digest(Path(name))
        digests["<policy>"] = self.policy.fingerprint()
        return digests

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
            overwrite: replace an existing log (only a censorsim log) with a new one.
            max_batches: stop after this many new batches (for tests and benchmarks).
            progress: called as ``progress(messages_done, messages_total)`` after each batch.

        The log is locked for the call (one writer per log), and a resume checks that
        every input (config, corpus files, images, policy and rule files) is unchanged.

        Raises:
            SimulationError: the file holds another config's run, another schema, or is
                not a log; an input changed since the log was started (named); another
                process is writing the log ("log in use by process N"); SQLite cannot
                write it (disk full, read-only): the batches committed before stay.
            ParameterError: ``max_batches`` is negative.
        """
        t0 = time.perf_counter()
        if max_batches is not None and max_batches < 0:
            raise ParameterError(f"max_batches must be >= 0, got {max_batches}")
        path = Path(db)
        cfg = self.config
        with DecisionLog(path, overwrite=overwrite) as log:
            log.begin_run(cfg, self.users, self.inputs)
            done_batches, done = log.committed()
            # What earlier batches left behind: learned images, logged contents and outcomes.
            memory = ImageMemory()
            delay = self.policy.analysis_delay
            learned = log.learned()
            times = _datetimes(cfg.start, [t for _, t in learned])
            for (md5, _), when in zip(learned, times, strict=True):
                memory.learn(md5, when + delay)
            state = _LogState(log.content_ids(), log.outcome_ids())
            self._legal_next = log.legal_requests()
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
        decisions = self.censor.check_many(batch.messages, at=batch.times, memory=memory)
        # The policy's deletion share, drawn from the seed and each message's id.
        decisions = self.censor.settle(
            decisions, range(batch.first, batch.first + len(decisions)), seed=self.config.seed
        )
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
                   d.learn_md5, d.outcome)
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
        new_contents = [c for c in sorted(set(batch.content_ids)) if c not in known]
        known.update(new_contents)
        legal: list[tuple[Any, ...]] = []
        if self._legal is not None:
            lo, hi = self._window(batch.batch)
            legal = self._legal.rows(batch.batch, lo, hi, batch.first, batch.seconds,
                                     batch.users, batch.content_ids, decisions,
                                     self._legal_next)
        log.write_batch(
            batch.batch,
            batch.first,
            (batch.seconds, batch.users, batch.surface_ids, batch.content_ids, outcome_ids),
            contents=[self._contents.describe(c).row(c) for c in new_contents],
            outcomes=new_outcomes,
            deletions=deletions,
            legal=legal,
        )
        self._legal_next += len(legal)
        return len(batch)

    def _window(self, batch: int) -> tuple[float, float]:
        """The simulated seconds ``[lo, hi)`` batch ``batch`` covers: legal requests made
        then are drawn and answered with it (the first starts at 0, the last ends with the
        run)."""
        import numpy as np

        cfg = self.config

        def edge(b: int) -> float:
            if b <= 0:
                return 0.0
            if b >= self.n_batches:
                return cfg.duration.total_seconds()
            return float(self._clock.times(np.array([b * cfg.batch_size / cfg.messages]))[0])

        return edge(batch), edge(batch + 1)


def _input_digest(path: Path) -> str:
    """:func:`_file_digest` of a file; of a folder (a profile built from a Citizen Lab
    copy), a digest of its listing: every file's relative path, size and mtime, which
    costs one ``stat`` per file whatever the data's size (the rules read from it are
    in the policy's fingerprint already)."""
    if not path.is_dir():
        return _file_digest(path)
    h = hashlib.sha256(b"folder\n")
    try:
        for sub in sorted(p for p in path.rglob("*") if p.is_file()):
            st = sub.stat()
            rel = sub.relative_to(path).as_posix()
            h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogatepass"))
    except OSError as exc:
        raise SimulationError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return h.hexdigest()


def _file_digest(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:
        raise SimulationError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return h.hexdigest()


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
