"""Every Citizen Lab combination rule, compiled into a RuleSet, fires exactly when it should.

Reads ../shared/data/citizenlab (or ``CENSORSIM_CITIZENLAB``) and skips when it is absent.
For each rule: a text made of its components fires it; a text missing any one component
fires it only if that component still occurs (inside another component, or as a repeat).
"""

from __future__ import annotations

import pytest

from censorsim.models import Rule, RuleMode
from censorsim.text.rules import RuleSet
from censorsim.text.wordlists import load_citizenlab
from tests.text.test_citizenlab import _data_root

SEP = "\u2063"  # INVISIBLE SEPARATOR: in no keyword of the data sets

SETS = [
    "wechat/709crackdown/all-keywords.csv",
    "wechat/ncpc19/ncpc19_wechat.csv",
    "wechat/lxb/liu_xiaobo_keywords_wechat.csv",
    "wechat/one_app_two_systems/wechat_blocked_keywords.csv",
    "coronavirus/wechat.csv",
    "coronavirus/yy.csv",
    "qqmail",
    "search/rules",
]


def _count(text: str, kw: str) -> int:
    n, pos = 0, text.find(kw)
    while pos >= 0:
        n += 1
        pos = text.find(kw, pos + 1)
    return n


def _fires(rule: Rule, text: str) -> bool:
    """Brute force under the RuleSet's semantics: repeats need as many occurrences."""
    need: dict[tuple[str, ...], int] = {}
    for comp in rule.components:
        need[comp] = need.get(comp, 0) + 1
    for comp, n in need.items():
        found = {
            (pos, len(kw)) for kw in comp for pos in range(len(text)) if text.startswith(kw, pos)
        }
        if len(found) < n:
            return False
    return not any(all(k in text for k in combo) for combo in rule.unless)


@pytest.mark.parametrize("subset", SETS)
def test_combination_sets_fire_exactly(subset: str) -> None:
    root = _data_root()
    if not root.is_dir():
        pytest.skip(f"Citizen Lab data not found at {root} (set CENSORSIM_CITIZENLAB)")
    rules = [r for r in load_citizenlab(root / subset) if r.mode is RuleMode.ALL]
    assert rules, subset
    ruleset = RuleSet(rules, normalizer="identity")
    texts: list[str] = []
    owners: list[tuple[int, int | None]] = []
    for ri, rule in enumerate(rules):
        comps = [c[0] for c in rule.components]
        texts.append(SEP.join(comps))
        owners.append((ri, None))
        if len(comps) > 1:
            for j in range(len(comps)):
                texts.append(SEP.join(comps[:j] + comps[j + 1 :]))
                owners.append((ri, j))
    results = ruleset.check_many(texts)
    wrong = []
    for (ri, dropped), text, result in zip(owners, texts, results, strict=True):
        rule = rules[ri]
        fired = rule.id in result.rule_ids
        expected = True if dropped is None else _fires(rule, text)
        if dropped is None and rule.unless:
            expected = _fires(rule, text)
        if fired != expected:
            wrong.append((rule.id, dropped, fired))
    assert not wrong, wrong[:10]
    # Dropping a component must stop most rules; this guards against a vacuous check.
    dropped_fired = sum(
        1
        for (ri, d), r in zip(owners, results, strict=True)
        if d is not None and rules[ri].id in r.rule_ids
    )
    dropped_total = sum(1 for _, d in owners if d is not None)
    assert dropped_fired <= dropped_total * 0.05
