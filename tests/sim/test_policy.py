"""Policy, Censor, Decision, ImageMemory and the policy TOML loader."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from censorsim.errors import ParameterError, PolicyError, UnknownNameError
from censorsim.models import Action, Rule
from censorsim.policy import (
    Attachment,
    Censor,
    Decision,
    DelayDistribution,
    ImageCheck,
    ImageMemory,
    Message,
    Policy,
    Reason,
    Region,
    Scope,
    Surface,
    SurfacePolicy,
    load_policy,
)
from censorsim.text.rules import RuleSet

ROOT = Path(__file__).resolve().parents[2]


def _policy(**sp: object) -> Policy:
    rs = RuleSet([Rule.combination("六四+学生"), Rule.keyword("法轮功", action=Action.REFUSE)])
    return Policy(name="t", rulesets={"m": rs},
                  surfaces=(SurfacePolicy(Surface.CHAT, ("m",), **sp),))  # type: ignore[arg-type]


def test_check_many_equals_check(at: datetime) -> None:
    censor = Censor(_policy(regions=frozenset({Region.MAINLAND})))
    msgs = [Message(t, Surface.CHAT, r) for t in ("六四学生", "hello", "法轮功")
            for r in Region]
    batch = censor.check_many(msgs, at=at)
    assert batch == [censor.check(m, at=at) for m in msgs]
    # regions in order: mainland, international, hong_kong (only mainland is filtered)
    assert [d.action for d in batch] == [Action.DROP, Action.DELIVER, Action.DELIVER,
                                         Action.DELIVER, Action.DELIVER, Action.DELIVER,
                                         Action.REFUSE, Action.DELIVER, Action.DELIVER]
    assert batch[1].reason is Reason.OUT_OF_SCOPE and batch[1].rule_ids == ("六四+学生",)


def test_unknown_surface_is_an_error(at: datetime) -> None:
    with pytest.raises(PolicyError, match="no surface 'mail'"):
        Censor(_policy()).check(Message("x", Surface.MAIL), at=at)
    with pytest.raises(UnknownNameError, match="unknown surface 'chatroom'; expected one of: chat"):
        Surface.parse("chatroom")


def test_policy_names_unknown_ruleset() -> None:
    with pytest.raises(PolicyError, match="unknown rule set 'nope'"):
        Policy(name="t", rulesets={}, surfaces=(SurfacePolicy(Surface.CHAT, ("nope",)),))


def test_viewer_scope_hides_from_mainland(at: datetime) -> None:
    censor = Censor(_policy(scope=Scope.VIEWER, regions=frozenset({Region.MAINLAND})))
    d = censor.check(Message("六四学生", Surface.CHAT, Region.INTERNATIONAL), at=at)
    assert d.action is Action.HIDE and d.hidden_from == {Region.MAINLAND}


def test_rule_validity_dates() -> None:
    rs = RuleSet([Rule.keyword("刘晓波", added=date(2017, 7, 13))])
    censor = Censor(Policy(name="t", rulesets={"m": rs},
                           surfaces=(SurfacePolicy(Surface.CHAT, ("m",)),)))
    m = Message("刘晓波")
    assert censor.check(m, at=datetime(2017, 7, 12)).action is Action.DELIVER
    assert censor.check(m, at=datetime(2017, 7, 14)).action is Action.DROP


def test_memory_learning_within_and_across_batches(at: datetime) -> None:
    att = Attachment("a.jpg", "ab" * 16)
    pol = _policy(images=ImageCheck.LEARN)
    memory = ImageMemory()
    censor = Censor(pol)
    assert censor.check(Message("", attachment=att), at=at, memory=memory).action is Action.DELIVER
    memory.learn(att.md5, at)
    assert not memory.knows(att.md5, at - timedelta(seconds=1))
    d = censor.check(Message("", attachment=att), at=at, memory=memory)
    assert d.action is Action.DROP and d.reason is Reason.IMAGE_MD5


def test_delay_distribution_zhu2013() -> None:
    d = DelayDistribution.zhu2013()
    rng = random.Random(1)
    xs = [d.sample(rng) for _ in range(20_000)]
    in_5_30 = sum(300 <= x <= 1800 for x in xs) / len(xs)
    in_day = sum(x <= 86400 for x in xs) / len(xs)
    assert abs(in_5_30 - 0.30) < 0.02 and abs(in_day - 0.90) < 0.02
    with pytest.raises(PolicyError, match="last delay knot"):
        DelayDistribution(((1, 0.1), (2, 0.5)))


def test_load_policy_file(at: datetime) -> None:
    pol = load_policy(ROOT / "samples/configs/wechat-policy.toml")
    assert pol.name == "wechat-like" and pol.analysis_delay == timedelta(seconds=30)
    d = Censor(pol).check(Message("六四学生民主运动", Surface.GROUP_CHAT), at=at)
    assert d.action is Action.DROP


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[policy\nname=", "malformed TOML"),
        ("[surfaces.chatroom]\n", "unknown surface 'chatroom'"),
        ("[rulesets.a]\nfiles=['missing.csv']\n", "rule file .*missing.csv.* not found"),
        ("[surfaces.chat]\nrulesets=['x']\n", "unknown rule set 'x'"),
        ("[surfaces.chat]\ncolour='red'\n", "unknown key"),
        ("[surfaces.chat]\naction='explode'\n", "unknown action"),
        ("[surfaces.chat]\nregions=['mars']\n", "unknown region"),
        ("[deletion]\nknots=[[1, 0.5]]\n", "two knots"),
        ("[deletion]\nknots=[['a', 0.5], [2, 1.0]]\n", "number pairs"),
        ("[images]\nradius='wide'\n", "radius: expected a number"),
        ("[images]\nradius=2.5\n", "radius: expected an integer"),
        ("[policy]\nanalysis_delay_seconds='soon'\n", "analysis_delay_seconds: expected a number"),
    ],
)
def test_malformed_policy_files(tmp_path: Path, text: str, match: str) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match=match) as err:
        load_policy(p)
    assert "bad.toml" in str(err.value)


def test_user_errors_are_censorsim_errors(at: datetime) -> None:
    with pytest.raises(UnknownNameError, match="unknown action 'explode'; expected one of: "):
        Action.parse("explode")
    with pytest.raises(UnknownNameError, match="unknown region 'mars'"):
        Region.parse("mars")
    with pytest.raises(ParameterError, match="2 messages but 1 times"):
        Censor(_policy()).check_many([Message("a"), Message("b")], at=[at])


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="policy file not found"):
        load_policy(tmp_path / "nope.toml")


def test_clean_decisions_are_shared_per_surface(at: datetime) -> None:
    policy = Policy(
        name="toy",
        rulesets={"main": RuleSet([Rule.combination("六四+学生")])},
        surfaces=(SurfacePolicy(Surface.CHAT, rulesets=("main",)),
                  SurfacePolicy(Surface.FEED, rulesets=("main",))),
    )
    out = Censor(policy).check_many(
        [Message("你好", Surface.CHAT), Message("早上好", Surface.FEED),
         Message("六四的学生", Surface.CHAT)],
        at=at,
    )
    assert out[0] is Decision.clean(Surface.CHAT) and out[1] is Decision.clean(Surface.FEED)
    assert out[2] is not Decision.clean(Surface.CHAT) and out[2].censored
    assert Decision.clean(Surface.CHAT).action is Action.DELIVER
    assert Decision.clean(Surface.CHAT).reason is Reason.NONE
