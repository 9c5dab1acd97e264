"""The all-ASCII batch path of normalize_many (lazy offsets) against the reference."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.models import Rule
from censorsim.text.normalize import PROFILES, Normalizer
from censorsim.text.rules import RuleSet

ascii_texts = st.text(alphabet="abcXYZ019 ,.!-_\t\n#@", max_size=30)
# Mixed batches leave the ASCII path: both sides of the switch are compared.
mixed_texts = st.one_of(ascii_texts, st.text(alphabet="ab 六四學生，ß⑩Ａ", max_size=12))


@settings(max_examples=150, deadline=None)
@given(batch=st.lists(st.one_of(ascii_texts, mixed_texts), max_size=8),
       profile=st.sampled_from(sorted(PROFILES)))
def test_batch_equals_the_reference(batch: list[str], profile: str) -> None:
    n = Normalizer.from_profile(profile)
    got = n.normalize_many(batch)
    assert len(got) == len(batch)
    for i, text in enumerate(batch):
        norm, offsets = n.normalize_reference(text)
        assert got.text(i) == norm
        assert got.offsets(i) == offsets
        for start in range(len(norm)):
            assert got.span(i, start, start + 1) == (offsets[start], offsets[start] + 1)
    want = np.frombuffer("".join(got.texts).encode("utf-32-le", "surrogatepass"),
                         dtype=np.uint32)
    assert got.codes.tolist() == want.tolist()


@settings(max_examples=60, deadline=None)
@given(words=st.lists(st.text(alphabet="abcXY01 -", min_size=1, max_size=4), min_size=1,
                      max_size=6),
       batch=st.lists(ascii_texts, min_size=1, max_size=6))
def test_rules_over_ascii_batches_equal_the_reference(words: list[str], batch: list[str]) -> None:
    n = Normalizer.from_profile("default")
    words = [w for w in words if n.normalize_reference(w)[0]]
    rs = RuleSet([Rule.keyword(w, id=f"k{i}") for i, w in enumerate(words)])
    got = rs.check_many(batch)
    for i, text in enumerate(batch):
        assert got[i] == rs.check_reference(text)


def test_empty_texts_between_others_keep_their_bounds() -> None:
    n = Normalizer.from_profile("default")
    batch = ["", "a b", "", "", "- -", "c,d", ""]
    got = n.normalize_many(batch)
    assert got.texts == ["", "ab", "", "", "", "cd", ""]
    assert got.offsets(5) == (0, 2)


@settings(max_examples=40, deadline=None)
@given(base=st.lists(ascii_texts, min_size=1, max_size=3),
       profile=st.sampled_from(sorted(PROFILES)))
def test_long_ascii_texts_equal_the_reference(base: list[str], profile: str) -> None:
    # At least 256 characters per text: the per-text translation path (documents).
    batch = [t * 20 + "Ab, " * 64 for t in base]
    n = Normalizer.from_profile(profile)
    got = n.normalize_many(batch)
    for i, text in enumerate(batch):
        norm, offsets = n.normalize_reference(text)
        assert got.text(i) == norm
        assert got.offsets(i) == offsets
        assert got.span(i, 0, len(norm)) == (offsets[0], offsets[-1] + 1)
