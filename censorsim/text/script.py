"""Script detection: the one definition of "a Han character" that every module uses.

Han here is Unicode's ``Script=Han`` (Unicode 15.1, ``Scripts.txt``): CJK unified
ideographs and all their extensions, compatibility ideographs, radicals, and the
ideographic iteration and number marks 々 〇 〡-〩 〸-〻. Hangul, kana, full-width Latin and
CJK punctuation are *not* Han.

Example:
    >>> is_han("海"), is_han("〇"), is_han("ｈ"), is_han("한")
    (True, True, False, False)
    >>> han_share(["法轮功", "falun"])
    0.5
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from functools import cache
from typing import Final

__all__ = ["HAN_RANGES", "common_han", "han_share", "is_han"]

HAN_RANGES: Final[tuple[tuple[int, int], ...]] = (
    (0x2E80, 0x2E9A),  # CJK radicals supplement
    (0x2E9B, 0x2EF4),
    (0x2F00, 0x2FD6),  # Kangxi radicals
    (0x3005, 0x3006),  # 々
    (0x3007, 0x3008),  # 〇
    (0x3021, 0x302A),  # Hangzhou numerals
    (0x3038, 0x303C),
    (0x3400, 0x4DC0),  # extension A
    (0x4E00, 0xA000),  # unified ideographs
    (0xF900, 0xFA6E),  # compatibility ideographs
    (0xFA70, 0xFADA),
    (0x16FE2, 0x16FE3),
    (0x16FF0, 0x16FF2),
    (0x20000, 0x2A6E0),  # extension B
    (0x2A700, 0x2B73A),  # extension C
    (0x2B740, 0x2B81E),  # extension D
    (0x2B820, 0x2CEA2),  # extension E
    (0x2CEB0, 0x2EBE1),  # extension F
    (0x2EBF0, 0x2EE5E),  # extension I
    (0x2F800, 0x2FA1E),  # compatibility supplement
    (0x30000, 0x3134B),  # extension G
    (0x31350, 0x323B0),  # extension H
)
"""Half-open code point ranges ``[lo, hi)`` of ``Script=Han``, sorted."""

_STARTS: Final = tuple(lo for lo, _ in HAN_RANGES)


def is_han(ch: str) -> bool:
    """Whether the single character ``ch`` is a Han character (``Script=Han``)."""
    cp = ord(ch)
    i = bisect_right(_STARTS, cp) - 1
    return i >= 0 and cp < HAN_RANGES[i][1]


def han_share(texts: Iterable[str], prefix: int = 3) -> float:
    """The share of Han characters among the first ``prefix`` characters of each text.

    Used to choose a matcher by the script of a keyword list; ``0.0`` for no characters.
    """
    han = total = 0
    for text in texts:
        for ch in text[:prefix]:
            total += 1
            han += is_han(ch)
    return han / total if total else 0.0


@cache
def common_han() -> tuple[str, ...]:
    """The 3,755 common Han characters of GB 2312 level 1, in GB order.

    Filler for generated Chinese text (the characters a chat message is made of).

    Example:
        >>> chars = common_han()
        >>> len(chars), chars[0], all(is_han(c) for c in chars)
        (3755, '啊', True)
    """
    out = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return tuple(out)
