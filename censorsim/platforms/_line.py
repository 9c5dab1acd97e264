"""LINE (2013-14): the client's downloaded list; refused when sent, masked when received."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from os import PathLike

from censorsim.models import Action, Region, Rule, Surface
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

LINE_NOTICE = "This message contains forbidden words and cannot be sent."
"""The error LINE shows the sender (the app's resource string) [asia-chats]."""


def line(
    rules: Iterable[Rule] | None = None,
    *,
    citizenlab: str | PathLike[str] | None = None,
    version: str = "line-v25",
    normalizer: str | None = None,
) -> Policy:
    """LINE (2013-14): a downloaded keyword list, applied on the device for China numbers.

    Facts encoded (Citizen Lab, "Asia Chats", 2013-14 [asia-chats, line-2014]):

    - When the account is registered with a mainland-China number the app downloads a
      keyword list from the server and applies it on the device (since v3.9.4 there is
      no built-in list); other accounts are not filtered.
    - A matching message is not sent, and the sender is told so: "This message contains
      forbidden words and cannot be sent." (``REFUSE`` with that notice).
    - The same client masks what it receives: a message from an account the list does
      not apply to (an international number), received by a China number, shows each
      listed word as asterisks, one per character (``HIDE`` from mainland recipients,
      :attr:`Outcome.MASKED`, the masked text in ``Decision.delivered_text``). A China
      number's own message with a listed word is refused before it is sent, so it is
      never received masked. [asia-chats: "disallow sending any messages that contain
      any of those words, as well as replace those words with asterisks when
      received"]
    - Since v24 (September 2014) the list holds regular expressions, read here as
      ordered rules with gap limits (``load_line_list``).

    The default list is ``wordlists/line.csv``; with ``citizenlab`` the published list
    ``LINE/<version>`` is read (the downloaded list of that version).
    """
    norm = _normalizer("line", normalizer)
    if rules is None and citizenlab is not None:
        l_rules = _citizenlab(citizenlab, f"LINE/{version}")
    else:
        l_rules = _rules(rules, lambda: example_rules("line"))
    l_rules = [replace(r, action=Action.REFUSE) if r.action is Action.DROP else r
               for r in l_rules]
    china = frozenset({Region.MAINLAND})
    return Policy(
        name="line",
        rulesets={"client": _ruleset(l_rules, norm, "line")},
        surfaces=(
            SurfacePolicy(Surface.CHAT, ("client",), china, action=Action.REFUSE,
                          error=LINE_NOTICE, mask_received=True),
            SurfacePolicy(Surface.GROUP_CHAT, ("client",), china, action=Action.REFUSE,
                          error=LINE_NOTICE, mask_received=True),
        ),
        description="LINE 2013-14 downloaded keyword list for China-registered numbers",
        sources=(SOURCES["asia-chats"], SOURCES["line-2014"]),
    )
