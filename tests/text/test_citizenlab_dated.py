"""Issue 10 item 15: dated Citizen Lab lists and layouts that are reported, not skipped.

Synthetic files are written here (made-up words, not Citizen Lab data); the tests that read
../shared/data/citizenlab skip when it is absent (``CENSORSIM_CITIZENLAB`` points elsewhere).
"""

from __future__ import annotations

import csv
import io
import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from censorsim.errors import WordlistError
from censorsim.models import Rule
from censorsim.text.citizenlab import (
    load_citizenlab,
    load_client_csv,
    load_line_list,
    load_livestream_csv,
    load_search_ongoing,
    load_search_people,
    load_search_rules,
    load_wechat_csv,
)
from censorsim.text.rules import RuleSet

HEADER = (
    "Client,word,machine_translation,human_translation,theme,category,description,"
    "earliest event type,earliest event date,latest event type,latest event date\n"
)


def _data_root() -> Path:
    env = os.environ.get("CENSORSIM_CITIZENLAB")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "citizenlab"


@pytest.fixture(scope="module")
def root() -> Path:
    path = _data_root()
    if not path.is_dir():
        pytest.skip(f"Citizen Lab data not found at {path} (set CENSORSIM_CITIZENLAB)")
    return path


def _livestream(tmp_path: Path, rows: str) -> Path:
    folder = tmp_path / "livestream"
    folder.mkdir(exist_ok=True)
    p = folder / "livestream_keywords_test.csv"
    p.write_text(HEADER + rows, encoding="utf-8")
    return p


def test_livestream_dates_are_kept(tmp_path: Path) -> None:
    """The live-streaming CSV loader dropped the add/delete dates: a keyword deleted on
    2015-06-03 stayed in force for every ``--on``. Now ``added``/``removed`` come from the
    earliest and latest events and ``RuleSet.check(on=)`` follows them."""
    p = _livestream(
        tmp_path,
        "YY,甲乙,a,,t,c,,add,2015-06-01,del,2015-06-03\n"
        "YY,丙丁,b,,t,c,,first_seen,2015-06-01,last_seen,2016-09-09\n"
        "9158,戊己,c,,t,c,,del,2015-05-05,del,2015-08-21\n"
        "Sina Show,6+1,d,,t,c,,add,2016-02-22,add,2016-02-22\n",
    )
    rules = load_livestream_csv(p)
    assert [(r.added, r.removed) for r in rules] == [
        (date(2015, 6, 1), date(2015, 6, 3)),
        (date(2015, 6, 1), None),
        (None, date(2015, 8, 21)),
        (date(2016, 2, 22), None),
    ]
    assert rules[3].components == (("6+1",),)  # client-side lists: '+' is literal
    assert rules[0].note == "client: YY; translation: a" and rules[0].category == "t / c"
    assert load_citizenlab(tmp_path) == rules
    rs = RuleSet(rules)

    def fired(text: str, day: date) -> bool:
        return bool(rs.check(text, on=day).hits)

    assert not fired("甲乙", date(2015, 5, 31))
    assert fired("甲乙", date(2015, 6, 1)) and fired("甲乙", date(2015, 6, 2))
    assert not fired("甲乙", date(2015, 6, 3))  # removed is exclusive: gone that day
    assert fired("丙丁", date(2030, 1, 1))
    assert fired("戊己", date(2014, 1, 1)) and not fired("戊己", date(2015, 8, 21))


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("YY,甲,a,,t,c,,added,2015-06-01,del,2015-06-03", r"unknown event type 'added'"),
        ("YY,甲,a,,t,c,,add,June 1,del,2015-06-03", r"unrecognised date 'June 1'"),
        ("YY,甲,a,,t,c,,add,2015-06-05,del,2015-06-03", r"removed 2015-06-03 is before added"),
        ("YY,,a,,t,c,,add,2015-06-01,del,2015-06-03", r"empty 'word' cell"),
        ("YY,甲,a", r"row has 3 cells, the header has 11"),
    ],
)
def test_livestream_bad_rows(tmp_path: Path, row: str, problem: str) -> None:
    """Bad events, dates and short rows are errors naming the line, not dropped rows."""
    p = _livestream(tmp_path, "YY,ok,a,,t,c,,add,2015-06-01,last_seen,2016-09-09\n" + row + "\n")
    with pytest.raises(WordlistError, match=problem) as info:
        load_livestream_csv(p)
    assert info.value.line == 3


def test_livestream_missing_columns(tmp_path: Path) -> None:
    p = tmp_path / "livestream_keywords_x.csv"
    p.write_text("Client,word\nYY,甲\n", encoding="utf-8")
    with pytest.raises(WordlistError, match=r"missing column\(s\) 'earliest event type'"):
        load_livestream_csv(p)


def test_search_folder_reports_unknown_layouts(tmp_path: Path) -> None:
    """``load_citizenlab`` on a search folder silently skipped the dated ``search/ongoing``
    sub-layout. It is read now (``Date`` -> ``added``), and a layout it does not know inside
    a data set's folder is an error naming the file, not skipped."""
    search = tmp_path / "search"
    (search / "rules").mkdir(parents=True)
    (search / "ongoing").mkdir()
    (search / "rules" / "foo.txt").write_text("甲 + 乙\n", encoding="utf-8")
    (search / "ongoing" / "foo-soft.csv").write_text(
        "Result,idx,Date,Source\n丙 + 丁,7,2025-01-09T23:33:38Z,http://example.org\n",
        encoding="utf-8",
    )
    (search / "README.md").write_text("notes\n", encoding="utf-8")
    rules = load_citizenlab(search)
    assert [(r.source, r.added) for r in rules] == [
        ("search/ongoing/foo-soft.csv", date(2025, 1, 9)),
        ("search/rules/foo.txt", None),
    ]
    assert rules[0].components == (("丙",), ("丁",))
    (search / "monthly").mkdir()
    (search / "monthly" / "2024-05.csv").write_text("Result,Date\n甲,2024-05-01\n", "utf-8")
    with pytest.raises(WordlistError, match=r"layout censorsim does not read: search/monthly/2024"):
        load_citizenlab(search)
    with pytest.raises(WordlistError, match=r"search/monthly/2024-05\.csv"):
        load_citizenlab(tmp_path, "search/foo")
    # Another data set's top folder is not affected by an unknown file under search/.
    (tmp_path / "SVP").mkdir()
    (tmp_path / "SVP" / "svp_words.csv").write_text("word\n甲\n", encoding="utf-8")
    assert len(load_citizenlab(tmp_path, "SVP")) == 1


def test_search_people_isolation(tmp_path: Path) -> None:
    p = tmp_path / "search" / "people" / "foo-soft.csv"
    p.parent.mkdir(parents=True)
    p.write_text("Isolation,Sample\n近平,习近平習近平\n", encoding="utf-8")
    (rule,) = load_search_people(p)
    assert rule.components == (("近平",),) and rule.note == "sample: 习近平習近平"
    assert rule.action.name == "LIMIT_RESULTS"
    bad = tmp_path / "x.csv"
    bad.write_text("Result,idx\n甲,1\n", encoding="utf-8")
    with pytest.raises(WordlistError, match=r"expected the column\(s\) 'result' and 'date'"):
        load_search_ongoing(bad)


def test_shared_livestream_sample(root: Path, tmp_path: Path) -> None:
    """The shared sample keeps every 25th line of the upstream CSV, which cuts a quoted
    multi-line cell: the loader names the broken line. The lines before it load with the
    dates the csv module reads from the same rows."""
    sample = root / "livestream" / "livestream_keywords_05_15_09_16.sample.csv"
    if not sample.is_file():
        pytest.skip("the livestream sample is not in this copy of the data")
    with pytest.raises(WordlistError, match=r"sample\.csv:84: malformed CSV"):
        load_citizenlab(root, "livestream")
    lines = sample.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    reader = csv.reader(io.StringIO("".join(lines[:83]), newline=""))
    ends = [reader.line_num for _ in iter(lambda: next(reader, None), None)]
    head = lines[: ends[-2]]  # whole records only (the last may be cut at line 83)
    part = tmp_path / "livestream" / "livestream_keywords_head.csv"
    part.parent.mkdir()
    part.write_text("".join(head), encoding="utf-8")
    rules = load_livestream_csv(part)
    oracle = list(csv.DictReader(io.StringIO("".join(head), newline="")))
    assert len(rules) == len(oracle) > 50

    def expected(row: dict[str, str]) -> tuple[date | None, date | None]:
        first = row["earliest event type"].strip()
        last = row["latest event type"].strip()
        added = date.fromisoformat(row["earliest event date"]) if first != "del" else None
        removed = date.fromisoformat(row["latest event date"]) if last == "del" else None
        return added, removed

    assert [(r.added, r.removed) for r in rules] == [expected(row) for row in oracle]
    assert any(r.removed for r in rules)
    for r in rules:
        if r.removed:
            assert not r.active_on(r.removed) and r.active_on(r.removed - timedelta(days=1))


def test_shared_search_folder_loads_every_layout(root: Path) -> None:
    """The shared search folder: rules, ongoing (dated) and people; nothing skipped."""
    rules = load_citizenlab(root / "search")
    kinds = {r.source.split("/")[1] for r in rules if r.source}
    assert kinds == {"rules", "ongoing", "people"}
    assert all(r.added for r in rules if r.source and "/ongoing/" in r.source)


def test_removed_is_the_first_day_not_in_force() -> None:
    """``removed`` was documented as "seen in force" (inclusive) while ``active_on`` treats
    it as exclusive; the documented meaning is now the code's: added <= day < removed."""
    r = Rule.keyword("甲", added=date(2020, 1, 1), removed=date(2020, 1, 3))
    assert [r.active_on(date(2020, 1, d)) for d in range(1, 4)] == [True, True, False]
    readme = Path(__file__).resolve().parents[2] / "wordlists" / "README.md"
    text = " ".join(readme.read_text(encoding="utf-8").split())
    assert "first day it was no longer in force" in text


_CL_PIECES = st.sampled_from(
    [
        b"\n",
        b"\r\n",
        b",",
        b'"',
        b"+",
        b" ",
        b"|",
        b"(",
        b")",
        b".*",
        b"[^\xe4\xb8\x80-\xe9\xbe\xa5]",
        b"{0,3}",
        "六四".encode(),
        b"\xff",
        b"\x00",
        b"word",
        b"keyword",
        b"add",
        b"del",
        b"last_seen",
        b"first_seen",
        b"2015-06-01",
        b"06/2015",
        b"Result",
        b"Date",
        b"Isolation",
        b"earliest event type",
        b"latest event date",
        b"combo",
        b"Keyword Type",
    ]
)
_LOADER_FUNCS = {
    "wechat": load_wechat_csv,
    "client": load_client_csv,
    "search": load_search_rules,
    "line": load_line_list,
    "livestream": load_livestream_csv,
    "ongoing": load_search_ongoing,
    "people": load_search_people,
}


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(st.binary(max_size=200), st.lists(_CL_PIECES, max_size=40).map(b"".join)),
    kind=st.sampled_from(sorted(_LOADER_FUNCS)),
)
def test_fuzz_citizenlab_readers(tmp_path: Path, data: bytes, kind: str) -> None:
    """Random bytes in every Citizen Lab layout: rules, or a WordlistError naming the file."""
    p = tmp_path / "fuzz.csv"
    p.write_bytes(data)
    try:
        rules = _LOADER_FUNCS[kind](p)
    except WordlistError as exc:
        assert str(p) in str(exc)
    else:
        assert all(r.components and r.id.startswith("fuzz.csv:") for r in rules)
