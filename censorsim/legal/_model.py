"""Requests, platforms' compliance policies, and how a platform responds to a request.

Pure and seeded: :func:`respond` maps a request, the policy in force and a random draw to
an outcome (complied or not, when, and the penalty the provider is liable to).
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from censorsim.errors import SimulationError
from censorsim.legal._facts import LegalBasis, RequestKind, TargetKind

__all__ = [
    "CompliancePolicy",
    "LegalPlatform",
    "Request",
    "RequestOutcome",
    "Response",
    "ResponseParameters",
    "check_policies",
    "respond",
]


class Response(enum.Enum):
    """How a platform answers requests of a kind, for a period."""

    COMPLY = "comply"
    """Acts on every request before its deadline."""
    COMPLY_AFTER_REVIEW = "comply_after_review"
    """Reviews each request; acts on some of them, later."""
    PAUSE = "pause"
    """Has announced it stopped answering (pending a review of the law)."""
    REFUSE = "refuse"
    """Does not act on requests."""
    EXIT_MARKET = "exit_market"
    """Has left the market: no service there to act on."""


@dataclass(frozen=True, slots=True)
class CompliancePolicy:
    """A platform's answer to requests of some kinds from ``start`` until ``end``.

    Attributes:
        platform: the platform's name in the scenario.
        response: what it does.
        start: from when (Hong Kong time, naive).
        end: until when (exclusive), or None: to the end of the run.
        kinds: the request kinds it covers.
        announced: the announcement that started it (who said what, when).
        sources: citation URLs or keys of :data:`censorsim.legal.SOURCES`.
        assumption: True when no source states this policy (``announced`` says why).
    """

    platform: str
    response: Response
    start: datetime
    end: datetime | None = None
    kinds: frozenset[RequestKind] = frozenset(RequestKind)
    announced: str = ""
    sources: tuple[str, ...] = ()
    assumption: bool = False

    def __post_init__(self) -> None:
        if self.end is not None and self.end <= self.start:
            raise SimulationError(f"policy of {self.platform!r}: end {self.end} is not after "
                                  f"start {self.start}")
        if not self.kinds:
            raise SimulationError(f"policy of {self.platform!r}: no request kinds")

    def covers(self, at: datetime, kind: RequestKind) -> bool:
        """Whether this policy answers a request of ``kind`` made at ``at``."""
        return (kind in self.kinds and self.start <= at
                and (self.end is None or at < self.end))

    def overlaps(self, other: CompliancePolicy) -> bool:
        """Whether both are policies of one platform for a common kind and time."""
        if self.platform != other.platform or not (self.kinds & other.kinds):
            return False
        a_end = self.end or datetime.max
        b_end = other.end or datetime.max
        return self.start < b_end and other.start < a_end


def check_policies(
    policies: Sequence[CompliancePolicy], where: Callable[[int], str] = lambda i: f"policy {i}"
) -> None:
    """Raise if two policies of one platform cover a common kind at a common time.

    Args:
        policies: the policies.
        where: names the ``i``-th policy in the message (a file and line).

    Raises:
        SimulationError: the first overlapping pair, both named.
    """
    by_platform: dict[str, list[int]] = {}
    for i, p in enumerate(policies):
        by_platform.setdefault(p.platform, []).append(i)
    for idx in by_platform.values():
        for a, i in enumerate(idx):
            for j in idx[a + 1:]:
                p, q = policies[i], policies[j]
                if p.overlaps(q):
                    common = ", ".join(sorted(k.value for k in p.kinds & q.kinds))
                    raise SimulationError(
                        f"{where(j)}: policy of {q.platform!r} overlaps the one at {where(i)} "
                        f"({common}; {p.response.value} from {p.start} and "
                        f"{q.response.value} from {q.start}): one platform has one policy "
                        "per request kind at a time"
                    )


@dataclass(frozen=True, slots=True)
class LegalPlatform:
    """A platform (a service provider) in a legal scenario.

    Attributes:
        name: its name in the scenario (``google``, ``wechat``).
        company: the company.
        requests_per_day: requests it receives a day under ordinary law.
        art43_requests_per_day: requests a day once the Article 43 rules are in force.
        sources: where the rates come from (empty: assumption).
    """

    name: str
    company: str
    requests_per_day: float = 0.2
    art43_requests_per_day: float = 0.6
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Request:
    """One request from an authority to a platform.

    Attributes:
        at: when it was made.
        platform: whom it addresses.
        basis: the id of its legal basis.
        kind: what it requires.
        target: what it names.
        deadline: how long the platform has.
    """

    at: datetime
    platform: str
    basis: str
    kind: RequestKind
    target: TargetKind
    deadline: timedelta = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class ResponseParameters:
    """How fast platforms act, and how often a review ends in compliance (assumptions:
    no source gives these; ``docs/legal.md``).

    Attributes:
        comply_within: a complying platform acts after this share of the deadline,
            uniformly between the two bounds.
        review_within: a reviewing platform decides after this multiple of the deadline,
            uniformly between the two bounds.
        review_complies: the share of reviews that end in compliance.
    """

    comply_within: tuple[float, float] = (0.05, 0.9)
    review_within: tuple[float, float] = (0.5, 3.0)
    review_complies: float = 0.6


@dataclass(frozen=True, slots=True)
class RequestOutcome:
    """What a platform did with a request.

    Attributes:
        response: the policy's response (``comply_after_review`` when no policy covers it).
        complied: whether it acted (removed, restricted, or handed over data).
        done_after: seconds from the request to the action, or None.
        late: it acted after the deadline.
        fine_hkd, prison_months: the maximum penalty the provider is liable to (0 when it
            complied in time, or the basis carries no penalty).
        policy: the policy that decided, or None.
    """

    response: Response
    complied: bool
    done_after: float | None
    late: bool
    fine_hkd: int
    prison_months: int
    policy: CompliancePolicy | None = field(default=None, compare=False)


def respond(
    request: Request,
    policy: CompliancePolicy | None,
    basis: LegalBasis,
    rng: random.Random,
    params: ResponseParameters = ResponseParameters(),
    default: Response = Response.COMPLY_AFTER_REVIEW,
) -> RequestOutcome:
    """The platform's answer to ``request`` under ``policy`` (``default`` when None).

    A pause, a refusal or an exit never complies; a platform in the market that does
    not comply in time is liable to the basis's penalty (an exited platform has no
    service left to require: no penalty, an assumption).

    Example:
        >>> from censorsim.legal import ART43_REMOVAL, RequestKind, TargetKind
        >>> r = Request(datetime(2020, 7, 8), "x", ART43_REMOVAL.id,
        ...             RequestKind.REMOVE_CONTENT, TargetKind.MESSAGE)
        >>> p = CompliancePolicy("x", Response.PAUSE, datetime(2020, 7, 1))
        >>> o = respond(r, p, ART43_REMOVAL, random.Random(0))
        >>> o.complied, o.fine_hkd, o.prison_months
        (False, 100000, 6)
    """
    response = policy.response if policy is not None else default
    deadline = request.deadline.total_seconds()
    done: float | None = None
    if response is Response.COMPLY:
        lo, hi = params.comply_within
        done = deadline * rng.uniform(lo, hi)
    elif response is Response.COMPLY_AFTER_REVIEW:
        lo, hi = params.review_within
        delay = deadline * rng.uniform(lo, hi)
        if rng.random() < params.review_complies:
            done = delay
    complied = done is not None
    late = complied and done is not None and done > deadline
    liable = (basis.penalty is not None and response is not Response.EXIT_MARKET
              and (not complied or late))
    pen = basis.penalty
    return RequestOutcome(
        response, complied, None if done is None else round(done, 3), late,
        pen.fine_hkd if liable and pen is not None else 0,
        pen.imprisonment_months if liable and pen is not None else 0,
        policy,
    )
