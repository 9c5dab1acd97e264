"""censorsim: simulate, measure and probe the automated censorship of Chinese platforms.

The most used names are re-exported here; each subpackage documents the rest:
:mod:`censorsim.text` (keyword engine), :mod:`censorsim.image` (image hashes and
blacklists), :mod:`censorsim.policy` and :mod:`censorsim.platforms` (platforms as
policies), :mod:`censorsim.simulate` (simulations and decision logs).

Example:
    >>> import censorsim
    >>> rules = censorsim.RuleSet([censorsim.Rule.combination("习近平+三连任")])
    >>> rules.check("习近平要三连任？").censored
    True
"""

from __future__ import annotations

from censorsim.errors import (
    BackendError,
    CensorsimError,
    ImageError,
    InputError,
    MissingDependencyError,
    NormalizationError,
    PolicyError,
    RuleError,
    SimulationError,
    WordlistError,
)
from censorsim.models import Action, Hit, Match, Rule, RuleMode, ScanResult
from censorsim.text.matchers import make_matcher
from censorsim.text.normalize import Normalizer
from censorsim.text.rules import RuleSet
from censorsim.text.wordlists import load_citizenlab, load_rules

__version__ = "0.1.0"

__all__ = [
    "Action",
    "BackendError",
    "CensorsimError",
    "Hit",
    "ImageError",
    "InputError",
    "Match",
    "MissingDependencyError",
    "NormalizationError",
    "Normalizer",
    "PolicyError",
    "Rule",
    "RuleError",
    "RuleMode",
    "RuleSet",
    "ScanResult",
    "SimulationError",
    "WordlistError",
    "__version__",
    "load_citizenlab",
    "load_rules",
    "make_matcher",
]
