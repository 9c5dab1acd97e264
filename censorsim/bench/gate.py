"""The correctness gate: a contender's output against the reference's, before any timing.

Outputs are compared as sets of records: for text, ``(message, start, end, keyword)``
occurrences (spans in code points of the message the contender was given); for the
index, ``(query, entry, distance)`` triples; for hashers, ``(image, hash hex)`` pairs; the
pipeline adds named records of the rules that fired (a dataclass record is sampled as
``(its class name, *fields)``).
Where a contender's semantics legitimately differ from the reference's (one match per
start position, whole words without overlaps), the reference's occurrences are first
reduced to that semantics by :func:`expected_under`, so the gate still compares exactly.

Example:
    >>> ref = {(0, 0, 2, "ab"), (0, 0, 3, "abc"), (0, 1, 3, "bc")}
    >>> sorted(expected_under(ref, "longest-per-start", ["abc"]))
    [(0, 0, 3, 'abc'), (0, 1, 3, 'bc')]
    >>> gate(ref, ref - {(0, 1, 3, "bc")}).passed
    False
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable, Sequence, Set
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from censorsim.errors import UnknownNameError

__all__ = [
    "SEMANTICS",
    "GateResult",
    "Occurrence",
    "Semantics",
    "expected_under",
    "flashtext_word_boundary",
    "gate",
]

Occurrence = tuple[int, int, int, str]
"""``(message index, start, end, keyword)``."""

Semantics = Literal["overlapping", "longest-per-start", "whole-word-leftmost-longest"]

SEMANTICS: Final[dict[str, str]] = {
    "overlapping": "every occurrence of every keyword, overlapping ones included",
    "longest-per-start": (
        "at each position where some keyword starts, only the longest keyword starting "
        "there (a look-ahead alternation, or regex's overlapped=True)"
    ),
    "whole-word-leftmost-longest": (
        "flashtext: whole words only (no ASCII letter, digit or underscore on either "
        "side), scanning left to right, the longest keyword at each position, no overlaps"
    ),
}
"""What each semantics means; the report prints these."""

_FLASHTEXT_WORD: Final = frozenset(
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
)

SAMPLE_SIZE: Final = 5


def flashtext_word_boundary(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a whole word by flashtext's definition.

    >>> flashtext_word_boundary("a tibet b", 2, 7), flashtext_word_boundary("tibets", 0, 5)
    (True, False)
    """
    if start > 0 and text[start - 1] in _FLASHTEXT_WORD:
        return False
    return not (end < len(text) and text[end] in _FLASHTEXT_WORD)


def expected_under(
    reference: Iterable[Occurrence], semantics: str, messages: Sequence[str]
) -> set[Occurrence]:
    """The reference's overlapping occurrences reduced to another semantics.

    Args:
        reference: every occurrence, overlapping ones included.
        semantics: a key of :data:`SEMANTICS`.
        messages: the messages, for word boundaries.

    Raises:
        UnknownNameError: for an unknown semantics.
    """
    ref = set(reference)
    if semantics == "overlapping":
        return ref
    if semantics == "longest-per-start":
        best: dict[tuple[int, int], Occurrence] = {}
        for occ in ref:
            key = (occ[0], occ[1])
            got = best.get(key)
            if got is None or occ[2] > got[2]:
                best[key] = occ
        return set(best.values())
    if semantics == "whole-word-leftmost-longest":
        by_message: dict[int, list[Occurrence]] = {}
        for occ in ref:
            if flashtext_word_boundary(messages[occ[0]], occ[1], occ[2]):
                by_message.setdefault(occ[0], []).append(occ)
        out: set[Occurrence] = set()
        for occs in by_message.values():
            occs.sort(key=lambda o: (o[1], -o[2]))
            reached = -1
            for occ in occs:
                if occ[1] >= reached:
                    out.add(occ)
                    reached = occ[2]
        return out
    raise UnknownNameError("semantics", semantics, tuple(SEMANTICS))


@dataclass(frozen=True, slots=True)
class GateResult:
    """How a contender's records compare with the expected ones.

    Attributes:
        passed: whether the two sets are equal.
        expected: number of expected records.
        got: number of records the contender produced.
        missing: expected records the contender did not produce.
        extra: records the contender produced that were not expected.
        sample_missing: up to five missing records, sorted.
        sample_extra: up to five extra records, sorted.
        scope: ``"full"`` (the whole workload) or ``"trial"`` (its first messages or
            queries, for a contender too slow to run on all of it).
        semantics: the semantics the reference was reduced to.
    """

    passed: bool
    expected: int
    got: int
    missing: int = 0
    extra: int = 0
    sample_missing: tuple[tuple[Any, ...], ...] = field(default=())
    sample_extra: tuple[tuple[Any, ...], ...] = field(default=())
    scope: str = "full"
    semantics: str = "overlapping"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (samples as lists)."""
        return {
            "passed": self.passed,
            "expected": self.expected,
            "got": self.got,
            "missing": self.missing,
            "extra": self.extra,
            "sample_missing": [list(r) for r in self.sample_missing],
            "sample_extra": [list(r) for r in self.sample_extra],
            "scope": self.scope,
            "semantics": self.semantics,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GateResult:
        """The inverse of :meth:`to_json`."""
        return cls(
            passed=bool(data["passed"]),
            expected=int(data["expected"]),
            got=int(data["got"]),
            missing=int(data["missing"]),
            extra=int(data["extra"]),
            sample_missing=tuple(tuple(r) for r in data["sample_missing"]),
            sample_extra=tuple(tuple(r) for r in data["sample_extra"]),
            scope=str(data["scope"]),
            semantics=str(data["semantics"]),
        )


def _row(record: Hashable) -> tuple[Any, ...]:
    """A record as a JSON-ready row: a tuple as it is, a dataclass as (its name, *fields)."""
    if isinstance(record, tuple):
        return record
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return (type(record).__name__, *dataclasses.astuple(record))
    return (record,)


def _sample(records: Set[Hashable]) -> tuple[tuple[Any, ...], ...]:
    rows = sorted(records, key=repr)[:SAMPLE_SIZE]
    return tuple(_row(r) for r in rows)


def gate(
    expected: Set[Hashable],
    got: Set[Hashable],
    *,
    scope: str = "full",
    semantics: str = "overlapping",
) -> GateResult:
    """Compare a contender's records with the expected ones."""
    missing = expected - got
    extra = got - expected
    return GateResult(
        passed=not missing and not extra,
        expected=len(expected),
        got=len(got),
        missing=len(missing),
        extra=len(extra),
        sample_missing=_sample(missing),
        sample_extra=_sample(extra),
        scope=scope,
        semantics=semantics,
    )
