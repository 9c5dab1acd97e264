"""Readers and writers for keyword lists and rule files.

The project's own formats (documented with examples in ``wordlists/README.md``):

* **plain**: one keyword per line. Lines are trimmed; blank lines and lines whose
  first non-blank character is ``#`` are skipped; a leading ``\\`` is dropped, so
  ``\\#tag`` is the keyword ``#tag``. Nothing else is special: ``6+1`` is one keyword.
* **combination**: one rule per line, components joined by ``+`` (spaces around
  ``+`` trimmed), alternatives inside a component joined by ``|``. Escapes:
  ``\\+ \\| \\; \\# \\\\`` and ``\\`` before a blank keep that character literally.
  Comments and blank lines as in plain lists. The rule id is the line's canonical
  form (``A+B``).
* **csv**: a header row, then one rule per row; columns ``rule`` (required, the
  combination syntax), ``id``, ``mode``, ``max_gap``, ``gap_allows_han``,
  ``whole_word``, ``unless`` (exception combinations joined by ``;``), ``action``,
  ``category``, ``source``, ``note``, ``added``, ``removed``.
* **jsonl**: one JSON object per line with the same fields; ``components`` and
  ``unless`` are lists of lists of strings.

Every file is UTF-8 (a BOM and CRLF line ends are tolerated). Anything malformed
raises :class:`~censorsim.errors.WordlistError` naming the file, the line and the
problem; a loader either returns every rule of a file or raises.

The layouts of Citizen Lab's ``chat-censorship`` data sets are read by
:func:`load_citizenlab` and the ``load_*`` functions below it, from a path the
user gives; the data is never copied into the project.

Example:
    >>> rule = parse_rule_line("六四 + 学生|學生")
    >>> rule.components
    (('六四',), ('学生', '學生'))
    >>> format_rule_line(rule)
    '六四+学生|學生'
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Literal, Protocol

from censorsim.errors import RuleError, WordlistError
from censorsim.models import Action, Rule, RuleMode

__all__ = [
    "CITIZENLAB_DATASETS",
    "DEFAULT_MAX_LINE_LENGTH",
    "RULE_COLUMNS",
    "SupportsNormalize",
    "dump_keywords",
    "dump_rules",
    "format_rule_line",
    "load_citizenlab",
    "load_client_csv",
    "load_exceptions",
    "load_keywords",
    "load_line_list",
    "load_qqmail",
    "load_rules",
    "load_search_rules",
    "load_wechat_csv",
    "parse_rule_line",
]

DEFAULT_MAX_LINE_LENGTH = 64 * 1024
"""Longest line accepted, in bytes of UTF-8 without the line end (64 KiB)."""

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
"""The columns of the CSV rule format, in the order :func:`dump_rules` writes them."""

Format = Literal["auto", "plain", "combination", "csv", "jsonl"]
Duplicates = Literal["error", "first"]
PathLike = str | Path


class SupportsNormalize(Protocol):
    """Anything with a ``normalize(text) -> str`` method, such as a ``Normalizer``."""

    def normalize(self, text: str) -> str:
        """Return the normalised form of ``text``."""
        ...


# --------------------------------------------------------------------------- lines


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _read_lines(path: PathLike, max_line_length: int) -> list[tuple[int, str]]:
    """Read a UTF-8 text file as ``(line number, text)`` pairs, line ends removed.

    Raises:
        WordlistError: unreadable file, UTF-16, NUL bytes, invalid UTF-8 or an
            over-long line; the error names the first bad line.
    """
    if max_line_length < 1:
        raise ValueError(f"max_line_length must be >= 1, got {max_line_length}")
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise WordlistError(f"cannot read file: {exc.strerror or exc}", path=path) from None
    lines: list[tuple[int, str]] = []
    with handle:
        head = handle.read(8192)
        nul = head.find(b"\0")
        if nul >= 0 and not head.startswith(_UTF16_BOMS):
            line_start = head.rfind(b"\n", 0, nul) + 1
            raise WordlistError(
                f"binary file: NUL byte at byte {nul - line_start + 1} of the line",
                path=path,
                line=head.count(b"\n", 0, nul) + 1,
            )
        handle.seek(0)
        lineno = 0
        while True:
            raw = handle.readline(max_line_length + 2)
            if not raw:
                break
            lineno += 1
            body = raw[:-1] if raw.endswith(b"\n") else raw
            if body.endswith(b"\r"):
                body = body[:-1]
            if lineno == 1:
                if body.startswith(_UTF16_BOMS):
                    raise WordlistError("file is UTF-16; save it as UTF-8", path=path, line=lineno)
                if body.startswith(b"\xef\xbb\xbf"):
                    body = body[3:]
            if len(body) > max_line_length:
                raise WordlistError(
                    f"line is longer than {max_line_length} bytes (max_line_length); "
                    "is this a word list?",
                    path=path,
                    line=lineno,
                )
            nul = body.find(b"\0")
            if nul >= 0:
                raise WordlistError(
                    f"binary file: NUL byte at byte {nul + 1} of the line", path=path, line=lineno
                )
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                bad = body[exc.start : exc.end]
                raise WordlistError(
                    f"invalid UTF-8 at byte {exc.start + 1} of the line ({bad!r})",
                    path=path,
                    line=lineno,
                ) from None
            lines.append((lineno, text))
    return lines


def _content_lines(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Lines that are neither blank nor ``#`` comments (not trimmed)."""
    for lineno, text in lines:
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            yield lineno, text


def _csv_rows(
    lines: list[tuple[int, str]], path: PathLike
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Parse CSV lines into a trimmed header and ``(first line number, row)`` pairs."""
    numbers = [n for n, _ in lines]
    reader = csv.reader((text + "\n" for _, text in lines), strict=True)
    rows: list[tuple[int, list[str]]] = []
    consumed = 0
    try:
        for row in reader:
            start = numbers[consumed] if consumed < len(numbers) else numbers[-1]
            consumed = reader.line_num
            if row and any(cell.strip() for cell in row):
                rows.append((start, row))
    except csv.Error as exc:
        line = numbers[min(reader.line_num, len(numbers)) - 1] if numbers else None
        raise WordlistError(f"malformed CSV: {exc}", path=path, line=line) from None
    if not rows:
        raise WordlistError("CSV file has no header row", path=path)
    header = [cell.strip() for cell in rows[0][1]]
    return header, rows[1:]


# --------------------------------------------------------------------------- rule syntax

_ESCAPABLE = frozenset("+|;#\\")


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Split ``text`` into ``(character, escaped)`` pairs.

    Raises:
        ValueError: a dangling or unknown escape.
    """
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 == len(text):
                raise ValueError("dangling '\\' at the end (write '\\\\' for a backslash)")
            nxt = text[i + 1]
            if nxt not in _ESCAPABLE and not nxt.isspace():
                raise ValueError(
                    f"unknown escape '\\{nxt}' (escapes: \\+ \\| \\; \\# \\\\ and '\\ ')"
                )
            out.append((nxt, True))
            i += 2
        else:
            out.append((ch, False))
            i += 1
    return out


def _split(tokens: list[tuple[str, bool]], sep: str) -> list[list[tuple[str, bool]]]:
    parts: list[list[tuple[str, bool]]] = [[]]
    for ch, esc in tokens:
        if ch == sep and not esc:
            parts.append([])
        else:
            parts[-1].append((ch, esc))
    return parts


def _word(tokens: list[tuple[str, bool]]) -> str:
    """Join tokens, trimming unescaped whitespace at both ends."""
    start, end = 0, len(tokens)
    while start < end and tokens[start][0].isspace() and not tokens[start][1]:
        start += 1
    while end > start and tokens[end - 1][0].isspace() and not tokens[end - 1][1]:
        end -= 1
    return "".join(ch for ch, _ in tokens[start:end])


def _parse_combination(text: str, *, alternatives: bool) -> tuple[tuple[str, ...], ...]:
    """Parse ``A+B|C`` into components; raise ``ValueError`` naming the problem."""
    comps: list[tuple[str, ...]] = []
    parts = _split(_tokens(text), "+")
    for n, part in enumerate(parts, 1):
        alts = _split(part, "|") if alternatives else [part]
        words = tuple(_word(a) for a in alts)
        if not any(words):
            raise ValueError(f"component {n} of {len(parts)} is empty")
        if not all(words):
            raise ValueError(f"component {n} has an empty alternative")
        comps.append(words)
    return tuple(comps)


def _parse_unless(text: str) -> tuple[tuple[str, ...], ...]:
    if not text.strip():
        return ()
    combos = []
    for n, combo in enumerate(_split(_tokens(text), ";"), 1):
        words = tuple(_word(p) for p in _split(combo, "+"))
        if not all(words):
            raise ValueError(f"exception combination {n} has an empty keyword")
        combos.append(words)
    return tuple(combos)


def _escape(word: str) -> str:
    """Escape a keyword for the combination syntax (inverse of the tokenizer)."""
    if "\n" in word or "\r" in word:
        raise ValueError(f"keyword {word!r} contains a line break")
    last = len(word) - 1
    return "".join(
        "\\" + ch
        if ch in "+|;\\" or (i == 0 and ch == "#") or (ch.isspace() and i in (0, last))
        else ch
        for i, ch in enumerate(word)
    )


def _format_components(components: Sequence[Sequence[str]]) -> str:
    return "+".join("|".join(_escape(k) for k in comp) for comp in components)


def _format_unless(unless: Sequence[Sequence[str]]) -> str:
    return ";".join("+".join(_escape(k) for k in combo) for combo in unless)


def format_rule_line(rule: Rule) -> str:
    """The combination-syntax form of a rule's components (its default id).

    Example:
        >>> format_rule_line(Rule.keyword("6+1"))
        '6\\\\+1'
    """
    return _format_components(rule.components)


def parse_rule_line(
    line: str, *, id: str | None = None, action: Action | str = Action.DROP
) -> Rule:
    """Parse one line of the combination format into an all-of rule.

    Args:
        line: components joined by ``+``, alternatives by ``|`` (escapes as in the
            module docstring).
        id: the rule id; by default the line's canonical form.
        action: the rule's action.

    Raises:
        WordlistError: an empty component, an empty alternative or a bad escape.

    Example:
        >>> parse_rule_line(" a\\\\+b + c ").components
        (('a+b',), ('c',))
    """
    try:
        comps = _parse_combination(line, alternatives=True)
        return Rule(
            id=id or _format_components(comps), components=comps, action=Action.parse(action)
        )
    except (ValueError, RuleError) as exc:
        raise WordlistError(f"{exc} in {line.strip()!r}") from None


# --------------------------------------------------------------------------- own formats


def _check_normalized(
    rule: Rule, normalizer: SupportsNormalize | None, path: PathLike, line: int
) -> None:
    if normalizer is None:
        return
    for n, comp in enumerate(rule.components, 1):
        for kw in comp:
            if not normalizer.normalize(kw):
                raise WordlistError(
                    f"rule {rule.id!r}: component {n} keyword {kw!r} normalises to nothing",
                    path=path,
                    line=line,
                )
    for combo in rule.unless:
        for kw in combo:
            if not normalizer.normalize(kw):
                raise WordlistError(
                    f"rule {rule.id!r}: exception keyword {kw!r} normalises to nothing",
                    path=path,
                    line=line,
                )


def _finish(
    rules: list[tuple[int, Rule]],
    path: PathLike,
    normalizer: SupportsNormalize | None,
    duplicates: Duplicates,
) -> list[Rule]:
    """Check normalisation and duplicate ids, keep first occurrences."""
    seen: dict[str, int] = {}
    out: list[Rule] = []
    for line, rule in rules:
        _check_normalized(rule, normalizer, path, line)
        if rule.id in seen:
            if duplicates == "first":
                continue
            raise WordlistError(
                f"duplicate rule id {rule.id!r} (first on line {seen[rule.id]})",
                path=path,
                line=line,
            )
        seen[rule.id] = line
        out.append(rule)
    return out


def _detect_format(path: PathLike) -> Format:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    return "combination"


def _plain_keyword(text: str) -> str:
    text = text.strip()
    return text[1:].strip() if text.startswith("\\") else text


def load_keywords(path: PathLike, *, max_line_length: int = DEFAULT_MAX_LINE_LENGTH) -> list[str]:
    """Read a plain keyword list: one keyword per line.

    Duplicates are dropped (first occurrence kept, order preserved).

    Raises:
        WordlistError: the file is unreadable or malformed.
    """
    seen: dict[str, None] = {}
    for _, text in _content_lines(_read_lines(path, max_line_length)):
        word = _plain_keyword(text)
        if not word:
            continue
        seen.setdefault(word, None)
    return list(seen)


def dump_keywords(keywords: Iterable[str], path: PathLike) -> None:
    """Write a plain keyword list that :func:`load_keywords` reads back unchanged.

    Raises:
        ValueError: a keyword is empty, has surrounding whitespace or a line break.
    """
    lines = []
    for kw in keywords:
        if not kw or kw != kw.strip() or "\n" in kw or "\r" in kw:
            raise ValueError(f"keyword {kw!r} cannot be written to a plain list")
        lines.append("\\" + kw if kw[0] in "#\\" else kw)
    Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def _bool(value: str, column: str) -> bool:
    v = value.strip().lower()
    if v in ("true", "yes", "1", "y"):
        return True
    if v in ("false", "no", "0", "n"):
        return False
    raise ValueError(f"column {column!r}: expected true or false, got {value!r}")


def _iso_date(value: str, column: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"column {column!r}: expected a YYYY-MM-DD date, got {value!r}") from None


def _rule_from_fields(fields: dict[str, str], default_action: Action) -> Rule:
    """Build a rule from CSV cells (column name -> text)."""
    get = {k: v for k, v in fields.items() if v.strip()}
    spec = get.get("rule")
    if spec is None:
        raise ValueError("column 'rule' is empty")
    mode = RuleMode(get.get("mode", "all").strip().lower())
    comps = _parse_combination(spec, alternatives=True)
    max_gap = int(get["max_gap"]) if "max_gap" in get else None
    return Rule(
        id=get["id"].strip() if "id" in get else _format_components(comps),
        components=comps,
        mode=mode,
        max_gap=max_gap,
        gap_allows_han=_bool(get["gap_allows_han"], "gap_allows_han")
        if "gap_allows_han" in get
        else True,
        whole_word=_bool(get["whole_word"], "whole_word") if "whole_word" in get else False,
        unless=_parse_unless(get.get("unless", "")),
        action=Action.parse(get["action"]) if "action" in get else default_action,
        category=get.get("category"),
        source=get.get("source"),
        note=get.get("note"),
        added=_iso_date(get["added"], "added") if "added" in get else None,
        removed=_iso_date(get["removed"], "removed") if "removed" in get else None,
    )


_CSV_ALIASES = {"keyword": "rule", "keywords": "rule", "combination": "rule"}


def _load_csv_rules(
    lines: list[tuple[int, str]], path: PathLike, default_action: Action
) -> list[tuple[int, Rule]]:
    header, rows = _csv_rows(lines, path)
    names = [_CSV_ALIASES.get(h.lower(), h.lower()) for h in header]
    unknown = [h for h, n in zip(header, names, strict=True) if n not in RULE_COLUMNS]
    if unknown:
        raise WordlistError(
            f"unknown column(s) {', '.join(map(repr, unknown))}; known: {', '.join(RULE_COLUMNS)}",
            path=path,
            line=lines[0][0],
        )
    if "rule" not in names:
        raise WordlistError("CSV header has no 'rule' column", path=path, line=lines[0][0])
    out = []
    for line, row in rows:
        if len(row) != len(names):
            raise WordlistError(
                f"row has {len(row)} cells, the header has {len(names)}", path=path, line=line
            )
        try:
            out.append(
                (line, _rule_from_fields(dict(zip(names, row, strict=True)), default_action))
            )
        except (ValueError, RuleError) as exc:
            raise WordlistError(str(exc), path=path, line=line) from None
    return out


_JSON_KEYS = frozenset(RULE_COLUMNS) - {"rule"} | {"components"}


def _str_tuples(value: object, key: str) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list) or not all(
        isinstance(c, list) and all(isinstance(k, str) for k in c) for c in value
    ):
        raise ValueError(f"{key!r} must be a list of lists of strings")
    return tuple(tuple(c) for c in value)


def _opt_str(obj: dict[str, object], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key!r} must be a string or null")
    return value


def _rule_from_json(obj: object, default_action: Action) -> Rule:
    if not isinstance(obj, dict):
        raise ValueError("each line must be a JSON object")
    unknown = sorted(set(obj) - _JSON_KEYS)
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(map(repr, unknown))}")
    comps = _str_tuples(obj.get("components"), "components")
    for comp in comps:
        if not comp or not all(comp):
            raise ValueError("empty component")
    rid = obj.get("id")
    if rid is None:
        rid = _format_components(comps)
    max_gap = obj.get("max_gap")
    if max_gap is not None and (not isinstance(max_gap, int) or isinstance(max_gap, bool)):
        raise ValueError("'max_gap' must be an integer or null")
    flags = {}
    for key, default in (("gap_allows_han", True), ("whole_word", False)):
        flag = obj.get(key, default)
        if not isinstance(flag, bool):
            raise ValueError(f"{key!r} must be true or false")
        flags[key] = flag
    action = obj.get("action")
    dates = {}
    for key in ("added", "removed"):
        text = _opt_str(obj, key)
        dates[key] = _iso_date(text, key) if text else None
    if not isinstance(rid, str):
        raise ValueError("'id' must be a string")
    return Rule(
        id=rid,
        components=comps,
        mode=RuleMode(_opt_str(obj, "mode") or "all"),
        max_gap=max_gap,
        gap_allows_han=flags["gap_allows_han"],
        whole_word=flags["whole_word"],
        unless=_str_tuples(obj.get("unless", []), "unless"),
        action=Action.parse(action) if isinstance(action, str | int) else default_action,
        category=_opt_str(obj, "category"),
        source=_opt_str(obj, "source"),
        note=_opt_str(obj, "note"),
        added=dates["added"],
        removed=dates["removed"],
    )


def load_rules(
    path: PathLike,
    *,
    format: Format = "auto",
    normalizer: SupportsNormalize | None = None,
    default_action: Action | str = Action.DROP,
    duplicates: Duplicates = "error",
    max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
) -> list[Rule]:
    """Read a rule file in one of the project's formats.

    Args:
        path: the file.
        format: ``plain``, ``combination``, ``csv``, ``jsonl``, or ``auto`` (by
            suffix: ``.csv`` is CSV, ``.jsonl``/``.ndjson`` JSON lines, anything
            else the combination format; use ``plain`` for raw lists whose
            keywords contain a literal ``+``).
        normalizer: when given, every keyword must keep at least one character
            after ``normalizer.normalize``; the rules keep their keywords as written.
        default_action: the action of rules whose file does not say.
        duplicates: ``error`` (default) rejects a second rule with an id already
            seen; ``first`` keeps the first and drops later ones.
        max_line_length: the longest line accepted, in bytes.

    Returns:
        The rules in file order.

    Raises:
        WordlistError: naming file, line and problem; nothing is returned then.
    """
    action = Action.parse(default_action)
    fmt = _detect_format(path) if format == "auto" else format
    lines = _read_lines(path, max_line_length)
    parsed: list[tuple[int, Rule]] = []
    if fmt == "csv":
        parsed = _load_csv_rules(lines, path, action)
    elif fmt == "jsonl":
        for line, text in lines:
            if not text.strip():
                continue
            try:
                parsed.append((line, _rule_from_json(json.loads(text), action)))
            except json.JSONDecodeError as exc:
                raise WordlistError(f"invalid JSON: {exc.msg}", path=path, line=line) from None
            except (ValueError, RuleError) as exc:
                raise WordlistError(str(exc), path=path, line=line) from None
    elif fmt == "plain":
        for line, text in _content_lines(lines):
            word = _plain_keyword(text)
            if word:
                parsed.append((line, Rule(id=word, components=((word,),), action=action)))
    elif fmt == "combination":
        for line, text in _content_lines(lines):
            try:
                comps = _parse_combination(text, alternatives=True)
                rule = Rule(id=_format_components(comps), components=comps, action=action)
            except (ValueError, RuleError) as exc:
                raise WordlistError(f"{exc} in {text.strip()!r}", path=path, line=line) from None
            parsed.append((line, rule))
    else:
        raise ValueError(
            f"unknown format {format!r}; expected auto, plain, combination, csv, jsonl"
        )
    return _finish(parsed, path, normalizer, duplicates)


def _rule_to_row(rule: Rule) -> dict[str, str]:
    def opt(value: object) -> str:
        return "" if value is None else str(value)

    return {
        "id": rule.id,
        "rule": _format_components(rule.components),
        "mode": rule.mode.value,
        "max_gap": opt(rule.max_gap),
        "gap_allows_han": "true" if rule.gap_allows_han else "false",
        "whole_word": "true" if rule.whole_word else "false",
        "unless": _format_unless(rule.unless),
        "action": rule.action.name.lower(),
        "category": opt(rule.category),
        "source": opt(rule.source),
        "note": opt(rule.note),
        "added": opt(rule.added),
        "removed": opt(rule.removed),
    }


def _rule_to_json(rule: Rule) -> dict[str, object]:
    return {
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


def _check_text_field(rule: Rule, value: str | None, what: str) -> None:
    if value is not None and (value != value.strip() or not value or "\r" in value):
        raise ValueError(
            f"rule {rule.id!r}: {what} {value!r} is empty, has surrounding whitespace "
            "or a carriage return and cannot be written to CSV"
        )


def _bare(rule: Rule, default_action: Action) -> bool:
    """Whether a combination line says everything about ``rule``."""
    return rule == Rule(
        id=_format_components(rule.components), components=rule.components, action=default_action
    )


def dump_rules(
    rules: Iterable[Rule],
    path: PathLike,
    *,
    format: Format = "auto",
    default_action: Action | str = Action.DROP,
) -> None:
    """Write rules so that :func:`load_rules` with the same format reads them back equal.

    Args:
        rules: the rules.
        path: the file to write (UTF-8, ``\\n`` line ends).
        format: as for :func:`load_rules`; ``auto`` chooses by suffix, and the
            combination and plain formats only take rules they can express fully.
        default_action: for the combination and plain formats, the action every
            rule must have (the one :func:`load_rules` will give back).

    Raises:
        ValueError: a rule cannot be expressed in the format (the message names it).
    """
    action = Action.parse(default_action)
    fmt = _detect_format(path) if format == "auto" else format
    rules = list(rules)
    out: list[str] = []
    if fmt == "csv":
        for rule in rules:
            _check_text_field(rule, rule.id, "id")
            for what in ("category", "source", "note"):
                _check_text_field(rule, getattr(rule, what), what)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=RULE_COLUMNS, lineterminator="\n")
            writer.writeheader()
            for rule in rules:
                writer.writerow(_rule_to_row(rule))
        return
    if fmt == "jsonl":
        out = [json.dumps(_rule_to_json(r), ensure_ascii=False) for r in rules]
    elif fmt in ("combination", "plain"):
        for rule in rules:
            if not _bare(rule, action):
                raise ValueError(
                    f"rule {rule.id!r} has metadata, a custom id or another mode; "
                    f"the {fmt} format cannot express it (use csv or jsonl)"
                )
            if fmt == "combination":
                out.append(_format_components(rule.components))
                continue
            word = rule.components[0][0]
            if len(rule.components) > 1 or len(rule.components[0]) > 1 or word != word.strip():
                raise ValueError(f"rule {rule.id!r} is not a single trimmed keyword")
            out.append("\\" + word if word[0] in "#\\" else word)
    else:
        raise ValueError(
            f"unknown format {format!r}; expected auto, plain, combination, csv, jsonl"
        )
    Path(path).write_text("".join(line + "\n" for line in out), encoding="utf-8")


def load_exceptions(
    path: PathLike,
    rules: Iterable[Rule],
    *,
    max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
) -> list[Rule]:
    """Attach exception combinations (QQMail's "extenuating" combinations) to rules.

    The file is CSV with the columns ``unless`` (one combination, ``+``-joined) and
    ``rules`` (the ids of the rules it switches off, joined by ``;``).

    Returns:
        The rules, in their order, with the exceptions added to ``unless``.

    Raises:
        WordlistError: a malformed row or an id that names no rule.
    """
    rules = list(rules)
    by_id = {r.id: i for i, r in enumerate(rules)}
    extra: dict[int, list[tuple[str, ...]]] = {}
    lines = _read_lines(path, max_line_length)
    header, rows = _csv_rows(lines, path)
    names = [h.lower() for h in header]
    if sorted(names) != ["rules", "unless"]:
        raise WordlistError(
            f"expected the columns 'unless' and 'rules', got {header}", path=path, line=lines[0][0]
        )
    for line, row in rows:
        if len(row) != 2:
            raise WordlistError(f"row has {len(row)} cells, expected 2", path=path, line=line)
        cells = dict(zip(names, row, strict=True))
        try:
            combos = _parse_unless(cells["unless"])
            ids = [_word(t) for t in _split(_tokens(cells["rules"]), ";")]
        except ValueError as exc:
            raise WordlistError(str(exc), path=path, line=line) from None
        if len(combos) != 1:
            raise WordlistError("'unless' must hold one combination", path=path, line=line)
        for rid in ids:
            if rid not in by_id:
                raise WordlistError(
                    f"exception {cells['unless']!r} names rule {rid!r}, which is not defined",
                    path=path,
                    line=line,
                )
            extra.setdefault(by_id[rid], []).append(combos[0])
    return [
        replace(r, unless=r.unless + tuple(extra[i])) if i in extra else r
        for i, r in enumerate(rules)
    ]


# --------------------------------------------------------------------------- Citizen Lab

CITIZENLAB_DATASETS: dict[str, str] = {
    "wechat/709crackdown": "wechat/709crackdown/all-keywords.csv",
    "wechat/ncpc19": "wechat/ncpc19/ncpc19_wechat.csv",
    "wechat/lxb": "wechat/lxb/liu_xiaobo_keywords_wechat.csv",
    "wechat/one_app_two_systems": "wechat/one_app_two_systems/wechat_blocked_keywords.csv",
    "coronavirus/wechat": "coronavirus/wechat.csv",
    "coronavirus/yy": "coronavirus/yy.csv",
    "qqmail": "qqmail/censored.txt",
    "search/<platform>": "search/rules/<platform>.txt and <platform>-soft.txt",
    "LINE/<list>": "LINE/raw-block-lists/line-*.txt",
    "june-4": "june-4/june-4-censored-keywords.csv",
    "TOM-Skype--Sina-UC": "TOM-Skype--Sina-UC/blocked-words.csv",
    "SVP": "SVP/svp_words.csv",
}
"""Data set names understood by :func:`load_citizenlab`, and the upstream files."""

_CL_LAYOUTS: tuple[tuple[str, str, str], ...] = (
    # (regex on the path's tail, dataset name template, loader kind)
    (r"(wechat/709crackdown)/all-keywords\.csv", r"\1", "wechat"),
    (r"(wechat/ncpc19)/ncpc19_wechat\.csv", r"\1", "wechat"),
    (r"(wechat/lxb)/liu_xiaobo_keywords_wechat\.csv", r"\1", "wechat"),
    (r"(wechat/one_app_two_systems)/wechat_blocked_keywords\.csv", r"\1", "wechat"),
    (r"(coronavirus/wechat)\.csv", r"\1", "wechat"),
    (r"(coronavirus/yy)\.csv", r"\1", "client"),
    (r"(qqmail)/censored\.txt", r"\1", "qqmail"),
    (r"search/rules/([^/]+)\.txt", r"search/\1", "search"),
    (r"LINE/raw-block-lists/([^/]+)\.txt", r"LINE/\1", "line"),
    (r"(june-4)/june-4-censored-keywords\.csv", r"\1", "client"),
    (r"(TOM-Skype--Sina-UC)/blocked-words\.csv", r"\1", "client"),
    (r"(SVP)/svp_words\.csv", r"\1", "client"),
)


def _cl_layout(path: Path) -> tuple[str, str, str] | None:
    """``(dataset name, upstream relative path, loader kind)`` of a Citizen Lab file."""
    posix = path.resolve().as_posix()
    for pattern, name, kind in _CL_LAYOUTS:
        m = re.search(r"(?:^|/)(" + pattern + r")$", posix)
        if m:
            tail = m.group(1)
            inner = re.fullmatch(pattern, tail)
            assert inner is not None
            return inner.expand(name), tail, kind
    return None


def _cl_rel(path: PathLike) -> str:
    p = Path(path)
    layout = _cl_layout(p)
    return layout[1] if layout else p.name


def _cl_date(value: str, column: str) -> date | None:
    """Parse the date styles of the Citizen Lab files (month-only dates give day 1)."""
    text = value.strip()
    if not text:
        return None
    text = text.removesuffix(" GMT")
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"column {column!r}: unrecognised date {value!r}")


def _cl_split(text: str, sep: str | None = "+") -> tuple[tuple[str, ...], ...]:
    parts = [p.strip() for p in text.split(sep)] if sep else text.split()
    for n, part in enumerate(parts, 1):
        if not part:
            raise ValueError(f"component {n} of {len(parts)} is empty in {text.strip()!r}")
    return tuple((p,) for p in parts)


def _pick(header: dict[str, int], *names: str) -> int | None:
    for name in names:
        if name in header:
            return header[name]
    return None


def _cl_csv_rules(path: PathLike, *, kind: str, action: Action) -> list[Rule]:
    """Shared reader of the Citizen Lab CSV files (WeChat and client-side lists)."""
    lines = _read_lines(path, DEFAULT_MAX_LINE_LENGTH)
    header_cells, rows = _csv_rows(lines, path)
    header = {h.strip().lower(): i for i, h in enumerate(header_cells) if h.strip()}
    kw = _pick(header, "keyword", "keyword_combination", "keyword_added", "word")
    if kw is None:
        raise WordlistError(
            f"no keyword column in header {header_cells}", path=path, line=lines[0][0]
        )
    when = _pick(header, "date tested", "date_tested", "detected_on", "date")
    trans = _pick(header, "translation", "english translation", "human_translation")
    machine = _pick(header, "machine_translation")
    cat = _pick(header, "category", "theme")
    ktype = _pick(header, "keyword type")
    group, one = _pick(header, "group chat"), _pick(header, "1-1 chat")
    clients = _pick(header, "clients", "client")
    lists = _pick(header, "lists")
    rel = _cl_rel(path)
    out: list[Rule] = []
    for line, row in rows:
        cells = row + [""] * (len(header_cells) - len(row))

        def cell(i: int | None, cells: list[str] = cells) -> str:
            return cells[i].strip() if i is not None else ""

        try:
            text = cell(kw)
            if not text:
                raise ValueError("empty keyword cell")
            if kind == "wechat":
                sep: str | None = None if cell(ktype).lower() == "combo" else "+"
                comps = _cl_split(text, sep)
            elif cell(clients).lower() == "wechat":  # june-4: WeChat rows are combinations
                comps = _cl_split(text, "+")
            else:  # client-side lists: '+' is part of the keyword (6+1)
                comps = ((text,),)
            notes = []
            if cell(trans) or cell(machine):
                notes.append(f"translation: {cell(trans) or cell(machine)}")
            if group is not None or one is not None:
                notes.append(
                    f"group chat: {cell(group).lower() or '?'}; "
                    f"one-to-one chat: {cell(one).lower() or '?'}"
                )
            if cell(clients):
                notes.append(f"client: {cell(clients)}")
            if cell(lists):
                notes.append(f"lists: {cell(lists)}")
            rule_action = action
            if (
                lists is not None
                and cell(lists)
                and all("surveillance-only" in name.lower() for name in cell(lists).split(";"))
            ):
                rule_action = Action.FLAG
            out.append(
                Rule(
                    id=f"{rel}:{line}",
                    components=comps,
                    action=rule_action,
                    category=cell(cat) or None,
                    source=rel,
                    note="; ".join(notes) or None,
                    added=_cl_date(cell(when), header_cells[when]) if when is not None else None,
                )
            )
        except (ValueError, RuleError) as exc:
            raise WordlistError(str(exc), path=path, line=line) from None
    return out


def load_wechat_csv(path: PathLike) -> list[Rule]:
    """Read one of Citizen Lab's WeChat keyword CSVs (or ``coronavirus/wechat.csv``).

    Keywords are split on ``+`` into an all-of rule; rows of
    ``one_app_two_systems`` whose ``Keyword Type`` is ``combo`` are split on
    spaces. The test date (or ``detected_on``) becomes ``added`` (a month-only
    date gives the first of the month); the translation, and the group and
    one-to-one chat results of the Liu Xiaobo list, go into ``note``. The action is
    ``DROP`` (WeChat chat drops censored messages silently). Rule ids are
    ``<upstream path>:<line>``.

    Raises:
        WordlistError: naming file, line and problem.
    """
    return _cl_csv_rules(path, kind="wechat", action=Action.DROP)


def load_client_csv(path: PathLike) -> list[Rule]:
    """Read a Citizen Lab list extracted from a client (june-4, TOM-Skype/Sina UC, SVP, YY).

    Each keyword is taken whole: a ``+`` inside it (``6+1``) is literal, except in
    ``june-4`` rows whose client is WeChat, which are combinations. Rules whose
    ``lists`` are all "Surveillance-only" get ``Action.FLAG``, the others ``DROP``.

    Raises:
        WordlistError: naming file, line and problem.
    """
    return _cl_csv_rules(path, kind="client", action=Action.DROP)


def load_search_rules(path: PathLike) -> list[Rule]:
    """Read a search-engine rule file (``search/rules/<platform>[-soft].txt``).

    Components are joined by ``+`` (surrounding spaces trimmed). Hard files give
    ``Action.BLOCK``; files whose name ends in ``-soft`` give ``Action.LIMIT_RESULTS``.

    Raises:
        WordlistError: naming file, line and problem.
    """
    soft = Path(path).stem.endswith("-soft")
    action = Action.LIMIT_RESULTS if soft else Action.BLOCK
    rel = _cl_rel(path)
    out = []
    for line, text in _read_lines(path, DEFAULT_MAX_LINE_LENGTH):
        if not text.strip():
            continue
        try:
            comps = _cl_split(text, "+")
            out.append(Rule(id=f"{rel}:{line}", components=comps, action=action, source=rel))
        except (ValueError, RuleError) as exc:
            raise WordlistError(str(exc), path=path, line=line) from None
    return out


def load_qqmail(folder: PathLike) -> list[Rule]:
    """Read QQMail's ``censored.txt`` and ``extenuating.csv`` from a folder.

    Every censored combination becomes an all-of rule with ``Action.REFUSE``; each
    extenuating combination is added to the ``unless`` of every censored
    combination it names (matched by its components, in order).

    Raises:
        WordlistError: a malformed line, or an extenuating row naming a censored
            combination that ``censored.txt`` does not have.
    """
    root = Path(folder)
    if root.is_file():
        root = root.parent
    censored = root / "censored.txt"
    rel = _cl_rel(censored)
    rules: list[Rule] = []
    index: dict[tuple[tuple[str, ...], ...], list[int]] = {}
    for line, text in _read_lines(censored, DEFAULT_MAX_LINE_LENGTH):
        if not text.strip():
            continue
        try:
            comps = _cl_split(text, "+")
        except ValueError as exc:
            raise WordlistError(str(exc), path=censored, line=line) from None
        index.setdefault(comps, []).append(len(rules))
        rules.append(Rule(id=f"{rel}:{line}", components=comps, action=Action.REFUSE, source=rel))
    extenuating = root / "extenuating.csv"
    if not extenuating.exists():
        return rules
    extra: dict[int, list[tuple[str, ...]]] = {}
    _, rows = _csv_rows(_read_lines(extenuating, DEFAULT_MAX_LINE_LENGTH), extenuating)
    for line, row in rows:
        if len(row) != 3:
            raise WordlistError(
                f"row has {len(row)} cells, expected 3", path=extenuating, line=line
            )
        try:
            combo = tuple(c[0] for c in _cl_split(row[0], "+"))
            targets = [_cl_split(t, "+") for t in row[2].split(",")]
        except ValueError as exc:
            raise WordlistError(str(exc), path=extenuating, line=line) from None
        if row[1].strip() and row[1].strip() != str(len(targets)):
            raise WordlistError(
                f"says it extenuates {row[1].strip()} combinations but names {len(targets)}",
                path=extenuating,
                line=line,
            )
        for target in targets:
            if target not in index:
                raise WordlistError(
                    f"extenuating {row[0].strip()!r} names the censored combination "
                    f"{'+'.join(c[0] for c in target)!r}, which is not in {censored.name}",
                    path=extenuating,
                    line=line,
                )
            for i in index[target]:
                extra.setdefault(i, []).append(combo)
    return [replace(r, unless=tuple(extra[i])) if i in extra else r for i, r in enumerate(rules)]


# LINE's regex lines ---------------------------------------------------------------------

_LINE_REGEX_MARK = re.compile(r"\.\*|[()\[\]{}]")
_MAX_EXPANSION = 1000


def _line_items(pattern: str) -> tuple[list[str], list[int | None]]:
    """Split a LINE regex into component texts and the gaps between them.

    A gap is ``None`` for ``.*`` and ``n`` for ``[^一-龥]{0,n}``.
    """
    body = pattern
    while body.startswith(".*"):
        body = body[2:]
    while body.endswith(".*") and not body.endswith("\\.*"):
        body = body[:-2]
    items: list[str] = []
    gaps: list[int | None] = []
    pos = 0
    token = re.compile(r"\.\*|\[\^一-龥\]\{0,(\d+)\}")
    for m in token.finditer(body):
        items.append(body[pos : m.start()])
        gaps.append(int(m.group(1)) if m.group(1) is not None else None)
        pos = m.end()
    items.append(body[pos:])
    return items, gaps


def _expand_item(item: str) -> tuple[str, ...]:
    """Expand literal text with ``(a|b)`` groups into its alternatives."""
    pieces: list[tuple[str, ...]] = []
    pos = 0
    for m in re.finditer(r"\(([^()]*)\)", item):
        pieces.append((item[pos : m.start()],))
        alts = tuple(m.group(1).split("|"))
        if any(not a for a in alts):
            raise ValueError(f"empty alternative in group {m.group(0)!r}")
        pieces.append(alts)
        pos = m.end()
    pieces.append((item[pos:],))
    total = 1
    for p in pieces:
        total *= len(p)
    if total > _MAX_EXPANSION:
        raise ValueError(f"{item!r} expands to {total} alternatives (limit {_MAX_EXPANSION})")
    alts = tuple("".join(combo) for combo in itertools.product(*pieces))
    for alt in alts:
        bad = re.search(r"[.*+?()\[\]{}|^$\\]", alt)
        if bad:
            raise ValueError(f"cannot translate {bad.group(0)!r} in {item!r} exactly")
        if not alt:
            raise ValueError("empty component")
    return tuple(dict.fromkeys(alts))


def _line_regex_rule(pattern: str, *, id: str, source: str) -> Rule:
    items, gaps = _line_items(pattern)
    comps = tuple(_expand_item(it) for it in items)
    kinds = set(gaps)
    if len(kinds) > 1:
        raise ValueError(f"mixed gaps {sorted(map(str, kinds))} cannot be one rule")
    gap = next(iter(kinds), None)
    return Rule(
        id=id,
        components=comps,
        mode=RuleMode.ORDERED,
        max_gap=gap,
        gap_allows_han=gap is None,
        action=Action.DROP,
        source=source,
        note=f"regex: {pattern}",
    )


def load_line_list(path: PathLike) -> list[Rule]:
    """Read one of LINE's raw client-side lists (``line-vNN.txt``).

    A line is a keyword, taken whole (``+``, spaces and a lone ``.`` are literal;
    surrounding whitespace is trimmed), unless it contains ``.*``, a group
    ``(...)``, a class ``[...]`` or a repeat ``{...}``; then it is a regular
    expression, translated exactly into an ordered rule: ``.*`` separates
    components with no gap limit, ``(a|b)`` gives alternatives, and
    ``[^一-龥]{0,n}`` separates components with ``max_gap=n`` and
    ``gap_allows_han=False``. The regex is kept in ``note``. Actions are ``DROP``.

    Raises:
        WordlistError: a regex that cannot be translated exactly, naming its line.
    """
    rel = _cl_rel(path)
    out = []
    for line, text in _read_lines(path, DEFAULT_MAX_LINE_LENGTH):
        word = text.strip()
        if not word:
            continue
        rid = f"{rel}:{line}"
        try:
            if _LINE_REGEX_MARK.search(word):
                out.append(_line_regex_rule(word, id=rid, source=rel))
            else:
                out.append(Rule(id=rid, components=((word,),), action=Action.DROP, source=rel))
        except (ValueError, RuleError) as exc:
            raise WordlistError(f"regex {word!r}: {exc}", path=path, line=line) from None
    return out


_LOADERS: dict[str, Callable[[Path], list[Rule]]] = {
    "wechat": load_wechat_csv,
    "client": load_client_csv,
    "qqmail": load_qqmail,
    "search": load_search_rules,
    "line": load_line_list,
}


def _wanted(name: str, dataset: str | None) -> bool:
    if dataset is None:
        return True
    want, have = dataset.strip("/").lower(), name.lower()
    return have == want or have.startswith(want + "/")


def load_citizenlab(path: PathLike, dataset: str | None = None) -> list[Rule]:
    """Read Citizen Lab ``chat-censorship`` data from a file or folder the user gives.

    Args:
        path: the root of a copy of the repository, any folder inside it, or one
            of its files. Files of layouts this module does not read (images,
            URLs, search queries) are ignored.
        dataset: only load data sets with this name or name prefix, such as
            ``"wechat"``, ``"wechat/709crackdown"``, ``"search/baidu-soft"``,
            ``"LINE/line-v24"`` (see :data:`CITIZENLAB_DATASETS`).

    Returns:
        The rules of every data set found, ordered by upstream path; ids
        (``<upstream path>:<line>``) are unique and stable.

    Raises:
        WordlistError: nothing readable was found, or a file is malformed.
    """
    root = Path(path)
    if not root.exists():
        raise WordlistError("no such file or folder", path=root)
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    found: list[tuple[str, str, Path]] = []
    for file in files:
        layout = _cl_layout(file)
        if layout is not None and _wanted(layout[0], dataset):
            found.append((layout[1], layout[2], file))
    if not found:
        what = f"data set {dataset!r}" if dataset else "Citizen Lab data set"
        raise WordlistError(f"no {what} found here", path=root)
    rules: list[Rule] = []
    for _, kind, file in sorted(found):
        rules.extend(_LOADERS[kind](file))
    return rules
