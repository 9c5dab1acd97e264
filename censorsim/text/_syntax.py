"""The combination rule syntax: ``A+B|C`` lines, their escapes, parsing and formatting.

Components are joined by ``+`` (spaces around ``+`` trimmed), alternatives inside a
component by ``|``. Escapes ``\\+ \\| \\; \\# \\\\`` and ``\\`` before a blank keep that
character literally. Exception combinations (``unless``) are joined by ``;``.

Example:
    >>> rule = parse_rule_line("六四 + 学生|學生")
    >>> rule.components
    (('六四',), ('学生', '學生'))
    >>> format_rule_line(rule)
    '六四+学生|學生'
"""

from __future__ import annotations

from collections.abc import Sequence

from censorsim.errors import RuleError, WordlistError
from censorsim.models import Action, Rule

__all__ = [
    "escape",
    "format_components",
    "format_rule_line",
    "format_unless",
    "join_word",
    "parse_combination",
    "parse_rule_line",
    "parse_unless",
    "split_tokens",
    "tokenize",
]

_ESCAPABLE = frozenset("+|;#\\")


def tokenize(text: str) -> list[tuple[str, bool]]:
    """Split ``text`` into ``(character, escaped)`` pairs.

    Raises:
        RuleError: a dangling or unknown escape.
    """
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 == len(text):
                raise RuleError("dangling '\\' at the end (write '\\\\' for a backslash)")
            nxt = text[i + 1]
            if nxt not in _ESCAPABLE and not nxt.isspace():
                raise RuleError(
                    f"unknown escape '\\{nxt}' (escapes: \\+ \\| \\; \\# \\\\ and '\\ ')"
                )
            out.append((nxt, True))
            i += 2
        else:
            out.append((ch, False))
            i += 1
    return out


def split_tokens(tokens: list[tuple[str, bool]], sep: str) -> list[list[tuple[str, bool]]]:
    parts: list[list[tuple[str, bool]]] = [[]]
    for ch, esc in tokens:
        if ch == sep and not esc:
            parts.append([])
        else:
            parts[-1].append((ch, esc))
    return parts


def join_word(tokens: list[tuple[str, bool]]) -> str:
    """Join tokens, trimming unescaped whitespace at both ends."""
    start, end = 0, len(tokens)
    while start < end and tokens[start][0].isspace() and not tokens[start][1]:
        start += 1
    while end > start and tokens[end - 1][0].isspace() and not tokens[end - 1][1]:
        end -= 1
    return "".join(ch for ch, _ in tokens[start:end])


def parse_combination(text: str, *, alternatives: bool) -> tuple[tuple[str, ...], ...]:
    """Parse ``A+B|C`` into components; raise ``RuleError`` naming the problem."""
    comps: list[tuple[str, ...]] = []
    parts = split_tokens(tokenize(text), "+")
    for n, part in enumerate(parts, 1):
        alts = split_tokens(part, "|") if alternatives else [part]
        words = tuple(join_word(a) for a in alts)
        if not any(words):
            raise RuleError(f"component {n} of {len(parts)} is empty")
        if not all(words):
            raise RuleError(f"component {n} has an empty alternative")
        comps.append(words)
    return tuple(comps)


def parse_unless(text: str) -> tuple[tuple[str, ...], ...]:
    if not text.strip():
        return ()
    combos = []
    for n, combo in enumerate(split_tokens(tokenize(text), ";"), 1):
        words = tuple(join_word(p) for p in split_tokens(combo, "+"))
        if not all(words):
            raise RuleError(f"exception combination {n} has an empty keyword")
        combos.append(words)
    return tuple(combos)


def escape(word: str) -> str:
    """Escape a keyword for the combination syntax (inverse of the tokenizer)."""
    if "\n" in word or "\r" in word:
        raise RuleError(f"keyword {word!r} contains a line break")
    last = len(word) - 1
    return "".join(
        "\\" + ch
        if ch in "+|;\\" or (i == 0 and ch == "#") or (ch.isspace() and i in (0, last))
        else ch
        for i, ch in enumerate(word)
    )


def format_components(components: Sequence[Sequence[str]]) -> str:
    return "+".join("|".join(escape(k) for k in comp) for comp in components)


def format_unless(unless: Sequence[Sequence[str]]) -> str:
    return ";".join("+".join(escape(k) for k in combo) for combo in unless)


def format_rule_line(rule: Rule) -> str:
    """The combination-syntax form of a rule's components (its default id).

    Example:
        >>> format_rule_line(Rule.keyword("6+1"))
        '6\\\\+1'
    """
    return format_components(rule.components)


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
        comps = parse_combination(line, alternatives=True)
        return Rule(
            id=id or format_components(comps), components=comps, action=Action.parse(action)
        )
    except (ValueError, RuleError) as exc:
        raise WordlistError(f"{exc} in {line.strip()!r}") from None
