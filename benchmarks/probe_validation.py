"""Validate black-box isolation on Citizen Lab's WeChat 709, COVID-19 and QQMail lists.

    python benchmarks/probe_validation.py --citizenlab ../shared/data/citizenlab

For each list and each planting mode (components at random positions; half the rules
with their components side by side), builds seeded articles with known rules in generated
filler, censors them with the full list under the ``default`` normaliser, isolates with
both methods, and prints the table; the raw results go to
``benchmarks/results/probe_validation.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from censorsim.research import validate_probing, validation_table
from censorsim.text.wordlists import load_citizenlab

LISTS = ("wechat/709crackdown", "coronavirus/wechat", "qqmail")
HERE = Path(__file__).resolve().parent


def main() -> int:
    """Run the validation and save the results."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--citizenlab", type=Path, default=Path(os.environ.get(
        "CENSORSIM_CITIZENLAB", HERE.parent / ".." / "shared" / "data" / "citizenlab")))
    p.add_argument("--articles", type=int, default=200)
    p.add_argument("--length", type=int, default=1500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=HERE / "results" / "probe_validation.json")
    args = p.parse_args()
    runs = []
    for adjacent in (0.0, 0.5):
        for ds in LISTS:
            t0 = time.perf_counter()
            v = validate_probing(load_citizenlab(args.citizenlab, ds), articles=args.articles,
                                 seed=args.seed, length=args.length, adjacent=adjacent,
                                 name=f"{ds} (adjacent {adjacent:g})")
            runs.append((v, time.perf_counter() - t0))
            print(f"{v.name}: {runs[-1][1]:.1f} s", flush=True)
    print(validation_table([v for v, _ in runs]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "command": "python benchmarks/probe_validation.py "
                   f"--articles {args.articles} --length {args.length} --seed {args.seed}",
        "python": platform.python_version(),
        "runs": [{**v.to_json(), "seconds": s} for v, s in runs],
    }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
