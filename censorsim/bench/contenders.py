"""Text contenders: censorsim's matchers, its pipeline and the peers, by name.

Each is a :class:`~censorsim.bench.contender.Contender` of the ``text`` suite, registered
in :data:`~censorsim.bench.contender.CONTENDERS`: built from a workload (``build``, timed
on its own), the runner scans a batch of messages (``scan``, timed); ``occurrences``
turns what ``scan`` returned into gate records, untimed. Contenders whose package is
missing say so through :meth:`TextContender.missing` and are reported as skipped.

Families:

``censorsim:<backend>``
    every backend of :data:`censorsim.text.matchers.BACKENDS` through ``find_many_raw``.
``pipeline:<profile>``
    :meth:`censorsim.text.rules.RuleSet.check_many` (normalise, match, evaluate rules)
    with the ``default`` or ``identity`` normalisation profile and the default backend.
    Its occurrences are those of the normalised keywords, spans in the original text;
    its gate also compares which rules fired (:class:`RuleFired` records) with the
    brute-force :meth:`~censorsim.text.rules.RuleSet.check_reference` on the first
    messages (each marked by a :class:`RulesChecked` record).
peers
    what a user would pick instead, used directly: ``pyahocorasick`` (per-message
    ``Automaton.iter``), ``ahocorasick_rs`` (overlapping), ``hyperscan`` (literal
    patterns on UTF-8 bytes, ``HS_FLAG_SOM_LEFTMOST``, byte offsets mapped back to code
    points), ``daachorse`` (character-wise double array, ``find_overlapping`` per
    message, code point offsets as they come), ``re`` and ``regex`` (one match per
    start position), ``flashtext`` (whole words, no overlaps).

Example:
    >>> from censorsim.bench.workloads import make_workload
    >>> w = make_workload("en", 50, 20, seed=1)
    >>> runner = text_contender("pyahocorasick").build(w)
    >>> out = runner.scan(w.messages)
    >>> len(out) == len(w.messages)
    True
"""

from __future__ import annotations

import re
import time
from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from censorsim.bench.contender import CONTENDERS, Contender, Runner, make_contender
from censorsim.bench.gate import Occurrence, expected_under
from censorsim.bench.workloads import Workload
from censorsim.errors import UnknownNameError
from censorsim.models import Rule
from censorsim.text.matchers import BACKENDS, RawMatch, available_backends, make_matcher
from censorsim.text.offsets import byte_to_codepoint_offsets
from censorsim.text.rules import CheckResults, RuleSet

__all__ = [
    "PEERS",
    "REFERENCE_CONTENDER",
    "RuleFired",
    "RulesChecked",
    "TextContender",
    "TextRunner",
    "occurrences_from_raw",
    "reference_occurrences",
    "text_contender",
    "text_contenders",
]

REFERENCE_CONTENDER: Final = "pyahocorasick"
"""The contender every text throughput is compared with (raw pyahocorasick)."""

PEERS: Final = (
    "pyahocorasick", "ahocorasick_rs", "hyperscan", "daachorse", "re", "regex", "flashtext",
)
"""The raw peer contenders, in report order."""

RULE_GATE_SECONDS: Final = 2.0
"""Time the pipeline's brute-force rule gate may spend per workload.

The rules that fired are compared on the first messages with a keyword occurrence, as
many as :meth:`RuleSet.check_reference` gets through in this time (at least one).
"""



@dataclass(frozen=True, slots=True, order=True)
class RuleFired:
    """Gate record of the pipeline: rule ``rule_id`` fired on message ``message``."""

    message: int
    rule_id: str


@dataclass(frozen=True, slots=True, order=True)
class RulesChecked:
    """Gate record of the pipeline: the rules that fired on ``message`` were compared."""

    message: int


def occurrences_from_raw(
    raws: Sequence[Sequence[RawMatch]], keywords: Sequence[str], offset: int = 0
) -> set[Occurrence]:
    """Gate records from per-message ``(start, end, keyword index)`` lists."""
    return {
        (i + offset, s, e, keywords[k]) for i, raw in enumerate(raws) for s, e, k in raw
    }


def reference_occurrences(keywords: Sequence[str], messages: Sequence[str]) -> set[Occurrence]:
    """Every occurrence, by the pure-Python reference automaton, one message at a time."""
    m = make_matcher(keywords, "reference")
    kws = m.keywords
    return {(i, s, e, kws[k]) for i, text in enumerate(messages) for s, e, k in m.find_raw(text)}


class TextRunner(Runner):
    """A built text contender; its gate records are :meth:`occurrences`."""

    @abstractmethod
    def scan(self, messages: Sequence[str]) -> Any:
        """Scan a batch of messages (the timed call); returns the contender's own output."""

    @abstractmethod
    def occurrences(self, messages: Sequence[str], output: Any) -> set[Any]:
        """Gate records from what :meth:`scan` returned for ``messages``."""

    def records(self, batch: Sequence[Any], output: Any) -> set[Any]:
        """The :meth:`occurrences`."""
        return self.occurrences(batch, output)


class _RawRunner(TextRunner):
    """A runner whose ``scan`` returns ``(start, end, keyword index)`` lists."""

    def __init__(self, keywords: Sequence[str], scan: Callable[[Sequence[str]], Any]) -> None:
        self._keywords = tuple(keywords)
        self._scan = scan

    def scan(self, messages: Sequence[str]) -> Any:
        return self._scan(messages)

    def occurrences(self, messages: Sequence[str], output: Any) -> set[Occurrence]:
        return occurrences_from_raw(output, self._keywords)


class TextContender(Contender):
    """A named way of finding keywords in messages.

    Attributes:
        name: the contender's name.
        family: ``"censorsim"``, ``"pipeline"`` or ``"peer"``.
        semantics: a key of :data:`censorsim.bench.gate.SEMANTICS`, or ``"normalised"``.
        requires: modules that must import for the contender to run.
        note: one line for the report.
        advisory: the gate's verdict is reported but does not fail the run. Only for a
            peer whose semantics the reference can only approximate (flashtext does not
            restart a failed partial match, so it misses some whole-word occurrences
            that start inside one).
    """

    suite = "text"

    @abstractmethod
    def build(self, workload: Workload) -> TextRunner:
        """Build the contender for the workload's keywords (the timed build)."""

    def expected(
        self, workload: Workload, reference: set[Any], messages: Sequence[str]
    ) -> set[Any]:
        """The records the contender must produce on ``messages`` (a prefix of the workload).

        Args:
            workload: the workload.
            reference: the reference's occurrences on ``messages``.
            messages: the messages scanned.
        """
        return expected_under(reference, self.semantics, messages)


# --------------------------------------------------------------------------------------
# censorsim matcher backends.


class _BackendContender(TextContender):
    family = "censorsim"

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.name = f"censorsim:{backend}"
        cls = BACKENDS[backend]
        self.note = (cls.__doc__ or "").strip().splitlines()[0]

    def missing(self) -> str | None:
        if self.backend in available_backends():
            return None
        extra = BACKENDS[self.backend].optional
        return f"backend not installed: pip install 'censorsim[{extra}]'"

    def build(self, workload: Workload) -> TextRunner:
        matcher = make_matcher(workload.keywords, self.backend)
        return _RawRunner(matcher.keywords, matcher.find_many_raw)


# --------------------------------------------------------------------------------------
# The full pipeline.


class _PipelineRunner(TextRunner):
    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset

    def scan(self, messages: Sequence[str]) -> Any:
        return self.ruleset.check_many(messages)

    def occurrences(self, messages: Sequence[str], output: Any) -> set[Any]:
        results: CheckResults = output
        out: set[Any] = set()
        for i in results.matched_indices:
            res = results[i]
            out.update((i, m.start, m.end, m.keyword) for m in res.matches)
            out.update(RuleFired(i, rid) for rid in res.rule_ids)
        return out


def _workload_rules(workload: Workload) -> list[Rule]:
    if workload.rules:
        return list(workload.rules)
    return [Rule.keyword(k, id=f"k{i}") for i, k in enumerate(workload.keywords)]


class _PipelineContender(TextContender):
    family = "pipeline"
    semantics = "normalised"

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.name = f"pipeline:{profile}"
        self.note = (
            f"RuleSet.check_many, normaliser profile {profile!r}, default backend; "
            "occurrences of the normalised keywords plus the rules that fired"
        )

    def prepare(self) -> None:
        RuleSet([Rule.keyword("warm-up")], normalizer=self.profile).check_many(["warm up"])

    def build(self, workload: Workload) -> TextRunner:
        return _PipelineRunner(RuleSet(_workload_rules(workload), normalizer=self.profile))

    def expected(
        self, workload: Workload, reference: set[Any], messages: Sequence[str]
    ) -> set[Any]:
        rs = RuleSet(_workload_rules(workload), normalizer=self.profile, backend="reference")
        norm = rs.normalizer
        matcher = rs.matcher
        kws = matcher.keywords
        out: set[Any] = set()
        matched: list[int] = []
        for i, text in enumerate(messages):
            normed, offsets = norm.normalize_reference(text)
            found = matcher.find_raw(normed)
            if found:
                matched.append(i)
            for s, e, k in found:
                out.add((i, offsets[s], offsets[e - 1] + 1, kws[k]))
        start = time.perf_counter()
        for i in matched:
            out.add(RulesChecked(i))
            out.update(RuleFired(i, r) for r in rs.check_reference(messages[i]).rule_ids)
            if time.perf_counter() - start > RULE_GATE_SECONDS:
                break
        return out

    def comparable(self, expected: set[Any], got: set[Any]) -> set[Any]:
        checked = {o.message for o in expected if isinstance(o, RulesChecked)}
        out = {o for o in got if not isinstance(o, RuleFired) or o.message in checked}
        out.update(RulesChecked(i) for i in checked)
        return out


# --------------------------------------------------------------------------------------
# Raw peers.


class _PyAhoCorasick(TextContender):
    name = "pyahocorasick"
    requires = ("ahocorasick",)
    note = "pyahocorasick Automaton.iter per message, on the text as it is"

    def build(self, workload: Workload) -> TextRunner:
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for k, kw in enumerate(workload.keywords):
            automaton.add_word(kw, (k, len(kw)))
        automaton.make_automaton()
        it = automaton.iter

        def scan(messages: Sequence[str]) -> list[list[RawMatch]]:
            return [[(e + 1 - n, e + 1, k) for e, (k, n) in it(m)] for m in messages]

        return _RawRunner(workload.keywords, scan)


class _RustAhoCorasick(TextContender):
    name = "ahocorasick_rs"
    requires = ("ahocorasick_rs",)
    note = "ahocorasick_rs find_matches_as_indexes(overlapping=True) per message"

    def build(self, workload: Workload) -> TextRunner:
        import ahocorasick_rs

        find = ahocorasick_rs.AhoCorasick(list(workload.keywords)).find_matches_as_indexes

        def scan(messages: Sequence[str]) -> list[list[RawMatch]]:
            return [[(s, e, k) for k, s, e in find(m, overlapping=True)] for m in messages]

        return _RawRunner(workload.keywords, scan)


def _byte_to_char(text: str, data: bytes, found: list[RawMatch]) -> list[RawMatch]:
    if len(data) == len(text):
        return found
    offsets = byte_to_codepoint_offsets(data, [b for s, e, _ in found for b in (s, e)])
    return [(offsets[2 * j], offsets[2 * j + 1], k) for j, (_, _, k) in enumerate(found)]


class _Hyperscan(TextContender):
    name = "hyperscan"
    requires = ("hyperscan",)
    note = "hyperscan literal block mode on UTF-8 bytes, SOM_LEFTMOST, offsets mapped back"

    def build(self, workload: Workload) -> TextRunner:
        import hyperscan

        kws = workload.keywords
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        db.compile(
            expressions=[k.encode("utf-8", "surrogatepass") for k in kws],
            ids=list(range(len(kws))),
            elements=len(kws),
            flags=[hyperscan.HS_FLAG_SOM_LEFTMOST] * len(kws),
            literal=True,
        )
        scratch = hyperscan.Scratch(db)
        hs_scan = db.scan

        def on_match(k: int, start: int, end: int, _flags: int, found: Any) -> None:
            found.append((start, end, k))

        def scan(messages: Sequence[str]) -> list[list[RawMatch]]:
            out: list[list[RawMatch]] = []
            for m in messages:
                data = m.encode("utf-8", "surrogatepass")
                found: list[RawMatch] = []
                hs_scan(data, match_event_handler=on_match, context=found, scratch=scratch)
                out.append(_byte_to_char(m, data, found) if found else found)
            return out

        return _RawRunner(kws, scan)


class _Daachorse(TextContender):
    name = "daachorse"
    requires = ("daachorse",)
    note = "daachorse CharwiseDoubleArrayAhoCorasick.find_overlapping per message"

    def build(self, workload: Workload) -> TextRunner:
        import daachorse

        kws = workload.keywords
        find = daachorse.CharwiseDoubleArrayAhoCorasick(list(kws)).find_overlapping

        def scan(messages: Sequence[str]) -> list[list[RawMatch]]:
            return [find(m) for m in messages]

        return _RawRunner(kws, scan)


class _Re(TextContender):
    name = "re"
    semantics = "longest-per-start"
    note = "re: (?=(alternation, longest first)) finditer per message"

    def build(self, workload: Workload) -> TextRunner:
        kws = workload.keywords
        index = {k: i for i, k in enumerate(kws)}
        alts = "|".join(re.escape(k) for k in sorted(kws, key=len, reverse=True))
        finditer = re.compile(f"(?=({alts}))", re.DOTALL).finditer

        def scan(messages: Sequence[str]) -> list[list[RawMatch]]:
            return [
                [(x.start(1), x.end(1), index[x.group(1)]) for x in finditer(m)]
                for m in messages
            ]

        return _RawRunner(kws, scan)


class _Regex(TextContender):
    name = "regex"
    requires = ("regex",)
    semantics = "longest-per-start"
    note = r"regex: a named list \L<kw>, finditer(overlapped=True) per message"

    def build(self, workload: Workload) -> TextRunner:
        import regex

        kws = workload.keywords
        index = {k: i for i, k in enumerate(kws)}
        finditer = regex.compile(r"\L<kw>", kw=list(kws)).finditer

        def scan(messages: Sequence[str]) -> list[list[RawMatch]]:
            return [
                [(x.start(), x.end(), index[x.group()]) for x in finditer(m, overlapped=True)]
                for m in messages
            ]

        return _RawRunner(kws, scan)


class _FlashText(TextContender):
    name = "flashtext"
    requires = ("flashtext",)
    semantics = "whole-word-leftmost-longest"
    advisory = True
    note = (
        "flashtext KeywordProcessor(case_sensitive=True).extract_keywords(span_info=True); "
        "whole words, no overlaps, no restart inside a failed partial match (advisory gate)"
    )

    def build(self, workload: Workload) -> TextRunner:
        from flashtext import KeywordProcessor

        kws = workload.keywords
        index = {k: i for i, k in enumerate(kws)}
        kp = KeywordProcessor(case_sensitive=True)
        for k in kws:
            kp.add_keyword(k)
        extract = kp.extract_keywords

        def scan(messages: Sequence[str]) -> list[list[RawMatch]]:
            return [[(s, e, index[k]) for k, s, e in extract(m, span_info=True)] for m in messages]

        return _RawRunner(kws, scan)


def _register() -> None:
    for backend in BACKENDS:
        CONTENDERS.add(
            f"censorsim:{backend}",
            partial(_BackendContender, backend),
            summary=f"censorsim matcher backend {backend!r}",
        )
    for profile in ("default", "identity"):
        CONTENDERS.add(
            f"pipeline:{profile}",
            partial(_PipelineContender, profile),
            summary=f"RuleSet.check_many with the {profile!r} profile",
        )
    peers: dict[str, type[TextContender]] = {
        "pyahocorasick": _PyAhoCorasick,
        "ahocorasick_rs": _RustAhoCorasick,
        "hyperscan": _Hyperscan,
        "daachorse": _Daachorse,
        "re": _Re,
        "regex": _Regex,
        "flashtext": _FlashText,
    }
    for name in PEERS:
        cls = peers[name]
        CONTENDERS.add(name, cls, requires=cls.requires, extra="bench", summary=cls.note)


_register()


def text_contenders() -> list[TextContender]:
    """Every text contender, installed or not, in report order."""
    out: list[TextContender] = []
    for _, factory in CONTENDERS.items():
        made = factory()
        if isinstance(made, TextContender):
            out.append(made)
    return out


def text_contender(name: str) -> TextContender:
    """The text contender called ``name``.

    Raises:
        UnknownNameError: for an unknown name (the message lists the known ones).
    """
    made = make_contender(name)
    if not isinstance(made, TextContender):
        known = tuple(c.name for c in text_contenders())
        raise UnknownNameError("text contender", name, known)
    return made
