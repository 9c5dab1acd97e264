"""Citizen Lab ``chat-censorship`` layouts: readers for each published data set.

The layouts of Citizen Lab's ``chat-censorship`` data sets are read by
:func:`load_citizenlab` and the ``load_*`` functions below it, from a path the user
gives; the data is never copied into the project. Every rule id is
``<upstream path>:<line>``; anything malformed raises
:class:`~censorsim.errors.WordlistError` naming the file and the line.

Dates: ``added`` is the first day a rule was seen in force, ``removed`` the first day it
was seen gone (exclusive, as :meth:`~censorsim.models.Rule.active_on` reads it: a rule is
in force on ``added <= day < removed``).

A folder is walked for every layout below; a file inside one of the data sets' folders
(``wechat/``, ``search/``, ``livestream/``, ...) whose layout this module does not know is
an error naming it, never silently skipped. Layouts known not to hold keyword rules
(:data:`NOT_RULES`: READMEs, images, URL lists, image-test results, live-streaming raw
snapshots and code books) are not read.

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
from censorsim.models import Action, Rule, Surface
from censorsim.text._lines import DEFAULT_MAX_LINE_LENGTH, PathLike, csv_rows, read_lines
from censorsim.text._regex import LINE_REGEX_MARK, line_regex_rule

__all__ = [
    "CITIZENLAB_DATASETS",
    "NOT_RULES",
    "load_citizenlab",
    "load_client_csv",
    "load_line_list",
    "load_livestream_csv",
    "load_qqmail",
    "load_search_ongoing",
    "load_search_people",
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
    "search/ongoing/<platform>": "search/ongoing/<platform>[-soft].csv (dated)",
    "search/people/<platform>": "search/people/<platform>[-soft].csv",
    "livestream": "livestream/livestream_keywords_*.csv (dated: add/del events)",
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
    (r"search/ongoing/([^/]+)\.csv", r"search/ongoing/\1", "search-ongoing"),
    (r"search/people/([^/]+)\.csv", r"search/people/\1", "search-people"),
    (r"(livestream)/livestream_keywords_[^/]*\.csv", r"\1", "livestream"),
    (r"LINE/raw-block-lists/([^/]+)\.txt", r"LINE/\1", "line"),
    (r"(june-4)/june-4-censored-keywords\.csv", r"\1", "client"),
    (r"(TOM-Skype--Sina-UC)/blocked-words\.csv", r"\1", "client"),
    (r"(SVP)/svp_words\.csv", r"\1", "client"),
)


_TOP_FOLDERS = (
    "wechat",
    "coronavirus",
    "qqmail",
    "search",
    "LINE",
    "june-4",
    "TOM-Skype--Sina-UC",
    "SVP",
    "livestream",
)
"""The data sets' top folders: a file inside one is read or reported, never skipped."""

NOT_RULES: tuple[str, ...] = (
    r"(?:.*/)?\.[^/]*",  # dotfiles (.DS_Store, .gitkeep)
    r"(?i:.*\.(?:md|txt\.md|png|jpe?g|gif|bmp|webp|pdf|svg))",  # READMEs, images, papers
    r"qqmail/extenuating\.csv",  # read by load_qqmail with censored.txt
    r"wechat/image-filtering/.*",  # image-filtering test images and result lists
    r"wechat/one_app_two_systems/wechat_(?:blocked_urls\.csv|url_blocked_messages\.txt)",
    r"livestream/[^/]*-raw-data/.*",  # hourly raw snapshots of the client lists
    r"livestream/(?:themes|categories)_keyword_censorship\.csv",  # code books
)
"""Paths (relative to the data's root, regular expressions) not read as rule files."""


def _top_relative(path: Path) -> str | None:
    """``path`` relative to the data's root when it lies inside a data set's top folder."""
    posix = path.resolve().as_posix()
    tops = "|".join(re.escape(t) for t in _TOP_FOLDERS)
    m = re.search(r"(?:^|/)((?:" + tops + r")/.+)$", posix)
    return m.group(1) if m else None


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
    for fmt in (
        "%Y-%m-%d",
        "%m/%d/%Y",
        "%m/%Y",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%SZ",
    ):
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
            surfaces = _chat_surfaces(cell(group), cell(one), header_cells, group, one)
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
                    surfaces=surfaces,
                )
            )
        except (ValueError, RuleError) as exc:
            raise WordlistError(str(exc), path=path, line=line) from None
    return out


_BLOCKED = {"blocked": True, "not blocked": False, "": None, "?": None}
"""The chat results the Liu Xiaobo CSV records per rule (``Group Chat``, ``1-1 Chat``)."""


def _chat_surfaces(
    group: str, one: str, header: list[str], gcol: int | None, ocol: int | None
) -> frozenset[Surface] | None:
    """The surfaces a rule applies on, from its group and one-to-one chat results.

    Every surface but the chats the data record as "not blocked" (the data test only
    the two chats); ``None`` (every surface) when the file has no such columns.

    Raises:
        RuleError: a result other than ``Blocked``, ``Not blocked`` or empty.
    """
    if gcol is None and ocol is None:
        return None
    out = set(Surface)
    for value, col, surface in ((group, gcol, Surface.GROUP_CHAT), (one, ocol, Surface.CHAT)):
        if col is None:
            continue
        key = value.strip().lower()
        if key not in _BLOCKED:
            raise RuleError(f"column {header[col].strip()!r}: expected 'Blocked' or "
                            f"'Not blocked', got {value!r}")
        if _BLOCKED[key] is False:
            out.discard(surface)
    return frozenset(out)


def load_wechat_csv(path: PathLike) -> list[Rule]:
    """Read one of Citizen Lab's WeChat keyword CSVs (or ``coronavirus/wechat.csv``).

    Keywords are split on ``+`` into an all-of rule; rows of
    ``one_app_two_systems`` whose ``Keyword Type`` is ``combo`` are split on
    spaces. The test date (or ``detected_on``) becomes ``added`` (a month-only
    date gives the first of the month); the translation, and the group and
    one-to-one chat results of the Liu Xiaobo list, go into ``note``; those results
    also set the rule's ``surfaces`` (a chat recorded "Not blocked" is left out). The
    action is ``DROP`` (WeChat chat drops censored messages silently). Rule ids are
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


_EVENTS = ("add", "first_seen", "del", "last_seen")


def _livestream_dates(
    first: tuple[str, str], last: tuple[str, str]
) -> tuple[date | None, date | None]:
    """``(added, removed)`` of a live-streaming row from its earliest and latest events.

    ``add``/``first_seen`` first: in force from that day. ``del`` first: it was in force
    before the collection began (no ``added``). ``del`` last: gone from that day
    (``removed``). ``last_seen``/``add`` last: still in force when collection ended.
    """
    for kind, _ in (first, last):
        if kind and kind not in _EVENTS:
            raise RuleError(f"unknown event type {kind!r}; expected one of {', '.join(_EVENTS)}")
    added = _cl_date(first[1], "earliest event date") if first[0] != "del" else None
    removed = _cl_date(last[1], "latest event date") if last[0] == "del" else None
    return added, removed


def load_livestream_csv(path: PathLike) -> list[Rule]:
    """Read a live-streaming keyword CSV (``livestream/livestream_keywords_*.csv``).

    Each ``word`` is a keyword taken whole (client-side lists: ``+`` is literal). The
    earliest and latest events give the dates: ``add``/``first_seen`` on day D makes
    ``added = D``; a latest ``del`` on day D makes ``removed = D`` (not in force from
    D on); ``last_seen`` leaves ``removed`` empty (still in force when the collection
    ended). The client, translation and description go into ``note``, theme and
    category into ``category``; the action is ``DROP``.

    Raises:
        WordlistError: naming file, line and problem (a row whose cell count differs
            from the header's, an unknown event type or date, removed before added).
    """
    lines = read_lines(path, DEFAULT_MAX_LINE_LENGTH)
    header_cells, rows = csv_rows(lines, path)
    header = {h.strip().lower(): i for i, h in enumerate(header_cells) if h.strip()}
    need = (
        "word",
        "earliest event type",
        "earliest event date",
        "latest event type",
        "latest event date",
    )
    missing = [n for n in need if n not in header]
    if missing:
        raise WordlistError(
            f"missing column(s) {', '.join(map(repr, missing))} in header {header_cells}",
            path=path,
            line=lines[0][0],
        )
    rel = _cl_rel(path)
    out: list[Rule] = []
    for line, row in rows:
        if len(row) != len(header_cells):
            raise WordlistError(
                f"row has {len(row)} cells, the header has {len(header_cells)} "
                "(a broken quoted field?)",
                path=path,
                line=line,
            )

        def cell(name: str, row: list[str] = row) -> str:
            i = header.get(name)
            return row[i].strip() if i is not None else ""

        try:
            word = cell("word")
            if not word:
                raise RuleError("empty 'word' cell")
            added, removed = _livestream_dates(
                (cell("earliest event type").lower(), cell("earliest event date")),
                (cell("latest event type").lower(), cell("latest event date")),
            )
            translation = cell("human_translation") or cell("machine_translation")
            notes = [f"client: {cell('client')}"] if cell("client") else []
            if translation:
                notes.append(f"translation: {translation}")
            category = " / ".join(c for c in (cell("theme"), cell("category")) if c)
            out.append(
                Rule(
                    id=f"{rel}:{line}",
                    components=((word,),),
                    action=Action.DROP,
                    category=category or None,
                    source=rel,
                    note="; ".join(notes) or None,
                    added=added,
                    removed=removed,
                )
            )
        except (ValueError, RuleError) as exc:
            raise WordlistError(str(exc), path=path, line=line) from None
    return out


def _search_csv(path: PathLike, column: str, dated: bool) -> list[Rule]:
    soft = Path(path).stem.endswith("-soft")
    action = Action.LIMIT_RESULTS if soft else Action.BLOCK
    lines = read_lines(path, DEFAULT_MAX_LINE_LENGTH)
    header_cells, rows = csv_rows(lines, path)
    header = {h.strip().lower(): i for i, h in enumerate(header_cells)}
    if column not in header or (dated and "date" not in header):
        want = f"'{column}'" + (" and 'date'" if dated else "")
        raise WordlistError(
            f"expected the column(s) {want} in header {header_cells}", path=path, line=lines[0][0]
        )
    rel = _cl_rel(path)
    out = []
    for line, row in rows:
        if len(row) != len(header_cells):
            raise WordlistError(
                f"row has {len(row)} cells, the header has {len(header_cells)}",
                path=path,
                line=line,
            )
        try:
            comps = _cl_split(row[header[column]], "+")
            when = _cl_date(row[header["date"]], "Date") if dated else None
            sample = row[header["sample"]].strip() if "sample" in header else ""
            out.append(
                Rule(
                    id=f"{rel}:{line}",
                    components=comps,
                    action=action,
                    source=rel,
                    added=when,
                    note=f"sample: {sample}" if sample else None,
                )
            )
        except (ValueError, RuleError) as exc:
            raise WordlistError(str(exc), path=path, line=line) from None
    return out


def load_search_ongoing(path: PathLike) -> list[Rule]:
    """Read the ongoing search monitoring (``search/ongoing/<platform>[-soft].csv``).

    ``Result`` is the rule (components joined by ``+``), ``Date`` the day it was first
    detected (``added``; the time of day is dropped). Actions as for
    :func:`load_search_rules`.

    Raises:
        WordlistError: naming file, line and problem.
    """
    return _search_csv(path, "result", dated=True)


def load_search_people(path: PathLike) -> list[Rule]:
    """Read the people-name isolations (``search/people/<platform>[-soft].csv``).

    ``Isolation`` is the rule (components joined by ``+``); the tested query
    (``Sample``) goes into ``note``. Actions as for :func:`load_search_rules`.

    Raises:
        WordlistError: naming file, line and problem.
    """
    return _search_csv(path, "isolation", dated=False)


_LOADERS: dict[str, Callable[[Path], list[Rule]]] = {
    "livestream": load_livestream_csv,
    "search-ongoing": load_search_ongoing,
    "search-people": load_search_people,
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
            of its files. Files of the layouts in :data:`NOT_RULES` (READMEs, images,
            URL lists, raw snapshots) are not read; any other file inside a data
            set's folder whose layout is unknown is an error (it is not skipped).
        dataset: only load data sets with this name or name prefix, such as
            ``"wechat"``, ``"wechat/709crackdown"``, ``"search/baidu-soft"``,
            ``"LINE/line-v24"`` (see :data:`CITIZENLAB_DATASETS`).

    Returns:
        The rules of every data set found, ordered by upstream path; ids
        (``<upstream path>:<line>``) are unique and stable.

    Raises:
        WordlistError: nothing readable was found, a file is malformed, or files
            inside a data set's folder have a layout this module does not know (the
            error names them; with ``dataset``, only files in its top folder count).
    """
    root = Path(path)
    if not root.exists():
        raise WordlistError("no such file or folder", path=root)
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    found: list[tuple[str, str, Path]] = []
    unknown: list[str] = []
    want_top = dataset.strip("/").split("/")[0].lower() if dataset else None
    for file in files:
        layout = _cl_layout(file)
        if layout is not None:
            if _wanted(layout[0], dataset):
                found.append((layout[1], layout[2], file))
            continue
        rel = _top_relative(file)
        if rel is None or any(re.fullmatch(p, rel) for p in NOT_RULES):
            continue
        if want_top is None or rel.split("/")[0].lower() == want_top:
            unknown.append(rel)
    if unknown:
        shown = ", ".join(unknown[:5]) + (
            f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        )
        raise WordlistError(
            f"{len(unknown)} file(s) in a Citizen Lab folder have a layout censorsim does not "
            f"read: {shown}; move them out, or name the files or data sets to read",
            path=root,
        )
    if not found:
        what = f"data set {dataset!r}" if dataset else "Citizen Lab data set"
        raise WordlistError(f"no {what} found here", path=root)
    rules: list[Rule] = []
    for _, kind, file in sorted(found):
        rules.extend(_LOADERS[kind](file))
    return rules
