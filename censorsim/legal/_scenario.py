"""Legal scenarios: platforms, their compliance policies and scheduled requests; the Hong
Kong 2020 scenario; the ``[legal]`` section of a simulation config."""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from censorsim.errors import CensorsimError, SimulationError
from censorsim.legal._facts import (
    ART43_ASSISTANCE,
    ART43_REMOVAL,
    LEGAL_BASES,
    NSL_IN_FORCE,
    ORDINARY_LAW,
    RULES_IN_FORCE,
    LegalBasis,
    RequestKind,
    TargetKind,
)
from censorsim.legal._model import (
    CompliancePolicy,
    LegalPlatform,
    Request,
    Response,
    ResponseParameters,
    check_policies,
)

__all__ = ["SCENARIOS", "Scenario", "hong_kong_2020", "scenario_from_toml"]

_KIND_SHARES: tuple[tuple[RequestKind, float], ...] = (
    (RequestKind.REMOVE_CONTENT, 0.5),
    (RequestKind.RESTRICT_ACCESS, 0.2),
    (RequestKind.PROVIDE_USER_DATA, 0.3),
)


@dataclass(frozen=True, slots=True)
class Scenario:
    """Platforms, their compliance policies and requests: the legal side of a run.

    Attributes:
        name: a label.
        platforms: the service providers requests are addressed to.
        policies: each platform's compliance policies (no two of one platform overlap).
        requests: requests scheduled at fixed times, besides the random stream.
        host: the scenario platform the simulated platform is: its requests name the
            run's own messages and accounts (None: the run's messages are not targeted).
        kind_shares: the mix of request kinds in the random stream (assumption).
        deadline: the deadline of a random request (assumption: the rules' text read
            gives none in hours).
        params: response delays and review outcomes (assumptions).
        default_response: the response of a platform no policy covers.
        random_requests: draw the seeded random stream (False: only ``requests``).

    Raises:
        SimulationError: duplicate platforms, a policy or request naming an unknown
            platform or basis, a basis that does not provide for a request, or
            overlapping policies.
    """

    name: str
    platforms: tuple[LegalPlatform, ...]
    policies: tuple[CompliancePolicy, ...] = ()
    requests: tuple[Request, ...] = ()
    host: str | None = None
    kind_shares: tuple[tuple[RequestKind, float], ...] = _KIND_SHARES
    deadline: timedelta = timedelta(hours=24)
    params: ResponseParameters = field(default_factory=ResponseParameters)
    default_response: Response = Response.COMPLY_AFTER_REVIEW
    random_requests: bool = True

    def __post_init__(self) -> None:
        names = [p.name for p in self.platforms]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise SimulationError(f"legal scenario {self.name!r}: platform(s) listed twice: "
                                  f"{', '.join(dup)}")
        known = set(names)
        for i, p in enumerate(self.policies):
            if p.platform not in known:
                raise SimulationError(_unknown("policy", i, p.platform, names))
        for i, r in enumerate(self.requests):
            if r.platform not in known:
                raise SimulationError(_unknown("request", i, r.platform, names))
            _check_basis(r, f"request {i}")
        if self.host is not None and self.host not in known:
            raise SimulationError(_unknown("host", 0, self.host, names))
        check_policies(self.policies)
        if not self.kind_shares or sum(w for _, w in self.kind_shares) <= 0:
            raise SimulationError(f"legal scenario {self.name!r}: kind_shares need a "
                                  "positive share")

    def platform(self, name: str) -> LegalPlatform:
        """The platform called ``name``."""
        for p in self.platforms:
            if p.name == name:
                return p
        raise SimulationError(_unknown("platform", 0, name, [p.name for p in self.platforms]))

    def policy_for(self, platform: str, at: datetime, kind: RequestKind) -> CompliancePolicy | None:
        """The policy of ``platform`` that answers a request of ``kind`` at ``at``, if any."""
        for p in self.policies:
            if p.platform == platform and p.covers(at, kind):
                return p
        return None

    def has_left(self, platform: str, at: datetime) -> bool:
        """Whether ``platform`` has left the market at ``at`` (an ``exit_market`` policy)."""
        return any(p.platform == platform and p.response is Response.EXIT_MARKET
                   and p.covers(at, kind) for p in self.policies for kind in p.kinds)

    @staticmethod
    def basis_for(at: datetime, kind: RequestKind) -> LegalBasis:
        """The basis a request of ``kind`` at ``at`` rests on: Schedule 4 of the Article 43
        rules once they are in force, ordinary law before."""
        for b in (ART43_REMOVAL, ART43_ASSISTANCE):
            if b.applies(at, kind):
                return b
        return ORDINARY_LAW


def _unknown(what: str, i: int, name: str, known: list[str]) -> str:
    return (f"{what} {i}: unknown platform {name!r}; the scenario's platforms: "
            f"{', '.join(known) or '(none)'}")


def _check_basis(r: Request, where: str) -> None:
    basis = LEGAL_BASES.get(r.basis)
    if basis is None:
        raise SimulationError(f"{where}: unknown legal basis {r.basis!r}; expected one of: "
                              f"{', '.join(LEGAL_BASES)}")
    if not basis.applies(r.at, r.kind):
        raise SimulationError(
            f"{where}: basis {r.basis!r} does not provide for a {r.kind.value} request on "
            f"{r.at} (in force from {basis.in_force}; kinds: "
            f"{', '.join(sorted(k.value for k in basis.kinds)) or 'none for platforms'})"
        )


_DATA = frozenset({RequestKind.PROVIDE_USER_DATA})
_CONTENT = frozenset({RequestKind.REMOVE_CONTENT, RequestKind.RESTRICT_ACCESS})


def hong_kong_2020() -> Scenario:
    """Hong Kong, late June to July 2020: the companies' answers to the national security law.

    Policies (each cited; :data:`censorsim.legal.SOURCES`):

    - Google paused producing data for new Hong Kong requests when the law took effect
      (2020-06-30 23:00) and kept reviewing removal requests (The Verge, Reuters,
      2020-07-06).
    - Twitter paused all data and information requests from 2020-07-01 (The Verge, AP).
    - Facebook and WhatsApp paused reviewing data requests, announced 2020-07-06 (Reuters,
      AP); Facebook's earlier practice was to restrict content under local law (394 items
      in the second half of 2019, Reuters).
    - Telegram: "has never shared any data with the Hong Kong authorities" and will not
      process data requests (AP, 2020-07-06): refuse, then pause.
    - Microsoft and Zoom paused on 2020-07-07 (SCMP/AFP; IANS).
    - Signal is listed among the pausing apps by one report (Business Today, 2020-07-08):
      weakly sourced, marked as an assumption.
    - TikTok announced on 2020-07-06 (late Monday, US time) that it would stop operating in
      Hong Kong "within days" (Reuters): exit from 2020-07-07 (the effective day is an
      assumption).
    - WeChat (Tencent), the simulated host: complies. Tencent told The Verge (2019-11-25)
      that it complies with local laws where it operates; that it complied with Article
      43 requests is an assumption.

    Request rates under ordinary law are anchored where a figure was published (Google:
    105 data requests in 2019, LA Times; Facebook: 394 restrictions in the second half
    of 2019, Reuters; Microsoft: requests on 81 accounts in the second half of 2019,
    IANS); the rest, and the threefold rise under the rules, are assumptions.

    Example:
        >>> s = hong_kong_2020()
        >>> s.policy_for("google", datetime(2020, 7, 2), RequestKind.PROVIDE_USER_DATA).response
        <Response.PAUSE: 'pause'>
        >>> s.policy_for("google", datetime(2020, 6, 29), RequestKind.PROVIDE_USER_DATA) is None
        True
    """
    P = LegalPlatform
    platforms = (
        P("wechat", "Tencent", 0.3, 1.5),
        P("google", "Google", 105 / 365, 3 * 105 / 365, ("latimes-2020-07-06",)),
        P("facebook", "Facebook", 394 / 184, 3 * 394 / 184, ("reuters-2020-07-06",)),
        P("whatsapp", "Facebook (WhatsApp)", 0.1, 0.3),
        P("twitter", "Twitter", 0.2, 0.6),
        P("telegram", "Telegram", 0.1, 0.3),
        P("signal", "Signal", 0.02, 0.06),
        P("zoom", "Zoom", 0.05, 0.15),
        P("microsoft", "Microsoft", 81 / 184, 3 * 81 / 184, ("ians-2020-07-08",)),
        P("tiktok", "ByteDance (TikTok)", 0.1, 0.3),
    )
    C = CompliancePolicy
    law = NSL_IN_FORCE
    jul6, jul7 = datetime(2020, 7, 6), datetime(2020, 7, 7)
    policies = (
        C("google", Response.PAUSE, law, None, _DATA,
          "Google: 'when the law took effect, we paused production on any new data requests "
          "from Hong Kong authorities' (to The Verge, 2020-07-06)",
          ("verge-2020-07-06", "latimes-2020-07-06")),
        C("google", Response.COMPLY_AFTER_REVIEW, datetime(1997, 7, 1), None, _CONTENT,
          "Google will continue reviewing Hong Kong requests to remove user content "
          "(Reuters, 2020-07-06)", ("reuters-2020-07-06",)),
        C("twitter", Response.PAUSE, datetime(2020, 7, 1), None, _DATA,
          "Twitter paused all data and information requests from Hong Kong authorities "
          "as of 2020-07-01, citing 'grave concerns' (The Verge; AP, 2020-07-06)",
          ("verge-2020-07-06", "ap-2020-07-06")),
        C("facebook", Response.PAUSE, jul6, None, _DATA,
          "Facebook pauses reviewing government data requests for all its services 'pending "
          "further assessment of the National Security Law' (Reuters, 2020-07-06)",
          ("reuters-2020-07-06", "latimes-2020-07-06")),
        C("facebook", Response.COMPLY_AFTER_REVIEW, datetime(1997, 7, 1), None, _CONTENT,
          "Facebook restricts content that violates local law after review (394 items in "
          "Hong Kong, second half of 2019, Reuters)", ("reuters-2020-07-06",)),
        C("whatsapp", Response.PAUSE, jul6, None, _DATA,
          "WhatsApp freezes review of Hong Kong user-data requests (AP, 2020-07-06)",
          ("ap-2020-07-06",)),
        C("telegram", Response.REFUSE, datetime(1997, 7, 1), jul6, _DATA,
          "Telegram 'has never shared any data with the Hong Kong authorities in the past' "
          "(AP, 2020-07-06)", ("ap-2020-07-06",)),
        C("telegram", Response.PAUSE, jul6, None, _DATA,
          "Telegram will not process data requests on Hong Kong users 'until an "
          "international consensus is reached' (AP, 2020-07-06)", ("ap-2020-07-06",)),
        C("microsoft", Response.PAUSE, jul7, None, _DATA,
          "Microsoft is 'pausing our responses to these requests as we conduct our review' "
          "(SCMP/AFP, 2020-07-07)", ("scmp-2020-07-07", "ians-2020-07-08")),
        C("zoom", Response.PAUSE, jul7, None, _DATA,
          "Zoom 'paused processing any data requests from, and related to, Hong Kong' "
          "(IANS, 2020-07-08; City A.M., 2020-07-07)", ("ians-2020-07-08", "cityam-2020-07-07")),
        C("signal", Response.PAUSE, jul7, None, _DATA,
          "Listed among apps not complying with data requests by Business Today "
          "(2020-07-08) only: an assumption", ("businesstoday-2020-07-08",), True),
        C("tiktok", Response.EXIT_MARKET, jul7, None, frozenset(RequestKind),
          "TikTok: 'we've decided to stop operations of the TikTok app in Hong Kong', "
          "within days (Reuters, 2020-07-06 late, US time); the effective day is an "
          "assumption", ("reuters-tiktok-2020-07-06",)),
        C("wechat", Response.COMPLY, datetime(1997, 7, 1), None, frozenset(RequestKind),
          "Tencent: 'we comply with local laws and regulations in the markets where we "
          "operate' (The Verge, 2019-11-25); compliance with Article 43 requests is an "
          "assumption", ("verge-2019-11-25",), True),
    )
    assert RULES_IN_FORCE > NSL_IN_FORCE
    return Scenario("hk-2020", platforms, policies, host="wechat")


SCENARIOS: dict[str, Callable[[], Scenario]] = {"hk-2020": hong_kong_2020}
"""Built-in scenarios by name (``[legal] scenario = "hk-2020"``)."""


# ----------------------------------------------------------------- the config section

_LEGAL_KEYS = {"scenario", "host", "deadline_hours", "random_requests", "kind_shares",
               "review_complies", "default_response", "platforms", "policies", "requests"}
_PLATFORM_KEYS = {"name", "company", "requests_per_day", "art43_requests_per_day", "sources"}
_POLICY_KEYS = {"platform", "response", "start", "end", "kinds", "announced", "sources",
                "assumption"}
_REQUEST_KEYS = {"at", "platform", "kind", "target", "basis", "deadline_hours"}
MAX_ENTRIES = 10_000
"""The most platforms, policies or scheduled requests one config may list."""


class _Lines:
    """Finds the line of a ``[legal]`` entry or key in the config's text (for messages)."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self._heads: dict[str, list[int]] = {}

    def _find(self, pattern: str, start: int = 0) -> int | None:
        rx = re.compile(pattern)
        for k in range(start, len(self.lines)):
            if rx.match(self.lines[k]):
                return k
        return None

    def section(self) -> int:
        k = self._find(r"\s*\[\s*legal\s*\]")
        return 1 if k is None else k + 1

    def entry(self, table: str, i: int, key: str | None = None) -> int:
        """The line of entry ``i`` of ``[[legal.<table>]]`` (or of its ``key``)."""
        heads = self._heads.get(table)
        if heads is None:  # found once per table: one pass over the text
            rx = re.compile(rf"\s*\[\[\s*legal\s*\.\s*{table}\s*\]\]")
            heads = self._heads[table] = [k for k, line in enumerate(self.lines)
                                          if rx.match(line)]
        if i < len(heads):
            head = heads[i]
            if key is not None:
                end = self._find(r"\s*\[", head + 1)
                k = self._find(rf"\s*{re.escape(key)}\s*=", head + 1)
                if k is not None and (end is None or k < end):
                    return k + 1
            return head + 1
        k = self._find(rf"\s*{table}\s*=")
        return self.section() if k is None else k + 1

    def key(self, key: str) -> int:
        start = self.section() - 1
        k = self._find(rf"\s*{re.escape(key)}\s*=", start)
        return self.section() if k is None else k + 1

    def at(self, line: int) -> str:
        return f"{self.path}:{line}"


def _when(value: Any, what: str) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).replace(tzinfo=None)
        except ValueError:
            pass
    raise SimulationError(f"{what} must be a date or date-time, got {value!r}")


def _number(value: Any, what: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise SimulationError(f"{what} must be a number, got {value!r}")
    x = float(value)
    if not (math.isfinite(x) and lo <= x <= hi):
        raise SimulationError(f"{what} must be a finite number from {lo:g} to {hi:g}, got "
                              f"{value!r}")
    return x


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SimulationError(f"{what} must be a non-empty string, got {value!r}")
    return value.strip()


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise SimulationError(f"{what} must be a list of strings, got {value!r}")
    return tuple(_string(v, what) for v in value)


def _enum(cls: Any, value: Any, what: str) -> Any:
    try:
        return cls(_string(value, what).lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        raise SimulationError(f"{what}: unknown value {value!r}; expected one of: "
                              f"{', '.join(m.value for m in cls)}") from None


def _entries(legal: Mapping[str, Any], name: str, keys: set[str], lines: _Lines
             ) -> list[tuple[int, dict[str, Any]]]:
    value = legal.get(name, [])
    if not isinstance(value, list):
        raise SimulationError(f"{lines.at(lines.key(name))}: [legal] {name} must be an array "
                              f"of tables ([[legal.{name}]])")
    if len(value) > MAX_ENTRIES:
        raise SimulationError(f"{lines.at(lines.key(name))}: more than {MAX_ENTRIES} "
                              f"[[legal.{name}]] entries")
    out = []
    for i, entry in enumerate(value):
        line = lines.entry(name, i)
        if not isinstance(entry, dict):
            raise SimulationError(f"{lines.at(line)}: [[legal.{name}]] entry {i + 1} must be "
                                  f"a table, got {entry!r}")
        extra = sorted(set(entry) - keys)
        if extra:
            raise SimulationError(
                f"{lines.at(lines.entry(name, i, extra[0]))}: [[legal.{name}]] unknown "
                f"key(s) {', '.join(extra)}; expected: {', '.join(sorted(keys))}")
        out.append((i, entry))
    return out


def scenario_from_toml(
    legal: Any, *, path: str, text: str, run: tuple[datetime, datetime], host: str | None = None
) -> Scenario:
    """The scenario a config's ``[legal]`` table describes (format: ``docs/legal.md``).

    Args:
        legal: the parsed ``[legal]`` table.
        path: the config file (for messages).
        text: the config's text (to find the line of a bad entry).
        run: the run's ``[start, end)``: scheduled requests must fall inside it.
        host: the default host (the run's profile name), used when the scenario has a
            platform of that name and ``host`` is not given.

    Raises:
        SimulationError: ``FILE:LINE: problem`` for a malformed entry, an unknown
            platform, a request outside the run, or overlapping policies.
    """
    lines = _Lines(path, text)
    if not isinstance(legal, dict):
        raise SimulationError(f"{lines.at(lines.section())}: [legal] must be a table")
    extra = sorted(set(legal) - _LEGAL_KEYS)
    if extra:
        raise SimulationError(f"{lines.at(lines.key(extra[0]))}: [legal] unknown key(s) "
                              f"{', '.join(extra)}; expected: {', '.join(sorted(_LEGAL_KEYS))}")

    def fail(line: int, exc: CensorsimError | str) -> SimulationError:
        return SimulationError(f"{lines.at(line)}: {exc}")

    base: Scenario | None = None
    if "scenario" in legal:
        name = legal["scenario"]
        if not isinstance(name, str) or name not in SCENARIOS:
            raise fail(lines.key("scenario"), f"[legal] scenario: unknown scenario {name!r}; "
                       f"expected one of: {', '.join(SCENARIOS)}")
        base = SCENARIOS[name]()
    platforms: list[LegalPlatform] = list(base.platforms) if base else []
    policies: list[CompliancePolicy] = list(base.policies) if base else []
    where: list[str] = [f"scenario {base.name} (built in)" for _ in policies] if base else []
    for i, e in _entries(legal, "platforms", _PLATFORM_KEYS, lines):
        line = lines.entry("platforms", i)
        try:
            name = _string(e.get("name"), "name")
            if any(p.name == name for p in platforms):
                raise SimulationError(f"platform {name!r} is already in the scenario")
            platforms.append(LegalPlatform(
                name, _string(e.get("company", name), "company"),
                _number(e.get("requests_per_day", 0.2), "requests_per_day", 0, 10_000),
                _number(e.get("art43_requests_per_day", 0.6), "art43_requests_per_day", 0,
                        10_000),
                _strings(e.get("sources", []), "sources"),
            ))
        except SimulationError as exc:
            raise fail(line, f"[[legal.platforms]] {exc}") from None
    names = [p.name for p in platforms]
    for i, e in _entries(legal, "policies", _POLICY_KEYS, lines):
        line = lines.entry("policies", i)
        try:
            platform = _string(e.get("platform"), "platform")
            if platform not in names:
                raise SimulationError(_unknown("policy", i + 1, platform, names))
            kinds = (frozenset(_enum(RequestKind, k, "kinds") for k in
                               _strings(e["kinds"], "kinds")) if "kinds" in e
                     else frozenset(RequestKind))
            assumption = e.get("assumption", False)
            if not isinstance(assumption, bool):
                raise SimulationError(f"assumption must be true or false, got {assumption!r}")
            policies.append(CompliancePolicy(
                platform, _enum(Response, e.get("response"), "response"),
                _when(e.get("start"), "start"),
                _when(e["end"], "end") if "end" in e else None,
                kinds, str(e.get("announced", "")), _strings(e.get("sources", []), "sources"),
                assumption,
            ))
        except SimulationError as exc:
            raise fail(line, f"[[legal.policies]] {exc}") from None
        where.append(lines.at(line))
    check_policies(policies, lambda k: where[k])
    lo, hi = run
    deadline = timedelta(hours=_key(legal, "deadline_hours", lines, 24.0, 1 / 60, 24 * 366))
    requests: list[Request] = []
    for i, e in _entries(legal, "requests", _REQUEST_KEYS, lines):
        line = lines.entry("requests", i)
        try:
            platform = _string(e.get("platform"), "platform")
            if platform not in names:
                raise SimulationError(_unknown("request", i + 1, platform, names))
            at = _when(e.get("at"), "at")
            if not lo <= at < hi:
                raise SimulationError(f"at {at} is outside the run ({lo} to {hi})")
            kind = _enum(RequestKind, e.get("kind"), "kind")
            target = _enum(TargetKind, e.get("target", "message"), "target")
            basis = (_string(e["basis"], "basis") if "basis" in e
                     else Scenario.basis_for(at, kind).id)
            hours = (_number(e["deadline_hours"], "deadline_hours", 1 / 60, 24 * 366)
                     if "deadline_hours" in e else deadline.total_seconds() / 3600)
            request = Request(at, platform, basis, kind, target, timedelta(hours=hours))
            _check_basis(request, "request")
        except SimulationError as exc:
            raise fail(lines.entry("requests", i), f"[[legal.requests]] {exc}") from None
        requests.append(request)
    try:
        shares = base.kind_shares if base else _KIND_SHARES
        if "kind_shares" in legal:
            ks = legal["kind_shares"]
            if not isinstance(ks, dict):
                raise SimulationError("kind_shares must be a table of shares")
            shares = tuple((_enum(RequestKind, k, "kind_shares"),
                            _number(v, f"kind_shares {k}", 0, 1e9)) for k, v in ks.items())
    except SimulationError as exc:
        raise fail(lines.key("kind_shares"), f"[legal] {exc}") from None
    params = base.params if base else ResponseParameters()
    if "review_complies" in legal:
        params = replace(params, review_complies=_key(legal, "review_complies", lines, 0.6,
                                                      0.0, 1.0))
    try:
        default = (_enum(Response, legal["default_response"], "default_response")
                   if "default_response" in legal else Response.COMPLY_AFTER_REVIEW)
        rnd = legal.get("random_requests", True)
        if not isinstance(rnd, bool):
            raise SimulationError(f"random_requests must be true or false, got {rnd!r}")
        host_name = legal.get("host", base.host if base else None)
        if host_name is None and host is not None and host in names:
            host_name = host
        if host_name is not None:
            host_name = _string(host_name, "host")
            if host_name not in names:
                raise SimulationError(_unknown("host", 0, host_name, names))
    except SimulationError as exc:
        raise fail(lines.section(), f"[legal] {exc}") from None
    try:
        return Scenario(
            base.name if base else "custom", tuple(platforms), tuple(policies),
            tuple(requests), host_name, shares, deadline, params, default, rnd,
        )
    except SimulationError as exc:
        raise fail(lines.section(), f"[legal] {exc}") from None


def _key(legal: Mapping[str, Any], key: str, lines: _Lines, default: float, lo: float,
         hi: float) -> float:
    if key not in legal:
        return default
    try:
        return _number(legal[key], key, lo, hi)
    except SimulationError as exc:
        raise SimulationError(f"{lines.at(lines.key(key))}: [legal] {exc}") from None

