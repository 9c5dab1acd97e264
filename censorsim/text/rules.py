"""Rule sets: keyword rules evaluated over normalised text, with explanations.

A :class:`RuleSet` compiles its rules once: every keyword of every rule is normalised
with the rule set's :class:`~censorsim.text.normalize.Normalizer`, identical normalised
keywords are merged, and one matcher is built over them. Checking a text then costs a
normalisation, one automaton scan, and work proportional to what matched: only rules
that mention a matched keyword are looked at, never the whole list.

Semantics (the brute-force :meth:`RuleSet.check_reference` is their executable form):

- A component is satisfied by an occurrence of any of its alternative keywords in the
  normalised text. A component listed ``n`` times in one rule needs ``n`` distinct
  occurrences.
- ``ALL`` rules fire when every component is satisfied, anywhere, in any order; the
  occurrences may overlap (``帶來abc調整體xyz領域`` fires ``帶來+調整+整體+領域``).
- ``ORDERED`` rules fire when the components occur in order without overlapping, with at
  most ``max_gap`` normalised characters between consecutive components (none of
  :data:`GAP_EXCLUDED`, U+4E00..U+9FA5, among them when ``gap_allows_han`` is false).
  They are evaluated in time linear in the text plus the occurrences times a log.
- A keyword occurrence never cuts a character that normalises to several: ``ß``
  (``ss``) supplies ``ss`` but not ``s``, ``⑩`` (``10``) supplies ``10`` but not ``1``;
  so every span's original text normalises to its keyword.
- ``whole_word`` rules only count occurrences that stand as whole words in the
  *original* text (:func:`~censorsim.text.matchers.is_word_boundary`).
- A rule does not fire when every keyword of one of its ``unless`` combinations occurs.
- With ``on=date``, only rules in force that day are considered.

Example:
    >>> rs = RuleSet([Rule.combination("六四+学生"), Rule.keyword("法轮功")])
    >>> r = rs.check("六 四 的學生們")
    >>> r.censored, r.rule_ids, r.masked()
    (True, ('六四+学生',), '*** 的**們')
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import TypeVar, overload

import numpy as np
import numpy.typing as npt

from censorsim._numpy import unique_sorted
from censorsim.errors import RuleError
from censorsim.models import (
    Action,
    Hit,
    KeywordRules,
    Match,
    NearMiss,
    Rule,
    RuleMode,
    ScanResult,
)
from censorsim.text.matchers import (
    MatchArrays,
    Matcher,
    RawMatch,
    is_word_boundary,
    make_matcher,
)
from censorsim.text.normalize import NormalizedBatch, Normalizer
from censorsim.text.offsets import aligned, span_to_original
from censorsim.text.wordlists import Format

__all__ = ["GAP_EXCLUDED", "CheckResults", "RuleSet"]

_Span = tuple[int, int]
_T = TypeVar("_T")


class _Compiled:
    """A rule in matcher terms: components as keyword indices."""

    __slots__ = ("alt_names", "components", "index", "rule", "simple", "unless")

    def __init__(
        self,
        index: int,
        rule: Rule,
        components: list[tuple[int, ...]],
        alt_names: list[dict[int, str]],
        unless: list[tuple[int, ...]],
    ) -> None:
        self.index = index
        self.rule = rule
        self.components = components
        self.alt_names = alt_names
        self.unless = unless
        plain = len(components) == 1 and len(components[0]) == 1 and not unless
        self.simple: int | None = (
            components[0][0] if plain and not rule.whole_word else None
        )


class _CompiledRules:
    """Every rule in matcher terms, by index; one-keyword rules are made when asked.

    ``single[i]`` is the keyword index of rule ``i`` when it is one keyword without
    alternative or exception (else -1); the others are kept in ``full``.
    """

    __slots__ = ("_full", "_single", "rules")

    def __init__(self, rules: Sequence[Rule], single: npt.NDArray[np.int64],
                 full: dict[int, _Compiled]):
        self.rules = rules
        self._single = single
        self._full = full

    def __len__(self) -> int:
        return len(self.rules)

    def __getitem__(self, i: int) -> _Compiled:
        got = self._full.get(i)
        if got is not None:
            return got
        k = int(self._single[i])
        rule = self.rules[i]
        return _Compiled(i, rule, [(k,)], [{k: rule.components[0][0]}], [])

    def __iter__(self) -> Iterator[_Compiled]:
        return (self[i] for i in range(len(self.rules)))


class CheckResults(Sequence[ScanResult]):
    """The results of :meth:`RuleSet.check_many`: a lazy sequence of scan results.

    Which rules fired on which text was decided during the check (over arrays: see
    :meth:`RuleSet.check_many`); every :class:`~censorsim.models.ScanResult`, its hits
    and its keyword occurrences are built on first access. The sequence keeps the
    batch's arrays until it is dropped.
    """

    __slots__ = (
        "_batch", "_built", "_eager", "_fired", "_keywords", "_matched", "_occ", "_rules",
        "_texts",
    )

    def __init__(
        self,
        texts: Sequence[str],
        found: dict[int, tuple[tuple[Hit, ...], list[RawMatch]]],
        batch: NormalizedBatch | None = None,
        keywords: tuple[str, ...] = (),
        rules: RuleSet | None = None,
        *,
        occurrences: MatchArrays | None = None,
        fired: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None,
    ) -> None:
        self._rules = rules
        self._texts = texts
        # Eager results (the plain path, and rules the array path hands to Python).
        self._eager = found
        self._batch = batch
        self._keywords = keywords
        self._built: dict[int, ScanResult] = {}
        self._occ = occurrences
        self._fired = fired
        if occurrences is None:
            self._matched: list[int] = sorted(found)
        else:
            self._matched = unique_sorted(occurrences.text).tolist()

    def _raw(self, i: int) -> list[RawMatch]:
        got = self._eager.get(i)
        if got is not None:
            return got[1]
        occ = self._occ
        if occ is None:
            return []
        lo, hi = np.searchsorted(occ.text, [i, i + 1]).tolist()
        return list(zip(occ.start[lo:hi].tolist(), occ.end[lo:hi].tolist(),
                        occ.keyword[lo:hi].tolist(), strict=True))

    def _hits(self, i: int) -> tuple[Hit, ...]:
        eager = self._eager.get(i)
        if self._fired is None or self._rules is None:
            return eager[0] if eager is not None else ()
        f_text, f_rule = self._fired
        lo, hi = np.searchsorted(f_text, [i, i + 1]).tolist()
        if lo == hi:
            return eager[0] if eager is not None else ()
        assert self._batch is not None
        vector = self._rules._build_hits(
            self._texts[i], i, self._batch, self._raw(i), f_rule[lo:hi].tolist()
        )
        if eager is None or not eager[0]:
            return vector
        return tuple(sorted((*vector, *eager[0]), key=self._rules._rule_position))

    def _result(self, i: int) -> ScanResult:
        got = self._built.get(i)
        if got is None:
            raw = self._raw(i)
            assert self._batch is not None
            orig = self._batch.span_mapper(i)
            kws = self._keywords
            matches = tuple(Match(*orig((s, e)), kws[k]) for s, e, k in raw)
            got = ScanResult(self._texts[i], self._hits(i), matches, self._rules)
            self._built[i] = got
        return got

    def __len__(self) -> int:
        return len(self._texts)

    @overload
    def __getitem__(self, i: int) -> ScanResult: ...

    @overload
    def __getitem__(self, i: slice) -> list[ScanResult]: ...

    def __getitem__(self, i: int | slice) -> ScanResult | list[ScanResult]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self._texts)))]
        n = len(self._texts)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"result index {i} out of range for {n} texts")
        if i in self._eager or (self._occ is not None and self._has_occurrence(i)):
            return self._result(i)
        return ScanResult(self._texts[i])

    def _has_occurrence(self, i: int) -> bool:
        assert self._occ is not None
        j = int(np.searchsorted(self._occ.text, i))
        return j < len(self._occ) and int(self._occ.text[j]) == i

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<CheckResults {len(self)} texts, {len(self.censored_indices)} censored>"

    def _fired_where(self, mask: npt.NDArray[np.bool_] | None) -> set[int]:
        """Texts on which an array-path rule fired (whose action is in ``mask``)."""
        if self._fired is None:
            return set()
        f_text, f_rule = self._fired
        if mask is not None:
            f_text = f_text[mask[f_rule]]
        return set(unique_sorted(f_text).tolist())

    @property
    def censored_indices(self) -> list[int]:
        """Indices of the censored texts, in order.

        Censored has its one meaning (:attr:`~censorsim.models.Action.censors`): some
        rule that fired keeps the text from its audience. A text whose only hits are
        ``deliver`` or ``flag`` rules is in :attr:`fired_indices`, not here.
        """
        out = {i for i, (hits, _) in self._eager.items()
               if any(h.rule.action.censors for h in hits)}
        if self._rules is not None:
            out |= self._fired_where(self._rules._censors)
        return sorted(out)

    @property
    def fired_indices(self) -> list[int]:
        """Indices of the texts on which any rule fired (whatever its action), in order."""
        out = {i for i, (hits, _) in self._eager.items() if hits}
        return sorted(out | self._fired_where(None))

    @property
    def matched_indices(self) -> list[int]:
        """Indices of the texts with at least one keyword occurrence, in order."""
        return list(self._matched)

    def censored(self) -> list[bool]:
        """Whether each text is censored (see :attr:`censored_indices`)."""
        out = [False] * len(self._texts)
        for i in self.censored_indices:
            out[i] = True
        return out


class RuleSet:
    """An immutable, compiled set of rules.

    Args:
        rules: the rules; ids must be unique.
        normalizer: a :class:`Normalizer`, a profile name, a ``+``-joined list of step
            names, or None for the ``default`` profile.
        backend: the matcher backend (see :mod:`censorsim.text.matchers`).

    Raises:
        RuleError: for duplicate ids, or a keyword that normalises to nothing.
    """

    def __init__(
        self,
        rules: Iterable[Rule],
        *,
        normalizer: Normalizer | str | None = None,
        backend: str = "default",
    ) -> None:
        # A KeywordRules list stays as it is: its rules are all one keyword, with one
        # action and no dates, and are made only when read (see from_keywords).
        lazy = rules if isinstance(rules, KeywordRules) else None
        self._rules: Sequence[Rule] = lazy if lazy is not None else tuple(rules)
        self._normalizer = Normalizer.from_spec(normalizer)
        if lazy is None and set(map(type, self._rules)) - {Rule}:  # one C-level pass
            for rule in self._rules:
                if not isinstance(rule, Rule):
                    raise TypeError(f"expected a Rule, got {type(rule).__name__}")
        ids = lazy.ids if lazy is not None else list(map(attrgetter("id"), self._rules))
        if len(set(ids)) != len(ids):
            seen: set[str] = set()
            for rid in ids:
                if rid in seen:
                    raise RuleError(f"duplicate rule id {rid!r}")
                seen.add(rid)
        del ids
        keyword_index: dict[str, int] = {}
        # A rule of one keyword (no alternative, no exception) is kept as one int and
        # made into a _Compiled only when asked: a list of 200,000 such rules then costs
        # arrays, not 200,000 objects.
        components: list[tuple[tuple[str, ...], ...]] = []
        plain: list[bool] = []
        if lazy is None:
            components = list(map(attrgetter("components"), self._rules))
            plain = [len(c) == 1 and len(c[0]) == 1 for c in components]
            for i in np.flatnonzero(list(map(bool, map(attrgetter("unless"), self._rules)))):
                plain[i] = False
        all_plain = lazy is not None or all(plain)
        # Every one-keyword rule's keyword, in rule order (when every rule is one).
        words: Sequence[str] = ()
        if lazy is not None:
            words = lazy.keywords
        elif all_plain:
            words = [c[0][0] for c in components]
        # Every distinct keyword normalised in one vectorised batch.
        if all_plain:
            distinct = dict.fromkeys(words)
        else:
            distinct = {}
            for rule, is_plain in zip(self._rules, plain, strict=True):
                if is_plain:
                    distinct.setdefault(rule.components[0][0], None)
                else:
                    for word in rule.keywords:
                        distinct.setdefault(word, None)
        raw_words = list(distinct)
        del distinct
        # A keyword the normaliser leaves alone keeps its own string (most of a Chinese
        # list): the rule set then holds no second copy of it (16 MB of 200,000).
        normalised = {raw: raw if norm == raw else norm for raw, norm in zip(
            raw_words, self._normalizer.normalize_many(raw_words).texts, strict=True)}
        del raw_words

        def kw(raw: str, rule: Rule) -> int:
            norm = normalised[raw]
            if not norm:
                raise RuleError(
                    f"rule {rule.id!r}: keyword {raw!r} normalises to nothing "
                    f"under {self._normalizer.name!r}"
                )
            return keyword_index.setdefault(norm, len(keyword_index))

        full: dict[int, _Compiled] = {}
        if all_plain:
            # Every rule is one keyword: the same indices without a call per rule.
            normed = list(map(normalised.__getitem__, words))
            if "" in normalised.values():
                for rule, word in zip(self._rules, words, strict=True):
                    kw(word, rule)  # raises for the first keyword normalising to nothing
            del words
            first_seen = dict.fromkeys(normed)
            keyword_index = dict(zip(first_seen, range(len(first_seen)), strict=True))
            del first_seen
            single_arr = np.fromiter(map(keyword_index.__getitem__, normed), dtype=np.int64,
                                     count=len(normed))
            del normed
        single = [] if all_plain else [-1] * len(self._rules)
        todo = () if all_plain else enumerate(zip(self._rules, plain, strict=True))
        for ri, (rule, is_plain) in todo:
            if is_plain:
                single[ri] = kw(rule.components[0][0], rule)
                continue
            comps: list[tuple[int, ...]] = []
            names: list[dict[int, str]] = []
            for comp in rule.components:
                idx: dict[int, str] = {}
                for alt in comp:
                    idx.setdefault(kw(alt, rule), alt)
                comps.append(tuple(sorted(idx)))
                names.append(idx)
            unless = [tuple(sorted({kw(k, rule) for k in combo})) for combo in rule.unless]
            full[ri] = _Compiled(ri, rule, comps, names, unless)
        if not all_plain:
            single_arr = np.array(single, dtype=np.int64)
        del single, components, plain
        self._compiled = _CompiledRules(self._rules, single_arr, full)
        self._keywords: tuple[str, ...] = tuple(keyword_index)
        keyword_index.clear()  # the build's dicts, emptied before the matcher is built
        normalised.clear()
        n_kw = len(self._keywords)
        # A rule can only fire when every component matched, so it is filed under one
        # component only: the one whose keywords the fewest rules mention. A keyword
        # shared by thousands of rules (64, 习近平) then wakes up only the rules for
        # which it is the rarest part. (A one-keyword rule is filed under its keyword.)
        is_single = single_arr >= 0
        mentions_arr = np.bincount(single_arr[is_single], minlength=n_kw)
        for c in full.values():
            for k in {k for comp in c.components for k in comp}:
                mentions_arr[k] += 1
        mentions = mentions_arr.tolist()
        anchor_kw = [single_arr[is_single]]
        anchor_rule = [np.flatnonzero(is_single)]
        extra_kw: list[int] = []
        extra_rule: list[int] = []
        for c in full.values():
            anchor = min(c.components, key=lambda comp: sum(mentions[k] for k in comp))
            for k in anchor:
                extra_kw.append(k)
                extra_rule.append(c.index)
        anchor_kw.append(np.array(extra_kw, dtype=np.int64))
        anchor_rule.append(np.array(extra_rule, dtype=np.int64))
        a_kw = np.concatenate(anchor_kw)
        a_rule = np.concatenate(anchor_rule)
        order = np.lexsort((a_rule, a_kw))
        a_kw, a_rule = a_kw[order], a_rule[order]
        ptr = np.zeros(n_kw + 1, dtype=np.int64)
        np.cumsum(np.bincount(a_kw, minlength=n_kw), out=ptr[1:])
        # The rules filed under keyword k: rule[ptr[k] : ptr[k + 1]] (as lists on first use
        # by the per-text Python evaluation).
        self._by_kw: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] = (ptr, a_rule)
        self._by_kw_lists: tuple[list[int], list[int]] | None = None
        self._matcher: Matcher = make_matcher(self._keywords, backend)
        self._mention_index: tuple[tuple[int, ...], ...] | None = None
        whole = (np.zeros(len(self._rules), dtype=np.bool_) if lazy is not None
                 else np.fromiter(map(attrgetter("whole_word"), self._rules), dtype=np.bool_,
                                  count=len(self._rules)))
        self._vector = _VectorRules(self._compiled, whole, single_arr, full, a_kw, a_rule, n_kw)
        self._position: dict[str, int] | None = None
        if lazy is not None:
            self._censors = np.full(len(self._rules), lazy.action.censors, dtype=np.bool_)
        else:
            actions = list(map(attrgetter("action"), self._rules))
            censors = {a: a.censors for a in set(actions)}
            self._censors = np.fromiter(
                map(censors.__getitem__, actions), dtype=np.bool_, count=len(self._rules)
            )
        self._active: tuple[date, npt.NDArray[np.bool_]] | None = None

    # -- construction helpers ----------------------------------------------------------

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        normalizer: Normalizer | str | None = None,
        backend: str = "default",
        format: Format = "auto",
    ) -> RuleSet:
        """Load rules from a rule file (see :func:`censorsim.text.wordlists.load_rules`)."""
        from censorsim.text import wordlists

        norm = Normalizer.from_spec(normalizer)
        # A plain list (or a combination file without its syntax) becomes KeywordRules:
        # no Rule object per line.
        rules = wordlists._load_for_ruleset(path, format, norm)
        return cls(rules, normalizer=norm, backend=backend)

    @classmethod
    def from_keywords(
        cls,
        keywords: Iterable[str],
        *,
        ids: Iterable[str] | None = None,
        action: Action | str = Action.DROP,
        normalizer: Normalizer | str | None = None,
        backend: str = "default",
    ) -> RuleSet:
        """A rule set of one single-keyword rule per keyword (a plain keyword list).

        The same as ``RuleSet([Rule.keyword(k, id=i, action=action) ...])``, built
        without making a ``Rule`` object (:class:`censorsim.models.KeywordRules`; the
        rules are made when read, :attr:`rules` makes them all on first use): the fast
        way to load lists of 100,000 keywords and more (200,000 build in under 2 s and
        about 100 MB less memory, measured in ``benchmarks/bench_build.py``). Ids
        default to the keywords themselves.
        """
        return cls(KeywordRules(keywords, ids=ids, action=action), normalizer=normalizer,
                   backend=backend)

    # -- introspection -----------------------------------------------------------------

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules, in the order given (made on first use when built from keywords)."""
        if not isinstance(self._rules, tuple):
            assert isinstance(self._rules, KeywordRules)
            self._rules = tuple(self._rules.materialize())
            self._compiled.rules = self._rules
        return self._rules

    @property
    def normalizer(self) -> Normalizer:
        """The normaliser applied to keywords and texts."""
        return self._normalizer

    @property
    def matcher(self) -> Matcher:
        """The matcher over the normalised keywords."""
        return self._matcher

    @property
    def keywords(self) -> tuple[str, ...]:
        """The distinct normalised keywords the matcher looks for."""
        return self._keywords

    def __len__(self) -> int:
        return len(self._rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)

    def __repr__(self) -> str:
        return (
            f"<RuleSet {len(self._rules)} rules, {len(self._keywords)} keywords, "
            f"normalizer={self._normalizer.name!r}, backend={self._matcher.name!r}>"
        )

    # -- checking ----------------------------------------------------------------------

    def check(self, text: str, *, on: date | None = None) -> ScanResult:
        """Check one text; see :meth:`check_many`."""
        return self.check_many([text], on=on)[0]

    def check_many(self, texts: Sequence[str], *, on: date | None = None) -> CheckResults:
        """Check many texts in one batch (the fast path).

        Work is proportional to the batch's length for normalising and matching, and to
        what matched for everything else, without a Python object per occurrence: the
        matcher returns the occurrences as arrays (:meth:`Matcher.find_joined_arrays`),
        and which rules fired is decided over them with numpy (rules that need order,
        whole words, repeats or exceptions are evaluated in Python, only on texts where
        one of their keywords occurs). Hits and occurrences become Python objects when
        a text's result is asked for. :meth:`check_many_plain` is the per-text
        evaluation this must agree with.

        Args:
            texts: the texts.
            on: only rules in force on this day; None for all rules.

        Returns:
            A sequence with one :class:`~censorsim.models.ScanResult` per text (spans in
            the original text), plus array views of the decisions.
        """
        texts = texts if isinstance(texts, (list, tuple)) else list(texts)
        batch = self._normalizer.normalize_many(texts)
        occ = self._matcher.find_joined_arrays(batch.joined, batch.bounds, batch._codes)
        occ = batch.keep_aligned_arrays(occ)
        vec = self._vector
        f_text, f_rule = vec.fired(occ)
        if on is not None and f_rule.size:
            keep = self._active_on(on)[f_rule]
            f_text, f_rule = f_text[keep], f_rule[keep]
        eager: dict[int, tuple[tuple[Hit, ...], list[RawMatch]]] = {}
        if vec.has_python_rules and len(occ):
            for i in vec.python_texts(occ):
                lo, hi = np.searchsorted(occ.text, [i, i + 1]).tolist()
                raw = list(zip(occ.start[lo:hi].tolist(), occ.end[lo:hi].tolist(),
                               occ.keyword[lo:hi].tolist(), strict=True))
                hits = self._hits(texts[i], i, batch, raw, on, only=vec.python_rules)
                eager[i] = (hits, raw)
        return CheckResults(texts, eager, batch, self._keywords, self, occurrences=occ,
                            fired=(f_text, f_rule))

    def check_many_plain(
        self, texts: Sequence[str], *, on: date | None = None
    ) -> CheckResults:
        """:meth:`check_many` evaluated per text in Python: the readable version.

        Same results; costs Python work per occurrence. Tests compare the two.
        """
        texts = texts if isinstance(texts, (list, tuple)) else list(texts)
        batch = self._normalizer.normalize_many(texts)
        raws = self._matcher.find_joined_raw(batch.joined, batch.bounds, batch._codes)
        found: dict[int, tuple[tuple[Hit, ...], list[RawMatch]]] = {}
        for i, raw in raws.items():
            raw = batch.keep_aligned(i, raw)
            if raw:
                found[i] = (self._hits(texts[i], i, batch, raw, on), raw)
        return CheckResults(texts, found, batch, self._keywords, self)

    def _active_on(self, on: date) -> npt.NDArray[np.bool_]:
        """Which rules are in force on ``on`` (the last day asked is cached)."""
        got = self._active
        if got is None or got[0] != on:
            if isinstance(self._rules, KeywordRules):  # no dates: always in force
                mask = np.ones(len(self._rules), dtype=np.bool_)
            else:
                mask = np.fromiter((r.active_on(on) for r in self._rules), dtype=np.bool_,
                                   count=len(self._rules))
            got = self._active = (on, mask)
        return got[1]

    def _rule_position(self, hit: Hit) -> int:
        position = self._position
        if position is None:
            ids = (self._rules.ids if isinstance(self._rules, KeywordRules)
                   else map(attrgetter("id"), self._rules))
            position = self._position = {rid: i for i, rid in enumerate(ids)}
        return position[hit.rule.id]

    def _build_hits(
        self, text: str, i: int, batch: NormalizedBatch, raw: list[RawMatch],
        rule_indices: list[int],
    ) -> tuple[Hit, ...]:
        """The hits of rules the array path found fired on text ``i`` (in rule order)."""
        occ: dict[int, list[_Span]] = {}
        for s, e, k in raw:
            occ.setdefault(k, []).append((s, e))
        orig = batch.span_mapper(i)
        hits: list[Hit] = []
        for ri in rule_indices:
            c = self._compiled[ri]
            found = _satisfy(c, occ, None, None)
            assert found is not None, "the array path fired a rule that is not satisfied"
            spans = tuple(orig(sp) for sp, _ in found)
            matched = tuple(c.alt_names[j][k] for j, (_, k) in enumerate(found))
            hits.append(Hit(c.rule, spans, matched, tuple(text[a:b] for a, b in spans)))
        return tuple(hits)

    def find(self, text: str) -> list[Match]:
        """Every keyword occurrence in ``text``, spans in the original text."""
        batch = self._normalizer.normalize_many([text])
        raw = batch.keep_aligned(0, self._matcher.find_raw(batch.text(0)))
        kws = self._keywords
        return [Match(*batch.span(0, s, e), kws[k]) for s, e, k in raw]

    # -- evaluation --------------------------------------------------------------------

    def _hits(
        self, text: str, i: int, batch: NormalizedBatch, raw: list[RawMatch], on: date | None,
        only: frozenset[int] | None = None,
    ) -> tuple[Hit, ...]:
        occ: dict[int, list[_Span]] = {}
        for s, e, k in raw:
            occ.setdefault(k, []).append((s, e))
        orig = batch.span_mapper(i)

        candidates: set[int] = set()
        lists = self._by_kw_lists
        if lists is None:
            lists = self._by_kw_lists = (self._by_kw[0].tolist(), self._by_kw[1].tolist())
        ptr, by_kw = lists
        for k in occ:
            candidates.update(by_kw[ptr[k] : ptr[k + 1]])
        if only is not None:
            candidates &= only
        hits: list[Hit] = []
        norm_text: str | None = None
        excluded: list[int] | None = None
        compiled = self._compiled
        for ri in sorted(candidates):
            c = compiled[ri]
            rule = c.rule
            if c.simple is not None:
                # One keyword, no condition: it fired when it occurred.
                if on is None or rule.active_on(on):
                    a, b = orig(occ[c.simple][0])
                    hits.append(Hit(rule, ((a, b),), (c.alt_names[0][c.simple],), (text[a:b],)))
                continue
            if on is not None and not rule.active_on(on):
                continue
            check = _whole_word_check(text, orig) if rule.whole_word else None
            if rule.mode is RuleMode.ORDERED:
                if norm_text is None:
                    norm_text = batch.text(i)
                if excluded is None and not rule.gap_allows_han:
                    # Found once per text, shared by every gap rule checked on it.
                    excluded = [m.start() for m in _GAP_EXCLUDED_RE.finditer(norm_text)]
            found = _satisfy(c, occ, excluded, check)
            if found is None:
                continue
            if any(all(k in occ for k in combo) for combo in c.unless):
                continue
            hit_spans = tuple(orig(sp) for sp, _ in found)
            matched = tuple(c.alt_names[j][k] for j, (_, k) in enumerate(found))
            hits.append(Hit(rule, hit_spans, matched, tuple(text[a:b] for a, b in hit_spans)))
        return tuple(hits)

    # -- explanations ------------------------------------------------------------------

    def _mentions(self) -> tuple[tuple[int, ...], ...]:
        """For each keyword, every rule whose components mention it (built on first use)."""
        got = self._mention_index
        if got is None:
            by_kw: list[set[int]] = [set() for _ in self._keywords]
            for c in self._compiled:
                for comp in c.components:
                    for k in comp:
                        by_kw[k].add(c.index)
            got = self._mention_index = tuple(tuple(sorted(r)) for r in by_kw)
        return got

    def near_misses(
        self, text: str, *, on: date | None = None, limit: int | None = 5
    ) -> tuple[NearMiss, ...]:
        """Rules that did not fire on ``text`` although some of them was there.

        For explanations only (:meth:`ScanResult.explain`): never computed by
        :meth:`check_many`. Listed: rules saved by an exception (every component present,
        and every keyword of one ``unless`` combination too), then rules with some but
        not all components present (most present first), and rules whose components
        were all present without firing (order, gap, whole words, repeats).

        Args:
            text: the original text.
            on: only rules in force that day.
            limit: the most to return (None: all).

        Example:
            >>> rs = RuleSet([Rule.combination("六四+学生+民主运动")])
            >>> rs.near_misses("六四的学生")[0].explain()
            'near miss 六四+学生+民主运动: 2 of 3 components present, missing 民主运动'
        """
        batch = self._normalizer.normalize_many([text])
        raw = batch.keep_aligned(0, self._matcher.find_raw(batch.text(0)))
        if not raw:
            return ()
        occ: dict[int, list[_Span]] = {}
        for s, e, k in raw:
            occ.setdefault(k, []).append((s, e))
        orig = batch.span_mapper(0)
        fired = {h.rule.id for h in self._hits(text, 0, batch, raw, on)}
        mentions = self._mentions()
        norm = batch.text(0)
        ranked: list[tuple[tuple[int, float, int], NearMiss]] = []
        for ri in sorted({r for k in occ for r in mentions[k]}):
            c = self._compiled[ri]
            rule = c.rule
            if rule.id in fired or (on is not None and not rule.active_on(on)):
                continue
            check = _whole_word_check(text, orig) if rule.whole_word else None
            present: list[str] = []
            missing: list[str] = []
            for j, comp in enumerate(c.components):
                ks = [k for k in comp if k in occ]
                whole = [k for k in ks if check is None or any(check(sp) for sp in occ[k])]
                if whole:
                    present.append(c.alt_names[j][whole[0]])
                else:
                    label = "|".join(c.alt_names[j][k] for k in comp)
                    missing.append(f"{label} (not as a whole word)" if ks else label)
            if not present:
                continue
            n = len(c.components)
            if missing:
                miss = NearMiss(rule, tuple(present), tuple(missing))
                ranked.append(((1, -len(present) / n, ri), miss))
                continue
            excluded = (None if rule.gap_allows_han
                        else [m.start() for m in _GAP_EXCLUDED_RE.finditer(norm)])
            if _satisfy(c, occ, excluded, check) is not None:
                saved = next((combo for combo, ks in zip(rule.unless, c.unless, strict=True)
                              if all(k in occ for k in ks)), None)
                if saved is not None:
                    miss = NearMiss(rule, tuple(present), (), "+".join(saved))
                    ranked.append(((0, -1.0, ri), miss))
                continue
            if rule.mode is RuleMode.ORDERED:
                note = "not in this order"
                if rule.max_gap is not None:
                    note += f" within {rule.max_gap} characters of each other"
                if not rule.gap_allows_han:
                    note += " (no Han character between them)"
            else:
                note = "a repeated component needs an occurrence of its own each time"
            ranked.append(((1, -1.0, ri), NearMiss(rule, tuple(present), (), "", note)))
        ranked.sort(key=lambda kv: kv[0])
        out = tuple(m for _, m in ranked)
        return out if limit is None else out[:limit]

    # -- reference ---------------------------------------------------------------------

    def check_reference(self, text: str, *, on: date | None = None) -> ScanResult:
        """Brute force: every rule, every keyword, found with ``str.find``.

        The executable statement of the semantics; slow; tests compare the fast path with
        it.
        """
        norm, offsets = self._normalizer.normalize_reference(text)

        def to_orig(span: _Span) -> _Span:
            return span_to_original(offsets, span[0], span[1])

        def occurrences(keyword: str) -> list[_Span]:
            nk = self._normalizer.normalize_reference(keyword)[0]
            found = []
            pos = norm.find(nk)
            while pos >= 0:
                if aligned(offsets, pos, pos + len(nk)):
                    found.append((pos, pos + len(nk)))
                pos = norm.find(nk, pos + 1)
            return found

        hits: list[Hit] = []
        for rule in self._rules:
            if on is not None and not rule.active_on(on):
                continue
            comp_occ: list[list[tuple[_Span, str]]] = []
            for comp in rule.components:
                seen: dict[_Span, str] = {}
                for alt in comp:
                    for sp in occurrences(alt):
                        if rule.whole_word and not is_word_boundary(text, *to_orig(sp)):
                            continue
                        seen.setdefault(sp, alt)
                comp_occ.append(sorted(seen.items()))
            keys = [
                frozenset(self._normalizer.normalize_reference(a)[0] for a in comp)
                for comp in rule.components
            ]
            chosen = _reference_choose(rule, keys, comp_occ, norm)
            if chosen is None:
                continue
            if any(all(occurrences(k) for k in combo) for combo in rule.unless):
                continue
            spans = tuple(to_orig(sp) for sp, _ in chosen)
            hits.append(Hit(rule, spans, tuple(a for _, a in chosen),
                            tuple(text[a:b] for a, b in spans)))
        matches = sorted(
            Match(*to_orig(sp), kw) for kw in self._keywords for sp in occurrences(kw)
        )
        return ScanResult(text, tuple(hits), tuple(matches))


class _VectorRules:
    """Rule evaluation over occurrence arrays: which rules fired on which text, in numpy.

    Handled here: rules whose components only need to be present (``ALL`` mode, or one
    component), without ``unless`` exceptions, whole-word keywords or a repeated
    component. Every other rule is a *Python rule*, evaluated by
    :meth:`RuleSet._hits` on the texts where one of its anchor keywords occurs.

    As in the per-text path, a rule is filed under one anchor component (the rarest);
    a text's candidates are the rules anchored on a keyword it holds, and a candidate
    fires when every one of its components has some alternative keyword in the text.
    All of it is sorting, ``searchsorted`` and ``bincount`` over arrays whose size is
    the occurrences times the candidates they wake up.
    """

    def __init__(
        self,
        compiled: _CompiledRules,
        whole: npt.NDArray[np.bool_],
        single: npt.NDArray[np.int64],
        full: dict[int, _Compiled],
        anchor_kw: npt.NDArray[np.int64],
        anchor_rule: npt.NDArray[np.int64],
        n_kw: int,
    ):
        n_rules = len(compiled)
        vector = ~whole
        for i, c in full.items():
            vector[i] = (
                not c.unless and not c.rule.whole_word
                and (c.rule.mode is RuleMode.ALL or len(c.components) == 1)
                and len(set(c.components)) == len(c.components)
            )
        self.python_rules = frozenset(np.flatnonzero(~vector).tolist())
        self.has_python_rules = bool(self.python_rules)
        self.n_kw = n_kw
        on_vector = vector[anchor_rule]
        self.anchor_ptr = np.zeros(n_kw + 1, dtype=np.int64)
        np.cumsum(np.bincount(anchor_kw[on_vector], minlength=n_kw), out=self.anchor_ptr[1:])
        self.anchor_rule = anchor_rule[on_vector]
        self.python_kw = np.zeros(n_kw, dtype=np.bool_)
        self.python_kw[anchor_kw[~on_vector]] = True
        self.n_comp = np.ones(n_rules, dtype=np.int64)
        for i, c in full.items():
            self.n_comp[i] = len(c.components)
        self.comp_ptr = np.zeros(n_rules + 1, dtype=np.int64)
        np.cumsum(self.n_comp, out=self.comp_ptr[1:])
        # Alternatives of every component, rule after rule (a one-keyword rule: itself).
        alt_len = np.ones(int(self.comp_ptr[-1]), dtype=np.int64)
        alt_first = single.copy()
        alts: dict[int, list[int]] = {}
        for i, c in full.items():
            at = int(self.comp_ptr[i])
            flat = [k for comp in c.components for k in comp]
            alt_len[at : at + len(c.components)] = [len(comp) for comp in c.components]
            alts[i] = flat
        self.alt_ptr = np.zeros(alt_len.size + 1, dtype=np.int64)
        np.cumsum(alt_len, out=self.alt_ptr[1:])
        self.alt_kw = np.zeros(int(self.alt_ptr[-1]), dtype=np.int64)
        plain_rules = np.flatnonzero(single >= 0)
        self.alt_kw[self.alt_ptr[self.comp_ptr[plain_rules]]] = alt_first[plain_rules]
        for i, flat in alts.items():
            at = int(self.alt_ptr[self.comp_ptr[i]])
            self.alt_kw[at : at + len(flat)] = flat

    def python_texts(self, occ: MatchArrays) -> list[int]:
        """Texts holding an anchor keyword of a Python rule."""
        found: list[int] = unique_sorted(occ.text[self.python_kw[occ.keyword]]).tolist()
        return found

    def fired(self, occ: MatchArrays) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """``(text, rule)`` pairs of the array-path rules that fired, sorted."""
        empty = np.zeros(0, dtype=np.int64)
        if not len(occ) or not self.anchor_rule.size:
            return empty, empty
        # Distinct (text, keyword) pairs, as sorted keys for membership tests.
        pairs = unique_sorted(occ.text * self.n_kw + occ.keyword)
        p_text, p_kw = np.divmod(pairs, self.n_kw)
        # Candidates: the rules anchored on each pair's keyword.
        cand_text, cand_rule = _expand(p_text, p_kw, self.anchor_ptr, self.anchor_rule)
        if not cand_rule.size:
            return empty, empty
        n_rules = self.n_comp.size
        cand = unique_sorted(cand_text * n_rules + cand_rule)
        cand_text, cand_rule = np.divmod(cand, n_rules)
        ncomp = self.n_comp[cand_rule]
        single = ncomp == 1  # the anchor component is the only one, and it is present
        multi = np.flatnonzero(~single)
        ok = single.copy()
        if multi.size:
            # Each multi-component candidate's components, then their alternatives.
            m_rule = cand_rule[multi]
            counts = self.n_comp[m_rule]
            row = np.repeat(np.arange(multi.size, dtype=np.int64), counts)
            comp = np.repeat(self.comp_ptr[m_rule], counts) + _ranks(counts)
            alt_counts = self.alt_ptr[comp + 1] - self.alt_ptr[comp]
            comp_row = np.repeat(np.arange(comp.size, dtype=np.int64), alt_counts)
            kw = self.alt_kw[np.repeat(self.alt_ptr[comp], alt_counts) + _ranks(alt_counts)]
            key = cand_text[multi][row][comp_row] * self.n_kw + kw
            at = np.searchsorted(pairs, key)
            at[at == pairs.size] = 0
            present = pairs[at] == key
            comp_ok = np.bincount(comp_row, weights=present, minlength=comp.size) > 0
            have = np.bincount(row, weights=comp_ok, minlength=multi.size)
            ok[multi] = have == counts
        return cand_text[ok], cand_rule[ok]


def _csr(lists: Sequence[Sequence[int]]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Compressed rows: ``ptr`` (len + 1) and the values, row after row."""
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, lists), dtype=np.int64, count=len(lists)), out=ptr[1:])
    vals = np.fromiter((v for row in lists for v in row), dtype=np.int64, count=int(ptr[-1]))
    return ptr, vals


def _ranks(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``0..c-1`` for each count ``c``, concatenated."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - starts


def _expand(
    rows: npt.NDArray[np.int64], keys: npt.NDArray[np.int64],
    ptr: npt.NDArray[np.int64], vals: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For each ``(row, key)``, ``(row, v)`` for every ``v`` in CSR row ``key``."""
    counts = ptr[keys + 1] - ptr[keys]
    out_rows = np.repeat(rows, counts)
    out_vals = vals[np.repeat(ptr[keys], counts) + _ranks(counts)]
    return out_rows, out_vals


GAP_EXCLUDED: tuple[str, str] = ("\u4e00", "\u9fa5")
"""The characters (inclusive range) a gap may not hold when ``gap_allows_han`` is false.

Exactly the class ``一-龥`` (U+4E00..U+9FA5) of LINE's ``[^一-龥]{0,n}`` gaps, which is
what those rules mean: other Han characters (〇, 㐀, ⺀, 豈, 𠀀, U+9FA6..U+9FFF) are
allowed in such a gap (U+F900 included), as the regex allows them.
"""

_GAP_EXCLUDED_RE = re.compile("[\u4e00-\u9fa5]")


def _gap_ok(rule: Rule, norm: str, prev_end: int, start: int) -> bool:
    """The plain statement of a gap's condition (used by the reference)."""
    if start < prev_end:
        return False
    if rule.max_gap is not None and start - prev_end > rule.max_gap:
        return False
    lo, hi = GAP_EXCLUDED
    return rule.gap_allows_han or not any(lo <= ch <= hi for ch in norm[prev_end:start])


class _GapBound:
    """The latest start a component may have after a previous one ending at ``p``.

    ``bound(p)`` is ``p + max_gap``, lowered to the first excluded character at or after
    ``p`` when the gap may not hold one; a next component may start anywhere in
    ``[p, bound(p)]``. ``excluded`` holds the sorted positions of the text's excluded
    characters (found once per text by ``re``); each bound costs a binary search.
    """

    __slots__ = ("_excluded", "_max_gap")

    def __init__(self, rule: Rule, excluded: list[int] | None) -> None:
        self._max_gap = rule.max_gap
        self._excluded = None if rule.gap_allows_han else excluded

    def __call__(self, p: int) -> float:
        b: float = math.inf if self._max_gap is None else p + self._max_gap
        ex = self._excluded
        if ex is not None:
            i = bisect_left(ex, p)
            if i < len(ex):
                b = min(b, ex[i])
        return b


def _pick_all(
    keys: Sequence[Hashable], comp_occ: Sequence[list[_T]]
) -> list[_T] | None:
    """ALL mode: the first unused occurrence of each component, or None when one runs out.

    Components with the same key are repeats: the ``n``-th repeat takes the ``n``-th
    occurrence.
    """
    chosen: list[_T] = []
    used: dict[Hashable, int] = {}
    for comp, occs in zip(keys, comp_occ, strict=True):
        n = used.get(comp, 0)
        if n >= len(occs):
            return None
        chosen.append(occs[n])
        used[comp] = n + 1
    return chosen


def _reference_choose(
    rule: Rule,
    keys: list[frozenset[str]],
    comp_occ: list[list[tuple[_Span, str]]],
    norm: str,
) -> list[tuple[_Span, str]] | None:
    """Pick one occurrence per component, or None when the rule does not fire.

    Components with the same normalised alternatives (``keys``) count as repeats, each
    repeat needing its own occurrence.
    """
    if rule.mode is RuleMode.ALL:
        return _pick_all(keys, comp_occ)
    # ORDERED: depth-first search over occurrences, earliest first.

    def search(j: int, prev_end: int) -> list[tuple[_Span, str]] | None:
        if j == len(comp_occ):
            return []
        for sp, alt in comp_occ[j]:
            if j and not _gap_ok(rule, norm, prev_end, sp[0]):
                continue
            rest = search(j + 1, sp[1])
            if rest is not None:
                return [(sp, alt), *rest]
        return None

    return search(0, 0)


def _whole_word_check(text: str, orig: Callable[[_Span], _Span]) -> Callable[[_Span], bool]:
    def check(span: _Span) -> bool:
        o = orig(span)
        return is_word_boundary(text, o[0], o[1])

    return check


def _satisfy(
    c: _Compiled,
    occ: dict[int, list[_Span]],
    excluded: list[int] | None,
    check: Callable[[_Span], bool] | None,
) -> list[tuple[_Span, int]] | None:
    """Occurrences (span, keyword index) satisfying each component, or None.

    ``excluded``: positions of :data:`GAP_EXCLUDED` characters in the normalised text
    (needed by ordered rules whose gaps may not hold them).
    """
    for comp in c.components:
        for k in comp:
            if k in occ:
                break
        else:
            return None
    comp_occ: list[list[tuple[_Span, int]]] = []
    cache: dict[tuple[int, ...], list[tuple[_Span, int]]] = {}
    for comp in c.components:
        got = cache.get(comp)
        if got is None:
            seen: dict[_Span, int] = {}
            for k in comp:
                for sp in occ.get(k, ()):
                    if check is not None and not check(sp):
                        continue
                    seen.setdefault(sp, k)
            got = cache[comp] = sorted(seen.items())
        if not got:
            return None
        comp_occ.append(got)
    rule = c.rule
    if rule.mode is RuleMode.ALL:
        return _pick_all(c.components, comp_occ)
    # ORDERED: the lexicographically smallest chain, in O(occurrences x log) after one
    # pass over the text. Backwards, keep the occurrences from which the rest of the
    # chain can be completed: an occurrence ending at p can be followed when the first
    # feasible next occurrence starting at or after p starts by bound(p). Then walk
    # forwards, taking the first feasible occurrence starting at or after the last end.
    bound = _GapBound(rule, excluded)
    feasible: list[list[tuple[_Span, int]]] = [[] for _ in comp_occ]
    starts: list[list[int]] = [[] for _ in comp_occ]
    feasible[-1] = comp_occ[-1]
    starts[-1] = [sp[0] for sp, _ in comp_occ[-1]]
    for j in range(len(comp_occ) - 2, -1, -1):
        nxt = starts[j + 1]
        keep = []
        for sp, k in comp_occ[j]:
            i = bisect_left(nxt, sp[1])
            if i < len(nxt) and nxt[i] <= bound(sp[1]):
                keep.append((sp, k))
        if not keep:
            return None
        feasible[j] = keep
        starts[j] = [sp[0] for sp, _ in keep]
    chain = [feasible[0][0]]
    for j in range(1, len(comp_occ)):
        chain.append(feasible[j][bisect_left(starts[j], chain[-1][0][1])])
    return chain
