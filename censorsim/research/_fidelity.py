"""Fidelity to WeChat Moments: a matrix's detectors next to Citizen Lab's 2018 outcomes.

The outcomes are those Knockel, Ruan, Crete-Nishihata and Deibert published in "(Can't)
Picture This" (FOCI 2018), encoded by censorsim transform in :data:`WECHAT_2018`.

Example:
    >>> [r.transform for r in WECHAT_2018][:3]
    ['noop', 'mirror', 'rotate-90']
    >>> WECHAT_2018[1].rate
    0.0
"""

from __future__ import annotations

import os
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from censorsim.errors import InputError, ParameterError
from censorsim.research._matrix import EvasionMatrix
from censorsim.research._rates import Rate
from censorsim.research._samples import _lines

__all__ = [
    "WECHAT_2018",
    "Fidelity",
    "WeChatOutcome",
    "wechat_fidelity",
    "wechat_reference",
    "wechat_sliding_outcomes",
]


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
        InputError: a result file is missing or unreadable.
    """
    root = Path(folder)

    def read(name: str) -> dict[int, tuple[int, int]]:
        counts: dict[int, list[int]] = {}
        path = root / name
        if not path.exists():
            raise InputError(f"{path}: cannot read the sliding-window results: no such file "
                             "(is --citizenlab a copy of citizenlab/chat-censorship?)")
        for _, line in _lines(path):
            m = _SLIDING_LINE.match(line.strip())
            if not m:
                continue
            plain = re.sub(r"\(.*?\)|\[.*?\]", "", m.group(2))
            filtered = {int(x) for x in re.findall(r"\d+", plain)}
            for k in range(1, 6):
                c = counts.setdefault(k, [0, 0])
                c[0] += k in filtered
                c[1] += 1
        if not counts:
            raise InputError(f"{path}: no sliding-window results in it (no line like "
                             "'w1: 1, 2')")
        return {k: (v[0], v[1]) for k, v in counts.items()}

    dup = read("filtered-duplicates.txt")
    blank = read("filtered-blank.txt")
    out = []
    for name, (f, n) in (("tile-2", dup[2]), ("tile-3", dup[3]), ("border-long-200", blank[3])):
        out.append(WeChatOutcome(name, f, n, f"filtered {f}/{n} (sliding-window tests)",
                                 2 * f > n))
    return tuple(out)


_SLIDING: Final = Path("wechat") / "image-filtering" / "tests-visual-sliding"


def wechat_reference(
    transforms: Iterable[str], *, citizenlab: str | os.PathLike[str] | None = None
) -> tuple[WeChatOutcome, ...]:
    """WeChat's outcomes for those of ``transforms`` it was tested on.

    The rows of :data:`WECHAT_2018`, then, given ``citizenlab`` (a copy of
    ``citizenlab/chat-censorship``), the sliding-window outcomes of
    :func:`wechat_sliding_outcomes` for transforms not already covered.

    Raises:
        InputError: ``citizenlab`` lacks the sliding-window result files.

    Example:
        >>> [r.transform for r in wechat_reference(["noop", "blur-8", "jpeg-50"])]
        ['noop', 'blur-8']
    """
    wanted = set(transforms)
    out = [r for r in WECHAT_2018 if r.transform in wanted]
    if citizenlab is not None:
        known = {r.transform for r in out}
        out += [r for r in wechat_sliding_outcomes(Path(citizenlab) / _SLIDING)
                if r.transform in wanted and r.transform not in known]
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
        ParameterError: the matrix is not an image matrix or lacks a reference transform.
    """
    if matrix.kind != "image":
        raise ParameterError("matrix: the fidelity table needs an image matrix")
    missing = [r.transform for r in reference if r.transform not in matrix.transforms]
    if missing:
        raise ParameterError(
            f"matrix: the matrix lacks the transforms {missing}; measure them first")
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
