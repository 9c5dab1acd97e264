"""Backends under threads and process pools, and keywords Hyperscan cannot take as they are.

Issue 10, items 10 and 14. CI installs every extra, so the Hyperscan and ahocorasick-rs
backends are tested, never skipped.
"""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.models import Rule, ScanResult
from censorsim.text.matchers import HyperscanMatcher, available_backends, make_matcher
from censorsim.text.matchers._compiled import HYPERSCAN_MAX_LITERAL
from censorsim.text.rules import RuleSet
from tests.text.strategies import ALPHABET

BACKENDS = available_backends()
TEXTS = ["六四学生", "Falun gong 六 四", "nothing here", "法轮功abc六四", "ab\x00cd"]


def _rules() -> list[Rule]:
    return [
        Rule.keyword("六四"),
        Rule.combination("法轮功+abc"),
        Rule.keyword("falun", whole_word=True),
        Rule.ordered(["学", "生"], id="ord", max_gap=1),
    ]


def test_every_backend_is_installed_here() -> None:
    """CI runs with every extra: the optional backends must be among those tested."""
    assert {"hyperscan", "ahocorasick-rs"} <= set(BACKENDS)


def test_hyperscan_under_a_thread_pool() -> None:
    """Issue 10 item 10: hyperscan raised ``ScratchInUseError`` in 311 of 400 calls.

    Reproducer: one ``RuleSet(..., backend="hyperscan")`` shared by a thread pool of 8
    calling ``check_many`` 400 times. Each thread now scans with its own scratch.
    """
    rs = RuleSet(_rules(), backend="hyperscan")
    batch = TEXTS * 200  # long enough for the scans to overlap in time
    want = list(RuleSet(_rules(), backend="reference").check_many(batch))
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda _: list(rs.check_many(batch)), range(400)))
    assert all(g == want for g in got)


def _check_all(blobs: list[bytes]) -> list[list[tuple[str, ...]]]:
    out = []
    for blob in blobs:
        rs = pickle.loads(blob)
        out.append([r.rule_ids for r in rs.check_many(TEXTS)])
    return out


def test_ruleset_on_every_backend_works_in_a_spawn_pool() -> None:
    """Issue 10 item 10: ``RuleSet`` on ahocorasick-rs and hyperscan could not be pickled.

    Reproducer: ``pickle.dumps(RuleSet(rules, backend="hyperscan"))`` raised
    ``TypeError: cannot pickle 'hyperscan.Database' object``. Such matchers pickle as their
    keywords and are built again when unpickled, here in a ``spawn`` process pool.
    """
    sets = [RuleSet(_rules(), backend=b) for b in BACKENDS]
    want = [[r.rule_ids for r in rs.check_many(TEXTS)] for rs in sets]
    assert all(w == want[0] for w in want)
    blobs = [pickle.dumps(rs) for rs in sets]
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        got = pool.submit(_check_all, blobs).result(timeout=300)
    assert got == want


@pytest.mark.parametrize("backend", BACKENDS)
def test_matcher_pickles_with_whole_word(backend: str) -> None:
    m = make_matcher(["cat", "六四", "dog"], backend, whole_word=["cat"])
    m2 = pickle.loads(pickle.dumps(m))
    assert type(m2) is type(m) and m2.keywords == m.keywords
    assert m2.find_raw("cats cat 六四 dogs") == m.find_raw("cats cat 六四 dogs")


def test_hyperscan_keyword_with_nul_or_too_long() -> None:
    """Issue 10 item 14: a keyword containing NUL was cut at the NUL (false positives,
    wrong spans), a leading NUL crashed the build, one over 16,000 bytes was a raw
    ``hyperscan.error``.

    Reproducer: ``make_matcher(["a\\x00b"], "hyperscan").find_raw("ab a")`` reported
    ``a``. Such keywords are found by the fallback automaton, exactly.
    """
    long_kw = "长" * (HYPERSCAN_MAX_LITERAL // 3 + 1)  # over the limit in UTF-8 bytes
    kws = ["a\x00b", "\x00b", long_kw, "ab", "x" * (HYPERSCAN_MAX_LITERAL + 1)]
    hs = make_matcher(kws, "hyperscan")
    assert isinstance(hs, HyperscanMatcher)
    ref = make_matcher(kws, "reference")
    text = "ab a xa\x00b ab " + long_kw + "长 " + "x" * (HYPERSCAN_MAX_LITERAL + 2)
    assert hs.find_raw(text) == ref.find_raw(text)
    assert hs.find_raw("ab a") == [(0, 2, 3)]
    assert make_matcher(["\x00"], "hyperscan").find_raw("a\x00\x00") == [(1, 2, 0), (2, 3, 0)]
    rs = RuleSet([Rule.keyword("a\x00b")], normalizer="identity", backend="hyperscan")
    assert rs.check("ab") == ScanResult("ab")
    assert rs.check("xa\x00b").hits[0].spans == ((1, 4),)


@settings(max_examples=150, deadline=None)
@given(
    kws=st.lists(st.text(alphabet=st.sampled_from([*ALPHABET, "\x00"]), min_size=1, max_size=3),
                 min_size=1, max_size=8),
    batch=st.lists(st.text(alphabet=st.sampled_from([*ALPHABET, "\x00"]), max_size=30),
                   max_size=4),
)
def test_hyperscan_with_nul_agrees_with_reference(kws: list[str], batch: list[str]) -> None:
    hs = make_matcher(kws, "hyperscan")
    ref = make_matcher(kws, "reference")
    assert hs.find_many_raw(batch) == ref.find_many_raw(batch)
