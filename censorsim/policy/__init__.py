"""Platform policies and the censor that applies them (the public face of the package).

Modules: ``_policy`` (a policy and its per-surface settings), ``_images`` (image checks,
blacklist and what a platform learned), ``_delays`` (delete-later delay distributions),
``_censor`` (applying a policy to messages), ``_toml`` (policy files), ``_identity``
(rule identity under a normaliser, surface scope recorded in the data). The message and
decision vocabulary lives in :mod:`censorsim.models` and is re-exported here.

A :class:`Policy` binds named rule sets, an image blacklist, and per-surface settings:
which rule sets apply on a surface, which account regions are filtered there, what
happens to a match (the rules' own actions or an override), the error a user sees, and
how images are checked. A :class:`Censor` applies a policy to :class:`Message` objects
and returns :class:`Decision` objects.

``Censor.check`` is pure: no I/O and no clock. What a platform *learns* (WeChat adds the
MD5 of an image it found sensitive after delivering it once) lives in an explicit
:class:`ImageMemory` that the caller owns and updates with :meth:`ImageMemory.learn`.

Image pipeline per surface (:class:`ImageCheck`):

- ``off``: images are not checked.
- ``md5``: the file MD5 is looked up in the blacklist and in the memory.
- ``learn``: as ``md5``; an unknown image is delivered, analysed (perceptual match, OCR
  text), and when found sensitive its MD5 is returned in ``Decision.learn_md5`` so the
  next send of the same file is blocked (WeChat chat, Knockel & Xiong 2019).
- ``visual``: as ``learn``, but the analysis blocks right away (WeChat Moments).

Example:
    >>> from datetime import datetime
    >>> from censorsim.models import Rule
    >>> from censorsim.text.rules import RuleSet
    >>> policy = Policy(
    ...     name="toy",
    ...     rulesets={"main": RuleSet([Rule.combination("六四+学生")])},
    ...     surfaces=(SurfacePolicy(Surface.CHAT, rulesets=("main",),
    ...                             regions=frozenset({Region.MAINLAND})),),
    ... )
    >>> censor, at = Censor(policy), datetime(2020, 2, 1)
    >>> censor.check(Message("六四的学生", Surface.CHAT, Region.MAINLAND), at=at).action.name
    'DROP'
    >>> censor.check(Message("六四的学生", Surface.CHAT, Region.INTERNATIONAL), at=at).reason.name
    'OUT_OF_SCOPE'
"""

from __future__ import annotations

from censorsim.models import Attachment, Decision, Message, Reason, Region, Surface
from censorsim.policy._censor import Censor
from censorsim.policy._delays import DelayDistribution
from censorsim.policy._identity import (
    RuleIdentityWarning,
    identity_key,
    merge_identical,
    one_to_one_exempt,
)
from censorsim.policy._images import ImageBlacklist, ImageCheck, ImageMemory
from censorsim.policy._policy import Policy, Scope, SurfacePolicy
from censorsim.policy._toml import load_policy, policy_from_dict

__all__ = [
    "Attachment",
    "Censor",
    "Decision",
    "DelayDistribution",
    "ImageBlacklist",
    "ImageCheck",
    "ImageMemory",
    "Message",
    "Policy",
    "Reason",
    "Region",
    "RuleIdentityWarning",
    "Scope",
    "Surface",
    "SurfacePolicy",
    "identity_key",
    "load_policy",
    "merge_identical",
    "one_to_one_exempt",
    "policy_from_dict",
]
