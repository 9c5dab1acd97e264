"""Evasion matrices: transforms (rows) against text or image detectors (columns).

Example:
    >>> from censorsim.models import Rule
    >>> m = text_matrix(["六四的学生"], [Rule.combination("六四+学生")],
    ...                 transforms=["noop", "spaces"], profiles=["identity", "default"])
    >>> m.rate("spaces", "identity").rate, m.rate("spaces", "default").rate
    (0.0, 1.0)
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from censorsim.errors import ImageError, InputError, ParameterError, UnknownNameError
from censorsim.evasion import IMAGE_TRANSFORMS, TEXT_TRANSFORMS, image_transform, text_transform
from censorsim.models import Rule
from censorsim.research._rates import Rate
from censorsim.text.rules import RuleSet

__all__ = [
    "DEFAULT_DETECTORS",
    "EvasionMatrix",
    "image_matrix",
    "load_matrix_json",
    "text_matrix",
]


@dataclass(frozen=True, slots=True)
class EvasionMatrix:
    """Detection rates of transforms (rows) against detectors (columns).

    Attributes:
        kind: ``"text"`` or ``"image"``.
        transforms: the row names.
        columns: the detector names (a profile, ``hasher<=threshold``,
            ``visual-match>=similarity`` or ``ocr:mode``).
        cells: ``cells[i][j]`` is the rate of transform ``i`` against column ``j``.
        seed: the seed of the transforms.
        items: how many texts or images each cell was measured on.
    """

    kind: str
    transforms: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[Rate, ...], ...]
    seed: int
    items: int

    def rate(self, transform: str, column: str) -> Rate:
        """The rate of one cell.

        Raises:
            UnknownNameError: a transform or column that is not in the matrix.
        """
        if transform not in self.transforms:
            raise UnknownNameError("matrix row", transform, self.transforms)
        if column not in self.columns:
            raise UnknownNameError("matrix column", column, self.columns)
        return self.cells[self.transforms.index(transform)][self.columns.index(column)]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "kind": self.kind,
            "seed": self.seed,
            "items": self.items,
            "columns": list(self.columns),
            "rows": [
                {"transform": t, "cells": {c: r.to_json() for c, r in zip(
                    self.columns, row, strict=True)}}
                for t, row in zip(self.transforms, self.cells, strict=True)
            ],
        }

    def to_markdown(self) -> str:
        """A markdown table: detected/total and the rate in percent per cell."""
        head = "| transform | " + " | ".join(self.columns) + " |"
        sep = "|---|" + "---:|" * len(self.columns)
        lines = [head, sep]
        for t, row in zip(self.transforms, self.cells, strict=True):
            cells = " | ".join(f"{r.detected}/{r.total} ({r.rate:.0%})" for r in row)
            lines.append(f"| {t} | {cells} |")
        return "\n".join(lines)


MAX_MATRIX_BYTES: Final = 64 << 20
"""The largest matrix file :func:`load_matrix_json` reads (64 MiB)."""


def _field(obj: object, key: str, kind: type, where: str) -> Any:
    if not isinstance(obj, dict):
        raise ParameterError(f"{where}: expected an object, got {_kind(obj)}")
    if key not in obj:
        raise ParameterError(f"{where}: missing {key!r}")
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ParameterError(f"{where}.{key}: expected {_KIND_NAMES[kind]}, got {_kind(value)}")
    return value


_MAX_COUNT: Final = 2**53

_KIND_NAMES: Final = {str: "a string", int: "an integer", list: "a list", dict: "an object"}


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return {str: "a string", int: "an integer", float: "a number", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def _read_matrix_file(path: Path) -> Any:
    import json

    from censorsim.research._samples import _open_regular

    try:
        handle, size = _open_regular(path)
    except InputError as exc:
        raise ParameterError(str(exc)) from None
    with handle:
        if size > MAX_MATRIX_BYTES:
            raise ParameterError(f"{path}: too large for a matrix file ({size:,} bytes)")
        data = handle.read(MAX_MATRIX_BYTES + 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParameterError(f"{path}:{line}: not UTF-8 (invalid byte "
                             f"{data[exc.start:exc.end]!r})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParameterError(f"{path}:{exc.lineno}: not JSON ({exc.msg})") from None
    except RecursionError:
        raise ParameterError(f"{path}: JSON nested too deeply for a matrix file") from None


def load_matrix_json(data: Mapping[str, Any] | str | os.PathLike[str]) -> EvasionMatrix:
    """Rebuild an :class:`EvasionMatrix` from :meth:`EvasionMatrix.to_json` output.

    Args:
        data: the parsed JSON, or the path of a ``matrix.json`` file.

    Raises:
        ParameterError: the data (or file) is not a matrix: every value is checked for
            its type (nested lists or objects where a name or a count belongs, counts
            that are not integers, a detected count outside ``[0, total]``, a row
            without a cell for a column); the message says where. A file that is
            unreadable, not UTF-8, not JSON or nested too deeply is refused the same
            way, naming the file.

    Example:
        >>> load_matrix_json({"kind": "text", "columns": []})
        Traceback (most recent call last):
        ...
        censorsim.errors.ParameterError: matrix: missing 'seed'
    """
    where = "matrix"
    if isinstance(data, str | os.PathLike):
        where = os.fspath(data)
        data = _read_matrix_file(Path(data))
    kind = _field(data, "kind", str, where)
    seed = _field(data, "seed", int, where)
    items = _field(data, "items", int, where)
    if items < 0:
        raise ParameterError(f"{where}.items: must be >= 0, got {items}")
    columns = _field(data, "columns", list, where)
    for j, c in enumerate(columns):
        if not isinstance(c, str):
            raise ParameterError(f"{where}.columns[{j}]: expected a string, got {_kind(c)}")
    if len(set(columns)) != len(columns):
        raise ParameterError(f"{where}.columns: a column is listed twice")
    rows = _field(data, "rows", list, where)
    names: list[str] = []
    cells: list[tuple[Rate, ...]] = []
    for i, row in enumerate(rows):
        at = f"{where}.rows[{i}]"
        names.append(_field(row, "transform", str, at))
        got = _field(row, "cells", dict, at)
        line = []
        for c in columns:
            cell = _field(got, c, dict, f"{at}.cells")
            k = _field(cell, "detected", int, f"{at}.cells[{c!r}]")
            n = _field(cell, "total", int, f"{at}.cells[{c!r}]")
            if n > _MAX_COUNT:
                raise ParameterError(f"{at}.cells[{c!r}]: total {n} is too large")
            if not 0 <= k <= n:
                raise ParameterError(
                    f"{at}.cells[{c!r}]: need 0 <= detected <= total, got {k} of {n}")
            line.append(Rate.of(k, n))
        cells.append(tuple(line))
    return EvasionMatrix(kind, tuple(names), tuple(columns), tuple(cells), seed, items)


def text_matrix(
    texts: Sequence[str],
    rules: Iterable[Rule],
    *,
    transforms: Sequence[str] | None = None,
    profiles: Sequence[str] = ("identity", "strip", "fold", "default"),
    seed: int = 0,
    strength: float | None = None,
    reference: str = "default",
) -> EvasionMatrix:
    """Text transform x normaliser profile -> share of sensitive texts still censored.

    The texts that the rules censor under the ``reference`` profile are the sample; the
    keyword spans that made them fire are the transforms' targets. Each profile then
    checks every transformed text with the same rules.

    Args:
        texts: candidate sensitive texts (those not censored by the reference are left out).
        rules: the rules.
        transforms: transform names (default: all, ``noop`` first).
        profiles: normaliser profiles or step specs, one column each.
        seed: the transforms' seed.
        strength: the transforms' strength (default: each transform's own).
        reference: the profile that picks the sample and its targets.

    Raises:
        ParameterError: no text is censored under the reference profile.
        UnknownNameError: an unknown transform.
    """
    rules = list(rules)
    names = list(transforms) if transforms is not None else list(TEXT_TRANSFORMS)
    ts = [text_transform(n) for n in names]
    ref = RuleSet(rules, normalizer=reference)
    results = ref.check_many(list(texts))
    # Targets are the component spans of the hits (Hit.spans), not ScanResult.spans():
    # that one merges touching spans, and drop-component must drop one component.
    sample = [(t, sorted({sp for h in r.hits for sp in h.spans}))
              for t, r in zip(texts, results, strict=True) if r.censored]
    if not sample:
        raise ParameterError(
            f"texts: none of the {len(texts)} texts is censored under {reference!r}")
    sets = [RuleSet(rules, normalizer=p) for p in profiles]
    cells: list[tuple[Rate, ...]] = []
    for t in ts:
        out = t.apply_many([s for s, _ in sample], targets=[sp for _, sp in sample],
                           seed=seed, strength=strength)
        row = []
        for rs in sets:
            k = len(rs.check_many(out).censored_indices)
            row.append(Rate.of(k, len(out)))
        cells.append(tuple(row))
    return EvasionMatrix("text", tuple(names), tuple(profiles), tuple(cells), seed, len(sample))


DEFAULT_DETECTORS: Final = (
    "md5=0",
    "average=4,8,12",
    "phash=4,8,12",
    "dhash=4,8,12",
    "whash=4,8,12",
    "colorhash=2,4,7",
)
"""The detectors of :func:`image_matrix` by default (``HASHER=THRESHOLDS``; add
``visual-match`` or ``ocr:wechat`` for the WeChat-like matcher and OCR)."""


VISUAL_MATCH: Final = "visual-match"
"""The detector name of the WeChat-like visual matcher in :func:`image_matrix`
(``visual=T`` stays the matcher's pre-filter hash alone, a hasher like the others)."""


@dataclass(frozen=True, slots=True)
class _Detector:
    """One parsed detector spec: ``kind`` is ``hash``, ``visual`` or ``ocr``."""

    kind: str
    name: str
    thresholds: tuple[float, ...] = ()
    mode: str = ""

    def columns(self) -> list[str]:
        if self.kind == "hash":
            return [f"{self.name}<={int(t)}" for t in self.thresholds]
        if self.kind == "visual":
            return [f"{VISUAL_MATCH}>={t:g}" for t in self.thresholds]
        return [f"ocr:{self.mode}"]


def _parse_detector(spec: str) -> _Detector:
    """``"phash:8=4,8,12"``, ``"visual-match=0.5,0.56"`` or ``"ocr:wechat"`` -> a detector."""
    from censorsim.image import DEFAULT_VISUAL_THRESHOLD, OCR_MODES

    name, eq, ts = spec.partition("=")
    name = name.strip()
    if name == "ocr" or name.startswith("ocr:"):
        mode = name.partition(":")[2] or "plain"
        if eq:
            raise ParameterError(f"detector {spec!r}: ocr takes no thresholds "
                                 "(ocr, ocr:plain or ocr:wechat)")
        if mode not in OCR_MODES:
            raise ParameterError(f"detector {spec!r}: OCR mode must be one of "
                                 f"{', '.join(OCR_MODES)}")
        return _Detector("ocr", "ocr", mode=mode)
    if name == VISUAL_MATCH:
        if not eq:
            return _Detector("visual", name, (DEFAULT_VISUAL_THRESHOLD,))
        try:
            values = sorted({float(x) for x in ts.split(",") if x.strip()})
        except ValueError:
            raise ParameterError(f"detector {spec!r}: thresholds must be numbers "
                                 "(similarities in [0, 1])") from None
        if not values or not all(0.0 <= v <= 1.0 for v in values):
            raise ParameterError(f"detector {spec!r}: give similarity thresholds in [0, 1]")
        return _Detector("visual", name, tuple(values))
    if not eq:
        raise ParameterError(
            f"detector {spec!r}: expected HASHER=T1,T2 (e.g. phash=4,8,12), "
            f"{VISUAL_MATCH}[=S1,S2] or ocr[:MODE]")
    try:
        thresholds = sorted({int(x) for x in ts.split(",") if x.strip()})
    except ValueError:
        raise ParameterError(f"detector {spec!r}: thresholds must be integers") from None
    if not thresholds or thresholds[0] < 0:
        raise ParameterError(f"detector {spec!r}: give thresholds >= 0")
    return _Detector("hash", name, tuple(float(t) for t in thresholds))


def _png(image: Any) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def image_matrix(
    images: Sequence[str | os.PathLike[str]],
    *,
    detectors: Sequence[str] = DEFAULT_DETECTORS,
    transforms: Sequence[str] | None = None,
    seed: int = 0,
    workers: int | None = None,
    ocr_rules: RuleSet | Iterable[Rule] | str | os.PathLike[str] | None = None,
    ocr_engine: str = "rapidocr",
) -> EvasionMatrix:
    """Image transform x detector -> share of blacklisted images still detected.

    The images themselves are the blacklist. Each transformed image (saved as PNG;
    ``noop`` keeps the original bytes) is checked by every detector:

    * ``HASHER=T1,T2`` (a hash algorithm with an optional size, ``phash:16``): detected
      at threshold ``T`` when any blacklisted hash is within ``T`` bits; one column
      ``HASHER<=T`` per threshold.
    * ``visual-match`` or ``visual-match=S1,S2``: the WeChat-like
      :class:`~censorsim.image.VisualIndex` over the blacklist (its defaults: pre-filter
      radius 16, coarse stage); detected at ``S`` when the index built with threshold
      ``S`` matches any blacklisted image; one column ``visual-match>=S`` per similarity
      (default :data:`~censorsim.image.DEFAULT_VISUAL_THRESHOLD`).
    * ``ocr``, ``ocr:plain`` or ``ocr:wechat``: the text an
      :class:`~censorsim.image.OcrReader` of that mode reads in the image, checked
      against ``ocr_rules``; detected when those rules censor it (as ``images match
      --ocr-rules`` decides). One column ``ocr:MODE``. The rules are the caller's: an
      image whose original text fires no rule counts as evading in every row, so choose
      rules that fire on the originals (the ``noop`` row shows it).

    Args:
        images: image files.
        detectors: the detector specs above.
        transforms: transform names (default: all).
        seed: the transforms' seed.
        workers: hash in a process pool of this size (see ``hash_many``; the visual
            matcher and OCR run in this process).
        ocr_rules: the rules OCR text is checked against (needed by an ``ocr`` column): a
            :class:`~censorsim.text.rules.RuleSet`, rules (checked under the ``default``
            normaliser), or a rule file in one of ``scan -r``'s formats.
        ocr_engine: the OCR engine (a name of :data:`~censorsim.image.OCR_ENGINES`).

    Raises:
        ParameterError: no images, a malformed detector spec, or an ``ocr`` column
            without ``ocr_rules``.
        MissingDependencyError: an ``ocr`` column and the OCR engine is not installed
            (names the extra ``ocr``).
        UnknownNameError: an unknown transform, hasher or OCR engine.
        ImageError: an image cannot be read.
        WordlistError: an ``ocr_rules`` file that cannot be read.
    """
    from censorsim.image import HammingIndex, Hasher, hash_many

    names = list(transforms) if transforms is not None else list(IMAGE_TRANSFORMS)
    ts = [image_transform(n) for n in names]
    parsed = [_parse_detector(d) for d in detectors]
    if not parsed:
        raise ParameterError("detectors: give at least one HASHER=T1,T2, "
                             f"{VISUAL_MATCH} or ocr:MODE")
    columns = [c for d in parsed for c in d.columns()]
    if len(set(columns)) != len(columns):
        raise ParameterError(f"detectors: a column is listed twice ({', '.join(columns)})")
    hashed = [d for d in parsed if d.kind == "hash"]
    hashers = [Hasher.parse(d.name) for d in hashed]
    for d, h in zip(hashed, hashers, strict=True):
        if d.thresholds[-1] > h.bits:
            raise ParameterError(
                f"detector {d.name}={','.join(str(int(t)) for t in d.thresholds)}: "
                f"threshold {int(d.thresholds[-1])} exceeds the {h.bits} bits of the hash")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise ParameterError(f"workers must be an integer >= 1, got {workers!r}")
    # OCR: the rules and the engine are checked before any image is read.
    ocr_modes = [d.mode for d in parsed if d.kind == "ocr"]
    rules = _ocr_ruleset(ocr_rules, ocr_modes)
    readers = {mode: _ocr_reader(ocr_engine, mode) for mode in ocr_modes}
    paths = [Path(p) for p in images]
    if not paths:
        raise ParameterError("images: no images given")
    for p in paths:
        _check_file(p)
    # Hashing the paths (not bytes read here) names the file in every image error.
    indexes = []
    if hashers:
        for h, rec_col in zip(hashers, zip(*(r.hashes for r in hash_many(paths, hashers)),
                                           strict=True), strict=True):
            index = HammingIndex(h.algorithm, h.size, backend="linear")
            for i, value in enumerate(rec_col):
                index.add(value, id=str(i))
            indexes.append(index)
    visual = _visual_index(paths, parsed)
    pils = [_open_image(p) for p in paths]
    cells: list[tuple[Rate, ...]] = []
    for tr in ts:
        sources: list[Path] | list[bytes] = (
            paths if tr.name == "noop" else [_png(x) for x in tr.apply_many(pils, seed=seed)])
        records = hash_many(sources, hashers, workers=workers) if hashers else []
        row: list[Rate] = []
        j = 0
        for d in parsed:
            if d.kind == "hash":
                values = [r.hashes[j] for r in records]
                found = indexes[j].query_many(values, int(d.thresholds[-1]))
                j += 1
                best_d = [m[0].distance if m else None for m in found]
                for t in d.thresholds:
                    k = sum(1 for b in best_d if b is not None and b <= t)
                    row.append(Rate.of(k, len(paths)))
            elif d.kind == "visual":
                assert visual is not None
                best_s = [_best_similarity(visual, s) for s in sources]
                for t in d.thresholds:
                    k = sum(1 for b in best_s if b is not None and b >= t)
                    row.append(Rate.of(k, len(paths)))
            else:
                assert rules is not None
                texts = [r.text for r in readers[d.mode].read_many(sources)]
                row.append(Rate.of(len(rules.check_many(texts).censored_indices), len(paths)))
        cells.append(tuple(row))
    return EvasionMatrix("image", tuple(names), tuple(columns), tuple(cells), seed, len(paths))


def _ocr_ruleset(
    rules: RuleSet | Iterable[Rule] | str | os.PathLike[str] | None, modes: list[str]
) -> RuleSet | None:
    """The rules an ``ocr`` column checks OCR text against (None: no ``ocr`` column)."""
    if not modes:
        return None
    if rules is None:
        raise ParameterError(
            f"detector ocr:{modes[0]}: give ocr_rules (the rules the text read in each "
            "image is checked against; CLI: --ocr-rules FILE)")
    if isinstance(rules, RuleSet):
        return rules
    if isinstance(rules, str | os.PathLike):
        from censorsim.text.normalize import Normalizer
        from censorsim.text.wordlists import load_rule_files

        norm = Normalizer.from_spec("default")
        return RuleSet(load_rule_files([Path(rules)], normalizer=norm), normalizer=norm)
    listed = list(rules)
    if not listed:
        raise ParameterError("ocr_rules: no rules given")
    return RuleSet(listed, normalizer="default")


def _ocr_reader(engine: str, mode: str) -> Any:
    from censorsim.image import OcrReader

    return OcrReader(engine, mode=mode)


def _visual_index(paths: list[Path], parsed: list[_Detector]) -> Any:
    """A :class:`VisualIndex` over the blacklist at the lowest similarity asked for
    (None: no ``visual-match`` column). A cell at a higher threshold counts the images
    whose best match reaches it, which is what an index built at that threshold
    decides: the candidates and their similarities do not depend on the threshold."""
    wanted = [t for d in parsed if d.kind == "visual" for t in d.thresholds]
    if not wanted:
        return None
    from censorsim.image import VisualIndex

    index = VisualIndex(threshold=min(wanted))
    for i, p in enumerate(paths):
        index.add(p, str(i))
    return index


def _best_similarity(index: Any, source: Path | bytes) -> float | None:
    """The highest similarity among the blacklisted images ``index`` matches."""
    found = index.query(source)
    return float(found[0].similarity) if found else None


def _check_file(path: Path) -> None:
    """Refuse a path that is missing or not a regular file before anything reads it
    (a FIFO would block the reader, a device never end)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ImageError(f"cannot read: {exc.strerror or exc}", image=path) from None
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise ImageError(f"{kind}, not an image file", image=path)


def _open_image(path: Path) -> Any:
    """The first frame of an image file that hashing has already decoded."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            im.seek(0)
            return im.copy()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(f"cannot decode: {exc}", image=path) from None
