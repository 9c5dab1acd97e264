"""The legal layer of a run: requests drawn batch by batch, answered, and logged.

Log tables (added in log schema version 4; written in the same transaction as the batch's messages,
so a killed run leaves no request without its batch)::

    legal_requests(request_id, batch, t, platform, basis, kind, target_kind, target,
                   message_id, user_id, deadline, scheduled, response, policy, complied,
                   done_after, late, removed, accounts, data_provided, already_censored,
                   fine_hkd, prison_months)

``t`` is seconds since the run's start; ``message_id``/``user_id`` are set when a request
to the host platform names one of the run's messages or accounts; ``done_after`` is
seconds from the request to the platform's action (NULL when it did not act);
``removed`` is 1 when content was removed or restricted because of the request;
``already_censored`` is 1 when the message it named had already been censored by the
automated filter; ``fine_hkd``/``prison_months`` are the maximum penalty the provider is
liable to for not complying in time.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from censorsim.errors import SimulationError
from censorsim.legal import (
    LEGAL_BASES,
    Request,
    RequestKind,
    Scenario,
    TargetKind,
    draw_requests,
    respond,
)
from censorsim.models import Decision

__all__ = ["LEGAL_COLUMNS", "LEGAL_SCHEMA", "check_requests_in_run"]

LEGAL_COLUMNS: tuple[str, ...] = (
    "request_id", "batch", "t", "platform", "basis", "kind", "target_kind", "target",
    "message_id", "user_id", "deadline", "scheduled", "response", "policy", "complied",
    "done_after", "late", "removed", "accounts", "data_provided", "already_censored",
    "fine_hkd", "prison_months",
)
"""Columns of ``legal_requests``, in order."""

LEGAL_SCHEMA = """
CREATE TABLE legal_requests (
    request_id INTEGER PRIMARY KEY,
    batch INTEGER NOT NULL,
    t REAL NOT NULL,
    platform TEXT NOT NULL,
    basis TEXT NOT NULL,
    kind TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target TEXT NOT NULL,
    message_id INTEGER,
    user_id INTEGER,
    deadline REAL NOT NULL,
    scheduled INTEGER NOT NULL,
    response TEXT NOT NULL,
    policy TEXT NOT NULL,
    complied INTEGER NOT NULL,
    done_after REAL,
    late INTEGER NOT NULL,
    removed INTEGER NOT NULL,
    accounts INTEGER NOT NULL,
    data_provided INTEGER NOT NULL,
    already_censored INTEGER NOT NULL,
    fine_hkd INTEGER NOT NULL,
    prison_months INTEGER NOT NULL);
"""

_CONTENT = (RequestKind.REMOVE_CONTENT, RequestKind.RESTRICT_ACCESS)
_PROBES = 300
"""Messages of a batch looked at to find a request's target (bounds the cost)."""


class _LegalRun:
    """Draws, answers and formats one batch's requests (deterministic per batch).

    Args:
        scenario: the legal scenario.
        seed: the run's seed.
        start: the run's start.
        region_of: the region value of a user id.
        kind_of: the ground-truth kind (``benign``/``sensitive``) of a content id.
    """

    def __init__(self, scenario: Scenario, seed: int, start: datetime,
                 region_of: Callable[[int], str], kind_of: Callable[[int], str]) -> None:
        self.scenario = scenario
        self.seed = seed
        self.start = start.replace(tzinfo=None)
        self.region_of = region_of
        self.kind_of = kind_of
        self.scheduled = sorted(
            (((r.at - self.start).total_seconds(), r) for r in scenario.requests),
            key=lambda tr: (tr[0], tr[1].platform),
        )

    def requests(self, batch: int, lo: float, hi: float) -> list[tuple[float, Request, bool]]:
        """The requests made in ``[lo, hi)`` seconds: scheduled ones, then the random stream."""
        import numpy as np

        rng = np.random.default_rng([self.seed, 3, batch])
        out = [(t, r, True) for t, r in self.scheduled if lo <= t < hi]
        out += [(t, r, False) for t, r in draw_requests(self.scenario, self.start, lo, hi, rng)]
        out.sort(key=lambda x: (x[0], x[1].platform, not x[2]))
        return out

    def rows(self, batch: int, lo: float, hi: float, first: int, seconds: Sequence[float],
             users: Sequence[int], contents: Sequence[int], decisions: Sequence[Decision],
             next_id: int) -> list[tuple[Any, ...]]:
        """The ``legal_requests`` rows of one batch, ids from ``next_id``."""
        import numpy as np

        requests = self.requests(batch, lo, hi)
        if not requests:
            return []
        answer_rng = random.Random(f"{self.seed}:legal:{batch}")
        pick_rng = np.random.default_rng([self.seed, 4, batch])
        host = self.scenario.host
        rows: list[tuple[Any, ...]] = []
        for k, (t, req, scheduled) in enumerate(requests):
            rid = next_id + k
            basis = LEGAL_BASES[req.basis]
            policy = self.scenario.policy_for(req.platform, req.at, req.kind)
            out = respond(req, policy, basis, answer_rng, self.scenario.params,
                          self.scenario.default_response)
            message_id: int | None = None
            user_id: int | None = None
            already = False
            if req.platform == host and req.target is not TargetKind.URL and len(decisions):
                i = self._pick(t, seconds, users, contents, pick_rng)
                user_id = int(users[i])
                if req.target is TargetKind.MESSAGE:
                    message_id = first + i
                    already = decisions[i].censored
                    target = f"message:{message_id}"
                else:
                    target = f"user:{user_id}"
            elif req.target is TargetKind.URL:
                target = f"url:{req.platform}/{rid}"
            else:
                target = f"{req.target.value}:{req.platform}/{rid}"
            content = req.kind in _CONTENT
            removed = out.complied and content and req.target is not TargetKind.ACCOUNT \
                and not already
            accounts = out.complied and (req.target is TargetKind.ACCOUNT)
            policy_text = "" if policy is None else policy.announced
            rows.append((
                rid, batch, round(t, 3), req.platform, req.basis, req.kind.value,
                req.target.value, target, message_id, user_id,
                req.deadline.total_seconds(), int(scheduled), out.response.value,
                policy_text, int(out.complied), out.done_after, int(out.late), int(removed),
                int(accounts), int(out.complied and req.kind is RequestKind.PROVIDE_USER_DATA),
                int(already), out.fine_hkd, out.prison_months,
            ))
        return rows

    def _pick(self, t: float, seconds: Sequence[float], users: Sequence[int],
              contents: Sequence[int], rng: Any) -> int:
        """A message of the batch for a request at ``t``: sent before it if any, preferably
        sensitive and from a Hong Kong account (the model's stand-in for what the police
        would target: an assumption). At most :data:`_PROBES` messages are looked at."""
        import bisect

        n = bisect.bisect_right(seconds, t) or len(seconds)
        probes = rng.integers(0, n, size=min(_PROBES, n)).tolist()
        fallback: int | None = None
        for i in probes:
            if self.kind_of(int(contents[i])) != "sensitive":
                continue
            if self.region_of(int(users[i])) == "hong_kong":
                return int(i)
            if fallback is None:
                fallback = int(i)
        return fallback if fallback is not None else int(probes[0])


def check_requests_in_run(scenario: Scenario, start: datetime, duration: timedelta) -> None:
    """Raise unless every scheduled request falls inside the run."""
    lo = start.replace(tzinfo=None)
    hi = lo + duration
    for i, r in enumerate(scenario.requests):
        if not lo <= r.at < hi:
            raise SimulationError(f"legal request {i}: at {r.at} is outside the run "
                                  f"({lo} to {hi})")
