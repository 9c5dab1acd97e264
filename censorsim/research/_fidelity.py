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
        source: where in the paper (or its published test data) the outcome is.
    """

    transform: str
    filtered: int | None
    tested: int | None
    outcome: str
    filtered_majority: bool
    source: str = ""

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

_VIS: Final = "Knockel et al. 2018, visual-based filtering"
_DATA: Final = "Citizen Lab chat-censorship, wechat/image-filtering/"


def _o(transform: str, filtered: int | None, tested: int | None, outcome: str,
       majority: bool, where: str) -> WeChatOutcome:
    return WeChatOutcome(transform, filtered, tested, outcome, majority, where)


WECHAT_2018: Final[tuple[WeChatOutcome, ...]] = (
    _o("noop", 15, 15, "filtered (the test set)", True, f"{_VIS}: the 15 test images"),
    _o("mirror", 0, 15, "evaded 15/15", False,
       f"{_VIS}, mirroring; {_DATA}tests-visual-mirror-stretch-border"),
    _o("rotate-90", 0, 15, "evaded 15/15", False, f"{_VIS}, rotation"),
    _o("shorter-30", 0, 15, "evaded 15/15", False,
       f"{_VIS}, stretching; {_DATA}tests-visual-mirror-stretch-border"),
    _o("thinner-30", 1, 15, "evaded 14/15", False,
       f"{_VIS}, stretching; {_DATA}tests-visual-mirror-stretch-border"),
    _o("invert", 11, 15, "evaded only 4/15", True, f"{_VIS}, colour inversion"),
    _o("half-invert", None, None, "still filtered (half the image inverted)", True,
       f"{_VIS}, colour inversion"),
    _o("otsu", 13, 15, "filtered 13/15 (Otsu black and white)", True,
       f"{_VIS}, grayscale and thresholding"),
    _o("otsu-invert", 4, 13, "filtered 4/13 (Otsu, then inverted)", False,
       f"{_VIS}, grayscale and thresholding"),
    _o("grey-match-lum", 0, 6, "evaded 6/6 (flat under luminosity grey)", False,
       f"{_VIS}, grayscale conversion; {_DATA}tests-visual-gray-algs"),
    _o("grey-match-average", 4, 6, "filtered 4/6 (flat under average grey)", True,
       f"{_VIS}, grayscale conversion; {_DATA}tests-visual-gray-algs"),
    _o("grey-match-lightness", 6, 6, "filtered 6/6 (flat under lightness grey)", True,
       f"{_VIS}, grayscale conversion; {_DATA}tests-visual-gray-algs"),
    _o("brightness+0.4", None, None, "still filtered", True, f"{_VIS}, brightness"),
    _o("contrast-80", None, None, "still filtered (strong reduction)", True,
       f"{_VIS}, contrast"),
    _o("scale-50", None, None, "still filtered (scaling)", True, f"{_VIS}, scaling"),
    _o("scale-200", None, None, "still filtered (scaling)", True, f"{_VIS}, scaling"),
    _o("translate-canvas-10", None, None,
       "still filtered (moved within an extended blank canvas)", True,
       f"{_VIS}, translation"),
    _o("black-border-short-50", 2, 15, "evaded 13/15 (black border, short dimension)",
       False, f"{_VIS}, borders; {_DATA}tests-visual-mirror-stretch-border (minborder)"),
    _o("black-border-all-50", 1, 15, "evaded 14/15 (black border on every side)", False,
       f"{_VIS}, borders; {_DATA}tests-visual-mirror-stretch-border (symborder)"),
    _o("border-long-50", None, None, "always filtered", True,
       f"{_VIS}, blank space along the long dimension"),
    _o("border-long-200", None, None, "always filtered", True,
       f"{_VIS}, blank space along the long dimension; {_DATA}tests-visual-sliding"),
    _o("grid-flip-3", None, None, "evaded (each cell of a 3x3 grid mirrored)", False,
       f"{_VIS}, sliding window"),
    _o("tile-3", 10, 10, "filtered 10/10 (one copy on each side)", True,
       f"{_VIS}, sliding window (Figure A.13); {_DATA}tests-visual-sliding"),
    _o("tile-5", 10, 10, "filtered 10/10 (two copies on each side)", True,
       f"{_VIS}, sliding window (Figure A.13); {_DATA}tests-visual-sliding"),
    _o("tile-7", 5, 10, "filtered 5/10 (three copies on each side)", False,
       f"{_VIS}, sliding window (Figure A.13); {_DATA}tests-visual-sliding"),
    _o("blur-8", 0, 15, "every image evaded at 8 px", False,
       f"{_VIS}, blurring; {_DATA}tests-visual-blur"),
)
"""WeChat Moments' published outcomes (Knockel et al. 2018), by censorsim transform.

Each row's ``source`` names the paper's test and, where Citizen Lab published the images,
the folder of ``citizenlab/chat-censorship`` holding them. Borders in the paper were
black and split across both ends (``black-border-*``); its translation test moved the
whole image within an extended blank canvas (``translate-canvas-10``; ``translate-10``
crops, and cropping evaded); the duplicates test added ``i`` copies on *each* side, so
its first three rows are 3, 5 and 7 copies (``tile-3``, ``tile-5``, ``tile-7``; 2 copies
were never tested). ``blur-8`` is a box blur of 8 px after the short side is resized to
200 px, as in the paper. ``otsu-invert`` was tried on the 13 images Otsu's form left
filtered.
"""

_SLIDING_LINE: Final = re.compile(r"^([wt]\d+)\s+(.*)$")


def wechat_sliding_outcomes(folder: str | os.PathLike[str]) -> tuple[WeChatOutcome, ...]:
    """Outcomes of the 2018 sliding-window tests, read from Citizen Lab's result files.

    ``folder`` is ``wechat/image-filtering/tests-visual-sliding`` of a copy of
    ``citizenlab/chat-censorship`` (CC BY-NC-SA 4.0: read from the user's path, never
    shipped). ``filtered-duplicates.txt`` lists, per wide (``w``) and tall (``t``)
    image, the numbers ``i`` of image-lengths added on *each* side (copies of the image)
    at which it was still filtered; ``i`` = 1, 2, 3 are 3, 5 and 7 copies (``tile-3``,
    ``tile-5``, ``tile-7``). ``filtered-blank.txt`` does the same with blank space;
    ``i`` = 1 (the canvas three times as long) becomes ``border-long-200``.
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
    for name, (f, n) in (("tile-3", dup[1]), ("tile-5", dup[2]), ("tile-7", dup[3]),
                         ("border-long-200", blank[1])):
        out.append(WeChatOutcome(name, f, n, f"filtered {f}/{n} (sliding-window tests)",
                                 2 * f > n, f"{_VIS}, sliding window; {_DATA}"
                                 "tests-visual-sliding"))
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
                 "wechat_source": ref.source,
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
