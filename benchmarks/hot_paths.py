"""Time the hot paths of whichever censorsim is first on ``sys.path`` (best of N).

To compare two revisions on one machine, alternate them, for example::

    git worktree add /tmp/old REV
    for r in 1 2 3; do
        PYTHONPATH=/tmp/old .venv/bin/python benchmarks/hot_paths.py > old$r.json
        .venv/bin/python benchmarks/hot_paths.py > new$r.json
    done

and compare each time with its own spread across rounds (shared machines are noisy).
Prints one JSON object: seconds per call of ``RuleSet.check_many`` (keywords and
combinations) and of ``find_many`` per installed backend, on 20,000 generated messages
with 10,000 keywords, Chinese and English.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable

from censorsim.text import Rule, RuleSet, make_matcher

BACKENDS = ("pyahocorasick-utf8", "numpy-prefix", "ahocorasick-rs", "hyperscan")


def _best(fn: Callable[[list[str]], object], msgs: list[str], repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(msgs)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    rng = random.Random(0)
    han = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    latin = "abcdefghijklmnopqrstuvwxyz"
    out: dict[str, float] = {}
    for lang in ("zh", "en"):
        if lang == "zh":
            kws = sorted({"".join(rng.choices(han, k=rng.randint(2, 4))) for _ in range(10_000)})
            msgs = ["".join(rng.choices(han, k=rng.randint(10, 60))) for _ in range(20_000)]
        else:
            kws = sorted({"".join(rng.choices(latin, k=rng.randint(5, 9))) for _ in range(10_000)})
            msgs = [" ".join("".join(rng.choices(latin, k=5)) for _ in range(rng.randint(10, 60)))
                    for _ in range(20_000)]
        for i in range(0, len(msgs), 20):
            msgs[i] += " " + rng.choice(kws)
        keywords = RuleSet([Rule.keyword(k) for k in kws])
        pairs = sorted({f"{rng.choice(kws)}+{rng.choice(kws)}" for _ in range(3_000)})
        combos = RuleSet([Rule.combination(p) for p in pairs]
                         + [Rule.keyword(k) for k in kws[:2_000]])
        out[f"{lang}:check_many:keywords"] = _best(keywords.check_many, msgs)
        out[f"{lang}:check_many:combinations"] = _best(combos.check_many, msgs)
        for name in BACKENDS:
            try:
                matcher = make_matcher(kws, name)
            except ImportError:
                continue
            out[f"{lang}:find_many:{name}"] = _best(matcher.find_many, msgs)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
