"""``censorsim images``: hash images into a blacklist, and match images against blacklists.

    censorsim images hash samples/images -a phash -o banned.phash.jsonl --category demo
    censorsim images hash samples/images -a phash -a md5 --output-dir blacklist/
    censorsim images match uploads/ --index blacklist/ --threshold phash=8 --format jsonl
    censorsim images match uploads/ --ocr-rules ocr-keywords.txt --ocr-mode wechat

Both commands fail closed. Exit status: 0 every input was read (and, for ``match``, no
hit under ``--fail-on-hit``); 1 ``match --fail-on-hit`` found a hit and every upload was
checked; 2 bad usage or bad input, including any input that could not be read (a bad
image, a file too large, a FIFO, a dangling link or an unreadable folder in a walk, no
image found at all). ``hash`` still writes the images it could hash (never an empty
blacklist); ``match`` prints an ``ERROR`` row (``"blocked": null`` in JSON lines) for an
upload it could not check, never ``pass``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from censorsim.errors import CensorsimError, ImageError
from censorsim.image import (
    ALGORITHMS,
    BACKENDS,
    DEFAULT_BACKEND,
    DEFAULT_MAX_BYTES,
    IMAGE_SUFFIXES,
    OCR_MODES,
    HammingIndex,
    Hasher,
    HashRecord,
    HashValue,
    IndexEntry,
    MultiHash,
    default_threshold,
    iter_hashes,
    iter_image_files,
    save_entries,
)

__all__ = ["register"]

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _byte_size(text: str) -> int:
    """``"300M"``, ``"2G"``, ``"1048576"``: a positive number of bytes (K, M, G, T are 1024s)."""
    number = text.strip().upper().removesuffix("IB").removesuffix("B")
    unit = number[-1:] if number[-1:] in _UNITS else ""
    try:
        value = int(number[: len(number) - len(unit)]) * _UNITS[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a size such as 300M, 2G or 1048576, not {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 byte, not {text!r}")
    return value


def register(subparsers: Any) -> None:
    """Add the ``images`` command with its ``hash`` and ``match`` subcommands."""
    parser = subparsers.add_parser(
        "images",
        help="hash images into a blacklist, or match images against blacklists",
        description="Perceptual and exact image hashing and blacklist matching.",
    )
    sub = parser.add_subparsers(dest="images_command", metavar="SUBCOMMAND")
    parser.set_defaults(func=lambda args: _usage(parser))

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "paths", nargs="+", type=Path,
        help="image files or folders (recursive; skipped entries are reported as errors)",
    )
    common.add_argument(
        "--fast", action="store_true", help="JPEG draft decoding (faster; changes a few hashes)"
    )
    common.add_argument(
        "--no-exif", action="store_true", help="ignore the EXIF orientation (default: apply it)"
    )
    common.add_argument(
        "--workers", type=_positive_int, default=None,
        help="worker processes (at least 1; files go to them in a few big chunks each)"
    )
    common.add_argument(
        "--max-bytes",
        type=_byte_size,
        default=DEFAULT_MAX_BYTES,
        metavar="SIZE",
        help="refuse image files larger than this, unread (default 256M)",
    )
    common.add_argument(
        "--errors",
        choices=("raise", "record"),
        default="record",
        help="stop at the first bad image, or report it and go on (default)",
    )
    common.add_argument("--format", choices=("table", "jsonl"), default="table")
    common.add_argument("--no-progress", action="store_true", help="no progress bar")

    h = sub.add_parser("hash", parents=[common], help="hash images (optionally into an index)")
    h.add_argument(
        "-a",
        "--algorithm",
        action="append",
        metavar="ALGO[:SIZE]",
        help=f"hash algorithm, repeatable (default phash); one of {', '.join(ALGORITHMS)}",
    )
    out = h.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", type=Path, help="index file to write (one algorithm)")
    out.add_argument(
        "--output-dir", type=Path, help="write DIR/<algorithm>-<size>.jsonl per algorithm"
    )
    h.add_argument("--append", action="store_true", help="append to existing index files")
    h.add_argument("--dihedral", action="store_true", help="also store the 8 rotations/mirrors")
    h.add_argument("--category", help="category recorded with each entry")
    h.add_argument("--added", type=date.fromisoformat, help="date added (default: today)")
    h.set_defaults(func=_run_hash)

    m = sub.add_parser("match", parents=[common], help="match images against index files")
    m.add_argument(
        "-i",
        "--index",
        action="append",
        default=[],
        type=Path,
        help="index file, or a folder of *.jsonl index files; repeatable "
        "(at least one of --index and --ocr-rules)",
    )
    m.add_argument(
        "--ocr-rules", action="append", default=[], type=Path, metavar="FILE",
        help="also read the text in each image (extra 'ocr') and check it against this rule "
        "file (the formats of 'censorsim scan -r'); repeatable; its hits have stage 'ocr'",
    )
    m.add_argument(
        "--ocr-rules-format", choices=("auto", "plain", "combination", "csv", "jsonl"),
        default="auto", help="format of every --ocr-rules file (default auto, as scan)",
    )
    m.add_argument("--ocr-engine", default="rapidocr", help="OCR engine (default rapidocr)")
    m.add_argument(
        "--ocr-mode", choices=OCR_MODES, default="wechat",
        help="wechat: drop lines broken into small blobs, as WeChat's 2018 OCR did "
        "(default, as in policy files); plain: every line read",
    )
    m.add_argument(
        "-t",
        "--threshold",
        action="append",
        default=[],
        metavar="ALGO[:SIZE]=BITS",
        help="match radius per algorithm (default: md5 0, others 10 bits per 64)",
    )
    m.add_argument(
        "--backend",
        default=DEFAULT_BACKEND,
        help=f"index backend ({', '.join(BACKENDS)}; default {DEFAULT_BACKEND})",
    )
    m.add_argument(
        "--fail-on-hit",
        action="store_true",
        help="exit 1 if any image matched (2 if any image could not be checked)",
    )
    m.set_defaults(func=_run_match)
    _register_ocr(sub)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


@dataclass
class _Inputs:
    """The image files of the command line, and the entries the folder walk skipped, each
    with the number of files found before it (to report it in walk order)."""

    files: list[Path]
    skipped: list[tuple[int, HashRecord]]

    @property
    def total(self) -> int:
        return len(self.files) + len(self.skipped)


def _collect(paths: Sequence[Path]) -> _Inputs:
    """The inputs of ``paths``; refuses a command line that names no image at all."""
    files: list[Path] = []
    skipped: list[tuple[int, HashRecord]] = []

    def skip(path: Path, reason: str) -> None:
        skipped.append((len(files), HashRecord(str(path), (), ImageError(reason, image=path))))

    files.extend(iter_image_files(paths, on_skip=skip))
    if not files and not skipped:
        names = ", ".join(str(p) for p in paths)
        raise CensorsimError(f"{names}: no image files found (suffixes: {_SUFFIX_NAMES})")
    return _Inputs(files, skipped)


_SUFFIX_NAMES = ", ".join(sorted(IMAGE_SUFFIXES))


def _records(
    args: argparse.Namespace, inputs: _Inputs, hashers: list[Hasher]
) -> Iterator[HashRecord]:
    """One record per input in walk order: hashed files, and skipped entries as failures."""
    from tqdm import tqdm

    records: Iterator[HashRecord]
    if args.workers is not None and args.workers > 1:
        # A few big chunks per worker, hashers sent once (censorsim.image._parallel).
        from censorsim.image._parallel import iter_hash_files

        records = iter_hash_files(inputs.files, hashers, errors=args.errors,
                                  dihedral=getattr(args, "dihedral", False),
                                  workers=args.workers)
    else:
        records = iter_hashes(inputs.files, hashers, errors=args.errors,
                              dihedral=getattr(args, "dihedral", False))
    show = not args.no_progress and sys.stderr.isatty()
    bar = tqdm(records, total=len(inputs.files), file=sys.stderr, disable=not show, unit="img")
    pending = iter(inputs.skipped)
    skip = next(pending, None)
    hashed = iter(bar)
    position = 0
    while True:
        # Skipped entries found before the next file come first (before it is read).
        while skip is not None and skip[0] <= position:
            if args.errors == "raise":
                assert skip[1].error is not None
                raise skip[1].error
            yield skip[1]
            skip = next(pending, None)
        record = next(hashed, None)
        if record is None:
            return
        yield record
        position += 1


def _hashers(specs: Sequence[str], args: argparse.Namespace) -> list[Hasher]:
    return [
        Hasher.parse(
            s, fast=args.fast, exif_transpose=not args.no_exif, max_bytes=args.max_bytes
        )
        for s in specs
    ]


def _print_error(record: HashRecord, fmt: str, *, unchecked: bool = False) -> None:
    """Report an input that could not be read (for ``match``: an unchecked upload)."""
    if fmt == "jsonl":
        row: dict[str, Any] = {"path": record.source}
        if unchecked:
            row["blocked"] = None
        row["error"] = str(record.error)
        print(json.dumps(row, ensure_ascii=False))
        return
    if unchecked:
        print(f"{'ERROR':8}  {'':16}  {'':>4}  {'':>4}  {'':30}  {record.source}")
    print(f"error: {record.error}", file=sys.stderr)


def _check_output(args: argparse.Namespace, hashers: list[Hasher]) -> None:
    """Refuse an unusable output before any image is hashed: a folder given as ``--output``,
    a file in the way of a folder, or (with ``--append``) an index file that is unreadable
    or of another kind."""
    targets: list[Path] = []
    if args.output is not None:
        if args.output.is_dir():
            raise CensorsimError(f"{args.output}: --output is a folder; give a file name")
        _check_folder(args.output.parent, "--output")
        targets = [args.output]
    if args.output_dir is not None:
        _check_folder(args.output_dir, "--output-dir")
        targets = [args.output_dir / f"{h.algorithm}-{h.size}.jsonl" for h in hashers]
    if args.append:
        for target, hasher in zip(targets, hashers, strict=False):
            if target.exists():
                algorithm, size = HammingIndex.read_kind(target)
                if (algorithm, size) != (hasher.algorithm, hasher.size):
                    raise CensorsimError(
                        f"{target}: holds {algorithm}:{size} hashes, not {hasher.kind}"
                    )


def _check_folder(folder: Path, option: str) -> None:
    """``folder`` exists as a folder, or can be created (no file stands in its way)."""
    for part in (folder, *folder.parents):
        if part.exists():
            if not part.is_dir():
                raise CensorsimError(f"{part}: {option} needs a folder here, but it is a file")
            return


# --------------------------------------------------------------------------- hash


def _run_hash(args: argparse.Namespace) -> int:
    hashers = _hashers(args.algorithm or ["phash"], args)
    if args.output is not None and len(hashers) > 1:
        raise CensorsimError("--output takes one algorithm; use --output-dir for several")
    _check_output(args, hashers)
    inputs = _collect(args.paths)
    added = args.added or date.today()
    new: list[list[IndexEntry]] = [[] for _ in hashers]
    failed = 0
    for record in _records(args, inputs, hashers):
        if not record.ok:
            failed += 1
            _print_error(record, args.format)
            continue
        for k, value in enumerate(record.hashes):
            new[k].append(IndexEntry(record.source, value, record.source, args.category, added))
        if args.output is None and args.output_dir is None:
            _print_hashes(record, hashers, args.format)
    total = inputs.total
    hashed = total - failed
    if hashed and (args.output is not None or args.output_dir is not None):
        for hasher, entries in zip(hashers, new, strict=True):
            target = args.output or args.output_dir / f"{hasher.algorithm}-{hasher.size}.jsonl"
            _write_index(target, hasher, entries, append=args.append)
    if failed:
        writing = args.output is not None or args.output_dir is not None
        written = "; nothing was written" if writing and not hashed else ""
        raise CensorsimError(f"{failed} of {total} images could not be hashed{written}")
    return 0


def _print_hashes(record: HashRecord, hashers: list[Hasher], fmt: str) -> None:
    if fmt == "jsonl":
        row: dict[str, Any] = {"path": record.source}
        row.update({h.kind: v.to_hex() for h, v in zip(hashers, record.hashes, strict=True)})
        print(json.dumps(row, ensure_ascii=False))
    else:
        pairs = zip(hashers, record.hashes, strict=True)
        cells = "  ".join(f"{h.kind}={v.to_hex()}" for h, v in pairs)
        print(f"{record.source}  {cells}")


def _write_index(target: Path, hasher: Hasher, entries: list[IndexEntry], *, append: bool) -> None:
    appending = append and target.exists()
    written, skipped = save_entries(target, hasher.algorithm, hasher.size, entries, append=append)
    if appending:
        note = f" ({skipped} already present)" if skipped else ""
        print(f"appended {written} {hasher.kind} entries to {target}{note}", file=sys.stderr)
    else:
        print(f"wrote {written} {hasher.kind} entries to {target}", file=sys.stderr)


# --------------------------------------------------------------------------- match


def _index_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("*.jsonl"))
            if not found:
                raise CensorsimError(f"{path}: no index files (*.jsonl) in this folder")
            files.extend(found)
        else:
            files.append(path)
    return files


def _thresholds(specs: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for spec in specs:
        key, sep, value = spec.partition("=")
        try:
            bits = int(value)
        except ValueError:
            bits = -1
        if not sep or bits < 0 or not key:
            raise CensorsimError(f"bad --threshold {spec!r}; expected e.g. phash=8 or phash:16=30")
        out[key.strip()] = bits
    return out


def _run_match(args: argparse.Namespace) -> int:
    if not args.index and not args.ocr_rules:
        raise CensorsimError("nothing to match against: give --index FILE or --ocr-rules FILE")
    ocr = _OcrCheck(args) if args.ocr_rules else None  # a missing extra fails here, first
    indexes: list[tuple[Path, HammingIndex]] = []
    for path in _index_files(args.index):
        try:
            indexes.append((path, HammingIndex.load(path, backend=args.backend)))
        except OSError as exc:
            raise CensorsimError(f"{path}: cannot read index: {exc.strerror or exc}") from None
    thresholds = _thresholds(args.threshold)
    hashers = _hashers([ix.kind for _, ix in indexes], args)
    radii = []
    for hasher in hashers:
        assert hasher.size is not None
        radius = thresholds.get(hasher.kind, thresholds.get(hasher.algorithm))
        if radius is None:
            radius = default_threshold(hasher.algorithm, hasher.size)
        radii.append(radius)
    inputs = _collect(args.paths)
    if args.format == "table":
        print(_TABLE_HEADER)
    any_hit = False
    unchecked = 0
    records = _records(args, inputs, hashers) if hashers else _unhashed(args, inputs)
    for record in records:
        text: dict[str, Any] | None = None
        ocr_hits: list[dict[str, Any]] = []
        ocr_blocks = False
        if record.ok and ocr is not None:
            try:
                text, ocr_hits, ocr_blocks = ocr.check(record.source)
            except ImageError as exc:
                if args.errors == "raise":
                    raise
                record = HashRecord(record.source, (), exc)
        if not record.ok:
            unchecked += 1
            _print_error(record, args.format, unchecked=True)
            continue
        hits: list[dict[str, Any]] = []
        nearest: list[dict[str, Any]] = []
        for (path, index), value, radius in zip(indexes, record.hashes, radii, strict=True):
            found = index.query(value, radius)
            for entry, distance in found:
                hits.append(
                    {
                        "stage": "hash",
                        "index": str(path),
                        "hash": index.kind,
                        "radius": radius,
                        "entry": entry.id,
                        "distance": distance,
                        "category": entry.category,
                        "source": entry.source,
                    }
                )
            near = (found[0].entry.id, found[0].distance) if found else _nearest(
                index, value, radius)
            nearest.append({"index": str(path), "hash": index.kind, "radius": radius,
                            "entry": near[0], "distance": near[1]})
        hits.sort(key=lambda h: (h["distance"], h["hash"], h["entry"]))
        blocked = bool(hits) or ocr_blocks
        any_hit = any_hit or blocked
        _print_match(record.source, blocked, hits + ocr_hits, nearest, text, args.format)
    if unchecked:
        raise CensorsimError(
            f"{unchecked} of {inputs.total} images could not be checked "
            "(neither passed nor blocked)"
        )
    return 1 if args.fail_on_hit and any_hit else 0


def _unhashed(args: argparse.Namespace, inputs: _Inputs) -> Iterator[HashRecord]:
    """:func:`_records` without hashers (``match --ocr-rules`` alone): the files unread,
    the skipped entries as failures, in walk order."""
    pending = iter(inputs.skipped)
    skip = next(pending, None)
    for position, path in enumerate([*inputs.files, None]):
        while skip is not None and skip[0] <= position:
            if args.errors == "raise":
                assert skip[1].error is not None
                raise skip[1].error
            yield skip[1]
            skip = next(pending, None)
        if path is not None:
            yield HashRecord(str(path), ())


class _OcrCheck:
    """``match --ocr-rules``: the text of each image (read once per MD5) against rules."""

    def __init__(self, args: argparse.Namespace) -> None:
        from censorsim.image import OcrReader
        from censorsim.text.normalize import Normalizer
        from censorsim.text.rules import RuleSet
        from censorsim.text.wordlists import load_rule_files

        self.reader = OcrReader(args.ocr_engine, mode=args.ocr_mode)
        norm = Normalizer.from_spec("default")
        rules = load_rule_files(args.ocr_rules, format=args.ocr_rules_format, normalizer=norm)
        self.rules = RuleSet(rules, normalizer=norm)

    def check(self, path: str) -> tuple[dict[str, Any], list[dict[str, Any]], bool]:
        """The OCR summary, the rules that fired on the text (stage ``ocr``), and whether
        they censor (an action above ``flag``, as ``scan`` counts it)."""
        read = self.reader.read(Path(path))
        result = self.rules.check(read.text)
        hits = [{"stage": "ocr", "rule": h.rule.id, "action": h.rule.action.name.lower(),
                 "matched": list(h.matched), "found": list(h.found)} for h in result.hits]
        summary = {"engine": read.engine, "mode": read.mode, "md5": read.md5, "text": read.text}
        return summary, hits, result.censored


def _nearest(index: HammingIndex, value: HashValue, radius: int) -> tuple[str | None, int | None]:
    """The nearest entry's id and distance, beyond ``radius`` (None, None: empty index).

    Searches with a doubling radius over packed words, so a miss costs a few range
    queries and no Python object per entry.
    """
    if not len(index):
        return None, None
    parts = value.parts if isinstance(value, MultiHash) else (value,)
    words = np.stack([p.to_words() for p in parts])
    r = max(1, 2 * radius + 1)
    while True:
        r = min(r, index.bits)
        _q, positions, dist = index.query_words(words, r)
        if len(dist):
            k = int(np.argmin(dist))  # ordered by query then distance: first of the minima
            best = dist == dist[k]
            k = int(np.flatnonzero(best)[np.argmin(positions[best])])
            return index.entry(int(positions[k])).id, int(dist[k])
        if r == index.bits:
            return None, None  # unreachable: radius == bits matches every entry
        r *= 2


_TABLE_HEADER = f"{'verdict':8}  {'hash':16}  {'dist':>4}  {'max':>4}  {'entry':30}  path"
"""``dist``: the nearest entry's Hamming distance; ``max``: the match threshold (radius)."""


def _print_match(
    path: str,
    blocked: bool,
    hits: list[dict[str, Any]],
    nearest: list[dict[str, Any]],
    text: dict[str, Any] | None,
    fmt: str,
) -> None:
    if fmt == "jsonl":
        row: dict[str, Any] = {"path": path, "blocked": blocked, "hits": hits,
                               "nearest": nearest}
        if text is not None:
            row["ocr"] = text
        print(json.dumps(row, ensure_ascii=False))
        return
    if not hits:
        for n in nearest:
            dist = "-" if n["distance"] is None else n["distance"]
            entry = "(empty index)" if n["entry"] is None else f"{n['entry']} (nearest)"
            print(f"{'pass':8}  {n['hash']:16}  {dist:>4}  {n['radius']:>4}  {entry:30}  {path}")
        if text is not None:
            print(f"{'pass':8}  {'ocr':16}  {'-':>4}  {'-':>4}  {'(no rule fired)':30}  {path}")
        return
    for hit in hits:
        if hit["stage"] == "ocr":
            verdict = "BLOCK" if blocked else "fired"
            print(f"{verdict:8}  {'ocr':16}  {'-':>4}  {'-':>4}  {hit['rule']:30}  {path}")
        else:
            print(f"{'BLOCK':8}  {hit['hash']:16}  {hit['distance']:>4}  {hit['radius']:>4}  "
                  f"{hit['entry']:30}  {path}")


def _register_ocr(sub: Any) -> None:
    """``images ocr PATH...``: the text in images, one JSON line each (issue 12)."""
    o = sub.add_parser(
        "ocr", help="read the text in images (needs the extra 'ocr'); JSON lines",
        description="Read the text in images the way WeChat's OCR stage does (luminosity "
        "grey first). One JSON line per image: image, md5, engine, text and lines with "
        "box [left, top, right, bottom] and confidence; an unreadable image prints "
        "{image, error} and the exit status is 2.")
    o.add_argument("paths", nargs="+", type=Path, help="image files or folders (recursive)")
    o.add_argument("--engine", default="rapidocr", help="OCR engine (default rapidocr)")
    o.add_argument("--min-confidence", type=float, default=0.5,
                   help="drop lines the engine is less sure of (default 0.5)")
    o.add_argument("--mode", choices=OCR_MODES, default="plain",
                   help="plain: every line read; wechat: drop lines broken into small "
                   "blobs, as WeChat's 2018 OCR did (default plain)")
    o.set_defaults(func=_run_ocr)


def _run_ocr(args: argparse.Namespace) -> int:
    from censorsim.image import OcrReader

    reader = OcrReader(args.engine, min_confidence=args.min_confidence, mode=args.mode)
    inputs = _collect(args.paths)
    status = 0
    for _, record in inputs.skipped:
        print(json.dumps({"image": record.source, "error": str(record.error)},
                         ensure_ascii=False))
        status = 2
    for path in inputs.files:
        try:
            row = reader.read(path).to_json()
        except ImageError as exc:
            row = {"image": str(path), "error": str(exc)}
            status = 2
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return status
