"""Research measurements: evasion matrices, fidelity to WeChat, validation of probing.

- :func:`text_matrix`: text transform x normaliser profile -> share of sensitive texts
  still censored, with a Wilson 95% interval.
- :func:`image_matrix`: image transform x (hasher, threshold) -> share of blacklisted
  images still matched.
- :func:`wechat_fidelity`: each (hasher, threshold)'s outcomes on the transformations
  Citizen Lab tested against WeChat Moments in 2018 (Knockel, Ruan, Crete-Nishihata and
  Deibert, "(Can't) Picture This", FOCI 2018; :data:`WECHAT_2018`), next to WeChat's,
  with an agreement score.
- :func:`validate_probing`: builds articles that embed known rules in generated benign
  filler, censors them with the full list, isolates with each method of
  :mod:`censorsim.probe`, and scores the result against the ground truth.

Everything is seeded and returns frozen results with ``to_json()`` and ``to_markdown()``;
:func:`plot_matrix` and :func:`plot_validation` draw PNGs with matplotlib (Agg, the
``plot`` extra).

Example:
    >>> from censorsim.models import Rule
    >>> m = text_matrix(["六四的学生"], [Rule.combination("六四+学生")],
    ...                 transforms=["noop", "spaces"], profiles=["identity", "default"])
    >>> m.rate("spaces", "identity").rate, m.rate("spaces", "default").rate
    (0.0, 1.0)
"""

from __future__ import annotations

import io
import itertools
import math
import os
import random
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from censorsim.evasion import IMAGE_TRANSFORMS, TEXT_TRANSFORMS, image_transform, text_transform
from censorsim.models import Rule
from censorsim.probe import METHODS, Isolation, Oracle
from censorsim.text.normalize import Normalizer
from censorsim.text.rules import RuleSet

__all__ = [
    "DEFAULT_DETECTORS",
    "WECHAT_2018",
    "Article",
    "EvasionMatrix",
    "Fidelity",
    "MethodScore",
    "ProbeValidation",
    "Rate",
    "WeChatOutcome",
    "filler_alphabet",
    "image_matrix",
    "load_matrix_json",
    "make_articles",
    "plot_matrix",
    "plot_validation",
    "text_matrix",
    "validate_probing",
    "validation_table",
    "wechat_fidelity",
    "wechat_sliding_outcomes",
    "wilson_interval",
]


# ------------------------------------------------------------------------------ rates


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of ``k`` successes in ``n`` trials.

    Example:
        >>> [round(x, 3) for x in wilson_interval(15, 15)]
        [0.796, 1.0]
    """
    if n <= 0:
        return (0.0, 1.0)
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    p = k / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True, slots=True)
class Rate:
    """A detection rate: ``detected`` of ``total``, with a Wilson 95% interval."""

    detected: int
    total: int
    low: float
    high: float

    @classmethod
    def of(cls, detected: int, total: int) -> Rate:
        """The rate of ``detected`` out of ``total``."""
        lo, hi = wilson_interval(detected, total)
        return cls(detected, total, lo, hi)

    @property
    def rate(self) -> float:
        """The share detected (0.0 when nothing was tested)."""
        return self.detected / self.total if self.total else 0.0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"detected": self.detected, "total": self.total, "rate": self.rate,
                "low": self.low, "high": self.high}


# ----------------------------------------------------------------------------- matrix


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
            KeyError: an unknown transform or column.
        """
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


def _hit_spans(result: Any) -> list[tuple[int, int]]:
    return sorted({sp for hit in result.hits for sp in hit.spans})


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
        ValueError: no text is censored under the reference profile, or an unknown name.
    """
    rules = list(rules)
    names = list(transforms) if transforms is not None else list(TEXT_TRANSFORMS)
    ts = [text_transform(n) for n in names]
    ref = RuleSet(rules, normalizer=reference)
    results = ref.check_many(list(texts))
    sample = [(t, _hit_spans(r)) for t, r in zip(texts, results, strict=True) if r.censored]
    if not sample:
        raise ValueError(f"none of the {len(texts)} texts is censored under {reference!r}")
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


def _parse_detector(spec: str) -> tuple[str, list[int]]:
    """``"phash:8=4,8,12"`` -> (``"phash:8"``, [4, 8, 12])."""
    if "=" not in spec:
        raise ValueError(f"detector {spec!r}: expected HASHER=T1,T2 (e.g. phash=4,8,12)")
    name, _, ts = spec.partition("=")
    try:
        thresholds = sorted({int(x) for x in ts.split(",") if x.strip()})
    except ValueError:
        raise ValueError(f"detector {spec!r}: thresholds must be integers") from None
    if not thresholds or thresholds[0] < 0:
        raise ValueError(f"detector {spec!r}: give thresholds >= 0")
    return name.strip(), thresholds


DEFAULT_DETECTORS: Final = (
    "md5=0",
    "average=4,8,12",
    "phash=4,8,12",
    "dhash=4,8,12",
    "whash=4,8,12",
    "colorhash=2,4,7",
)
"""The detectors of :func:`image_matrix` by default (``HASHER=THRESHOLDS``)."""


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
    """
    from PIL import Image

    from censorsim.image import HammingIndex, Hasher, hash_many

    names = list(transforms) if transforms is not None else list(IMAGE_TRANSFORMS)
    ts = [image_transform(n) for n in names]
    parsed = [_parse_detector(d) for d in detectors]
    hashers = [Hasher.parse(name) for name, _ in parsed]
    paths = [Path(p) for p in images]
    if not paths:
        raise ValueError("no images given")
    originals = [p.read_bytes() for p in paths]
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


def plot_matrix(matrix: EvasionMatrix, path: str | os.PathLike[str], *, title: str = "") -> None:
    """Draw the matrix as a heat map (PNG, matplotlib Agg)."""
    plt = _pyplot()
    rates = [[c.rate for c in row] for row in matrix.cells]
    h = max(3.0, 0.28 * len(matrix.transforms) + 1.5)
    w = max(4.0, 0.7 * len(matrix.columns) + 3)
    fig, ax = plt.subplots(figsize=(w, h))
    im = ax.imshow(rates, vmin=0, vmax=1, cmap="RdYlGn_r", aspect="auto")
    ax.set_xticks(range(len(matrix.columns)), matrix.columns, rotation=60, ha="right",
                  fontsize=7)
    ax.set_yticks(range(len(matrix.transforms)), matrix.transforms, fontsize=7)
    for i, row in enumerate(rates):
        for j, v in enumerate(row):
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=5)
    fig.colorbar(im, ax=ax, label="still detected")
    ax.set_title(title or f"{matrix.kind} evasion matrix ({matrix.items} items, seed "
                 f"{matrix.seed})", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _pyplot() -> Any:
    from censorsim._optional import import_optional

    mpl = import_optional("matplotlib", "plot", "plots")
    mpl.use("Agg")
    return import_optional("matplotlib.pyplot", "plot", "plots")


# --------------------------------------------------------------------------- fidelity


@dataclass(frozen=True, slots=True)
class WeChatOutcome:
    """What WeChat Moments did with one transformation in Citizen Lab's 2018 tests.

    Attributes:
        transform: the censorsim image transform standing for it.
        filtered: images still filtered, when the count was published.
        tested: images tested, when published.
        outcome: the published outcome in words.
        filtered_majority: whether most images were still filtered.
    """

    transform: str
    filtered: int | None
    tested: int | None
    outcome: str
    filtered_majority: bool

    @property
    def rate(self) -> float | None:
        """The share still filtered, when counts were published."""
        if self.filtered is None or not self.tested:
            return None
        return self.filtered / self.tested


_PAPER: Final = (
    "Knockel, Ruan, Crete-Nishihata and Deibert, \"(Can't) Picture This: An Analysis of "
    "Image Filtering on WeChat Moments\", FOCI 2018 / Citizen Lab, August 2018"
)

WECHAT_2018: Final[tuple[WeChatOutcome, ...]] = (
    WeChatOutcome("noop", 15, 15, "filtered (the test set)", True),
    WeChatOutcome("mirror", 0, 15, "evaded 15/15", False),
    WeChatOutcome("rotate-90", 0, 15, "evaded 15/15", False),
    WeChatOutcome("shorter-30", 0, 15, "evaded 15/15", False),
    WeChatOutcome("thinner-30", 1, 15, "evaded 14/15", False),
    WeChatOutcome("invert", 11, 15, "evaded only 4/15", True),
    WeChatOutcome("brightness+0.4", None, None, "still filtered", True),
    WeChatOutcome("contrast-80", None, None, "still filtered (strong reduction)", True),
    WeChatOutcome("scale-50", None, None, "still filtered (scaling)", True),
    WeChatOutcome("scale-200", None, None, "still filtered (scaling)", True),
    WeChatOutcome("translate-10", None, None, "still filtered (translation)", True),
    WeChatOutcome("border-short-50", None, None, "mostly evaded", False),
    WeChatOutcome("border-short-200", None, None, "mostly evaded", False),
    WeChatOutcome("border-long-50", None, None, "always filtered", True),
    WeChatOutcome("border-long-200", None, None, "always filtered", True),
    WeChatOutcome("blur-8", 0, 15, "every image evaded at 8 px", False),
)
"""WeChat Moments' published outcomes (Knockel et al. 2018), by censorsim transform.

``border-short-*`` stand for padding that extends the short dimension, ``border-long-*``
for padding that extends the long one; ``blur-8`` is a box blur of 8 px after the short
side is resized to 200 px, as in the paper.
"""

_SLIDING_LINE: Final = re.compile(r"^([wt]\d+)\s+(.*)$")


def wechat_sliding_outcomes(folder: str | os.PathLike[str]) -> tuple[WeChatOutcome, ...]:
    """Outcomes of the 2018 sliding-window tests, read from Citizen Lab's result files.

    ``folder`` is ``wechat/image-filtering/tests-visual-sliding`` of a copy of
    ``citizenlab/chat-censorship`` (CC BY-NC-SA 4.0: read from the user's path, never
    shipped). ``filtered-duplicates.txt`` lists, per wide (``w``) and tall (``t``)
    image, the number of copies along the long side at which it was still filtered;
    2 and 3 copies become ``tile-2`` and ``tile-3``. ``filtered-blank.txt`` does the
    same for a blank canvas 1 to 5 times as long; 3 times becomes ``border-long-200``.
    Evasions the authors put down to compression artefacts count as evasions.

    Raises:
        FileNotFoundError: a result file is missing.
    """
    root = Path(folder)

    def read(name: str) -> dict[int, tuple[int, int]]:
        counts: dict[int, list[int]] = {}
        for line in (root / name).read_text(encoding="utf-8").splitlines():
            m = _SLIDING_LINE.match(line.strip())
            if not m:
                continue
            plain = re.sub(r"\(.*?\)|\[.*?\]", "", m.group(2))
            filtered = {int(x) for x in re.findall(r"\d+", plain)}
            for k in range(1, 6):
                c = counts.setdefault(k, [0, 0])
                c[0] += k in filtered
                c[1] += 1
        return {k: (v[0], v[1]) for k, v in counts.items()}

    dup = read("filtered-duplicates.txt")
    blank = read("filtered-blank.txt")
    out = []
    for name, (f, n) in (("tile-2", dup[2]), ("tile-3", dup[3]), ("border-long-200", blank[3])):
        out.append(WeChatOutcome(name, f, n, f"filtered {f}/{n} (sliding-window tests)",
                                 2 * f > n))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Fidelity:
    """Each detector's outcomes next to WeChat's, with agreement scores.

    Attributes:
        reference: WeChat's outcomes, one per row.
        columns: the detectors.
        cells: ``cells[i][j]``: detector ``j``'s rate on row ``i``'s transform.
        agreement: per detector, the share of rows where its majority outcome (still
            detected for at least half the images) equals WeChat's.
        error: per detector, the mean absolute difference between its rate and WeChat's
            over the rows with published counts.
        best: the detector with the highest agreement, ties broken by lower error.
        source: the citation of WeChat's outcomes.
    """

    reference: tuple[WeChatOutcome, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[Rate, ...], ...]
    agreement: tuple[float, ...]
    error: tuple[float, ...]
    best: str
    source: str = _PAPER
    items: int = 0
    seed: int = 0
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "source": self.source,
            "items": self.items,
            "seed": self.seed,
            "best": self.best,
            "scores": {c: {"agreement": a, "mean_abs_error": e} for c, a, e in zip(
                self.columns, self.agreement, self.error, strict=True)},
            "rows": [
                {"transform": ref.transform, "wechat": ref.outcome,
                 "wechat_filtered": ref.filtered, "wechat_tested": ref.tested,
                 "wechat_filtered_majority": ref.filtered_majority,
                 "detectors": {c: r.to_json() for c, r in zip(self.columns, row, strict=True)}}
                for ref, row in zip(self.reference, self.cells, strict=True)
            ],
        }

    def to_markdown(self, columns: Sequence[str] | None = None) -> str:
        """A markdown table: rows are transforms, WeChat first, then each detector's rate.

        A ✓ marks a detector whose majority outcome agrees with WeChat's.
        """
        cols = list(columns) if columns is not None else list(self.columns)
        idx = [self.columns.index(c) for c in cols]
        lines = ["| transform | WeChat 2018 | " + " | ".join(cols) + " |",
                 "|---|---|" + "---:|" * len(cols)]
        for ref, row in zip(self.reference, self.cells, strict=True):
            cells = []
            for j in idx:
                r = row[j]
                ok = (2 * r.detected >= r.total) == ref.filtered_majority
                cells.append(f"{r.rate:.0%}{' ✓' if ok else ' ✗'}")
            lines.append(f"| {ref.transform} | {ref.outcome} | " + " | ".join(cells) + " |")
        lines.append("| **agreement** | | " + " | ".join(
            f"**{self.agreement[j]:.0%}**" for j in idx) + " |")
        lines.append("| mean abs. error (counted rows) | | " + " | ".join(
            f"{self.error[j]:.2f}" for j in idx) + " |")
        return "\n".join(lines)


def wechat_fidelity(
    matrix: EvasionMatrix, reference: Sequence[WeChatOutcome] = WECHAT_2018
) -> Fidelity:
    """Compare an image matrix with WeChat's outcomes (its rows must include theirs).

    Raises:
        ValueError: the matrix is not an image matrix or lacks a reference transform.
    """
    if matrix.kind != "image":
        raise ValueError("the fidelity table needs an image matrix")
    missing = [r.transform for r in reference if r.transform not in matrix.transforms]
    if missing:
        raise ValueError(f"the matrix lacks the transforms {missing}; measure them first")
    rows = tuple(matrix.cells[matrix.transforms.index(r.transform)] for r in reference)
    agreement: list[float] = []
    error: list[float] = []
    for j in range(len(matrix.columns)):
        agree = sum((2 * row[j].detected >= row[j].total) == ref.filtered_majority
                    for ref, row in zip(reference, rows, strict=True))
        agreement.append(agree / len(reference))
        diffs = [abs(row[j].rate - rate) for ref, row in zip(reference, rows, strict=True)
                 if (rate := ref.rate) is not None]
        error.append(statistics.fmean(diffs) if diffs else 0.0)
    best_j = min(range(len(matrix.columns)), key=lambda j: (-agreement[j], error[j], j))
    return Fidelity(tuple(reference), matrix.columns, rows, tuple(agreement), tuple(error),
                    matrix.columns[best_j], items=matrix.items, seed=matrix.seed)


# ---------------------------------------------------------------------------- probing


@dataclass(frozen=True, slots=True)
class Article:
    """A generated article with planted rules.

    Attributes:
        text: the article.
        planted: ids of the rules whose components were embedded.
        firing: ids of the rules the full list fires on it (the ground truth).
    """

    text: str
    planted: tuple[str, ...]
    firing: tuple[str, ...]


def _common_han() -> list[str]:
    out = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return out


def filler_alphabet(rules: Iterable[Rule], normalizer: Normalizer | str | None = None) -> list[str]:
    """Common Han characters (GB 2312 level 1) that occur in no keyword of ``rules``."""
    norm = Normalizer.from_spec(normalizer)
    used: set[str] = set()
    for r in rules:
        for k in r.keywords:
            used.update(k)
            used.update(norm.normalize(k))
    return [c for c in _common_han() if c not in used]


def make_articles(
    rules: Sequence[Rule],
    n: int,
    *,
    seed: int = 0,
    length: int = 600,
    max_rules: int = 3,
    repeat: float = 0.3,
    adjacent: float = 0.0,
    normalizer: Normalizer | str | None = "default",
) -> list[Article]:
    """Generate ``n`` censored articles with known rules embedded in benign filler.

    Each article is ``length`` characters of filler (seeded words of characters that no
    keyword contains, with commas and full stops), into which the components of 1 to
    ``max_rules`` rules are inserted at random positions; each component is inserted
    twice with probability ``repeat``. With probability ``adjacent`` a rule's components
    are inserted as one run instead, next to each other in rule order (as the phrases of
    a real article often are). Only ``ALL``-mode rules are planted. Articles on
    which no rule fires (an exception switched the planted ones off) are redrawn.

    Raises:
        ValueError: no plantable rule, or no filler character left.
    """
    plantable = [r for r in rules if r.mode.value == "all" and not r.whole_word]
    if not plantable:
        raise ValueError("no rule to plant (only ALL-mode, not whole-word rules are)")
    alphabet = filler_alphabet(rules, normalizer)
    if len(alphabet) < 10:
        raise ValueError("almost every common character occurs in a keyword: no filler")
    full = RuleSet(rules, normalizer=normalizer)
    rng = random.Random(f"articles:{seed}")
    out: list[Article] = []
    attempts = 0
    while len(out) < n:
        attempts += 1
        if attempts > 20 * n + 100:
            raise ValueError("could not build censored articles from these rules")
        chars: list[str] = []
        while len(chars) < length:
            chars.extend(rng.choices(alphabet, k=rng.randint(1, 4)))
            r = rng.random()
            chars.append("。" if r < 0.08 else "，" if r < 0.2 else "")
        pieces = [c for c in chars if c][:length]
        chosen = rng.sample(plantable, k=min(len(plantable), rng.randint(1, max_rules)))
        inserts = []
        for rule in chosen:
            kws = [rng.choice(comp) for comp in rule.components]
            if len(kws) > 1 and rng.random() < adjacent:
                inserts.append("".join(kws))
                continue
            for kw in kws:
                inserts.extend([kw] * (2 if rng.random() < repeat else 1))
        for kw in inserts:
            pieces.insert(rng.randint(0, len(pieces)), kw)
        text = "".join(pieces)
        result = full.check(text)
        if not result.censored:
            continue
        out.append(Article(text, tuple(r.id for r in chosen), result.rule_ids))
    return out


@dataclass(frozen=True, slots=True)
class MethodScore:
    """How one isolation method did over the articles.

    Attributes:
        method: the method's name.
        articles: articles isolated.
        correct: isolations equal to the components of a rule that fires on the article.
        confirmed: isolations whose components alone were censored.
        mean_queries: mean queries per article (the first check included).
        median_queries: median queries per article.
        max_queries: most queries for one article.
    """

    method: str
    articles: int
    correct: int
    confirmed: int
    mean_queries: float
    median_queries: float
    max_queries: int

    @property
    def accuracy(self) -> Rate:
        """Share of correct isolations, with its Wilson interval."""
        return Rate.of(self.correct, self.articles)


@dataclass(frozen=True, slots=True)
class ProbeValidation:
    """Isolation methods scored against known rules.

    Attributes:
        name: a label for the rule list.
        rules: rules in the full list.
        scores: one per method.
        mean_length: mean article length in characters.
        mean_planted: mean number of rules planted per article.
        separator: the oracle's separator.
        normalizer: the censor's normaliser.
        seed: the seed.
        examples: a few wrong isolations, for the docs (rule ids and what was found).
    """

    name: str
    rules: int
    scores: tuple[MethodScore, ...]
    mean_length: float
    mean_planted: float
    separator: str
    normalizer: str
    seed: int
    examples: tuple[tuple[str, str, str], ...] = ()
    adjacent: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "name": self.name, "rules": self.rules, "mean_length": self.mean_length,
            "mean_planted": self.mean_planted, "separator": self.separator,
            "normalizer": self.normalizer, "seed": self.seed, "adjacent": self.adjacent,
            "scores": [
                {"method": s.method, "articles": s.articles, "correct": s.correct,
                 "accuracy": s.accuracy.to_json(), "confirmed": s.confirmed,
                 "mean_queries": s.mean_queries, "median_queries": s.median_queries,
                 "max_queries": s.max_queries}
                for s in self.scores
            ],
            "examples": [list(e) for e in self.examples],
        }

    def markdown_rows(self) -> list[str]:
        """Rows of the validation table (see :func:`validation_table`)."""
        return [
            f"| {self.name} | {self.rules} | {s.method} | {s.articles} | "
            f"{s.accuracy.rate:.1%} [{s.accuracy.low:.1%}, {s.accuracy.high:.1%}] | "
            f"{s.confirmed / s.articles:.1%} | {s.mean_queries:.1f} | "
            f"{s.median_queries:.0f} | {s.max_queries} |"
            for s in self.scores
        ]


def validation_table(validations: Sequence[ProbeValidation]) -> str:
    """A markdown table of several validations."""
    head = ("| list | rules | method | articles | correct [95% CI] | alone censored | "
            "mean queries | median | max |\n|---|---:|---|---:|---:|---:|---:|---:|---:|")
    return "\n".join([head, *(row for v in validations for row in v.markdown_rows())])


def _matches_rule(iso: Isolation, rule: Rule, norm: Normalizer) -> bool:
    found = [norm.normalize(c) for c in iso.components]
    comps = [{norm.normalize(a) for a in comp} for comp in rule.components]
    if len(found) != len(comps):
        return False
    if len(found) > 7:
        return sorted(found) == sorted(min(c) for c in comps)
    return any(all(f in c for f, c in zip(found, perm, strict=True))
               for perm in itertools.permutations(comps))


def validate_probing(
    rules: Sequence[Rule],
    *,
    articles: int = 100,
    seed: int = 0,
    methods: Sequence[str] = tuple(METHODS),
    normalizer: str = "default",
    separator: str | None = None,
    length: int = 600,
    max_rules: int = 3,
    adjacent: float = 0.0,
    budget: int | None = 100_000,
    name: str = "rules",
) -> ProbeValidation:
    """Score isolation methods on generated articles against the rules that fire.

    An isolation is correct when its components, normalised, are exactly the components
    of one rule that fires on the article (any one, also one that was not planted but
    formed by accident).

    Args:
        rules: the full list; the censor checks with all of it.
        articles: how many articles.
        seed: the seed of the articles.
        methods: isolation methods (see :data:`censorsim.probe.METHODS`).
        normalizer: the censor's normaliser profile.
        separator: the oracle's separator; default, a filler character (which the
            normaliser keeps and no keyword contains).
        length: filler characters per article.
        max_rules: most rules planted per article.
        adjacent: probability that a rule's components are planted next to each other.
        budget: query budget per isolation.
        name: a label for tables.
    """
    rules = list(rules)
    norm = Normalizer.from_spec(normalizer)
    arts = make_articles(rules, articles, seed=seed, length=length, max_rules=max_rules,
                         adjacent=adjacent, normalizer=norm)
    sep = separator if separator is not None else filler_alphabet(rules, norm)[0]
    censor = RuleSet(rules, normalizer=norm)
    by_id = {r.id: r for r in rules}
    scores = []
    examples: list[tuple[str, str, str]] = []
    for method in methods:
        correct = confirmed = 0
        queries: list[int] = []
        for art in arts:
            iso = METHODS[method](Oracle(censor, separator=sep, budget=budget), art.text)
            queries.append(iso.queries)
            confirmed += iso.confirmed
            ok = iso.confirmed and any(_matches_rule(iso, by_id[r], norm) for r in art.firing)
            correct += ok
            if not ok and len(examples) < 6:
                examples.append((method, " | ".join(art.firing), "+".join(iso.components)))
        scores.append(MethodScore(method, len(arts), correct, confirmed,
                                  statistics.fmean(queries), statistics.median(queries),
                                  max(queries)))
    return ProbeValidation(
        name, len(rules), tuple(scores), statistics.fmean(len(a.text) for a in arts),
        statistics.fmean(len(a.planted) for a in arts), sep, norm.name, seed, tuple(examples),
        adjacent,
    )


def plot_validation(
    validations: Sequence[ProbeValidation], path: str | os.PathLike[str]
) -> None:
    """Bar charts of accuracy and mean queries per list and method (PNG)."""
    plt = _pyplot()
    methods = sorted({s.method for v in validations for s in v.scores})
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.5))
    width = 0.8 / max(1, len(methods))
    for k, m in enumerate(methods):
        xs = [i + k * width for i in range(len(validations))]
        acc = [next((s.accuracy.rate for s in v.scores if s.method == m), 0.0)
               for v in validations]
        q = [next((s.mean_queries for s in v.scores if s.method == m), 0.0)
             for v in validations]
        a1.bar(xs, acc, width, label=m)
        a2.bar(xs, q, width, label=m)
    for ax, label in ((a1, "correct isolations"), (a2, "mean queries per article")):
        ax.set_xticks([i + 0.4 - width / 2 for i in range(len(validations))],
                      [v.name for v in validations], fontsize=8)
        ax.set_ylabel(label)
    a1.set_ylim(0, 1)
    a2.set_yscale("log")
    a1.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


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
