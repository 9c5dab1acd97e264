"""``censorsim evade``: evasion matrices for texts and images, and fidelity to WeChat.

    censorsim evade text --out results/evade-text
    censorsim evade text -r rules.csv --corpus sensitive.txt -t spaces -t homophone
    censorsim evade images --out results/evade-images --workers 4
    censorsim evade images --citizenlab ../shared/data/citizenlab --out results/wechat

Each writes ``matrix.json``, ``matrix.md`` and ``matrix.png`` into ``--out`` and prints the
table; ``images`` also writes ``fidelity.json`` and ``fidelity.md`` (each hasher and
threshold next to WeChat Moments' 2018 outcomes, Knockel et al.).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from censorsim._data import data_dir
from censorsim.evasion import IMAGE_TRANSFORMS, TEXT_TRANSFORMS
from censorsim.models import Rule
from censorsim.research import (
    DEFAULT_DETECTORS,
    WECHAT_2018,
    EvasionMatrix,
    image_matrix,
    plot_matrix,
    text_matrix,
    wechat_fidelity,
    wechat_sliding_outcomes,
)
from censorsim.text.normalize import PROFILES
from censorsim.text.wordlists import load_citizenlab, load_rules

__all__ = ["register"]

_SLIDING = Path("wechat") / "image-filtering" / "tests-visual-sliding"


def register(subparsers: Any) -> None:
    """Add the ``evade`` command with its ``text`` and ``images`` subcommands."""
    parser = subparsers.add_parser(
        "evade",
        help="measure which transformations get past a text or image filter",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="evade_command", metavar="SUBCOMMAND")
    parser.set_defaults(func=lambda args: _usage(parser))

    t = sub.add_parser("text", help="text transform x normaliser profile")
    t.add_argument("-r", "--rules", action="append", default=[], type=Path, metavar="FILE",
                   help="rule file (default: the shipped wordlists/*.csv); repeatable")
    t.add_argument("--citizenlab", type=Path, metavar="PATH",
                   help="read rules from a copy of Citizen Lab's data instead")
    t.add_argument("--dataset", help="with --citizenlab: only this data set")
    t.add_argument("--corpus", action="append", default=[], type=Path, metavar="FILE",
                   help="sensitive texts, one a line (default: samples/corpus/sensitive-*)")
    t.add_argument("-t", "--transform", action="append", choices=list(TEXT_TRANSFORMS),
                   help="transform, repeatable (default: all)")
    t.add_argument("-p", "--profile", action="append", metavar="PROFILE",
                   help=f"normaliser profile, repeatable (default: {', '.join(PROFILES)})")
    t.add_argument("--strength", type=float, default=None,
                   help="share of keyword characters changed (default: each transform's)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    t.add_argument("--no-plot", action="store_true", help="skip the PNG")
    t.set_defaults(func=_text)

    i = sub.add_parser("images", help="image transform x (hasher, threshold)")
    i.add_argument("images", nargs="*", type=Path,
                   help="image files or folders (default: the shipped samples/images/*.jpg)")
    i.add_argument("-d", "--detector", action="append", metavar="HASHER=T1,T2",
                   help="hasher and thresholds, repeatable (default: "
                        f"{' '.join(DEFAULT_DETECTORS)})")
    i.add_argument("-t", "--transform", action="append", choices=list(IMAGE_TRANSFORMS),
                   help="transform, repeatable (default: all)")
    i.add_argument("--citizenlab", type=Path, metavar="PATH",
                   help="a copy of Citizen Lab's data: adds the 2018 sliding-window outcomes "
                        "(tile-2, tile-3) to the fidelity table")
    i.add_argument("--seed", type=int, default=0)
    i.add_argument("--workers", type=int, default=None, help="hashing process pool size")
    i.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    i.add_argument("--no-plot", action="store_true", help="skip the PNG")
    i.set_defaults(func=_images)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _read_corpus(paths: list[Path]) -> list[str]:
    out: list[str] = []
    for p in paths:
        for line in p.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(line)
    return out


def _rules(args: argparse.Namespace) -> list[Rule]:
    if args.citizenlab is not None:
        return load_citizenlab(args.citizenlab, args.dataset)
    files = args.rules or sorted((data_dir("wordlists")).glob("*.csv"))
    rules: list[Rule] = []
    for f in files:
        rules.extend(load_rules(f))
    return rules


def _write(matrix: EvasionMatrix, out: Path, plot: bool, title: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "matrix.json").write_text(
        json.dumps(matrix.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / "matrix.md").write_text(matrix.to_markdown() + "\n", encoding="utf-8")
    if plot:
        plot_matrix(matrix, out / "matrix.png", title=title)


def _text(args: argparse.Namespace) -> int:
    corpus = args.corpus or sorted((data_dir("samples") / "corpus").glob("sensitive-*.txt"))
    try:
        matrix = text_matrix(
            _read_corpus(corpus), _rules(args), transforms=args.transform,
            profiles=args.profile or list(PROFILES), seed=args.seed, strength=args.strength,
        )
    except ValueError as exc:
        print(f"censorsim evade text: error: {exc}", file=sys.stderr)
        return 2
    _write(matrix, args.out, not args.no_plot, f"texts still censored ({matrix.items} texts)")
    print(matrix.to_markdown())
    print(f"wrote {args.out}/matrix.json, matrix.md" + ("" if args.no_plot else ", matrix.png"),
          file=sys.stderr)
    return 0


def _image_paths(paths: list[Path]) -> list[Path]:
    if not paths:
        return sorted((data_dir("samples") / "images").glob("*.jpg"))
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.suffix.lower() in
                              {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"}))
        else:
            out.append(p)
    return out


def _images(args: argparse.Namespace) -> int:
    transforms = args.transform
    try:
        matrix = image_matrix(
            _image_paths(args.images), detectors=args.detector or DEFAULT_DETECTORS,
            transforms=transforms, seed=args.seed, workers=args.workers,
        )
    except (ValueError, FileNotFoundError) as exc:
        print(f"censorsim evade images: error: {exc}", file=sys.stderr)
        return 2
    _write(matrix, args.out, not args.no_plot, f"images still matched ({matrix.items} images)")
    print(matrix.to_markdown())
    reference = [r for r in WECHAT_2018 if r.transform in matrix.transforms]
    if args.citizenlab is not None:
        known = {r.transform for r in reference}
        extra = wechat_sliding_outcomes(args.citizenlab / _SLIDING)
        reference += [r for r in extra if r.transform in matrix.transforms
                      and r.transform not in known]
    if reference:
        fid = wechat_fidelity(matrix, reference)
        (args.out / "fidelity.json").write_text(
            json.dumps(fid.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        (args.out / "fidelity.md").write_text(fid.to_markdown() + "\n", encoding="utf-8")
        print()
        print(fid.to_markdown())
        j = fid.columns.index(fid.best)
        print(f"\nclosest to WeChat: {fid.best} (agreement {fid.agreement[j]:.0%}, "
              f"mean abs. error {fid.error[j]:.2f})")
    print(f"wrote {args.out}/", file=sys.stderr)
    return 0
