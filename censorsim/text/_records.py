"""One rule as a record: CSV cells and JSON objects to :class:`~censorsim.models.Rule` and back.

The CSV and JSON lines formats of :mod:`censorsim.text.wordlists` hold one rule per row or
line with the fields :data:`RULE_COLUMNS`; this module converts one record. A bad field
raises :class:`~censorsim.errors.RuleError` naming it (the reader adds file and line).

Example:
    >>> rule_from_fields({"rule": "六四+学生", "mode": "ordered"}, Action.DROP).mode
    <RuleMode.ORDERED: 'ordered'>
    >>> rule_to_row(Rule.keyword("六四"))["rule"]
    '六四'
"""

from __future__ import annotations

from datetime import date

from censorsim.errors import RuleError
from censorsim.models import Action, Rule, RuleMode
from censorsim.text._syntax import (
    format_components,
    format_unless,
    parse_combination,
    parse_unless,
)

__all__ = [
    "EXTRA_COLUMNS",
    "RULE_COLUMNS",
    "rule_from_fields",
    "rule_from_json",
    "rule_to_json",
    "rule_to_row",
]

RULE_COLUMNS = (
    "id",
    "rule",
    "mode",
    "max_gap",
    "gap_allows_han",
    "whole_word",
    "unless",
    "action",
    "category",
    "source",
    "note",
    "added",
    "removed",
)
"""The CSV rule format's columns, in the order ``wordlists.dump_rules`` writes them."""

EXTRA_COLUMNS = ("surfaces", "outcome")
"""Optional columns after :data:`RULE_COLUMNS`, read when present and written only when a
rule sets them: ``surfaces`` (``;``-joined surface names; empty: every surface,
:attr:`Rule.surfaces`) and ``outcome`` (an ``Outcome`` value; empty: the action's plain
one, :attr:`Rule.outcome`)."""


def _bool(value: str, column: str) -> bool:
    v = value.strip().lower()
    if v in ("true", "yes", "1", "y"):
        return True
    if v in ("false", "no", "0", "n"):
        return False
    raise RuleError(f"column {column!r}: expected true or false, got {value!r}")


def _mode(value: str) -> RuleMode:
    try:
        return RuleMode(value.strip().lower())
    except ValueError:
        modes = ", ".join(m.value for m in RuleMode)
        raise RuleError(f"'mode': expected one of {modes}, got {value!r}") from None


def _int(value: str, column: str) -> int:
    text = value.strip()
    if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 18:
        raise RuleError(f"column {column!r}: expected an integer, got {value!r}")
    return int(text)


def _iso_date(value: str, column: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise RuleError(f"column {column!r}: expected a YYYY-MM-DD date, got {value!r}") from None


def rule_from_fields(fields: dict[str, str], default_action: Action) -> Rule:
    """Build a rule from CSV cells (column name -> text)."""
    get = {k: v for k, v in fields.items() if v.strip()}
    spec = get.get("rule")
    if spec is None:
        raise RuleError("column 'rule' is empty")
    mode = _mode(get.get("mode", "all"))
    comps = parse_combination(spec, alternatives=True)
    max_gap = _int(get["max_gap"], "max_gap") if "max_gap" in get else None
    return Rule(
        id=get["id"].strip() if "id" in get else format_components(comps),
        components=comps,
        mode=mode,
        max_gap=max_gap,
        gap_allows_han=_bool(get["gap_allows_han"], "gap_allows_han")
        if "gap_allows_han" in get
        else True,
        whole_word=_bool(get["whole_word"], "whole_word") if "whole_word" in get else False,
        unless=parse_unless(get.get("unless", "")),
        action=Action.parse(get["action"]) if "action" in get else default_action,
        category=get.get("category"),
        source=get.get("source"),
        note=get.get("note"),
        added=_iso_date(get["added"], "added") if "added" in get else None,
        removed=_iso_date(get["removed"], "removed") if "removed" in get else None,
        surfaces=[x for x in get["surfaces"].split(";") if x.strip()]  # type: ignore[arg-type]
        if "surfaces" in get else None,
        outcome=get["outcome"].strip() if "outcome" in get else None,  # type: ignore[arg-type]
    )


_JSON_KEYS = frozenset(RULE_COLUMNS + EXTRA_COLUMNS) - {"rule"} | {"components"}


def _str_tuples(value: object, key: str) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list) or not all(
        isinstance(c, list) and all(isinstance(k, str) for k in c) for c in value
    ):
        raise RuleError(f"{key!r} must be a list of lists of strings")
    return tuple(tuple(c) for c in value)


def _opt_str(obj: dict[str, object], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RuleError(f"{key!r} must be a string or null")
    return value


def rule_from_json(obj: object, default_action: Action) -> Rule:
    if not isinstance(obj, dict):
        raise RuleError("each line must be a JSON object")
    unknown = sorted(set(obj) - _JSON_KEYS)
    if unknown:
        raise RuleError(f"unknown key(s) {', '.join(map(repr, unknown))}")
    comps = _str_tuples(obj.get("components"), "components")
    for comp in comps:
        if not comp or not all(comp):
            raise RuleError("empty component")
    rid = obj.get("id")
    if rid is None:
        rid = format_components(comps)
    max_gap = obj.get("max_gap")
    if max_gap is not None and (not isinstance(max_gap, int) or isinstance(max_gap, bool)):
        raise RuleError("'max_gap' must be an integer or null")
    flags = {}
    for key, default in (("gap_allows_han", True), ("whole_word", False)):
        flag = obj.get(key, default)
        if not isinstance(flag, bool):
            raise RuleError(f"{key!r} must be true or false")
        flags[key] = flag
    action = obj.get("action")
    if action is not None and not isinstance(action, str):
        # bool is an int: `"action": false` must not become DELIVER (0), nor a list the default
        raise RuleError(f"'action' must be an action name (a string) or null, got {action!r}")
    dates = {}
    for key in ("added", "removed"):
        text = _opt_str(obj, key)
        dates[key] = _iso_date(text, key) if text else None
    if not isinstance(rid, str) or not rid:
        raise RuleError(f"'id' must be a non-empty string or null, got {rid!r}")
    surfaces = obj.get("surfaces")
    if surfaces is not None and (
            not isinstance(surfaces, list) or not all(isinstance(x, str) for x in surfaces)):
        raise RuleError("'surfaces' must be a list of surface names or null")
    return Rule(
        id=rid,
        components=comps,
        mode=_mode(_opt_str(obj, "mode") or "all"),
        max_gap=max_gap,
        gap_allows_han=flags["gap_allows_han"],
        whole_word=flags["whole_word"],
        unless=_str_tuples(obj.get("unless", []), "unless"),
        action=Action.parse(action) if action is not None else default_action,
        category=_opt_str(obj, "category"),
        source=_opt_str(obj, "source"),
        note=_opt_str(obj, "note"),
        added=dates["added"],
        removed=dates["removed"],
        surfaces=surfaces,  # type: ignore[arg-type]
        outcome=_opt_str(obj, "outcome"),  # type: ignore[arg-type]
    )


def rule_to_row(rule: Rule) -> dict[str, str]:
    def opt(value: object) -> str:
        return "" if value is None else str(value)

    row = {
        "id": rule.id,
        "rule": format_components(rule.components),
        "mode": rule.mode.value,
        "max_gap": opt(rule.max_gap),
        "gap_allows_han": "true" if rule.gap_allows_han else "false",
        "whole_word": "true" if rule.whole_word else "false",
        "unless": format_unless(rule.unless),
        "action": rule.action.name.lower(),
        "category": opt(rule.category),
        "source": opt(rule.source),
        "note": opt(rule.note),
        "added": opt(rule.added),
        "removed": opt(rule.removed),
    }
    if rule.surfaces is not None:
        row["surfaces"] = ";".join(sorted(s.value for s in rule.surfaces))
    if rule.outcome is not None:
        row["outcome"] = rule.outcome.value
    return row


def rule_to_json(rule: Rule) -> dict[str, object]:
    obj: dict[str, object] = {
        "id": rule.id,
        "components": [list(c) for c in rule.components],
        "mode": rule.mode.value,
        "max_gap": rule.max_gap,
        "gap_allows_han": rule.gap_allows_han,
        "whole_word": rule.whole_word,
        "unless": [list(c) for c in rule.unless],
        "action": rule.action.name.lower(),
        "category": rule.category,
        "source": rule.source,
        "note": rule.note,
        "added": rule.added.isoformat() if rule.added else None,
        "removed": rule.removed.isoformat() if rule.removed else None,
    }
    if rule.surfaces is not None:
        obj["surfaces"] = sorted(s.value for s in rule.surfaces)
    if rule.outcome is not None:
        obj["outcome"] = rule.outcome.value
    return obj
