"""The fast lookups agree with their plain references (names, addresses, keywords).

Domain names match by label in a trie of reversed labels, addresses by one set lookup
per prefix length, keywords through the project's :class:`RuleSet`; each is compared with
the obvious loop on generated input, Chinese (IDNA) labels and mixed-script text included.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.errors import ParameterError
from censorsim.network import (
    AddressSet,
    DomainMatch,
    DomainSet,
    Firewall,
    FirewallConfig,
    contains_address_reference,
    keyword_hits_reference,
    match_domain_reference,
    normalize_name,
)

# Small alphabets so that generated names often share suffixes.
_ascii_label = st.text(alphabet="ab9-", min_size=1, max_size=4).filter(
    lambda s: not s.startswith("-") and not s.endswith("-"))
_han_label = st.text(alphabet="谷歌中国六四", min_size=1, max_size=3)
_label = st.one_of(_ascii_label, _ascii_label, _han_label)
_name = st.lists(_label, min_size=1, max_size=4).map(".".join)


@settings(max_examples=150, deadline=None)
@given(plain=st.lists(_name, max_size=6), broad=st.lists(_name, max_size=4), name=_name)
def test_domain_set_agrees_with_the_reference(plain: list[str], broad: list[str],
                                              name: str) -> None:
    assert DomainSet(plain, overbroad=broad).match(name) == match_domain_reference(
        name, plain, broad)


@settings(max_examples=100, deadline=None)
@given(entry=_name, prefix=st.lists(_label, max_size=3), glue=_ascii_label)
def test_a_name_matches_as_itself_or_a_subdomain_never_as_a_substring(
    entry: str, prefix: list[str], glue: str
) -> None:
    """The issue's rule: ``google.com`` blocks ``www.google.com``, not ``notgoogle.com``."""
    s = DomainSet([entry])
    sub = ".".join([*prefix, entry])
    assert s.match(sub) == DomainMatch(normalize_name(entry), False)
    assert s.match(glue + normalize_name(entry)) is None  # glued onto the first label
    assert s.match(normalize_name(entry) + ".zz") is None  # followed by another label


def test_domain_examples() -> None:
    s = DomainSet(["google.com", "谷歌.cn"], overbroad=["919.com"])
    assert s.match("Mail.GOOGLE.com.") == DomainMatch("google.com", False)
    assert s.match("notgoogle.com") is None
    assert s.match("google.community") is None
    assert s.match("google.com.evil.example") is None
    assert s.match("www.谷歌.cn") == DomainMatch("xn--flw351e.cn", False)
    assert s.match("jx919.com") == DomainMatch("919.com", True)
    assert s.match("919.com") == DomainMatch("919.com", False)
    assert s.match("919.community") is None
    assert "www.google.com" in s and "example.com" not in s


def test_a_match_costs_labels_not_entries() -> None:
    """O(labels): a lookup against 20,000 entries visits the name's labels only."""
    import time

    big = DomainSet([f"site{i}.com" for i in range(20_000)], overbroad=["919.com"])
    small = DomainSet(["site1.com"], overbroad=["919.com"])
    names = [f"www.host{i}.example.org" for i in range(2000)]

    def cost(s: DomainSet) -> float:
        t = time.perf_counter()
        for n in names:
            s.match(n)
        return time.perf_counter() - t

    cost(small)
    assert cost(big) < 5 * cost(small) + 0.05


@pytest.mark.parametrize("bad", ["", ".", "a..b", "a b.com", "x" * 64 + ".com", "a/b.com",
                                 ("a." * 130) + "com"])
def test_bad_names_are_named(bad: str) -> None:
    with pytest.raises(ParameterError, match="domain name"):
        normalize_name(bad)


_v4 = st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 32)).map(
    lambda t: str(ipaddress.ip_network((t[0], t[1]), strict=False)))


@settings(max_examples=150, deadline=None)
@given(nets=st.lists(_v4, max_size=8), addr=st.integers(0, 2**32 - 1))
def test_address_set_agrees_with_the_reference(nets: list[str], addr: int) -> None:
    a = str(ipaddress.IPv4Address(addr))
    assert (a in AddressSet(nets)) == contains_address_reference(a, nets)


def test_address_examples() -> None:
    s = AddressSet(["203.0.113.7", "198.51.100.0/24", "2001:db8::/32"])
    assert "198.51.100.200" in s and "203.0.113.7" in s and "2001:db8::1" in s
    assert "203.0.113.8" not in s and "2001:db9::1" not in s


_kw = st.text(alphabet="六四法轮功falunFA ", min_size=1, max_size=4).filter(
    lambda k: k.strip() == k and k != "")
_text = st.text(alphabet="六四法轮功falunFA /?=%学生 民主", max_size=30)


@settings(max_examples=60, deadline=None)
@given(keywords=st.lists(_kw, min_size=1, max_size=5, unique=True),
       texts=st.lists(_text, min_size=1, max_size=8))
def test_keyword_filter_agrees_with_the_reference(keywords: list[str], texts: list[str]) -> None:
    """The HTTP filter reuses RuleSet.check_many; it finds exactly the substrings."""
    fw = Firewall(FirewallConfig(keywords=tuple(keywords)))
    assert fw.keyword_hits_many(texts) == [keyword_hits_reference(t, keywords) for t in texts]
