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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from censorsim.errors import ImageError, ParameterError, UnknownNameError
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
        columns: the detector names (a profile, or ``hasher<=threshold``).
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


def load_matrix_json(data: Mapping[str, Any]) -> EvasionMatrix:
    """Rebuild an :class:`EvasionMatrix` from :meth:`EvasionMatrix.to_json` output."""
    columns = tuple(data["columns"])
    rows = data["rows"]
    cells = tuple(
        tuple(Rate.of(int(row["cells"][c]["detected"]), int(row["cells"][c]["total"]))
              for c in columns)
        for row in rows
    )
    return EvasionMatrix(str(data["kind"]), tuple(str(r["transform"]) for r in rows), columns,
                         cells, int(data["seed"]), int(data["items"]))


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
"""The detectors of :func:`image_matrix` by default (``HASHER=THRESHOLDS``)."""


def _parse_detector(spec: str) -> tuple[str, list[int]]:
    """``"phash:8=4,8,12"`` -> (``"phash:8"``, [4, 8, 12])."""
    if "=" not in spec:
        raise ParameterError(
            f"detector {spec!r}: expected HASHER=T1,T2 (e.g. phash=4,8,12)")
    name, _, ts = spec.partition("=")
    try:
        thresholds = sorted({int(x) for x in ts.split(",") if x.strip()})
    except ValueError:
        raise ParameterError(f"detector {spec!r}: thresholds must be integers") from None
    if not thresholds or thresholds[0] < 0:
        raise ParameterError(f"detector {spec!r}: give thresholds >= 0")
    return name.strip(), thresholds


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
) -> EvasionMatrix:
    """Image transform x (hasher, threshold) -> share of blacklisted images still matched.

    The images themselves are the blacklist (hashed from their files). Each transformed
    image (saved as PNG; ``noop`` keeps the original bytes) counts as detected at a
    threshold when any blacklisted hash is within that many bits, as a filter would.

    Args:
        images: image files.
        detectors: ``HASHER=T1,T2`` specs; a hasher is an algorithm with an optional
            size (``phash:16``); each threshold is one column ``HASHER<=T``.
        transforms: transform names (default: all).
        seed: the transforms' seed.
        workers: hash in a process pool of this size (see ``hash_many``).

    Raises:
        ParameterError: no images, or a malformed detector spec.
        UnknownNameError: an unknown transform or hasher.
        ImageError: an image cannot be read.
    """
    from PIL import Image

    from censorsim.image import HammingIndex, Hasher, hash_many

    names = list(transforms) if transforms is not None else list(IMAGE_TRANSFORMS)
    ts = [image_transform(n) for n in names]
    parsed = [_parse_detector(d) for d in detectors]
    hashers = [Hasher.parse(name) for name, _ in parsed]
    paths = [Path(p) for p in images]
    if not paths:
        raise ParameterError("images: no images given")
    originals = [_read(p) for p in paths]
    indexes = []
    for h, rec_col in zip(hashers, zip(*(r.hashes for r in hash_many(originals, hashers)),
                                       strict=True), strict=True):
        index = HammingIndex(h.algorithm, h.size, backend="linear")
        for i, value in enumerate(rec_col):
            index.add(value, id=str(i))
        indexes.append(index)
    pils = []
    for data in originals:
        with Image.open(io.BytesIO(data)) as im:
            im.seek(0)
            pils.append(im.copy())
    columns = [f"{name}<={t}" for name, th in parsed for t in th]
    cells: list[tuple[Rate, ...]] = []
    for tr in ts:
        if tr.name == "noop":
            sources = originals
        else:
            sources = [_png(x) for x in tr.apply_many(pils, seed=seed)]
        records = hash_many(sources, hashers, workers=workers)
        row: list[Rate] = []
        for j, (_, thresholds) in enumerate(parsed):
            values = [r.hashes[j] for r in records]
            found = indexes[j].query_many(values, max(thresholds))
            best = [m[0].distance if m else None for m in found]
            for t in thresholds:
                k = sum(1 for b in best if b is not None and b <= t)
                row.append(Rate.of(k, len(paths)))
        cells.append(tuple(row))
    return EvasionMatrix("image", tuple(names), tuple(columns), tuple(cells), seed, len(paths))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImageError(f"cannot read: {exc.strerror or exc}", image=path) from None
