"""Citizen Lab ``chat-censorship`` layouts: readers for each published data set.

The layouts of Citizen Lab's ``chat-censorship`` data sets are read by
:func:`load_citizenlab` and the ``load_*`` functions below it, from a path the user
gives; the data is never copied into the project. Every rule id is
``<upstream path>:<line>``; anything malformed raises
:class:`~censorsim.errors.WordlistError` naming the file and the line.

Example:
    >>> sorted(CITIZENLAB_DATASETS)[:2]
    ['LINE/<list>', 'SVP']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from censorsim.errors import RuleError, WordlistError
from censorsim.models import Action, Rule
from censorsim.text._lines import DEFAULT_MAX_LINE_LENGTH, PathLike, csv_rows, read_lines
from censorsim.text._regex import LINE_REGEX_MARK, line_regex_rule

__all__ = [
    "CITIZENLAB_DATASETS",
    "load_citizenlab",
    "load_client_csv",
    "load_line_list",
    "load_qqmail",
    "load_search_rules",
    "load_wechat_csv",
]

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
    raise RuleError(f"column {column!r}: unrecognised date {value!r}")


def _cl_split(text: str, sep: str | None = "+") -> tuple[tuple[str, ...], ...]:
    parts = [p.strip() for p in text.split(sep)] if sep else text.split()
    for n, part in enumerate(parts, 1):
        if not part:
            raise RuleError(f"component {n} of {len(parts)} is empty in {text.strip()!r}")
    return tuple((p,) for p in parts)


def _pick(header: dict[str, int], *names: str) -> int | None:
    for name in names:
        if name in header:
            return header[name]
    return None


def _cl_csv_rules(path: PathLike, *, kind: str, action: Action) -> list[Rule]:
    """Shared reader of the Citizen Lab CSV files (WeChat and client-side lists)."""
    lines = read_lines(path, DEFAULT_MAX_LINE_LENGTH)
    header_cells, rows = csv_rows(lines, path)
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
                raise RuleError("empty keyword cell")
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
    for line, text in read_lines(path, DEFAULT_MAX_LINE_LENGTH):
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
    for line, text in read_lines(censored, DEFAULT_MAX_LINE_LENGTH):
        if not text.strip():
            continue
        try:
            comps = _cl_split(text, "+")
        except (ValueError, RuleError) as exc:
            raise WordlistError(str(exc), path=censored, line=line) from None
        index.setdefault(comps, []).append(len(rules))
        rules.append(Rule(id=f"{rel}:{line}", components=comps, action=Action.REFUSE, source=rel))
    extenuating = root / "extenuating.csv"
    if not extenuating.exists():
        return rules
    extra: dict[int, list[tuple[str, ...]]] = {}
    _, rows = csv_rows(read_lines(extenuating, DEFAULT_MAX_LINE_LENGTH), extenuating)
    for line, row in rows:
        if len(row) != 3:
            raise WordlistError(
                f"row has {len(row)} cells, expected 3", path=extenuating, line=line
            )
        try:
            combo = tuple(c[0] for c in _cl_split(row[0], "+"))
            targets = [_cl_split(t, "+") for t in row[2].split(",")]
        except (ValueError, RuleError) as exc:
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
    for line, text in read_lines(path, DEFAULT_MAX_LINE_LENGTH):
        word = text.strip()
        if not word:
            continue
        rid = f"{rel}:{line}"
        try:
            if LINE_REGEX_MARK.search(word):
                out.append(line_regex_rule(word, id=rid, source=rel))
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
