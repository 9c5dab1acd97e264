"""What a benchmark run measures: the suites, workloads, repeats and budgets.

Example:
    >>> BenchConfig.quick().repeats, BenchConfig.full().profile
    (1, 'full')
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final, Literal

from censorsim.bench.workloads import (
    Workload,
    make_workload,
    shared_prefix_workload,
    with_combination_rules,
)
from censorsim.errors import ParameterError
from censorsim.image import ALGORITHMS

__all__ = ["SAMPLES", "BenchConfig", "TextSpec", "sample_images"]

SAMPLES: Final = Path(__file__).resolve().parents[2] / "samples" / "images"
"""The shipped sample images the hash suite uses by default."""


@dataclass(frozen=True, slots=True)
class TextSpec:
    """A generated text workload.

    Attributes:
        language: ``zh`` or ``en``.
        keywords: number of keywords (the pool, for combination rules).
        messages: number of messages.
        min_length, max_length: message lengths in code points.
        rules: number of combination rules (WeChat 709 proportions); 0 for one
            single-keyword rule per keyword.
        planted_share: share of messages with a keyword inserted.
    """

    language: Literal["zh", "en"]
    keywords: int
    messages: int
    min_length: int = 10
    max_length: int = 140
    rules: int = 0
    planted_share: float = 0.05

    def make(self, seed: int) -> Workload:
        """Generate the workload."""
        w = make_workload(
            self.language, self.keywords, self.messages, min_length=self.min_length,
            max_length=self.max_length, planted_share=self.planted_share, seed=seed,
        )
        return with_combination_rules(w, self.rules, seed=seed) if self.rules else w


@dataclass(frozen=True, slots=True)
class BenchConfig:
    """What to run and how.

    Attributes:
        profile: a label (``quick``, ``full`` or ``custom``).
        suites: which of ``text``, ``index``, ``hash`` to run.
        text: generated text workloads.
        extra_workloads: ready-made text workloads (a user's keyword file and corpus).
        contenders: names to run (all when empty); exact names or prefixes ending in
            ``:`` (``censorsim:``).
        repeats: timed repeats (medians over them).
        budget_seconds: a text contender estimated to need longer per scan is not timed.
        trial_messages: messages scanned first (the trial) to estimate that.
        latency_items: single-item calls for the latency percentiles.
        index_sizes: blacklist sizes (random 64-bit hashes).
        index_clustered: blacklist sizes of clustered pHash-like hashes
            (:mod:`censorsim.bench._clustered`, fitted to real photographs).
        index_queries: queries per size.
        radius: the Hamming radius of the range queries.
        images: image files for the hashers (default: the shipped samples).
        hash_algorithms: which hashers (all when empty).
        seed: the seed of every workload.
        pairs: most scan samples paired with the suite's reference contender (0: scans
            timed ``repeats`` times alone, unpaired).
        min_pairs: fewest pairs, whatever the budget.
        pair_budget_seconds: no pair is started after a contender's pairs took this long
            (once ``min_pairs`` are done).
        min_sample_seconds: a sample repeats its scan until it lasts at least this long.
        clock: ``"cpu"`` (process CPU time: time descheduled behind other jobs is not
            counted) or ``"wall"`` (``time.perf_counter``) for the timed scans.
        slowdown: ``(contender, factor)``: slow these contenders down by spinning after
            each scan (only to test the regression gate: ``--slowdown``).
    """

    profile: str = "custom"
    suites: tuple[str, ...] = ("text", "index", "hash")
    text: tuple[TextSpec, ...] = ()
    extra_workloads: tuple[Workload, ...] = ()
    contenders: tuple[str, ...] = ()
    repeats: int = 3
    budget_seconds: float = 20.0
    trial_messages: int = 200
    latency_items: int = 500
    index_sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    index_clustered: tuple[int, ...] = ()
    index_queries: int = 2_000
    radius: int = 10
    images: tuple[Path, ...] = ()
    hash_algorithms: tuple[str, ...] = ()
    seed: int = 0
    pairs: int = 9
    min_pairs: int = 5
    pair_budget_seconds: float = 10.0
    min_sample_seconds: float = 0.005
    slowdown: tuple[tuple[str, float], ...] = ()
    clock: str = "cpu"

    def __post_init__(self) -> None:
        if self.clock not in ("cpu", "wall"):
            raise ParameterError(f"clock must be 'cpu' or 'wall', not {self.clock!r}")
        if self.pairs < 0 or self.min_pairs < 1:
            raise ParameterError(
                f"pairs must be >= 0 and min_pairs >= 1, not {self.pairs} and {self.min_pairs}"
            )
        for name, factor in self.slowdown:
            if not factor >= 1.0:
                raise ParameterError(f"slowdown of {name!r} must be >= 1, not {factor!r}")

    @classmethod
    def quick(cls, **overrides: Any) -> BenchConfig:
        """The CI profile: small workloads, one repeat; checks the gate, not speed."""
        base = cls(
            profile="quick",
            text=(
                TextSpec("zh", 1_000, 300),
                TextSpec("en", 1_000, 300),
                TextSpec("zh", 1_000, 4, min_length=2_000, max_length=5_000),
                TextSpec("zh", 1_000, 300, rules=300),
            ),
            repeats=1,
            pairs=11,
            min_pairs=5,
            pair_budget_seconds=0.5,
            budget_seconds=5.0,
            trial_messages=50,
            latency_items=50,
            index_sizes=(5_000,),
            index_clustered=(5_000,),
            index_queries=200,
            images=tuple(sample_images(4)),
            hash_algorithms=tuple(a for a in ALGORITHMS if a != "crop_resistant"),
        )
        return replace(base, **overrides)

    @classmethod
    def full(cls, **overrides: Any) -> BenchConfig:
        """The full profile behind ``benchmarks/README.md``."""
        text: list[TextSpec] = []
        for lang in ("zh", "en"):
            text += [TextSpec(lang, n, 10_000) for n in (1_000, 10_000, 100_000)]
            text.append(TextSpec(lang, 10_000, 50, min_length=5_000, max_length=20_000))
            text.append(TextSpec(lang, 10_000, 10_000, rules=10_000))
        # Keywords w0..w199999: the shape on which one automaton builds in quadratic time.
        base = cls(profile="full", text=tuple(text), images=tuple(sample_images(None)),
                   latency_items=300, index_clustered=(1_000_000,),
                   extra_workloads=(shared_prefix_workload(200_000, 1_000),))
        return replace(base, **overrides)

    def to_json(self) -> dict[str, Any]:
        """The configuration as recorded in a run."""
        return {
            "profile": self.profile,
            "suites": list(self.suites),
            "text": [
                {"language": s.language, "keywords": s.keywords, "messages": s.messages,
                 "min_length": s.min_length, "max_length": s.max_length, "rules": s.rules,
                 "planted_share": s.planted_share}
                for s in self.text
            ],
            "extra_workloads": [w.name for w in self.extra_workloads],
            "contenders": list(self.contenders),
            "repeats": self.repeats,
            "budget_seconds": self.budget_seconds,
            "trial_messages": self.trial_messages,
            "latency_items": self.latency_items,
            "index_sizes": list(self.index_sizes),
            "index_clustered": list(self.index_clustered),
            "index_queries": self.index_queries,
            "radius": self.radius,
            "images": [Path(p).name for p in self.images],
            "hash_algorithms": list(self.hash_algorithms),
            "seed": self.seed,
            "pairs": self.pairs,
            "min_pairs": self.min_pairs,
            "pair_budget_seconds": self.pair_budget_seconds,
            "min_sample_seconds": self.min_sample_seconds,
            "slowdown": [[n, f] for n, f in self.slowdown],
            "clock": self.clock,
        }

    def wants(self, name: str) -> bool:
        """Whether the contender ``name`` is selected."""
        if not self.contenders:
            return True
        return any(name == c or (c.endswith(":") and name.startswith(c)) for c in self.contenders)


def sample_images(limit: int | None) -> list[Path]:
    """The shipped samples: all of them, or ``limit`` (JPEGs first, then two others)."""
    files = sorted(p for p in SAMPLES.glob("*") if p.suffix.lower() in (".jpg", ".png", ".gif"))
    if limit is None:
        return files
    jpegs = [p for p in files if p.suffix.lower() == ".jpg"][: max(0, limit - 2)]
    others = [p for p in files if p.suffix.lower() != ".jpg"][:2]
    return jpegs + others
