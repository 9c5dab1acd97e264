"""Shared vocabulary: the value objects and enums every layer passes around.

Rules and what they find in a text (:class:`Rule`, :class:`Match`, :class:`Hit`,
:class:`ScanResult`), and what a platform is sent and decides (:class:`Message`,
:class:`Decision`, :class:`Surface`, :class:`Region`, :class:`Action`, :class:`Reason`).
This module imports nothing above :mod:`censorsim.errors`.

Spans are half-open ``[start, end)`` in code points of the *original* text.

"Censored" has one definition, :attr:`Action.censors`: the action keeps the content from
its audience (``action > FLAG``: limited, hidden, deleted later, refused, blocked or
dropped). :attr:`ScanResult.censored` and :attr:`Decision.censored` both apply it to their
action; a hit on a ``deliver`` or ``flag`` rule is a hit (:attr:`ScanResult.fired`) but
does not censor.
"""

from __future__ import annotations

from censorsim.models._messages import (
    Attachment,
    Decision,
    Direction,
    Message,
    Reason,
    Region,
    Surface,
)
from censorsim.models._results import (
    Hit,
    NearMiss,
    ScanResult,
)
from censorsim.models._rules import (
    Action,
    KeywordRules,
    Match,
    Outcome,
    Rule,
    RuleMode,
    keyword_rules,
)

__all__ = [
    "Action",
    "Attachment",
    "Decision",
    "Direction",
    "Hit",
    "KeywordRules",
    "Match",
    "Message",
    "NearMiss",
    "Outcome",
    "Reason",
    "Region",
    "Rule",
    "RuleMode",
    "ScanResult",
    "Surface",
    "keyword_rules",
]
