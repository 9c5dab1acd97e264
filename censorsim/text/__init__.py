"""Keyword censorship engine: normalisation, matchers, rules and word lists.

Layers: ``normalize`` -> ``matchers`` -> ``rules``. Beside them: ``script`` (what is Han),
``offsets`` (byte/code point and normalised/original offsets), ``wordlists`` (the
project's rule-file formats; ``load_rule_files`` for several files at once),
``citizenlab`` (Citizen Lab's published layouts) and ``messages`` (message files to check).

Example:
    >>> from censorsim.text import Rule, RuleSet
    >>> rs = RuleSet([Rule.combination("六四+学生+民主运动")])
    >>> rs.check("六四那年，學生們的民主運動").rule_ids
    ('六四+学生+民主运动',)
"""

from __future__ import annotations

from censorsim.models import Hit, Match, Rule, RuleMode, ScanResult
from censorsim.text.matchers import (
    BACKENDS,
    DEFAULT_BACKEND,
    AhoCorasickMatcher,
    Matcher,
    available_backends,
    is_word_boundary,
    make_matcher,
)
from censorsim.text.messages import read_messages
from censorsim.text.normalize import PROFILES, STEPS, NormalizedBatch, Normalizer
from censorsim.text.rules import CheckResults, RuleSet
from censorsim.text.wordlists import (
    dump_keywords,
    dump_rules,
    load_citizenlab,
    load_keywords,
    load_rule_files,
    load_rules,
)

__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "PROFILES",
    "STEPS",
    "AhoCorasickMatcher",
    "CheckResults",
    "Hit",
    "Match",
    "Matcher",
    "NormalizedBatch",
    "Normalizer",
    "Rule",
    "RuleMode",
    "RuleSet",
    "ScanResult",
    "available_backends",
    "dump_keywords",
    "dump_rules",
    "is_word_boundary",
    "load_citizenlab",
    "load_keywords",
    "load_rule_files",
    "load_rules",
    "make_matcher",
    "read_messages",
]
