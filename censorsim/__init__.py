"""censorsim: simulate, measure and probe the automated censorship of Chinese platforms.

The most used names are re-exported here; each subpackage documents the rest:
:mod:`censorsim.text` (keyword engine), :mod:`censorsim.image` (image hashes and
blacklists), :mod:`censorsim.policy` and :mod:`censorsim.platforms` (platforms as
policies), :mod:`censorsim.simulate` (simulations and decision logs),
:mod:`censorsim.evasion`, :mod:`censorsim.probe` and :mod:`censorsim.research` (evasion,
black-box probing, measurements), :mod:`censorsim.testing` (conformance suites) and
:mod:`censorsim.registry` (every string-keyed choice).

Example:
    >>> import censorsim
    >>> rules = censorsim.RuleSet([censorsim.Rule.combination("习近平+三连任")])
    >>> rules.check("习近平要三连任？").censored
    True
    >>> from datetime import datetime
    >>> censor = censorsim.Censor(censorsim.make_profile("wechat"))
    >>> censor.check(censorsim.Message("习近平要三连任？"), at=datetime(2020, 2, 1)).action.name
    'DROP'
"""

from __future__ import annotations

from censorsim.errors import (
    BackendError,
    BudgetExhausted,
    CensorsimError,
    ImageError,
    InputError,
    MissingDependencyError,
    NormalizationError,
    ParameterError,
    PolicyError,
    RuleError,
    SimulationError,
    UnknownNameError,
    WordlistError,
)
from censorsim.image.hashing import Hasher
from censorsim.image.index import HammingIndex
from censorsim.models import (
    Action,
    Decision,
    Hit,
    Match,
    Message,
    Region,
    Rule,
    RuleMode,
    ScanResult,
    Surface,
)
from censorsim.platforms import make_profile
from censorsim.policy import Censor, Policy
from censorsim.text.matchers import make_matcher
from censorsim.text.normalize import Normalizer
from censorsim.text.rules import RuleSet
from censorsim.text.wordlists import load_citizenlab, load_rules

__version__ = "0.1.0"

__all__ = [
    "Action",
    "BackendError",
    "BudgetExhausted",
    "Censor",
    "CensorsimError",
    "Decision",
    "HammingIndex",
    "Hasher",
    "Hit",
    "ImageError",
    "InputError",
    "Match",
    "Message",
    "MissingDependencyError",
    "NormalizationError",
    "Normalizer",
    "ParameterError",
    "Policy",
    "PolicyError",
    "Region",
    "Rule",
    "RuleError",
    "RuleMode",
    "RuleSet",
    "ScanResult",
    "SimulationError",
    "Surface",
    "UnknownNameError",
    "WordlistError",
    "__version__",
    "load_citizenlab",
    "load_rules",
    "make_matcher",
    "make_profile",
]
