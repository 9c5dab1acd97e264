"""``censorsim evade``: evasion matrices for texts and images, and fidelity to WeChat.

    censorsim evade text --out results/evade-text
    censorsim evade text -r rules.csv --corpus sensitive.txt -t spaces -t homophone
    censorsim evade images --out results/evade-images --workers 4
    censorsim evade images --citizenlab ../shared/data/citizenlab --out results/wechat
    censorsim evade images texts/ -d phash=8 -d visual-match -d ocr:wechat \
        --ocr-rules ocr-keywords.txt -t noop -t text-squares -t text-letters --out results/ocr

Each writes ``matrix.json``, ``matrix.md`` and ``matrix.png`` into ``--out`` and prints the
table; ``images`` also writes ``fidelity.json`` and ``fidelity.md`` (each hasher and
threshold next to WeChat Moments' 2018 outcomes, Knockel et al.).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from censorsim.cli._common import (
    add_rule_options,
    check_out_dir,
    command_group,
    finite_float,
    int_at_least,
    rules_from_options,
    write_json,
    write_text,
)
from censorsim.errors import ParameterError
from censorsim.evasion import IMAGE_TRANSFORMS, TEXT_TRANSFORMS
from censorsim.research import (
    DEFAULT_DETECTORS,
    EvasionMatrix,
    image_files,
    image_matrix,
    load_texts,
    plot_matrix,
    text_matrix,
    wechat_fidelity,
    wechat_reference,
)
from censorsim.text.normalize import PROFILES, Normalizer

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``evade`` command with its ``text`` and ``images`` subcommands."""
    _, sub = command_group(
        subparsers, "evade", description=__doc__,
        help="measure which transformations get past a text or image filter",
    )

    t = sub.add_parser("text", help="text transform x normaliser profile")
    add_rule_options(t, shipped=True)
    t.add_argument("--corpus", action="append", default=[], type=Path, metavar="FILE",
                   help="sensitive texts, one a line (default: samples/corpus/sensitive-*)")
    t.add_argument("-t", "--transform", action="append", choices=list(TEXT_TRANSFORMS),
                   help="transform, repeatable (default: all)")
    t.add_argument("-p", "--profile", action="append", metavar="PROFILE",
                   help=f"normaliser profile, repeatable (default: {', '.join(PROFILES)})")
    t.add_argument("--strength", type=finite_float(0.0, 1.0), default=None,
                   help="share of keyword characters changed (default: each transform's)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    t.add_argument("--no-plot", action="store_true", help="skip the PNG")
    t.set_defaults(func=_text)

    i = sub.add_parser("images", help="image transform x (hasher, threshold)")
    i.add_argument("images", nargs="*", type=Path,
                   help="image files or folders (default: the shipped samples/images/*.jpg)")
    i.add_argument("-d", "--detector", action="append", metavar="SPEC",
                   help="HASHER=T1,T2 (Hamming thresholds), visual-match[=S1,S2] (the "
                        "WeChat-like matcher, similarity thresholds) or ocr[:plain|:wechat] "
                        "(OCR text against --ocr-rules, extra 'ocr'); repeatable (default: "
                        f"{' '.join(DEFAULT_DETECTORS)})")
    i.add_argument("--ocr-rules", action="append", default=[], type=Path, metavar="FILE",
                   help="rule file the text OCR reads is checked against (the formats of "
                        "'censorsim scan -r'), needed by an ocr detector; repeatable")
    i.add_argument("--ocr-rules-format", choices=("auto", "plain", "combination", "csv", "jsonl"),
                   default="auto", help="format of every --ocr-rules file (default auto)")
    i.add_argument("--ocr-engine", default="rapidocr", help="OCR engine (default rapidocr)")
    i.add_argument("-t", "--transform", action="append", choices=list(IMAGE_TRANSFORMS),
                   help="transform, repeatable (default: all)")
    i.add_argument("--citizenlab", type=Path, metavar="PATH",
                   help="a copy of Citizen Lab's data: adds the 2018 sliding-window outcomes "
                        "(tile-2, tile-3) to the fidelity table")
    i.add_argument("--seed", type=int, default=0)
    i.add_argument("--workers", type=int_at_least(1), default=None,
                   help="hashing process pool size")
    i.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    i.add_argument("--no-plot", action="store_true", help="skip the PNG")
    i.set_defaults(func=_images)


def _write(matrix: EvasionMatrix, out: Path, plot: bool, title: str) -> None:
    write_json(out / "matrix.json", matrix.to_json())
    write_text(out / "matrix.md", matrix.to_markdown())
    if plot:
        plot_matrix(matrix, out / "matrix.png", title=title)
    print(matrix.to_markdown())


def _text(args: argparse.Namespace) -> int:
    check_out_dir(args.out)
    matrix = text_matrix(
        load_texts(args.corpus), rules_from_options(args, shipped=True), transforms=args.transform,
        profiles=args.profile or list(PROFILES), seed=args.seed, strength=args.strength,
    )
    _write(matrix, args.out, not args.no_plot, f"texts still censored ({matrix.items} texts)")
    print(f"wrote {args.out}/matrix.json, matrix.md" + ("" if args.no_plot else ", matrix.png"),
          file=sys.stderr)
    return 0


def _images(args: argparse.Namespace) -> int:
    check_out_dir(args.out)
    # Read the reference first: a bad --citizenlab fails before minutes of hashing.
    reference = wechat_reference(args.transform or list(IMAGE_TRANSFORMS),
                                 citizenlab=args.citizenlab)
    detectors = args.detector or DEFAULT_DETECTORS
    ocr_rules = None
    if args.ocr_rules and not any(d.partition("=")[0].strip().partition(":")[0] == "ocr"
                                  for d in detectors):
        raise ParameterError("--ocr-rules needs an ocr detector (-d ocr:wechat or -d ocr:plain)")
    if args.ocr_rules:
        from censorsim.text.rules import RuleSet
        from censorsim.text.wordlists import load_rule_files

        ocr_rules = RuleSet(load_rule_files(args.ocr_rules, format=args.ocr_rules_format,
                                            normalizer=Normalizer.from_spec("default")),
                            normalizer="default")
    matrix = image_matrix(
        image_files(args.images), detectors=detectors,
        transforms=args.transform, seed=args.seed, workers=args.workers,
        ocr_rules=ocr_rules, ocr_engine=args.ocr_engine,
    )
    _write(matrix, args.out, not args.no_plot, f"images still matched ({matrix.items} images)")
    if reference:
        fid = wechat_fidelity(matrix, reference)
        write_json(args.out / "fidelity.json", fid.to_json())
        write_text(args.out / "fidelity.md", fid.to_markdown())
        print()
        print(fid.to_markdown())
        j = fid.columns.index(fid.best)
        print(f"\nclosest to WeChat: {fid.best} (agreement {fid.agreement[j]:.0%}, "
              f"mean abs. error {fid.error[j]:.2f})")
    print(f"wrote {args.out}/", file=sys.stderr)
    return 0
