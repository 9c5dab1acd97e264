"""One contender protocol and registry for every suite; named gate records."""

from __future__ import annotations

import pytest

from censorsim.bench.contender import CONTENDERS, Contender, contenders, make_contender
from censorsim.bench.contenders import RuleFired, RulesChecked, text_contender
from censorsim.bench.gate import gate
from censorsim.errors import UnknownNameError


def test_every_suite_is_in_one_registry() -> None:
    suites = {c.suite for c in contenders()}
    assert suites == {"text", "index", "hash"}
    assert all(isinstance(c, Contender) for c in contenders())
    assert [c.name for c in contenders("index")][:2] == ["index:linear", "index:mih"]
    assert "hash:md5:fast" not in CONTENDERS and "hash:phash:fast" in CONTENDERS
    assert CONTENDERS.entry("faiss-flat").extra == "faiss"


def test_unknown_contender_names_the_known_ones() -> None:
    with pytest.raises(UnknownNameError, match="unknown benchmark contender 'nope'") as info:
        make_contender("nope")
    assert "pyahocorasick" in info.value.known
    with pytest.raises(UnknownNameError, match="unknown text contender 'index:mih'"):
        text_contender("index:mih")


def test_named_rule_records_are_sampled_as_rows() -> None:
    want = {(0, 1, 3, "ab"), RuleFired(0, "r1"), RulesChecked(0)}
    verdict = gate(want, {(0, 1, 3, "ab")})
    assert not verdict.passed and verdict.missing == 2
    assert set(verdict.sample_missing) == {("RuleFired", 0, "r1"), ("RulesChecked", 0)}
    assert verdict.to_json()["sample_missing"]
