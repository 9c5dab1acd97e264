"""Legal takedowns: requests from an authority under a named legal basis, and how platforms answer.

The national security law for Hong Kong took effect on 2020-06-30; the implementation
rules for its Article 43 (in force 2020-07-07) let the police require publishers and
platform, hosting and network service providers to remove or restrict access to
electronic messages, and service providers to hand over identification records on a
magistrate's warrant (Schedule 4); a service provider that fails to comply is liable to a
fine of HK$100,000 and six months' imprisonment. Several companies paused answering Hong
Kong data requests in the days that followed, and TikTok left the market.

Modules: ``_facts`` (legal bases, penalties, request kinds: dated, cited facts),
``_model`` (requests, compliance policies, :func:`respond`), ``_scenario`` (scenarios, the
Hong Kong 2020 one, the config's ``[legal]`` section), ``_stream`` (the seeded request
stream). A simulation with a ``[legal]`` section draws requests batch by batch, answers
them and logs them beside the automated decisions (``docs/legal.md``).

Example:
    >>> from datetime import datetime
    >>> s = hong_kong_2020()
    >>> s.policy_for("tiktok", datetime(2020, 7, 10), RequestKind.REMOVE_CONTENT).response.value
    'exit_market'
    >>> ART43_REMOVAL.penalty.fine_hkd, ART43_REMOVAL.penalty.imprisonment_months
    (100000, 6)
"""

from __future__ import annotations

from censorsim.legal._facts import (
    ART43_ASSISTANCE,
    ART43_REMOVAL,
    ART43_SCHEDULE5,
    LEGAL_BASES,
    NSL_IN_FORCE,
    ORDINARY_LAW,
    RULES_IN_FORCE,
    SOURCES,
    Addressee,
    LegalBasis,
    Penalty,
    RequestKind,
    TargetKind,
)
from censorsim.legal._model import (
    CompliancePolicy,
    LegalPlatform,
    Request,
    RequestOutcome,
    Response,
    ResponseParameters,
    check_policies,
    respond,
)
from censorsim.legal._scenario import SCENARIOS, Scenario, hong_kong_2020, scenario_from_toml
from censorsim.legal._stream import draw_requests

__all__ = [
    "ART43_ASSISTANCE",
    "ART43_REMOVAL",
    "ART43_SCHEDULE5",
    "LEGAL_BASES",
    "NSL_IN_FORCE",
    "ORDINARY_LAW",
    "RULES_IN_FORCE",
    "SCENARIOS",
    "SOURCES",
    "Addressee",
    "CompliancePolicy",
    "LegalBasis",
    "LegalPlatform",
    "Penalty",
    "Request",
    "RequestKind",
    "RequestOutcome",
    "Response",
    "ResponseParameters",
    "Scenario",
    "TargetKind",
    "check_policies",
    "draw_requests",
    "hong_kong_2020",
    "respond",
    "scenario_from_toml",
]
