#!/usr/bin/env python3
"""Which backend ``auto`` should pick: every candidate on the pipeline's own path (issue 16).

    python benchmarks/matcher_choice.py
    python benchmarks/matcher_choice.py --citizenlab ../shared/data/citizenlab --only citizenlab

For each keyword list, every candidate backend is built over the keywords as the pipeline
sees them (normalised with the ``default`` profile, merged) and times
``Matcher.find_joined_arrays`` on a normalised batch of messages: exactly the call
``RuleSet.check_many`` makes. Repeats are interleaved (A, B, C, A, B, C, ...) and the best
of each is compared with the fastest, so a busy machine slows every candidate alike.
Build times are single builds, so they carry the machine's load. Lists:

``zh-10k``, ``zh-100k``, ``en-10k``, ``en-100k``
    generated chat workloads (:func:`censorsim.bench.workloads.make_workload`).
``zh-long``
    documents of 100,000-120,000 code points, 10,000 keywords.
``zh-dense``
    :func:`censorsim.bench.workloads.dense_workload` (180,000 one- and two-character
    keywords).
``en-shared-prefix``
    ``w0..w199999``, on which ``ahocorasick-rs`` builds in quadratic time (skipped for it).
``citizenlab``
    every keyword of a local copy of Citizen Lab's ``chat-censorship`` lists (given with
    ``--citizenlab``; never shipped), on generated Chinese chat messages: real lists,
    many short keywords.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from censorsim.bench.workloads import (
    dense_workload,
    make_workload,
    shared_prefix_workload,
)
from censorsim.text.matchers import available_backends, make_matcher
from censorsim.text.normalize import Normalizer

CANDIDATES = ("numpy-prefix", "daachorse", "ahocorasick-rs", "pyahocorasick-utf8", "hyperscan")


def _lists(citizenlab: Path | None) -> dict[str, Callable[[], tuple[list[str], list[str]]]]:
    def gen(lang: str, n: int, m: int, **kw: int) -> Callable[[], tuple[list[str], list[str]]]:
        def make() -> tuple[list[str], list[str]]:
            w = make_workload(lang, n, m, seed=0, **kw)  # type: ignore[arg-type]
            return list(w.keywords), list(w.messages)
        return make

    def dense() -> tuple[list[str], list[str]]:
        w = dense_workload(180_000, 3_000, seed=0)
        return list(w.keywords), list(w.messages)

    def shared() -> tuple[list[str], list[str]]:
        w = shared_prefix_workload(200_000, 3_000)
        return list(w.keywords), list(w.messages)

    def real() -> tuple[list[str], list[str]]:
        from censorsim.text.citizenlab import load_citizenlab

        assert citizenlab is not None
        rules = []
        for sub in sorted(citizenlab.iterdir()):
            if sub.is_dir():
                try:
                    rules += load_citizenlab(sub)
                except Exception as exc:  # a data set this reader rejects: say so, go on
                    print(f"# skipped {sub.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
        kws = list(dict.fromkeys(k for r in rules for k in r.keywords))
        return kws, list(make_workload("zh", 1_000, 5_000, seed=0).messages)

    out = {
        "zh-10k": gen("zh", 10_000, 5_000),
        "zh-100k": gen("zh", 100_000, 5_000),
        "en-10k": gen("en", 10_000, 5_000),
        "en-100k": gen("en", 100_000, 5_000),
        "zh-long": gen("zh", 10_000, 20, min_length=100_000, max_length=120_000),
        "zh-dense": dense,
        "en-shared-prefix": shared,
    }
    if citizenlab is not None:
        out["citizenlab"] = real
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizenlab", type=Path, help="a local copy of the Citizen Lab data")
    parser.add_argument("--only", action="append", help="run only these lists")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    norm = Normalizer.from_profile("default")
    backends = [b for b in CANDIDATES if b in available_backends()]
    print("| list | keywords | auto picks | " + " | ".join(backends) + " |")
    print("|---|---:|---|" + "---:|" * len(backends))
    for name, make in _lists(args.citizenlab).items():
        if args.only and name not in args.only:
            continue
        raw, messages = make()
        keywords = list(dict.fromkeys(n for n in norm.normalize_many(raw).texts if n))
        batch = norm.normalize_many(messages)
        built, build_s = {}, {}
        for b in backends:
            if b == "ahocorasick-rs" and name == "en-shared-prefix":
                continue
            start = time.perf_counter()
            built[b] = make_matcher(keywords, b)
            build_s[b] = time.perf_counter() - start
        best: dict[str, float] = {b: float("inf") for b in built}
        for _ in range(args.repeats):
            for b, m in built.items():
                start = time.perf_counter()
                m.find_joined_arrays(batch.joined, batch.bounds, batch.codes)
                best[b] = min(best[b], time.perf_counter() - start)
        fastest = min(best.values())
        cells = [
            f"{fastest / best[b]:.2f}x, build {build_s[b]:.1f} s" if b in best else "skipped"
            for b in backends
        ]
        auto = make_matcher(keywords).delegate  # type: ignore[attr-defined]
        print(f"| {name} | {len(keywords):,} | `{auto}` | " + " | ".join(cells) + " |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
