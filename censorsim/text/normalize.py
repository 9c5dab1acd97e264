"""Text normalisation with offset maps back to the original text.

A :class:`Normalizer` is a named, ordered list of *steps*. Every step maps one character
to zero, one or several characters, so the composition of steps is again a per-character
map, and every normalised character knows the original character it came from. The same
normaliser is applied to keywords and to texts.

Steps (names accepted by :class:`Normalizer`):

``casefold``
    Unicode full case folding (``str.casefold``), one character at a time; ``İ`` folds
    to ``i`` (not ``i`` plus a combining dot).
``width``
    Full-width and half-width forms folded to their ordinary forms (``Ａ``→``A``,
    ``６４``→``64``, ``ｶ``→``カ``) and the ideographic space to a space (NFKC of the
    Halfwidth and Fullwidth Forms block).
``t2s``
    Traditional to simplified Chinese, character by character, from OpenCC's ``t2s``
    tables (the ``opencc`` package), each chain followed to its end so that converting
    twice equals converting once (``薴``→``苎``). Phrase-level conversions are not applied: a censor
    that folds scripts does so per character, and keywords are folded the same way.
``ignorable``
    Removal of characters a filter would skip: spaces and separators (Z*), punctuation
    (P*), symbols (S*, emoji included), control and format characters (Cc, Cf: zero-width
    space, joiners, direction marks, BOM), and variation selectors.
``digits``
    Number styles folded to ASCII digits: decimal digits of every script (``٦٤``→``64``),
    circled, parenthesised and full-stop numbers (``⑥④``→``64``, ``⑩``→``10``),
    superscripts and subscripts.

Profiles (:data:`PROFILES`): ``identity`` (no step), ``default`` (every step above),
``fold`` (casefold, width, digits, t2s: folds forms but keeps separators) and ``strip``
(only ``ignorable``).

Two implementations produce the same result: :meth:`Normalizer.normalize_reference` is a
plain per-character loop over the steps (the readable reference), and the fast path
(:meth:`Normalizer.normalize`, :meth:`Normalizer.normalize_many`) uses one composed
lookup table, vectorised with numpy over a whole batch. Offsets cost nothing extra on the
fast path; the batch keeps them in arrays and builds a text's map only when asked.

Example:
    >>> n = Normalizer.from_profile("default")
    >>> n.normalize("六 四，學生！")
    '六四学生'
    >>> n.normalize_with_offsets("Ａ b")
    ('ab', (0, 2))
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain
from typing import TYPE_CHECKING, Final, TypeVar

import numpy as np
import numpy.typing as npt

from censorsim.errors import NormalizationError, ParameterError, UnknownNameError
from censorsim.registry import Registry
from censorsim.text.offsets import aligned, span_mapper, span_to_original
from censorsim.text.script import HAN_RANGES

__all__ = [
    "PROFILES",
    "STEPS",
    "NormalizedBatch",
    "Normalizer",
    "span_to_original",
]

if TYPE_CHECKING:
    from censorsim.text.matchers._base import MatchArrays

_R = TypeVar("_R", bound=tuple[int, ...])
_MAX_CP: Final = sys.maxunicode + 1
_REMOVE: Final = np.uint32(0xFFFFFFFF)
_EXPAND: Final = np.uint32(0xFFFFFFFE)


# --------------------------------------------------------------------------------------
# Steps: each is a sparse map {code point: replacement string} over the characters it
# changes. Characters not in the map are kept unchanged.


_UNASSIGNED_PLANES: Final = (0x40000, 0xE0000)
"""Planes 4 to 13: no character is assigned there in any Unicode version up to 16.0."""


def _scalar_values(start: int = 0) -> Iterable[int]:
    """Every code point from ``start`` on that a step could map, surrogates skipped.

    Planes 4 to 13 are skipped when this Python's Unicode database is version 16 or
    older, which assigns nothing there (every one of them is category ``Cn``, has no
    case folding and is no digit): a step map built over them is the same, in 40% of
    the time. A newer database is walked in full.
    """
    lo, hi = _UNASSIGNED_PLANES
    if int(unicodedata.unidata_version.split(".")[0]) <= 16:
        return chain(range(start, 0xD800), range(0xE000, lo), range(hi, _MAX_CP))
    return chain(range(start, 0xD800), range(0xE000, _MAX_CP))


@cache
def _casefold_map() -> dict[int, str]:
    out: dict[int, str] = {}
    for cp in _scalar_values():
        ch = chr(cp)
        folded = ch.casefold()
        if folded != ch:
            out[cp] = folded
    # Turkish dotted capital I: full folding gives "i" + U+0307 COMBINING DOT ABOVE, which
    # no keyword spells; İSTANBUL must fold to istanbul.
    out[0x130] = "i"
    return out


@cache
def _width_map() -> dict[int, str]:
    out: dict[int, str] = {0x3000: " "}
    for cp in range(0xFF01, 0xFFEF):
        ch = chr(cp)
        if unicodedata.category(ch) == "Cn":
            continue
        nf = unicodedata.normalize("NFKC", ch)
        if nf != ch and len(nf) == 1:
            out[cp] = nf
    return out


@cache
def _t2s_map() -> dict[int, str]:
    try:
        import opencc
    except ImportError as exc:  # pragma: no cover - opencc is a core dependency
        raise NormalizationError("the t2s step needs the 'opencc' package") from exc
    converter = opencc.OpenCC("t2s")
    # Every Han character (Script=Han) is handed to OpenCC one at a time.
    chars = [chr(cp) for lo, hi in HAN_RANGES for cp in range(lo, hi)]
    # One call: a newline never occurs inside an OpenCC phrase, so each character is
    # converted on its own.
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - defensive
        raise NormalizationError("OpenCC changed the number of lines while converting")
    table = {ord(a): b for a, b in zip(chars, converted, strict=True) if a != b and b}
    # OpenCC's per-character table is not idempotent (薴→苧→苎): follow each chain to its
    # end so that converting twice equals converting once.
    for cp, rep in table.items():
        seen = {cp}
        while len(rep) == 1 and ord(rep) in table and ord(rep) not in seen:
            seen.add(ord(rep))
            rep = table[ord(rep)]
        table[cp] = rep
    return table


_IGNORABLE_CATEGORIES: Final = frozenset(
    {"Zs", "Zl", "Zp", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So",
     "Cc", "Cf"}
)


@cache
def _ignorable_map() -> dict[int, str]:
    out: dict[int, str] = {}
    for cp in _scalar_values():
        if unicodedata.category(chr(cp)) in _IGNORABLE_CATEGORIES:
            out[cp] = ""
    for lo, hi in ((0xFE00, 0xFE10), (0xE0100, 0xE01F0), (0x180B, 0x1810)):
        for cp in range(lo, hi):
            out[cp] = ""  # variation selectors, Mongolian free variation selectors
    return out


@cache
def _digits_map() -> dict[int, str]:
    out: dict[int, str] = {}
    for cp in _scalar_values(0x80):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if cat == "Nd":
            out[cp] = str(unicodedata.decimal(ch))
        elif cat == "No":
            value = unicodedata.numeric(ch, -1.0)
            if value < 0 or value != int(value):
                continue
            nfkc = unicodedata.normalize("NFKC", ch)
            # Only forms whose compatibility decomposition is the number itself
            # (circled, parenthesised, full stop, super/subscript); not fractions,
            # not CJK or other-script numerals.
            digits = "".join(c for c in nfkc if c in "0123456789")
            if digits and int(digits) == int(value):
                out[cp] = str(int(value))
        # Negative circled and dingbat digits have no decomposition.
    for base, start in ((0x2776, 1), (0x2780, 1), (0x278A, 1), (0x24F5, 1), (0x24EB, 11)):
        for k in range(10):
            out.setdefault(base + k, str(start + k))
    out[0x24FF] = "0"
    out[0x24EA] = "0"
    return out


STEPS: Final[Registry[Callable[[], dict[int, str]]]] = Registry("normalisation step")
"""Every step name and the function that builds its character map."""
STEPS.add("casefold", _casefold_map, summary="Unicode full case folding")
STEPS.add("width", _width_map, summary="full- and half-width forms to ordinary forms")
STEPS.add("t2s", _t2s_map, summary="traditional to simplified Chinese (OpenCC, per character)")
STEPS.add("ignorable", _ignorable_map, summary="drop separators, punctuation, symbols")
STEPS.add("digits", _digits_map, summary="number styles to ASCII digits")

PROFILES: Final[Registry[tuple[str, ...]]] = Registry("normalisation profile")
"""Named profiles: each is an ordered tuple of step names."""
PROFILES.add("identity", (), summary="no step")
PROFILES.add(
    "default", ("width", "casefold", "digits", "t2s", "ignorable"), summary="every step"
)
PROFILES.add("fold", ("width", "casefold", "digits", "t2s"), summary="fold forms, keep separators")
PROFILES.add("strip", ("ignorable",), summary="only drop ignorable characters")


@dataclass(frozen=True, slots=True)
class NormalizedBatch:
    """Normalised texts of a batch, kept joined in one string and one array.

    Attributes:
        joined: the normalised texts, concatenated.
        codes: the code points of ``joined`` (``uint32``).
        bounds: ``len + 1`` offsets; text ``i`` is ``joined[bounds[i]:bounds[i + 1]]``.
    """

    joined: str
    codes: npt.NDArray[np.uint32]
    bounds: npt.NDArray[np.int64]
    _origin: npt.NDArray[np.int64] | None
    _starts: npt.NDArray[np.int64]
    _expanded: frozenset[int] = frozenset()

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def text(self, i: int) -> str:
        """Normalised text ``i``."""
        return self.joined[int(self.bounds[i]) : int(self.bounds[i + 1])]

    @property
    def texts(self) -> list[str]:
        """Every normalised text, in input order (built on each access)."""
        b = self.bounds.tolist()
        joined = self.joined
        return [joined[b[i] : b[i + 1]] for i in range(len(b) - 1)]

    def offsets(self, i: int) -> tuple[int, ...]:
        """Original index of every normalised character of text ``i``."""
        lo, hi = int(self.bounds[i]), int(self.bounds[i + 1])
        if self._origin is None:
            return tuple(range(hi - lo))
        return tuple((self._origin[lo:hi] - self._starts[i]).tolist())

    def _origin_of(self, i: int) -> tuple[npt.NDArray[np.int64] | None, int]:
        """Original indices (batch-relative) of text ``i``'s characters, and its start."""
        if self._origin is None:
            return None, 0
        return (
            self._origin[int(self.bounds[i]) : int(self.bounds[i + 1])],
            int(self._starts[i]),
        )

    def keep_aligned(self, i: int, raw: list[_R]) -> list[_R]:
        """The matches ``(start, end, ...)`` of text ``i`` that cut no expanded character.

        A character that normalises to several (``ß``→``ss``, ``⑩``→``10``) is one unit:
        a match must cover all of its output or none, so every span's original text
        normalises to the matched keyword, and ``ß`` alone never supplies two ``s``.
        Costs nothing for texts without such a character.
        """
        if i not in self._expanded:
            return raw
        origin, _ = self._origin_of(i)
        assert origin is not None
        return [m for m in raw if aligned(origin, m[0], m[1])]

    def keep_aligned_arrays(self, occ: MatchArrays) -> MatchArrays:
        """:meth:`keep_aligned` over occurrence arrays of the whole batch, vectorised."""
        if not self._expanded or not len(occ):
            return occ
        assert self._origin is not None
        origin = self._origin
        expanded = np.fromiter(self._expanded, dtype=np.int64, count=len(self._expanded))
        check = np.flatnonzero(np.isin(occ.text, expanded))
        base = self.bounds[occ.text[check]]
        start = occ.start[check] + base
        end = occ.end[check] + base
        text_end = self.bounds[occ.text[check] + 1]
        bad = (start > base) & (origin[start] == origin[np.maximum(start - 1, 0)])
        inner = end < text_end
        bad |= inner & (origin[np.minimum(end, origin.size - 1)] == origin[end - 1])
        if not bad.any():
            return occ
        keep = np.ones(len(occ), dtype=np.bool_)
        keep[check[bad]] = False
        return occ.select(keep)

    def span_mapper(self, i: int) -> Callable[[tuple[int, int]], tuple[int, int]]:
        """A function mapping spans of normalised text ``i`` to its original text."""
        return span_mapper(*self._origin_of(i))

    def span(self, i: int, start: int, end: int) -> tuple[int, int]:
        """Map span ``[start, end)`` of normalised text ``i`` to its original text.

        Raises:
            ParameterError: the span is empty.
        """
        origin, shift = self._origin_of(i)
        return span_to_original(origin, start, end, shift)


class Normalizer:
    """An ordered, immutable pipeline of normalisation steps.

    Args:
        steps: step names from :data:`STEPS`, applied in order, or a profile name
            (a string) from :data:`PROFILES`.
        name: a label for reports (defaults to the steps joined by ``+``).

    Raises:
        UnknownNameError: for an unknown step name (the message lists them).
        ParameterError: for a string that is not a profile name.
    """

    __slots__ = ("_ascii", "_lut", "_map", "name", "steps")

    def __init__(self, steps: Iterable[str] | str = (), *, name: str | None = None) -> None:
        if isinstance(steps, str):
            # A string is a profile name, never a sequence of one-letter steps.
            if steps not in PROFILES:
                raise ParameterError(
                    f"Normalizer({steps!r}): a string must be a profile name "
                    f"({', '.join(PROFILES)}); give steps as a list, or a '+'-joined "
                    "list to Normalizer.from_spec"
                )
            name = name or steps
            steps = PROFILES.get(steps)
        steps = tuple(steps)
        for step in steps:
            STEPS.entry(step)  # UnknownNameError listing the steps
        self.steps: tuple[str, ...] = steps
        self.name: str = name or ("+".join(steps) if steps else "identity")
        self._map: dict[int, str] = self._compose(steps)
        self._lut: npt.NDArray[np.uint32] | None = None
        self._ascii = self._ascii_tables()

    def _ascii_tables(self) -> tuple[bytes, bytes, npt.NDArray[np.bool_]] | None:
        """``bytes.translate`` tables for ASCII text, when ASCII maps into ASCII 1:1 or 0."""
        trans = bytearray(range(256))
        delete = bytearray()
        keep = np.ones(256, dtype=np.bool_)
        for cp in range(128):
            rep = self._map.get(cp)
            if rep is None:
                continue
            if rep == "":
                delete.append(cp)
                keep[cp] = False
            elif len(rep) == 1 and ord(rep) < 128:
                trans[cp] = ord(rep)
            else:
                return None
        return bytes(trans), bytes(delete), keep

    @classmethod
    def from_profile(cls, profile: str) -> Normalizer:
        """The normaliser of a named profile (see :data:`PROFILES`).

        Raises:
            UnknownNameError: an unknown profile (the message lists them).
        """
        return cls(PROFILES.get(profile), name=profile)

    @classmethod
    def from_spec(cls, spec: str | Normalizer | None) -> Normalizer:
        """A profile name, a ``+``-joined list of steps, a normaliser, or None (default)."""
        if isinstance(spec, Normalizer):
            return spec
        if spec is None:
            return cls.from_profile("default")
        if not isinstance(spec, str):
            raise ParameterError(
                f"normalizer: expected a profile name, '+'-joined steps or a Normalizer, "
                f"got {type(spec).__name__}"
            )
        if spec in PROFILES:
            return cls.from_profile(spec)
        steps = [s.strip() for s in spec.split("+") if s.strip()]
        if len(steps) == 1 and steps[0] not in STEPS:
            # Named as a step (as before), listing the profiles too: either is accepted.
            raise UnknownNameError("normalisation step", steps[0], (*PROFILES, *STEPS))
        return cls(steps)

    def __repr__(self) -> str:
        return f"Normalizer({list(self.steps)!r}, name={self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Normalizer) and other.steps == self.steps

    def __hash__(self) -> int:
        return hash(self.steps)

    @property
    def is_identity(self) -> bool:
        """Whether the normaliser changes nothing."""
        return not self._map

    # ----------------------------------------------------------------------------------
    # Reference implementation.

    @staticmethod
    def _compose(steps: tuple[str, ...]) -> dict[int, str]:
        maps = [STEPS[s]() for s in steps]
        domain: set[int] = set()
        for m in maps:
            domain.update(m)
        composed: dict[int, str] = {}
        for cp in domain:
            out = chr(cp)
            for m in maps:
                out = "".join(m.get(ord(c), c) for c in out)
            if out != chr(cp):
                composed[cp] = out
        return composed

    def normalize_reference(self, text: str) -> tuple[str, tuple[int, ...]]:
        """The readable reference: apply each step in turn, character by character.

        Returns:
            The normalised text and, for each of its characters, the original index.
        """
        chars = [(c, i) for i, c in enumerate(text)]
        for step in self.steps:
            table = STEPS[step]()
            chars = [(o, i) for c, i in chars for o in table.get(ord(c), c)]
        return "".join(c for c, _ in chars), tuple(i for _, i in chars)

    # ----------------------------------------------------------------------------------
    # Fast paths.

    def normalize(self, text: str) -> str:
        """The normalised text."""
        if not self._map:
            return text
        return text.translate(self._map)

    def normalize_with_offsets(self, text: str) -> tuple[str, tuple[int, ...]]:
        """The normalised text and the original index of each of its characters."""
        if not self._map:
            return text, tuple(range(len(text)))
        table = self._map
        out: list[str] = []
        offsets: list[int] = []
        for i, c in enumerate(text):
            rep = table.get(ord(c))
            if rep is None:
                out.append(c)
                offsets.append(i)
            else:
                out.append(rep)
                offsets.extend([i] * len(rep))
        return "".join(out), tuple(offsets)

    def _table(self) -> npt.NDArray[np.uint32]:
        if self._lut is None:
            lut = np.arange(_MAX_CP, dtype=np.uint32)
            for cp, rep in self._map.items():
                if not rep:
                    lut[cp] = _REMOVE
                elif len(rep) == 1:
                    lut[cp] = ord(rep)
                else:
                    lut[cp] = _EXPAND
            lut.flags.writeable = False
            self._lut = lut
        return self._lut

    def normalize_many(self, texts: Sequence[str]) -> NormalizedBatch:
        """Normalise a batch at once, vectorised; offsets stay in arrays until asked for.

        The batch is joined, turned into one array of code points, mapped through the
        composed lookup table, and compressed; characters that expand to several
        (``⑩``, ``ß``) are spliced in afterwards.
        """
        count = len(texts)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=count)
        starts = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        joined = "".join(texts)
        if self._map and self._ascii is not None and joined.isascii():
            return self._normalize_ascii(joined, starts)
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        if not self._map:
            return NormalizedBatch(joined, codes, starts, None, starts)
        mapped = self._table().take(codes)
        expand = np.flatnonzero(mapped == _EXPAND)
        if not expand.size:
            keep = mapped != _REMOVE
            out = mapped[keep]
            origin = np.flatnonzero(keep)
            # Text i starts at the first kept character whose original index is at or
            # after its original start: a binary search per text, no pass over the batch.
            bounds = np.searchsorted(origin, starts).astype(np.int64, copy=False)
            text = out.tobytes().decode("utf-32-le", "surrogatepass")
            return NormalizedBatch(text, out, bounds, origin, starts)
        cum = np.zeros(codes.size + 1, dtype=np.int64)
        counts = (mapped != _REMOVE).astype(np.int64)
        reps = [self._map[int(codes[p])] for p in expand.tolist()]
        counts[expand] = [len(r) for r in reps]
        np.cumsum(counts, out=cum[1:])
        out = np.repeat(mapped, counts)
        origin = np.repeat(np.arange(codes.size, dtype=np.int64), counts)
        for p, rep in zip(expand.tolist(), reps, strict=True):
            at = int(cum[p])
            out[at : at + len(rep)] = [ord(c) for c in rep]
        bounds = cum[starts]
        text = out.tobytes().decode("utf-32-le", "surrogatepass")
        expanded = frozenset(
            (np.searchsorted(starts, expand, side="right") - 1).tolist()
        )
        return NormalizedBatch(
            text, out, bounds, origin.astype(np.int64, copy=False), starts, expanded
        )

    def _normalize_ascii(self, joined: str, starts: npt.NDArray[np.int64]) -> NormalizedBatch:
        # All-ASCII batch: one bytes.translate does the mapping and the deletions.
        assert self._ascii is not None
        trans, delete, keep_table = self._ascii
        data = joined.encode("ascii")
        keep = keep_table.take(np.frombuffer(data, dtype=np.uint8))
        out = data.translate(trans, delete)
        codes = np.frombuffer(out, dtype=np.uint8).astype(np.uint32)
        origin = np.flatnonzero(keep).astype(np.int64, copy=False)
        bounds = np.searchsorted(origin, starts).astype(np.int64, copy=False)
        return NormalizedBatch(out.decode("ascii"), codes, bounds, origin, starts)
