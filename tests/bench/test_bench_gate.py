"""The gate's comparisons and the semantics the reference is reduced to."""

from __future__ import annotations

import pytest

from censorsim.bench.gate import (
    GateResult,
    expected_under,
    flashtext_word_boundary,
    gate,
)


def test_identical_sets_pass_and_differences_are_sampled() -> None:
    ref = {(0, 0, 2, "ab"), (1, 3, 5, "cd"), (2, 0, 1, "x")}
    assert gate(ref, set(ref)).passed
    verdict = gate(ref, {(0, 0, 2, "ab"), (9, 0, 1, "zz")})
    assert not verdict.passed
    assert (verdict.expected, verdict.got, verdict.missing, verdict.extra) == (3, 2, 2, 1)
    assert verdict.sample_missing == ((1, 3, 5, "cd"), (2, 0, 1, "x"))
    assert verdict.sample_extra == ((9, 0, 1, "zz"),)
    assert GateResult.from_json(verdict.to_json()) == verdict


def test_longest_per_start() -> None:
    ref = {(0, 0, 2, "ab"), (0, 0, 3, "abc"), (0, 1, 3, "bc"), (1, 0, 2, "ab")}
    assert expected_under(ref, "longest-per-start", ["abc", "ab"]) == {
        (0, 0, 3, "abc"), (0, 1, 3, "bc"), (1, 0, 2, "ab"),
    }


def test_whole_word_leftmost_longest() -> None:
    text = "free tibet now freetibet"
    ref = {
        (0, 0, 10, "free tibet"), (0, 0, 4, "free"), (0, 5, 10, "tibet"),
        (0, 15, 19, "free"), (0, 19, 24, "tibet"),
    }
    assert expected_under(ref, "whole-word-leftmost-longest", [text]) == {(0, 0, 10, "free tibet")}
    assert flashtext_word_boundary("六四学生", 0, 2)
    assert not flashtext_word_boundary("a_b", 2, 3)


def test_unknown_semantics() -> None:
    with pytest.raises(ValueError, match="unknown semantics 'fuzzy'"):
        expected_under(set(), "fuzzy", [])
