"""Pure-Python backends: the reference Aho-Corasick automaton, ``str.find`` and ``re``.

Example:
    >>> AhoCorasickMatcher(["he", "she"]).find_raw("she")
    [(0, 3, 1), (1, 3, 0)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from censorsim.text.matchers._base import Matcher, RawMatch

__all__ = ["AhoCorasickMatcher", "NaiveMatcher", "RegexMatcher"]


# --------------------------------------------------------------------------------------
# Reference: a plain Aho-Corasick automaton.


@dataclass(frozen=True, slots=True)
class _State:
    depth: int
    goto: dict[str, int]
    fail: int
    output: tuple[int, ...]


class AhoCorasickMatcher(Matcher):
    """Pure-Python Aho-Corasick automaton: the readable reference.

    State 0 is the root. :attr:`goto` holds the trie edges of each state, :attr:`fail`
    the failure link of each state, :attr:`output` the keyword indices that end at each
    state (its own and those reached through failure links), :attr:`depth` the length of
    the string each state spells.
    """

    name = "reference"

    def _build(self, keywords: tuple[str, ...]) -> None:
        goto: list[dict[str, int]] = [{}]
        depth = [0]
        own: list[list[int]] = [[]]
        for idx, kw in enumerate(keywords):
            state = 0
            for ch in kw:
                nxt = goto[state].get(ch)
                if nxt is None:
                    nxt = len(goto)
                    goto[state][ch] = nxt
                    goto.append({})
                    depth.append(depth[state] + 1)
                    own.append([])
                state = nxt
            own[state].append(idx)
        fail = [0] * len(goto)
        output: list[list[int]] = [list(o) for o in own]
        queue = list(goto[0].values())
        head = 0
        while head < len(queue):
            state = queue[head]
            head += 1
            for ch, nxt in goto[state].items():
                queue.append(nxt)
                f = fail[state]
                while f and ch not in goto[f]:
                    f = fail[f]
                cand = goto[f].get(ch, 0)
                fail[nxt] = cand if cand != nxt else 0
                output[nxt].extend(output[fail[nxt]])
        self.goto: tuple[dict[str, int], ...] = tuple(goto)
        self.fail: tuple[int, ...] = tuple(fail)
        self.output: tuple[tuple[int, ...], ...] = tuple(tuple(o) for o in output)
        self.depth: tuple[int, ...] = tuple(depth)

    @property
    def states(self) -> list[_State]:
        """Every state with its depth, goto edges, failure link and outputs."""
        return [
            _State(self.depth[i], dict(self.goto[i]), self.fail[i], self.output[i])
            for i in range(len(self.goto))
        ]

    def trace(self, text: str) -> Iterator[tuple[int, str, int, tuple[int, ...]]]:
        """Yield ``(position, character, state after it, keyword indices ending there)``.

        A notebook can animate the scan from this.
        """
        goto, fail, output = self.goto, self.fail, self.output
        state = 0
        for pos, ch in enumerate(text):
            while state and ch not in goto[state]:
                state = fail[state]
            state = goto[state].get(ch, 0)
            yield pos, ch, state, output[state]

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        kws = self._keywords
        out: list[RawMatch] = []
        for pos, _ch, _state, found in self.trace(text):
            for k in found:
                out.append((pos + 1 - len(kws[k]), pos + 1, k))
        return out


# --------------------------------------------------------------------------------------
# Naive and regex.


class NaiveMatcher(Matcher):
    """``str.find`` for every keyword, every occurrence: slow and obviously right."""

    name = "naive"

    def _build(self, keywords: tuple[str, ...]) -> None:
        pass

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        out: list[RawMatch] = []
        for k, kw in enumerate(self._keywords):
            n = len(kw)
            pos = text.find(kw)
            while pos >= 0:
                out.append((pos, pos + n, k))
                pos = text.find(kw, pos + 1)
        return out


class RegexMatcher(Matcher):
    """The ``re`` module: a look-ahead over an escaped alternation of keywords."""

    name = "regex"

    def _build(self, keywords: tuple[str, ...]) -> None:
        # Longest first so the alternation is deterministic; the look-ahead finds every
        # start position, then candidates sharing the first character are checked.
        by_first: dict[str, list[int]] = {}
        for k, kw in enumerate(keywords):
            by_first.setdefault(kw[0], []).append(k)
        self._by_first = by_first
        if keywords:
            alts = "|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True))
            self._pattern: re.Pattern[str] | None = re.compile(f"(?=(?:{alts}))", re.DOTALL)
        else:
            self._pattern = None

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        if self._pattern is None:
            return []
        kws = self._keywords
        out: list[RawMatch] = []
        for m in self._pattern.finditer(text):
            pos = m.start()
            for k in self._by_first[text[pos]]:
                kw = kws[k]
                if text.startswith(kw, pos):
                    out.append((pos, pos + len(kw), k))
        return out
