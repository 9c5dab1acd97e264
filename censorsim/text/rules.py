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
from pathlib import Path
from typing import TypeVar, overload

from censorsim.errors import RuleError
from censorsim.models import Hit, Match, NearMiss, Rule, RuleMode, ScanResult
from censorsim.text.matchers import Matcher, RawMatch, is_word_boundary, make_matcher
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


class CheckResults(Sequence[ScanResult]):
    """The results of :meth:`RuleSet.check_many`: a lazy sequence of scan results.

    Rules were evaluated during the check for the texts in which a keyword occurred;
    every :class:`~censorsim.models.ScanResult` (and its keyword occurrences) is built
    on first access. The sequence keeps the batch's offset arrays until it is dropped.
    """

    __slots__ = ("_batch", "_built", "_found", "_keywords", "_rules", "_texts")

    def __init__(
        self,
        texts: Sequence[str],
        found: dict[int, tuple[tuple[Hit, ...], list[RawMatch]]],
        batch: NormalizedBatch | None = None,
        keywords: tuple[str, ...] = (),
        rules: RuleSet | None = None,
    ) -> None:
        self._rules = rules
        self._texts = texts
        self._found = found
        self._batch = batch
        self._keywords = keywords
        self._built: dict[int, ScanResult] = {}

    def _result(self, i: int) -> ScanResult:
        got = self._built.get(i)
        if got is None:
            hits, raw = self._found[i]
            assert self._batch is not None
            orig = self._batch.span_mapper(i)
            kws = self._keywords
            matches = tuple(Match(*orig((s, e)), kws[k]) for s, e, k in raw)
            got = self._built[i] = ScanResult(self._texts[i], hits, matches, self._rules)
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
        if i in self._found:
            return self._result(i)
        return ScanResult(self._texts[i])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<CheckResults {len(self)} texts, {len(self.censored_indices)} censored>"

    @property
    def censored_indices(self) -> list[int]:
        """Indices of the censored texts, in order.

        Censored has its one meaning (:attr:`~censorsim.models.Action.censors`): some
        rule that fired keeps the text from its audience. A text whose only hits are
        ``deliver`` or ``flag`` rules is in :attr:`fired_indices`, not here.
        """
        return sorted(
            i for i, (hits, _) in self._found.items() if any(h.rule.action.censors for h in hits)
        )

    @property
    def fired_indices(self) -> list[int]:
        """Indices of the texts on which any rule fired (whatever its action), in order."""
        return sorted(i for i, (hits, _) in self._found.items() if hits)

    @property
    def matched_indices(self) -> list[int]:
        """Indices of the texts with at least one keyword occurrence, in order."""
        return sorted(self._found)

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
        self._rules: tuple[Rule, ...] = tuple(rules)
        self._normalizer = Normalizer.from_spec(normalizer)
        seen: set[str] = set()
        for rule in self._rules:
            if not isinstance(rule, Rule):
                raise TypeError(f"expected a Rule, got {type(rule).__name__}")
            if rule.id in seen:
                raise RuleError(f"duplicate rule id {rule.id!r}")
            seen.add(rule.id)
        keyword_index: dict[str, int] = {}

        def kw(raw: str, rule: Rule) -> int:
            norm = self._normalizer.normalize(raw)
            if not norm:
                raise RuleError(
                    f"rule {rule.id!r}: keyword {raw!r} normalises to nothing "
                    f"under {self._normalizer.name!r}"
                )
            return keyword_index.setdefault(norm, len(keyword_index))

        compiled: list[_Compiled] = []
        for ri, rule in enumerate(self._rules):
            comps: list[tuple[int, ...]] = []
            names: list[dict[int, str]] = []
            for comp in rule.components:
                idx: dict[int, str] = {}
                for alt in comp:
                    idx.setdefault(kw(alt, rule), alt)
                comps.append(tuple(sorted(idx)))
                names.append(idx)
            unless = [tuple(sorted({kw(k, rule) for k in combo})) for combo in rule.unless]
            compiled.append(_Compiled(ri, rule, comps, names, unless))
        self._compiled: tuple[_Compiled, ...] = tuple(compiled)
        self._keywords: tuple[str, ...] = tuple(keyword_index)
        # A rule can only fire when every component matched, so it is filed under one
        # component only: the one whose keywords the fewest rules mention. A keyword
        # shared by thousands of rules (64, 习近平) then wakes up only the rules for
        # which it is the rarest part.
        mentions = [0] * len(self._keywords)
        for c in compiled:
            for k in {k for comp in c.components for k in comp}:
                mentions[k] += 1
        by_kw: list[list[int]] = [[] for _ in self._keywords]
        for c in compiled:
            anchor = min(c.components, key=lambda comp: sum(mentions[k] for k in comp))
            for k in anchor:
                by_kw[k].append(c.index)
        self._rules_by_keyword: tuple[tuple[int, ...], ...] = tuple(tuple(r) for r in by_kw)
        self._matcher: Matcher = make_matcher(self._keywords, backend)
        self._mention_index: tuple[tuple[int, ...], ...] | None = None

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
        rules = wordlists.load_rules(path, format=format, normalizer=norm)
        return cls(rules, normalizer=norm, backend=backend)

    # -- introspection -----------------------------------------------------------------

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules, in the order given."""
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
        what matched for everything else: texts without a hit cost no Python object
        until their result is asked for.

        Args:
            texts: the texts.
            on: only rules in force on this day; None for all rules.

        Returns:
            A sequence with one :class:`~censorsim.models.ScanResult` per text (spans in
            the original text), plus array views of the decisions.
        """
        texts = texts if isinstance(texts, (list, tuple)) else list(texts)
        batch = self._normalizer.normalize_many(texts)
        raws = self._matcher.find_joined_raw(batch.joined, batch.bounds, batch.codes)
        found: dict[int, tuple[tuple[Hit, ...], list[RawMatch]]] = {}
        for i, raw in raws.items():
            raw = batch.keep_aligned(i, raw)
            if raw:
                found[i] = (self._hits(texts[i], i, batch, raw, on), raw)
        return CheckResults(texts, found, batch, self._keywords, self)

    def find(self, text: str) -> list[Match]:
        """Every keyword occurrence in ``text``, spans in the original text."""
        batch = self._normalizer.normalize_many([text])
        raw = batch.keep_aligned(0, self._matcher.find_raw(batch.text(0)))
        kws = self._keywords
        return [Match(*batch.span(0, s, e), kws[k]) for s, e, k in raw]

    # -- evaluation --------------------------------------------------------------------

    def _hits(
        self, text: str, i: int, batch: NormalizedBatch, raw: list[RawMatch], on: date | None
    ) -> tuple[Hit, ...]:
        occ: dict[int, list[_Span]] = {}
        for s, e, k in raw:
            occ.setdefault(k, []).append((s, e))
        orig = batch.span_mapper(i)

        candidates: set[int] = set()
        by_kw = self._rules_by_keyword
        for k in occ:
            candidates.update(by_kw[k])
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
