"""Bad input for rule evaluation: rules that cannot be compiled or translated exactly.

Each case runs ``censorsim scan`` and expects exit 2, one ``censorsim scan: error:`` line
naming the file and line (or the option) and the problem, and unchanged inputs. The LINE
regex translator and the normaliser's name reader are fuzzed with hypothesis: whatever
the input, they give a rule (or a normaliser) or a named error, never anything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.errors import CensorsimError, RuleError
from censorsim.models import RuleMode
from censorsim.text._regex import line_regex_rule
from censorsim.text.normalize import Normalizer
from censorsim.text.rules import RuleSet
from tests.robustness.conftest import BadInput


def _line_list(tmp: Path, text: str) -> Path:
    root = tmp / "cl"
    d = root / "LINE" / "raw-block-lists"
    d.mkdir(parents=True)
    (d / "line-v1.txt").write_text(text, encoding="utf-8")
    return root


def _file(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.write_text(text, encoding="utf-8")
    return p


# (name, how to build the rule argument, the error it must give)
CASES: list[tuple[str, Callable[[Path], list[str]], str]] = [
    (
        "keyword that normalises to nothing",
        lambda t: ["-r", str(_file(t, "r.txt", "ok\n，\n"))],
        r"r\.txt:2: rule .*normalises to nothing",
    ),
    (
        "negative max_gap",
        lambda t: [
            "-r",
            str(_file(t, "r.jsonl", '{"id":"r","components":[["a"],["b"]],'
                      '"mode":"ordered","max_gap":-1}\n')),
        ],
        r"r\.jsonl:1: rule 'r': max_gap must be >= 0",
    ),
    (
        "LINE regex with a class other than [^一-龥]",
        lambda t: ["--citizenlab", str(_line_list(t, "海[^一-龥]{0,3}洛\na[bc]d\n"))],
        r"line-v1\.txt:2: regex 'a\[bc\]d': cannot translate '\['",
    ),
    (
        "LINE regex with a gap of at least one",
        lambda t: ["--citizenlab", str(_line_list(t, "海[^一-龥]{1,3}洛\n"))],
        r"line-v1\.txt:1: regex .*cannot translate",
    ),
    (
        "LINE regex expanding to too many alternatives",
        lambda t: ["--citizenlab", str(_line_list(t, "x\n" + "(a|b)" * 10 + "\n"))],
        r"line-v1\.txt:2: regex .*expands to 1024 alternatives \(limit 1000\)",
    ),
    (
        "LINE regex mixing two kinds of gap",
        lambda t: ["--citizenlab", str(_line_list(t, "海[^一-龥]{0,3}洛.*因\n"))],
        r"line-v1\.txt:1: regex .*mixed gaps",
    ),
    (
        "LINE regex with an empty alternative",
        lambda t: ["--citizenlab", str(_line_list(t, "海.*(洛|)\n"))],
        r"line-v1\.txt:1: regex .*empty alternative",
    ),
    (
        "LINE regex with a quantifier",
        lambda t: ["--citizenlab", str(_line_list(t, "海.*洛?因\n"))],
        r"line-v1\.txt:1: regex .*cannot translate '\?'",
    ),
]


@pytest.mark.parametrize(("name", "make", "expect"), CASES, ids=[c[0] for c in CASES])
def test_bad_rules(
    bad_input: BadInput,
    tmp_path: Path,
    name: str,
    make: Callable[[Path], list[str]],
    expect: str,
) -> None:
    messages = _file(tmp_path, "msgs.txt", "海〇洛因\nhello\n")
    args = make(tmp_path)
    inputs = [messages, *(p for p in tmp_path.rglob("*") if p.is_file())]
    bad_input(["scan", *args, str(messages)], expect=expect, inputs=inputs)


OPTION_CASES = [
    (["-n", "nope"], r"unknown normalisation step 'nope'; expected one of: "
                     r"identity, default, fold, strip, casefold"),
    (["-n", "casefold+nope"], r"unknown normalisation step 'nope'"),
]


@pytest.mark.parametrize(("opts", "expect"), OPTION_CASES, ids=["profile", "step"])
def test_bad_normaliser_option(
    bad_input: BadInput, tmp_path: Path, opts: list[str], expect: str
) -> None:
    rules = _file(tmp_path, "r.txt", "六四\n")
    messages = _file(tmp_path, "msgs.txt", "六四\n")
    bad_input(["scan", "-r", str(rules), *opts, str(messages)], expect=expect,
              inputs=[rules, messages])


def test_good_line_list_still_scans(run_cli: Callable[..., object], tmp_path: Path) -> None:
    """The same harness on a good list: the gap rule fires on 海〇洛因 (issue 10 item 12)."""
    root = _line_list(tmp_path, "海[^一-龥]{0,3}洛[^一-龥]{0,3}因\n")
    messages = _file(tmp_path, "msgs.txt", "海〇洛因\n海中洛因\n")
    out = run_cli(["scan", "--citizenlab", str(root), "-n", "identity", str(messages)])
    assert out.code == 0, out.err  # type: ignore[attr-defined]
    lines = out.out.splitlines()  # type: ignore[attr-defined]
    assert ['"censored": true' in line for line in lines] == [True, False]


# -- fuzzing -------------------------------------------------------------------------------

regexish = st.text(alphabet=st.sampled_from([*"海洛因ab.*()|[]{}^一-龥0123,?+\\$ 〇"]), max_size=30)


@settings(max_examples=400, deadline=None)
@given(pattern=regexish)
def test_regex_translator_gives_a_rule_or_a_rule_error(pattern: str) -> None:
    try:
        rule = line_regex_rule(pattern, id="x", source="t")
    except RuleError as exc:
        assert str(exc)
        return
    assert rule.mode is RuleMode.ORDERED
    # A translated rule is exact: it fires on a text exactly when the regex matches
    # (``.*`` compared with DOTALL, see tests/text/test_ordered.py).
    rs = RuleSet([rule], normalizer="identity")
    for text in ("", pattern, "海〇洛因", "ab", "海a洛b因"):
        want = re.search(pattern, text, re.DOTALL) is not None
        assert rs.check(text).censored == want, (pattern, text)


@settings(max_examples=200, deadline=None)
@given(spec=st.text(max_size=20))
def test_normaliser_names_never_crash(spec: str) -> None:
    try:
        n = Normalizer.from_spec(spec)
    except CensorsimError as exc:
        assert str(exc)
        return
    assert isinstance(n.normalize("六四 ABC"), str)
