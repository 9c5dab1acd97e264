"""The censor: applies a policy to messages and returns decisions (pure, no I/O, no clock)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from censorsim.errors import ParameterError, PolicyError
from censorsim.models import (
    Action,
    Decision,
    Direction,
    Hit,
    Message,
    Outcome,
    Reason,
    Region,
    ScanResult,
    Surface,
)
from censorsim.policy._images import ImageCheck, ImageMemory
from censorsim.policy._policy import Policy, Scope, SurfacePolicy

__all__ = ["Censor", "deletion_draw"]

_CLEAN = {s: Decision.clean(s) for s in Surface}
"""The shared clean decision of each surface, looked up once per message."""


class Censor:
    """Applies a :class:`Policy` to messages.

    Args:
        policy: the policy.

    A censor pickles as its policy, so it can be sent to ``spawn`` process-pool workers.
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._surfaces = {sp.surface: sp for sp in policy.surfaces}

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickles as its policy (spawn process pools); the lookup tables are rebuilt.
        return (Censor, (self.policy,))

    def check(
        self, message: Message, *, at: datetime, memory: ImageMemory | None = None
    ) -> Decision:
        """The decision on one message at time ``at``; see :meth:`check_many`."""
        return self.check_many([message], at=[at], memory=memory)[0]

    def check_many(
        self,
        messages: Sequence[Message],
        *,
        at: datetime | Sequence[datetime],
        memory: ImageMemory | None = None,
    ) -> list[Decision]:
        """Decisions on many messages (the fast path).

        Pure: ``memory`` is only read. Images learned by an earlier message of the batch
        count for later ones once ``analysis_delay`` has passed, exactly as if the
        messages were checked one by one and each ``learn_md5`` applied in turn.

        Args:
            messages: the messages, in time order.
            at: one time for all, or one per message.
            memory: what the platform has learned so far.

        Raises:
            PolicyError: a message on a surface the policy does not have.
            ParameterError: ``at`` is a sequence of another length than ``messages``.
        """
        n = len(messages)
        times = [at] * n if isinstance(at, datetime) else list(at)
        if len(times) != n:
            raise ParameterError(f"at: {n} messages but {len(times)} times")
        out: list[Decision] = [_CLEAN[m.surface] for m in messages]
        # Text: group by (surface, day, direction) and run each rule set's batch path once.
        groups: dict[tuple[Surface, date, Direction], list[int]] = {}
        for i, m in enumerate(messages):
            key = (m.surface, times[i].date(), m.direction)
            group = groups.get(key)
            if group is None:
                if m.surface not in self._surfaces:
                    self.policy.surface(m.surface)  # raises naming the surface
                group = groups[key] = []
            group.append(i)
        for (surface, day, direction), idx in groups.items():
            sp = self._surfaces[surface]
            names = sp.rulesets if direction is Direction.REQUEST else sp.response_rulesets
            if not names:
                continue
            hits_of: dict[int, list[Hit]] = {}
            texts = [messages[i].text for i in idx]
            for name in names:
                results = self.policy.rulesets[name].check_many(texts, on=day)
                for j, r in _censored(results):
                    # A rule recorded for some surfaces only (Rule.surfaces) fires there.
                    hits = [h for h in r.hits if h.rule.surfaces is None
                            or surface in h.rule.surfaces]
                    if hits:
                        hits_of.setdefault(idx[j], []).extend(hits)
            for i, hits in hits_of.items():
                out[i] = self._text_decision(sp, messages[i], tuple(hits))
        self._check_images(messages, times, out, memory)
        return out

    def _text_decision(
        self, sp: SurfacePolicy, message: Message, hits: tuple[Hit, ...]
    ) -> Decision:
        rule_ids = tuple(h.rule.id for h in hits)
        decisive = max(hits, key=lambda h: h.rule.action).rule
        action = sp.action if sp.action is not None else decisive.action
        # The decisive rule's own outcome (Weibo's "data error"), when it is a path of
        # the action taken.
        outcome = decisive.outcome if (
            decisive.outcome is not None and decisive.outcome.action is action) else None
        return self._decide(sp, message, action, Reason.KEYWORD, rule_ids, (), hits,
                            outcome)

    def _decide(
        self,
        sp: SurfacePolicy,
        message: Message,
        action: Action,
        reason: Reason,
        rule_ids: tuple[str, ...],
        image_ids: tuple[str, ...],
        hits: tuple[Hit, ...] = (),
        outcome: Outcome | None = None,
    ) -> Decision:
        if sp.scope is Scope.SENDER and message.region not in sp.regions:
            if sp.mask_received and hits:
                # LINE: a China-number client masks the listed words it receives.
                return Decision(
                    Action.HIDE, sp.surface, reason, rule_ids, image_ids,
                    hidden_from=sp.regions, hits=hits, outcome=Outcome.MASKED,
                    delivered_text=_masked(message.text, hits),
                )
            return Decision(
                Action.DELIVER, sp.surface, Reason.OUT_OF_SCOPE, rule_ids, image_ids, hits=hits
            )
        hidden: frozenset[Region] = frozenset()
        if sp.scope is Scope.VIEWER:
            hidden = sp.regions
            # A viewer-scope surface hides; with a DELETE_LATER override it hides after
            # the policy's deletion delay (WeChat Moments, "(Can't) Picture This" 2018).
            later = sp.action is Action.DELETE_LATER and action > Action.HIDE
            action = Action.DELETE_LATER if later else min(action, Action.HIDE)
        if outcome is None or outcome.action is not action:
            outcome = Outcome.of(action)
            if action is Action.HIDE and not hidden:
                # Hidden from no region in particular: from everyone but its author
                # (Weibo's camouflaged posts).
                outcome = Outcome.AUTHOR_ONLY
        error = sp.error_for(outcome) if action in (Action.REFUSE, Action.BLOCK) else None
        return Decision(action, sp.surface, reason, rule_ids, image_ids, error, hidden,
                        hits=hits, outcome=outcome)

    def settle(
        self, decisions: Sequence[Decision], keys: Sequence[int | str], *, seed: int | str
    ) -> list[Decision]:
        """``decisions`` with the deletion share applied (:attr:`Policy.deletion_share`).

        Each ``DELETE_LATER`` decision is deleted when the draw of its message,
        :func:`deletion_draw` ``(seed, key)``, falls below the share of the rules that
        fired; otherwise review keeps the post: ``FLAG`` with :attr:`Outcome.KEPT` (its
        rules and reason stay). The draw depends only on ``seed`` and the message's key
        (a simulation uses the message id), so a run and its resumption agree. Pure.

        Raises:
            ParameterError: ``keys`` is of another length than ``decisions``.

        Example:
            >>> from dataclasses import replace
            >>> from censorsim.platforms import weibo
            >>> censor = Censor(replace(weibo(), deletion_share=0.0))
            >>> d = censor.check(Message("方滨兴", Surface.POST), at=datetime(2017, 7, 1))
            >>> censor.settle([d], [0], seed=1)[0].outcome.value
            'kept'
        """
        if len(keys) != len(decisions):
            raise ParameterError(f"keys: {len(decisions)} decisions but {len(keys)} keys")
        policy = self.policy
        if policy.deletion_share >= 1.0 and not policy.deletion_shares:
            return list(decisions)
        out = list(decisions)
        for i, d in enumerate(decisions):
            if d.action is not Action.DELETE_LATER:
                continue
            if deletion_draw(seed, keys[i]) >= policy.deletion_share_of(d.rule_ids):
                out[i] = replace(d, action=Action.FLAG, outcome=Outcome.KEPT, error=None,
                                 hidden_from=frozenset())
        return out

    def _check_images(
        self,
        messages: Sequence[Message],
        times: Sequence[datetime],
        out: list[Decision],
        memory: ImageMemory | None,
    ) -> None:
        todo = [
            i
            for i, m in enumerate(messages)
            if m.attachment is not None and self._surfaces[m.surface].images is not ImageCheck.OFF
        ]
        if not todo:
            return
        images = self.policy.images
        delay = self.policy.analysis_delay
        pending: dict[str, datetime] = {}  # learned earlier in this batch
        analyse = [
            i for i in todo if self._surfaces[messages[i].surface].images is not ImageCheck.MD5
        ]
        visual: dict[int, tuple[str, ...]] = {}
        with_hash = [i for i in analyse if messages[i].attachment.perceptual is not None]  # type: ignore[union-attr]
        if images.visual is not None:  # the visual matcher's verdicts, by MD5
            for i in analyse:
                visual[i] = images.visual.get(messages[i].attachment.md5.lower(), ())  # type: ignore[union-attr]
        elif with_hash:
            for i, ids in zip(
                with_hash,
                images.match_many(
                    [messages[i].attachment.perceptual for i in with_hash],  # type: ignore[union-attr]
                    times[with_hash[0]].date(),
                ),
                strict=True,
            ):
                visual[i] = ids
        # The text in images: the policy's OCR list when it has one ("(Can't) Picture
        # This", 2018: a list of its own), else the surface's rule sets.
        ocr: dict[int, tuple[Hit, ...]] = {}
        for i in analyse:
            att = messages[i].attachment
            assert att is not None
            if att.text:
                names = images.ocr or self._surfaces[messages[i].surface].rulesets
                hits: list[Hit] = []
                for name in names:
                    ruleset = self.policy.rulesets.get(name)
                    if ruleset is None:
                        raise PolicyError(f"policy {self.policy.name!r}: images.ocr names "
                                          f"unknown rule set {name!r}")
                    hits.extend(ruleset.check(att.text, on=times[i].date()).hits)
                if hits:
                    ocr[i] = tuple(hits)
        for i in todo:
            m = messages[i]
            att = m.attachment
            assert att is not None
            sp = self._surfaces[m.surface]
            known = att.md5 in images.md5 or (
                memory is not None and memory.knows(att.md5, times[i])
            )
            if not known and att.md5 in pending:
                known = pending[att.md5] <= times[i]
            current = out[i]
            if known:
                decision = self._decide(sp, m, Action.DROP if sp.action is None else sp.action,
                                        Reason.IMAGE_MD5, current.rule_ids, (f"md5:{att.md5}",))
            elif sp.images is ImageCheck.MD5 or not (visual.get(i) or i in ocr):
                continue
            else:
                reason = Reason.IMAGE_VISUAL if visual.get(i) else Reason.IMAGE_OCR
                ids = visual.get(i, ())
                ocr_hits = ocr.get(i, ())
                learn_at = times[i] + delay
                learners = sp.regions if sp.learn_from is None else sp.learn_from
                applies = sp.scope is Scope.VIEWER or m.region in learners
                if sp.images is ImageCheck.VISUAL:
                    action = Action.DROP if sp.action is None else sp.action
                    if ocr_hits and not ids and sp.action is None:
                        action = max(h.rule.action for h in ocr_hits)
                    decision = self._decide(sp, m, action, reason,
                                            current.rule_ids + tuple(h.rule.id for h in ocr_hits),
                                            ids, current.hits)
                else:  # LEARN: delivered this time, learned for next time
                    decision = current
                if applies:
                    pending.setdefault(att.md5, learn_at)
                    decision = Decision(
                        decision.action, decision.surface,
                        decision.reason if decision.censored else reason,
                        decision.rule_ids, decision.image_ids or ids, decision.error,
                        decision.hidden_from, att.md5, decision.hits,
                    )
            if decision.action >= current.action or current.action is Action.DELIVER:
                out[i] = decision


def deletion_draw(seed: int | str, key: int | str) -> float:
    """A uniform number in [0, 1) fixed by ``seed`` and a message's ``key`` (BLAKE2b).

    Example:
        >>> deletion_draw(1, 7) == deletion_draw(1, 7) != deletion_draw(2, 7)
        True
    """
    digest = hashlib.blake2b(f"{seed}\x1f{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def _masked(text: str, hits: Sequence[Hit], mask: str = "*") -> str:
    """``text`` with every span of ``hits`` replaced by ``mask``, one per code point."""
    out = list(text)
    for h in hits:
        for s, e in h.spans:
            out[s:e] = mask * (e - s)
    return "".join(out)


def _censored(results: Any) -> list[tuple[int, ScanResult]]:
    """``(position, result)`` of the results of ``RuleSet.check_many`` where a rule fired.

    Every hit counts here, ``deliver`` and ``flag`` rules' too (they make ``FLAG`` and
    ``KEYWORD``/``OUT_OF_SCOPE`` decisions): ``fired_indices`` when the results have it,
    else a scan (``censored_indices`` follows ``Action.censors`` and would miss them).
    """
    indices = getattr(results, "fired_indices", None)
    if indices is None:
        return [(j, r) for j, r in enumerate(results) if r.hits]
    if callable(indices):
        indices = indices()
    return [(j, results[j]) for j in indices]
