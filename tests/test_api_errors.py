"""Bad names and values fed to every public entry point: a named censorsim error, never a
bare ``ValueError``/``KeyError``/``TypeError`` from deep inside.

Each row: the call, the error class it must raise, and a pattern its message must contain
(the bad value, or the argument it was given for).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import censorsim
from censorsim import errors, evasion, image, platforms, policy, probe, research, simulate, text

AT = datetime(2020, 2, 1)


def _hash() -> image.ImageHash:
    return image.Hasher("phash").hash(Image.new("RGB", (40, 40), (200, 10, 10)))


def _rules() -> text.RuleSet:
    return text.RuleSet([text.Rule.keyword("法轮功")])


CASES: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    # names
    ("matcher backend", lambda: text.make_matcher(["a"], "nope"), errors.UnknownNameError,
     r"unknown matcher backend 'nope'.*reference"),
    ("normalizer step", lambda: text.Normalizer(["nope"]), errors.UnknownNameError,
     r"'nope'.*casefold"),
    ("ruleset normalizer", lambda: text.RuleSet([], normalizer="nope"),
     errors.UnknownNameError, r"'nope'"),
    ("ruleset backend", lambda: text.RuleSet([text.Rule.keyword("a")], backend="nope"),
     errors.UnknownNameError, r"'nope'"),
    ("hash algorithm", lambda: image.Hasher("nope"), errors.UnknownNameError, r"'nope'.*phash"),
    ("index backend", lambda: image.make_backend("nope", 64), errors.UnknownNameError,
     r"'nope'.*mih"),
    ("index backend via index", lambda: image.HammingIndex("phash", backend="nope"),
     errors.UnknownNameError, r"'nope'"),
    ("platform", lambda: platforms.make_profile("nope"), errors.UnknownNameError,
     r"'nope'.*wechat"),
    ("search engine", lambda: platforms.search(engine="nope"), errors.UnknownNameError, r"'nope'"),
    ("surface", lambda: policy.Surface.parse("nope"), errors.UnknownNameError, r"'nope'"),
    ("region", lambda: policy.Region.parse("nope"), errors.UnknownNameError, r"'nope'"),
    ("action", lambda: censorsim.Action.parse("nope"), errors.UnknownNameError, r"'nope'"),
    ("text transform", lambda: evasion.text_transform("nope"), errors.UnknownNameError,
     r"'nope'.*noop"),
    ("image transform", lambda: evasion.image_transform("nope"), errors.UnknownNameError,
     r"'nope'.*noop"),
    ("isolation method", lambda: probe.isolate(probe.Oracle(_rules()), "法轮功", method="nope"),
     errors.UnknownNameError, r"'nope'"),
    ("export format", lambda: simulate.export_log("x.db", "out", format="nope"),
     errors.UnknownNameError, r"'nope'"),
    # values
    ("empty keyword rule", lambda: text.Rule.keyword(""), errors.RuleError, r"empty"),
    ("empty combination component", lambda: text.Rule.combination("a++b"), errors.RuleError,
     r"empty"),
    ("hash size", lambda: image.Hasher("phash", size=-3), errors.ParameterError, r"size"),
    ("index radius", lambda: image.HammingIndex("phash").query(_hash(), radius=-1),
     errors.ParameterError, r"radius"),
    ("wilson out of range", lambda: research.wilson_interval(5, 3), errors.ParameterError, r"3"),
    ("oracle budget", lambda: probe.Oracle(_rules(), budget=-5), errors.ParameterError,
     r"budget"),
    ("oracle separator", lambda: probe.Oracle(_rules(), separator=""), errors.ParameterError,
     r"separator"),
    ("metrics window", lambda: simulate.compute_metrics([], window=0), errors.ParameterError,
     r"window"),
    ("metrics window nan", lambda: simulate.compute_metrics([], window=math.nan),
     errors.ParameterError, r"window"),
    ("transform strength", lambda: evasion.text_transform("spaces").apply(
        "法轮功", strength=7.0), errors.ParameterError, r"strength"),
    ("censor times", lambda: censorsim.Censor(platforms.make_profile("wechat")).check_many(
        [censorsim.Message("a"), censorsim.Message("b")], at=[AT]), errors.ParameterError,
     r"1.*2|2.*1"),
]


@pytest.mark.parametrize(("what", "call", "error", "pattern"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_named_error(
    what: str, call: Callable[[], Any], error: type[Exception], pattern: str
) -> None:
    """The error is the documented censorsim class and its message names the problem."""
    with pytest.raises(errors.CensorsimError) as info:
        call()
    assert isinstance(info.value, error), f"{what}: {type(info.value).__name__}: {info.value}"
    assert info.match(pattern)


def test_files_that_are_not_what_they_claim(tmp_path: Path) -> None:
    """Readers name the file when its contents are wrong."""
    bad_rules = tmp_path / "rules.csv"
    bad_rules.write_text("id,rule,action\nx,,drop\n", encoding="utf-8")
    with pytest.raises(errors.WordlistError, match=r"rules\.csv:2"):
        text.load_rules(bad_rules)
    bad_policy = tmp_path / "p.toml"
    bad_policy.write_text('[policy]\nname = "x"\n[surfaces.chat]\naction = "explode"\n',
                          encoding="utf-8")
    with pytest.raises(errors.PolicyError, match=r"p\.toml"):
        policy.load_policy(bad_policy)
    bad_config = tmp_path / "c.toml"
    bad_config.write_text("seed = 'x'\n", encoding="utf-8")
    with pytest.raises(errors.SimulationError, match=r"c\.toml"):
        simulate.load_config(bad_config)
    not_image = tmp_path / "x.png"
    not_image.write_text("hello", encoding="utf-8")
    with pytest.raises(errors.ImageError, match=r"x\.png"):
        image.Hasher("phash").hash(not_image)


def test_a_valid_image_still_hashes(tmp_path: Path) -> None:
    """The negative cases above are not passing because everything fails."""
    p = tmp_path / "ok.png"
    Image.new("RGB", (40, 40), (200, 10, 10)).save(p)
    assert image.Hasher("phash").hash(p).bits == 64
