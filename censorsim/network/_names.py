"""Domain names and the sets of blocked names, matched by label in O(labels) per name.

A blocked name ``google.com`` matches ``google.com`` and every subdomain
(``www.google.com``), never a name that merely contains it (``notgoogle.com``,
``google.com.evil.example``). That is the rule of a careful censor. GFWatch (Hoang et
al., USENIX Security 2021) found that the Great Firewall's real DNS filters are not that
careful: its abstract reports 41K innocuous names, among the 311K censored names found,
that match the firewall's reverse-engineered rules. A secondary summary of the paper's
section 4.1 says the rules match any name that *ends with* a censored name as a string,
and names ``919.com`` among the entries that overblock most, so that an entry such as
``919.com`` also blocks an unrelated ``5919.com`` (``5919.com`` is our example).
:class:`DomainSet` keeps both kinds apart: ``domains`` match by label, ``overbroad``
names match as a string suffix, and a match says which kind fired, so overblocking is a
documented, measurable effect rather than a bug.

The fast path is a trie of reversed labels (``com`` -> ``google``); the plain reference
(:func:`match_domain_reference`) compares the name with every entry. Property tests hold
them equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from censorsim.errors import ParameterError

__all__ = [
    "MAX_NAME_LENGTH",
    "DomainMatch",
    "DomainSet",
    "match_domain_reference",
    "normalize_name",
]

MAX_NAME_LENGTH = 253
"""The longest domain name in characters (RFC 1035, without the final dot)."""
_MAX_LABEL = 63
_NORMAL = re.compile(r"[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*")


def normalize_name(name: str) -> str:
    """``name`` lower-cased, without surrounding blanks or a final dot, IDNA-encoded.

    Non-ASCII labels are converted to their ``xn--`` form, so ``谷歌.cn`` and
    ``xn--flw351e.cn`` are one name.

    Raises:
        ParameterError: an empty name, an empty label, a label over 63 or a name over
            253 characters, or characters no host name holds.

    Example:
        >>> normalize_name(" WWW.Google.COM. ")
        'www.google.com'
        >>> normalize_name("谷歌.cn")
        'xn--flw351e.cn'
    """
    if not isinstance(name, str):
        raise ParameterError(f"domain name: expected a string, got {type(name).__name__}")
    if len(name) <= MAX_NAME_LENGTH and _NORMAL.fullmatch(name):
        return name  # already normal: the common case, one regular-expression test
    text = name.strip()
    if text.endswith("."):
        text = text[:-1]
    if not text:
        raise ParameterError(f"domain name {name!r}: empty")
    if len(text) > 4 * MAX_NAME_LENGTH:
        raise ParameterError(f"domain name {text[:40]!r}...: longer than {MAX_NAME_LENGTH} "
                             "characters")
    labels = []
    for label in text.split("."):
        if not label.isascii():
            try:
                label = label.encode("idna").decode("ascii")
            except UnicodeError:
                raise ParameterError(f"domain name {name!r}: label {label!r} is not a valid "
                                     "internationalised label") from None
        label = label.lower()
        if not label:
            raise ParameterError(f"domain name {name!r}: empty label")
        if len(label) > _MAX_LABEL:
            raise ParameterError(f"domain name {name!r}: label longer than {_MAX_LABEL} "
                                 "characters")
        if not all(c.isalnum() or c in "-_" for c in label):
            raise ParameterError(f"domain name {name!r}: label {label!r} holds a character "
                                 "a host name cannot")
        labels.append(label)
    out = ".".join(labels)
    if len(out) > MAX_NAME_LENGTH:
        raise ParameterError(f"domain name {name!r}: longer than {MAX_NAME_LENGTH} characters")
    return out


@dataclass(frozen=True, slots=True)
class DomainMatch:
    """Why a name matched a :class:`DomainSet`.

    Attributes:
        entry: the blocked name that matched (``google.com``).
        overbroad: True when ``entry`` matched as a bare string suffix of a name that
            is neither it nor its subdomain (``5919.com`` for ``919.com``): GFWatch's
            overblocking.
    """

    entry: str
    overbroad: bool


class _Node:
    __slots__ = ("children", "entry", "tails")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.entry: str | None = None
        # Overbroad entries whose leftmost label ends here: label -> entry.
        self.tails: dict[str, str] = {}


class DomainSet:
    """Blocked domain names, looked up in O(labels + length of one label) per name.

    Args:
        domains: names blocked with their subdomains, by label.
        overbroad: names blocked as a string suffix too (any name ending with them),
            as GFWatch found the Great Firewall's DNS rules do.

    Raises:
        ParameterError: a malformed name (see :func:`normalize_name`).

    Example:
        >>> s = DomainSet(["google.com"], overbroad=["919.com"])
        >>> s.match("www.google.com")
        DomainMatch(entry='google.com', overbroad=False)
        >>> s.match("notgoogle.com") is None
        True
        >>> s.match("5919.com")
        DomainMatch(entry='919.com', overbroad=True)
    """

    __slots__ = ("_overbroad", "_plain", "_root")

    def __init__(self, domains: Iterable[str] = (), *, overbroad: Iterable[str] = ()):
        self._plain = tuple(dict.fromkeys(normalize_name(d) for d in domains))
        self._overbroad = tuple(dict.fromkeys(normalize_name(d) for d in overbroad))
        self._root = _Node()
        for d in self._overbroad:
            labels = d.split(".")
            node = self._root
            for label in reversed(labels[1:]):
                node = node.children.setdefault(label, _Node())
            node.tails.setdefault(labels[0], d)
            # An overbroad entry also blocks itself and its subdomains.
            self._insert(d)
        for d in self._plain:
            self._insert(d)

    def _insert(self, name: str) -> None:
        node = self._root
        for label in reversed(name.split(".")):
            node = node.children.setdefault(label, _Node())
        if node.entry is None:
            node.entry = name

    @property
    def domains(self) -> tuple[str, ...]:
        """The names blocked by label, normalised, in the order given."""
        return self._plain

    @property
    def overbroad(self) -> tuple[str, ...]:
        """The names blocked as string suffixes, normalised, in the order given."""
        return self._overbroad

    def __len__(self) -> int:
        return len(set(self._plain) | set(self._overbroad))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.match(name) is not None

    def __repr__(self) -> str:
        return f"DomainSet({len(self._plain)} domains, {len(self._overbroad)} overbroad)"

    def match(self, name: str) -> DomainMatch | None:
        """The entry that blocks ``name``, or None.

        A by-label match (the name or one of its parent domains is an entry) wins over
        an overbroad one; among by-label matches the longest entry wins.

        Raises:
            ParameterError: ``name`` is not a host name.
        """
        labels = normalize_name(name).split(".")
        node = self._root
        found: str | None = None
        tail: str | None = None
        for i in range(len(labels) - 1, -1, -1):
            label = labels[i]
            if node.tails:  # a deeper overbroad entry is a longer one
                tail = _tail_match(node.tails, label) or tail
            child = node.children.get(label)
            if child is None:
                break
            node = child
            if node.entry is not None:
                found = node.entry
        if found is not None:
            return DomainMatch(found, False)
        if tail is not None:
            return DomainMatch(tail, True)
        return None


def _tail_match(tails: dict[str, str], label: str) -> str | None:
    """The overbroad entry whose leftmost label is a proper suffix of ``label`` (the
    longest), or None. Cost O(len(label)) lookups."""
    for start in range(1, len(label)):
        entry = tails.get(label[start:])
        if entry is not None:
            return entry
    return None


def match_domain_reference(
    name: str, domains: Iterable[str], overbroad: Iterable[str] = ()
) -> DomainMatch | None:
    """The plain reference of :meth:`DomainSet.match`: compare with every entry.

    Example:
        >>> match_domain_reference("mail.google.com", ["google.com"])
        DomainMatch(entry='google.com', overbroad=False)
    """
    n = normalize_name(name)
    plain = [normalize_name(d) for d in domains]
    broad = [normalize_name(d) for d in overbroad]
    by_label = [d for d in [*plain, *broad] if n == d or n.endswith("." + d)]
    if by_label:
        return DomainMatch(max(by_label, key=len), False)
    # Overbroad: the name ends with the entry as a string, inside one label.
    suffixes = [d for d in broad if n.endswith(d)]
    if suffixes:
        return DomainMatch(max(suffixes, key=len), True)
    return None
