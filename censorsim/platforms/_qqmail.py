"""QQMail: SMTP refusals with extenuating combinations."""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike

from censorsim.models import Action, Rule, Surface
from censorsim.platforms._common import (
    SOURCES,
    _citizenlab,
    _normalizer,
    _rules,
    _ruleset,
    example_rules,
)
from censorsim.policy import (
    Policy,
    SurfacePolicy,
)


def qqmail(
    rules: Iterable[Rule] | None = None,
    *,
    citizenlab: str | PathLike[str] | None = None,
    normalizer: str | None = None,
) -> Policy:
    """QQMail: mail refused at SMTP with ``550 Mail content denied``.

    Facts encoded (Knockel & Ruan, FOCI 2021 [qqmail]):

    - A mail whose content trips a rule is refused with the SMTP reply
      ``550 Mail content denied`` (``REFUSE``; the sender sees the error).
    - Rules are keyword combinations: 习近平 alone and 复辟 alone pass, both together are
      refused.
    - "Extenuating" combinations switch rules off: when every keyword of one is present
      the mail goes through (adding 群发机 to 习近平 + 复辟; ``Rule.unless``).

    The default list is ``wordlists/qqmail.csv``; with ``citizenlab`` the published
    ``qqmail`` folder (173 combinations, 43 extenuating) is read instead.
    """
    norm = _normalizer("qqmail", normalizer)
    if rules is None and citizenlab is not None:
        m_rules = _citizenlab(citizenlab, "qqmail")
    else:
        m_rules = _rules(rules, lambda: example_rules("qqmail"))
    return Policy(
        name="qqmail",
        rulesets={"mail": _ruleset(m_rules, norm, "qqmail")},
        surfaces=(
            SurfacePolicy(Surface.MAIL, ("mail",), action=Action.REFUSE,
                          error="550 Mail content denied"),
        ),
        description="QQMail SMTP keyword filtering with extenuating combinations",
        sources=(SOURCES["qqmail"],),
    )
