"""The project's own rule-file formats: reading and writing keyword lists and rule files.

The formats (documented with examples in ``wordlists/README.md``):

* **plain**: one keyword per line. Lines are trimmed; blank lines and lines whose
  first non-blank character is ``#`` are skipped; a leading ``\\`` is dropped, so
  ``\\#tag`` is the keyword ``#tag``. Nothing else is special: ``6+1`` is one keyword.
* **combination**: one rule per line in the combination syntax
  (:mod:`censorsim.text._syntax`): components joined by ``+`` (spaces around
  ``+`` trimmed), alternatives inside a component joined by ``|``. Escapes:
  ``\\+ \\| \\; \\# \\\\`` and ``\\`` before a blank keep that character literally.
  Comments and blank lines as in plain lists. The rule id is the line's canonical
  form (``A+B``).
* **csv**: a header row, then one rule per row; columns ``rule`` (required, the
  combination syntax), ``id``, ``mode``, ``max_gap``, ``gap_allows_han``,
  ``whole_word``, ``unless`` (exception combinations joined by ``;``), ``action``,
  ``category``, ``source``, ``note``, ``added``, ``removed``, and optionally
  ``surfaces`` (``;``-joined surface names the rule applies on) and ``outcome`` (the
  observable outcome it triggers, e.g. ``data_error``), written only when set.
* **jsonl**: one JSON object per line with the same fields; ``components`` and
  ``unless`` are lists of lists of strings.

``auto`` chooses by suffix: ``.csv`` csv, ``.jsonl``/``.ndjson`` jsonl, any other name
(``.txt`` included) combination; raw keyword lists need ``plain``. Field types are checked,
never coerced (``"action": false`` is an error, not ``deliver``); a CSV column named twice
is an error.

Every file is UTF-8 (a BOM and CRLF line ends are tolerated). Anything malformed
raises :class:`~censorsim.errors.WordlistError` naming the file, the line and the
problem; a loader either returns every rule of a file or raises.
:func:`load_rule_files` reads several files at once, Citizen Lab data included.

Lines are read by ``_lines``, the combination syntax is ``_syntax``, one CSV row or JSON
object becomes a rule in ``_records``. Citizen Lab's layouts are read by
:mod:`censorsim.text.citizenlab`; its public names (:func:`load_citizenlab`, ...) are
re-exported here.

Example:
    >>> RULE_COLUMNS[:4]
    ('id', 'rule', 'mode', 'max_gap')
    >>> parse_rule_line("法轮|法輪 + 功").id
    '法轮|法輪+功'
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Final, Literal, Protocol

from censorsim._data import data_dir
from censorsim.errors import ParameterError, RuleError, UnknownNameError, WordlistError
from censorsim.models import Action, KeywordRules, Rule
from censorsim.text._lines import (
    DEFAULT_MAX_LINE_LENGTH,
    PathLike,
    content_lines,
    csv_rows,
    read_lines,
)
from censorsim.text._records import (
    EXTRA_COLUMNS,
    RULE_COLUMNS,
    rule_from_fields,
    rule_from_json,
    rule_to_json,
    rule_to_row,
)
from censorsim.text._syntax import (
    format_components,
    format_rule_line,
    join_word,
    parse_combination,
    parse_rule_line,
    parse_unless,
    split_tokens,
    tokenize,
)
from censorsim.text.citizenlab import (
    CITIZENLAB_DATASETS,
    load_citizenlab,
    load_client_csv,
    load_line_list,
    load_livestream_csv,
    load_qqmail,
    load_search_ongoing,
    load_search_people,
    load_search_rules,
    load_wechat_csv,
)
from censorsim.text.normalize import Normalizer

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
    "load_keyword_rules",
    "load_keywords",
    "load_line_list",
    "load_livestream_csv",
    "load_qqmail",
    "load_rule_files",
    "load_rules",
    "load_search_ongoing",
    "load_search_people",
    "load_search_rules",
    "load_wechat_csv",
    "parse_rule_line",
]

Format = Literal["auto", "plain", "combination", "csv", "jsonl"]
Duplicates = Literal["error", "first"]
_FORMATS: tuple[str, ...] = ("auto", "plain", "combination", "csv", "jsonl")


class SupportsNormalize(Protocol):
    """Anything with a ``normalize(text) -> str`` method, such as a ``Normalizer``."""

    def normalize(self, text: str) -> str:
        """Return the normalised form of ``text``."""
        ...



def _check_normalized(
    rule: Rule, normalizer: SupportsNormalize | None, path: PathLike, line: int
) -> None:
    if normalizer is None:
        return
    keywords = [(f"component {n} keyword", comp) for n, comp in enumerate(rule.components, 1)]
    keywords += [("exception keyword", combo) for combo in rule.unless]
    for what, words in keywords:
        for kw in words:
            if not normalizer.normalize(kw):
                raise WordlistError(
                    f"rule {rule.id!r}: {what} {kw!r} normalises to nothing", path=path, line=line
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


def _default_action(value: Action | str) -> Action:
    try:
        return Action.parse(value)
    except ValueError as exc:
        raise ParameterError(f"default_action: {exc}") from None


def _format_of(path: PathLike, format: str) -> Format:
    """The format ``format`` names, or the one ``path``'s suffix implies for ``auto``."""
    if format not in _FORMATS:
        raise UnknownNameError("rule file format", format, _FORMATS)
    if format != "auto":
        return format  # type: ignore[return-value]
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
    for _, text in content_lines(read_lines(path, max_line_length)):
        word = _plain_keyword(text)
        if not word:
            continue
        seen.setdefault(word, None)
    return list(seen)


def dump_keywords(keywords: Iterable[str], path: PathLike) -> None:
    """Write a plain keyword list that :func:`load_keywords` reads back unchanged.

    Raises:
        WordlistError: a keyword is empty, has surrounding whitespace or a line break.
    """
    lines = []
    for kw in keywords:
        if not kw or kw != kw.strip() or "\n" in kw or "\r" in kw:
            raise WordlistError(f"keyword {kw!r} cannot be written to a plain list", path=path)
        lines.append("\\" + kw if kw[0] in "#\\" else kw)
    Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")


_CSV_ALIASES = {"keyword": "rule", "keywords": "rule", "combination": "rule"}


def _load_csv_rules(
    lines: list[tuple[int, str]], path: PathLike, default_action: Action
) -> list[tuple[int, Rule]]:
    header, rows = csv_rows(lines, path)
    names = [_CSV_ALIASES.get(h.lower(), h.lower()) for h in header]
    known = RULE_COLUMNS + EXTRA_COLUMNS
    unknown = [h for h, n in zip(header, names, strict=True) if n not in known]
    if unknown:
        raise WordlistError(
            f"unknown column(s) {', '.join(map(repr, unknown))}; known: {', '.join(known)}",
            path=path,
            line=lines[0][0],
        )
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise WordlistError(
            f"column(s) {', '.join(map(repr, doubled))} appear more than once in the header "
            "(aliases count: keyword, keywords and combination are 'rule')",
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
                (line, rule_from_fields(dict(zip(names, row, strict=True)), default_action))
            )
        except (ValueError, RuleError) as exc:
            raise WordlistError(str(exc), path=path, line=line) from None
    return out


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
    action = _default_action(default_action)
    fmt = _format_of(path, format)
    return _rules_from_lines(read_lines(path, max_line_length), fmt, path, normalizer, action,
                             duplicates)


def _rules_from_lines(
    lines: list[tuple[int, str]], fmt: Format, path: PathLike,
    normalizer: SupportsNormalize | None, action: Action, duplicates: Duplicates,
) -> list[Rule]:
    """:func:`load_rules` over lines already read."""
    parsed: list[tuple[int, Rule]] = []
    if fmt == "csv":
        parsed = _load_csv_rules(lines, path, action)
    elif fmt == "jsonl":
        for line, text in lines:
            if not text.strip():
                continue
            try:
                parsed.append((line, rule_from_json(json.loads(text), action)))
            except json.JSONDecodeError as exc:
                raise WordlistError(f"invalid JSON: {exc.msg}", path=path, line=line) from None
            except RecursionError:
                raise WordlistError("JSON nested too deeply", path=path, line=line) from None
            except (ValueError, RuleError) as exc:
                raise WordlistError(str(exc), path=path, line=line) from None
    elif fmt == "plain":
        for line, text in content_lines(lines):
            word = _plain_keyword(text)
            if word:
                parsed.append((line, Rule(id=word, components=((word,),), action=action)))
    elif fmt == "combination":
        for line, text in content_lines(lines):
            try:
                comps = parse_combination(text, alternatives=True)
                rule = Rule(id=format_components(comps), components=comps, action=action)
            except (ValueError, RuleError) as exc:
                raise WordlistError(f"{exc} in {text.strip()!r}", path=path, line=line) from None
            parsed.append((line, rule))
    return _finish(parsed, path, normalizer, duplicates)


def load_keyword_rules(
    path: PathLike,
    *,
    normalizer: SupportsNormalize | None = None,
    default_action: Action | str = Action.DROP,
    duplicates: Duplicates = "error",
    max_line_length: int = DEFAULT_MAX_LINE_LENGTH,
) -> KeywordRules:
    """Read a plain keyword list as :class:`~censorsim.models.KeywordRules`.

    The rules are those ``load_rules(path, format="plain", ...)`` returns (one rule per
    keyword, its id the keyword), made only when read; the checks and their errors are
    the same, in the same line order. For lists of 100,000 keywords and more
    (:meth:`RuleSet.from_file <censorsim.text.rules.RuleSet.from_file>` uses it for the
    ``plain`` format).

    Raises:
        WordlistError: naming file, line and problem.
    """
    action = _default_action(default_action)
    return _keyword_rules_from_lines(read_lines(path, max_line_length), path, normalizer,
                                     action, duplicates)


_SYNTAX_CHARS: Final = ("+", "|", ";", "\\")
"""Characters with a meaning in the combination format (a line without them is a plain
keyword there too)."""


def _load_for_ruleset(
    path: PathLike, format: Format, normalizer: SupportsNormalize | None,
) -> Sequence[Rule]:
    """What :meth:`RuleSet.from_file <censorsim.text.rules.RuleSet.from_file>` builds
    over: :func:`load_rules`, or the same rules as :class:`KeywordRules` when the file is
    a plain list (format ``plain``, or a combination file none of whose lines uses the
    combination syntax). The file is read once."""
    fmt = _format_of(path, format)
    if fmt not in ("plain", "combination"):
        return load_rules(path, format=format, normalizer=normalizer)
    lines = read_lines(path, DEFAULT_MAX_LINE_LENGTH)
    if fmt == "plain" or not any(ch in text for _, text in lines for ch in _SYNTAX_CHARS):
        return _keyword_rules_from_lines(lines, path, normalizer, Action.DROP, "error")
    return _rules_from_lines(lines, fmt, path, normalizer, Action.DROP, "error")


def _keyword_rules_from_lines(
    lines: list[tuple[int, str]], path: PathLike, normalizer: SupportsNormalize | None,
    action: Action, duplicates: Duplicates,
) -> KeywordRules:
    """:func:`load_keyword_rules` over lines already read."""
    words: list[str] = []
    numbers: list[int] = []
    for line, text in content_lines(lines):
        word = _plain_keyword(text)
        if word:
            words.append(word)
            numbers.append(line)
    if normalizer is None:
        empty: set[int] = set()
    elif isinstance(normalizer, Normalizer):
        empty = {i for i, n in enumerate(normalizer.normalize_many(words).texts) if not n}
    else:
        empty = {i for i, w in enumerate(words) if not normalizer.normalize(w)}
    if not empty and len(set(words)) == len(words):
        return KeywordRules(words, action=action)
    seen: dict[str, int] = {}
    kept: list[str] = []
    for i, (word, line) in enumerate(zip(words, numbers, strict=True)):
        if i in empty:
            raise WordlistError(f"rule {word!r}: component 1 keyword {word!r} normalises "
                                "to nothing", path=path, line=line)
        if word in seen:
            if duplicates == "first":
                continue
            raise WordlistError(f"duplicate rule id {word!r} (first on line {seen[word]})",
                                path=path, line=line)
        seen[word] = line
        kept.append(word)
    return KeywordRules(kept, action=action)


def _check_text_field(rule: Rule, value: str | None, what: str, path: PathLike) -> None:
    if value is not None and (value != value.strip() or not value or "\r" in value):
        raise WordlistError(
            f"rule {rule.id!r}: {what} {value!r} is empty, has surrounding whitespace "
            "or a carriage return and cannot be written to CSV",
            path=path,
        )


def _bare(rule: Rule, default_action: Action) -> bool:
    """Whether a combination line says everything about ``rule``."""
    return rule == Rule(
        id=format_components(rule.components), components=rule.components, action=default_action
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
        WordlistError: a rule cannot be expressed in the format (the message names it).
        UnknownNameError: an unknown ``format``.
    """
    action = _default_action(default_action)
    fmt = _format_of(path, format)
    rules = list(rules)
    out: list[str] = []
    if fmt == "csv":
        for rule in rules:
            _check_text_field(rule, rule.id, "id", path)
            for what in ("category", "source", "note"):
                _check_text_field(rule, getattr(rule, what), what, path)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            rows = [rule_to_row(rule) for rule in rules]
            extra = [c for c in EXTRA_COLUMNS if any(c in row for row in rows)]
            writer = csv.DictWriter(handle, fieldnames=(*RULE_COLUMNS, *extra),
                                    lineterminator="\n", restval="")
            writer.writeheader()
            writer.writerows(rows)
        return
    if fmt == "jsonl":
        out = [json.dumps(rule_to_json(r), ensure_ascii=False) for r in rules]
    elif fmt in ("combination", "plain"):
        for rule in rules:
            if not _bare(rule, action):
                raise WordlistError(
                    f"rule {rule.id!r} has metadata, a custom id or another mode; "
                    f"the {fmt} format cannot express it (use csv or jsonl)",
                    path=path,
                )
            if fmt == "combination":
                out.append(format_components(rule.components))
                continue
            word = rule.components[0][0]
            if len(rule.components) > 1 or len(rule.components[0]) > 1 or word != word.strip():
                raise WordlistError(
                    f"rule {rule.id!r} is not a single trimmed keyword", path=path
                )
            out.append("\\" + word if word[0] in "#\\" else word)
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
    lines = read_lines(path, max_line_length)
    header, rows = csv_rows(lines, path)
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
            combos = parse_unless(cells["unless"])
            ids = [join_word(t) for t in split_tokens(tokenize(cells["rules"]), ";")]
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


def load_rule_files(
    paths: Iterable[PathLike] = (),
    *,
    citizenlab: Iterable[PathLike] = (),
    dataset: str | None = None,
    format: Format = "auto",
    normalizer: SupportsNormalize | None = None,
    shipped: bool = False,
) -> list[Rule]:
    """Read and concatenate rules from rule files and Citizen Lab paths.

    The one "load the rules the user named" step of every command.

    Args:
        paths: rule files in one of the project's formats (see :func:`load_rules`).
        citizenlab: files or folders in Citizen Lab's layouts (see
            :func:`load_citizenlab`), read after ``paths``.
        dataset: only these Citizen Lab data sets (name or name prefix).
        format: the format of ``paths`` (``auto``: by suffix).
        normalizer: passed to :func:`load_rules` (keywords must survive it).
        shipped: when neither ``paths`` nor ``citizenlab`` names anything, read the
            project's example lists (``wordlists/*.csv``) instead.

    Returns:
        The rules, file by file, in file order (empty when nothing was named and
        ``shipped`` is false).

    Raises:
        WordlistError: a file is unreadable or malformed (naming file and line).
        UnknownNameError: an unknown ``format``.

    Example:
        >>> len(load_rule_files(shipped=True)) > 0
        True
    """
    files = list(paths)
    places = list(citizenlab)
    if not files and not places and shipped:
        files = sorted(data_dir("wordlists").glob("*.csv"))
    rules: list[Rule] = []
    for path in files:
        rules.extend(load_rules(path, format=format, normalizer=normalizer))
    for place in places:
        rules.extend(load_citizenlab(place, dataset))
    return rules
