"""Text transforms: named, seeded edits of target spans (separators, homophones, pinyin, ...).

Example:
    >>> text_transform("spaces").apply("六四学生", targets=[(0, 2)])
    '六 四学生'
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

from censorsim._optional import import_optional
from censorsim.errors import ParameterError
from censorsim.evasion._seed import seeded_rng
from censorsim.registry import Registry
from censorsim.text.script import is_han

__all__ = ["TEXT_TRANSFORMS", "TextTransform", "homophones", "text_transform"]

Span = tuple[int, int]
_TextFn = Callable[[str, Sequence[Span], random.Random, float], str]


@dataclass(frozen=True, slots=True)
class TextTransform:
    """A named, seeded text transform.

    Attributes:
        name: the registry name.
        description: one line for tables and ``--help``.
        strength: the default share of target characters changed, or None when the
            transform has no strength (``noop``, ``drop-component``).
    """

    name: str
    description: str
    _fn: _TextFn
    strength: float | None = 1.0

    def apply(
        self,
        text: str,
        *,
        targets: Sequence[Span] | None = None,
        seed: int | str = 0,
        strength: float | None = None,
    ) -> str:
        """Transform one text.

        Args:
            text: the text.
            targets: half-open spans to act on; None for the whole text.
            seed: the seed; the same seed gives the same output.
            strength: share of target characters changed (default :attr:`strength`).

        Raises:
            ParameterError: a strength outside [0, 1] or a span outside the text.
        """
        s = self.strength if strength is None else strength
        if s is None:
            s = 1.0
        if not 0.0 <= s <= 1.0:
            raise ParameterError(f"strength must be in [0, 1], got {s}")
        spans = _target_spans(text, targets)
        return self._fn(text, spans, seeded_rng(seed, self.name), s)

    def apply_many(
        self,
        texts: Sequence[str],
        *,
        targets: Sequence[Sequence[Span] | None] | None = None,
        seed: int | str = 0,
        strength: float | None = None,
    ) -> list[str]:
        """Transform many texts; text ``i`` uses the seed ``(seed, i)``.

        Raises:
            ParameterError: as :meth:`apply`, or not one target list per text.
        """
        if targets is not None and len(targets) != len(texts):
            raise ParameterError(f"targets: "f"{len(texts)} texts but {len(targets)} target lists")
        return [
            self.apply(
                t,
                targets=None if targets is None else targets[i],
                seed=f"{seed}:{i}",
                strength=strength,
            )
            for i, t in enumerate(texts)
        ]


def _target_spans(text: str, targets: Sequence[Span] | None) -> list[Span]:
    """The user's targets, checked against the text, empty ones dropped, sorted."""
    if targets is None:
        return [(0, len(text))] if text else []
    out: list[Span] = []
    for s, e in targets:
        if not 0 <= s <= e <= len(text):
            raise ParameterError(
                f"targets: span ({s}, {e}) is outside a text of {len(text)} characters")
        if e > s:
            out.append((s, e))
    return sorted(set(out))


def _positions(spans: Sequence[Span], eligible: Callable[[str], bool], text: str) -> list[int]:
    seen: dict[int, None] = {}
    for s, e in spans:
        for i in range(s, e):
            if eligible(text[i]):
                seen.setdefault(i, None)
    return list(seen)


def _choose(items: list[int], rng: random.Random, strength: float) -> set[int]:
    if not items or strength <= 0:
        return set()
    k = min(len(items), max(1, math.ceil(strength * len(items))))
    return set(rng.sample(items, k))


def _map_chars(
    eligible: Callable[[str], bool], replace: Callable[[str, random.Random], str]
) -> _TextFn:
    def fn(text: str, spans: Sequence[Span], rng: random.Random, strength: float) -> str:
        chosen = _choose(_positions(spans, eligible, text), rng, strength)
        return "".join(replace(ch, rng) if i in chosen else ch for i, ch in enumerate(text))

    return fn


def _insert_between(pool: str) -> _TextFn:
    def fn(text: str, spans: Sequence[Span], rng: random.Random, strength: float) -> str:
        gaps: dict[int, None] = {}
        for s, e in spans:
            for i in range(s + 1, e):
                gaps.setdefault(i, None)
        chosen = _choose(list(gaps), rng, strength)
        out: list[str] = []
        for i, ch in enumerate(text):
            if i in chosen:
                out.append(rng.choice(pool))
            out.append(ch)
        return "".join(out)

    return fn


def _noop(text: str, spans: Sequence[Span], rng: random.Random, strength: float) -> str:
    return text


def _drop_component(text: str, spans: Sequence[Span], rng: random.Random, _s: float) -> str:
    if not spans:
        return text
    s, e = rng.choice(list(spans))
    return text[:s] + text[e:]


def _repeat(text: str, spans: Sequence[Span], rng: random.Random, strength: float) -> str:
    chosen = _choose(_positions(spans, lambda c: not c.isspace(), text), rng, strength)
    return "".join(ch + ch if i in chosen else ch for i, ch in enumerate(text))


def _fullwidth(ch: str, _rng: random.Random) -> str:
    return "\u3000" if ch == " " else chr(ord(ch) + 0xFEE0)


@cache
def _pinyin_module() -> object:
    return import_optional("pypinyin", "evasion", "homophone and pinyin transforms")


def _common(ch: str) -> bool:
    """Whether ``ch`` is among GB 2312's 3,755 level-1 (most common) characters."""
    try:
        code = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and 0xB0 <= code[0] <= 0xD7


@cache
def _homophone_table() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Each common Han character's first reading, and the characters of each reading."""
    _pinyin_module()
    data = import_optional("pypinyin.pinyin_dict", "evasion", "homophone substitution")
    raw: dict[int, str] = data.pinyin_dict
    reading: dict[str, str] = {}
    groups: dict[str, list[str]] = {}
    for cp in sorted(raw):
        if not _common(chr(cp)):
            continue
        first = raw[cp].split(",")[0].strip()
        if not first:
            continue
        ch = chr(cp)
        reading[ch] = first
        groups.setdefault(first, []).append(ch)
    return reading, {k: tuple(v) for k, v in groups.items()}


def homophones(char: str) -> tuple[str, ...]:
    """Common characters whose first pinyin reading (with tone) equals ``char``'s.

    Both ``char`` and its homophones must be GB 2312 level-1 characters (the 3,755 most
    common), so substitutes read naturally; ``char`` itself is left out. Built once
    from pypinyin's installed dictionary (the ``evasion`` extra).

    Raises:
        MissingDependencyError: pypinyin is not installed.
    """
    reading, groups = _homophone_table()
    key = reading.get(char)
    if key is None:
        return ()
    return tuple(c for c in groups[key] if c != char)


def _homophone(ch: str, rng: random.Random) -> str:
    alts = homophones(ch)
    return rng.choice(alts) if alts else ch


def _pinyin(ch: str, _rng: random.Random) -> str:
    mod = _pinyin_module()
    out: list[str] = mod.lazy_pinyin(ch)  # type: ignore[attr-defined]
    return "".join(out)


@cache
def _s2t() -> Callable[[str], str]:
    import opencc

    converter = opencc.OpenCC("s2t")
    convert: Callable[[str], str] = converter.convert
    return convert


def _traditional(ch: str, _rng: random.Random) -> str:
    return _s2t()(ch) or ch


_LEET: Final = {"a": "4", "b": "8", "e": "3", "g": "9", "i": "1", "l": "1", "o": "0",
                "s": "5", "t": "7", "z": "2"}
_CONFUSABLE: Final = {
    "a": "а", "c": "с", "e": "е", "i": "і", "j": "ј", "o": "о", "p": "р", "s": "ѕ",
    "x": "х", "y": "у", "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "I": "І",
    "K": "К", "M": "М", "N": "Ν", "O": "О", "P": "Р", "S": "Ѕ", "T": "Т", "X": "Х",
    "Y": "Υ", "Z": "Ζ",
}


def _leet(ch: str, _rng: random.Random) -> str:
    return _LEET[ch.lower()]


def _confusable(ch: str, _rng: random.Random) -> str:
    return _CONFUSABLE[ch]


_TEXT: Final[tuple[TextTransform, ...]] = (
    TextTransform("noop", "no change (the baseline)", _noop, None),
    TextTransform("spaces", "spaces between characters", _insert_between(" ")),
    TextTransform("punctuation", "punctuation between characters",
                  _insert_between("，。、·.-_*")),
    TextTransform("zero-width", "zero-width characters between characters",
                  _insert_between("\u200b\u200c\u200d\ufeff")),
    TextTransform("fullwidth", "ASCII as full-width forms",
                  _map_chars(lambda c: c == " " or 0x21 <= ord(c) <= 0x7E, _fullwidth)),
    TextTransform("homophone", "Han characters as same-pinyin characters",
                  _map_chars(is_han, _homophone)),
    TextTransform("pinyin", "Han characters as toneless pinyin", _map_chars(is_han, _pinyin)),
    TextTransform("traditional", "simplified characters in traditional script (OpenCC s2t)",
                  _map_chars(is_han, _traditional)),
    TextTransform("leetspeak", "Latin letters as digits",
                  _map_chars(lambda c: c.lower() in _LEET and c.isascii(), _leet)),
    TextTransform("confusable", "Latin letters as Cyrillic or Greek look-alikes",
                  _map_chars(lambda c: c in _CONFUSABLE, _confusable)),
    TextTransform("repeat", "characters written twice", _repeat),
    TextTransform("drop-component", "one target span removed", _drop_component, None),
)

_NEEDS_PYPINYIN: Final = frozenset({"homophone", "pinyin"})

TEXT_TRANSFORMS: Final[Registry[TextTransform]] = Registry("text transform")
"""Text transforms by name, ``noop`` first (``homophone`` and ``pinyin`` need the
``evasion`` extra)."""

for _t in _TEXT:
    if _t.name in _NEEDS_PYPINYIN:
        TEXT_TRANSFORMS.add(_t.name, _t, requires="pypinyin", extra="evasion",
                            summary=_t.description)
    else:
        TEXT_TRANSFORMS.add(_t.name, _t, summary=_t.description)
del _t


def text_transform(name: str) -> TextTransform:
    """The text transform called ``name``.

    Raises:
        UnknownNameError: an unknown name (the message lists the known ones).
        MissingDependencyError: the transform needs pypinyin (the ``evasion`` extra).
    """
    return TEXT_TRANSFORMS.get(name)
