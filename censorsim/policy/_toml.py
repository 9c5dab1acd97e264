"""Policy files: a :class:`Policy` from TOML (format: ``docs/simulation.md``)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from censorsim._toml import read_toml
from censorsim.errors import CensorsimError, PolicyError
from censorsim.models import Action, Outcome, Region, Rule, Surface
from censorsim.policy._delays import DelayDistribution
from censorsim.policy._identity import merge_identical
from censorsim.policy._images import ImageBlacklist, ImageCheck
from censorsim.policy._policy import Policy, Scope, SurfacePolicy
from censorsim.text.rules import RuleSet

__all__ = ["load_policy", "policy_from_dict"]


_POLICY_KEYS = {"policy", "rulesets", "surfaces", "images", "deletion"}
_META_KEYS = {"name", "description", "sources", "normalizer", "backend", "analysis_delay_seconds"}
_RULESET_KEYS = {"files", "rules", "default_action"}
_SURFACE_KEYS = {"rulesets", "regions", "scope", "action", "error", "images", "learn_from",
                 "response_rulesets", "mask_received", "errors"}
_IMAGE_KEYS = {"md5", "index", "radius", "thresholds", "ocr", "ocr_engine", "ocr_mode"}
_DELETION_KEYS = {"knots", "share", "shares"}


def _table(data: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise PolicyError(f"{where}: [{key}] must be a table, got {type(value).__name__}")
    return value


def _check_keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise PolicyError(
            f"{where}: unknown key(s) {', '.join(unknown)}; expected: {', '.join(sorted(allowed))}"
        )


def _str_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where}: expected a string or a list of strings, got {value!r}")
    return list(value)


def _parse_enum(parser: Any, value: Any, where: str) -> Any:
    try:
        return parser(value)
    except (ValueError, KeyError, CensorsimError) as exc:
        raise PolicyError(f"{where}: {exc}") from None


def _number(
    kind: type[int] | type[float], value: Any, where: str, lo: float, hi: float
) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(f"{where}: expected a number, got {value!r}")
    if not math.isfinite(value):
        raise PolicyError(f"{where}: expected a finite number, got {value!r}")
    if kind is int and not float(value).is_integer():
        raise PolicyError(f"{where}: expected an integer, got {value!r}")
    if not lo <= value <= hi:
        raise PolicyError(f"{where}: must be from {lo:g} to {hi:g}, got {value!r}")
    return kind(value)


MAX_ANALYSIS_DELAY = 30 * 86400
"""The longest ``analysis_delay_seconds`` (30 days)."""
MAX_RADIUS = 1024
"""The largest image match radius, in bits."""
MAX_POLICY_BYTES = 1 << 20
"""The largest policy file read (1 MiB; rules belong in rule files)."""


def policy_from_dict(data: Mapping[str, Any], *, base: Path, where: str = "<policy>") -> Policy:
    """Build a policy from parsed TOML (``base`` resolves relative file names).

    Raises:
        PolicyError: naming ``where`` and the problem.
    """
    from censorsim.text import wordlists

    _check_keys(data, _POLICY_KEYS, where)
    meta = _table(data, "policy", where)
    _check_keys(meta, _META_KEYS, f"{where} [policy]")
    name = meta.get("name", Path(where).stem)
    normalizer = meta.get("normalizer")
    backend = meta.get("backend", "default")
    rulesets: dict[str, RuleSet] = {}
    inputs: list[str] = []
    for rs_name, spec in _table(data, "rulesets", where).items():
        here = f"{where} [rulesets.{rs_name}]"
        if not isinstance(spec, dict):
            raise PolicyError(f"{here}: must be a table")
        _check_keys(spec, _RULESET_KEYS, here)
        action = _parse_enum(Action.parse, spec.get("default_action", "drop"), here)
        rules: list[Rule] = []
        for f in _str_list(spec.get("files", []), f"{here} files"):
            path = base / f
            if not path.is_file():
                raise PolicyError(f"{here}: rule file {str(path)!r} not found")
            inputs.append(str(path.resolve()))
            try:
                rules.extend(wordlists.load_rules(path, default_action=action))
            except CensorsimError as exc:
                raise PolicyError(f"{here}: {exc}") from exc
        for k, line in enumerate(_str_list(spec.get("rules", []), f"{here} rules")):
            try:
                rules.append(wordlists.parse_rule_line(line, action=action))
            except (CensorsimError, ValueError) as exc:
                raise PolicyError(f"{here} rules[{k}]: {exc}") from exc
        try:
            # Rules identical under the normaliser are counted once, with a
            # RuleIdentityWarning, exactly as the built-in profiles do.
            rulesets[rs_name] = RuleSet(merge_identical(rules, normalizer, where=here),
                                        normalizer=normalizer, backend=backend)
        except CensorsimError as exc:
            raise PolicyError(f"{here}: {exc}") from exc
    surfaces: list[SurfacePolicy] = []
    for s_name, spec in _table(data, "surfaces", where).items():
        here = f"{where} [surfaces.{s_name}]"
        surface = _parse_enum(Surface.parse, s_name, here)
        if not isinstance(spec, dict):
            raise PolicyError(f"{here}: must be a table")
        _check_keys(spec, _SURFACE_KEYS, here)
        regions = frozenset(
            _parse_enum(Region.parse, r, here)
            for r in _str_list(spec.get("regions", [r.value for r in Region]), here)
        )
        action = spec.get("action")
        learn_from = None
        if "learn_from" in spec:
            learn_from = frozenset(
                _parse_enum(Region.parse, r, here) for r in _str_list(spec["learn_from"], here)
            )
        mask = spec.get("mask_received", False)
        if not isinstance(mask, bool):
            raise PolicyError(f"{here}: mask_received must be true or false, got {mask!r}")
        errors = spec.get("errors", {})
        if not isinstance(errors, dict) or not all(isinstance(v, str) for v in errors.values()):
            raise PolicyError(f"{here}: errors must map outcomes to messages, got {errors!r}")
        surfaces.append(
            SurfacePolicy(
                surface,
                tuple(_str_list(spec.get("rulesets", []), here)),
                regions,
                _parse_enum(Scope, spec.get("scope", "sender"), here),
                None if action is None else _parse_enum(Action.parse, action, here),
                spec.get("error"),
                _parse_enum(ImageCheck, spec.get("images", "off"), here),
                learn_from,
                tuple(_str_list(spec.get("response_rulesets", []), here)),
                {_parse_enum(Outcome.parse, k, here): v for k, v in errors.items()},
                mask,
            )
        )
    img = _table(data, "images", where)
    _check_keys(img, _IMAGE_KEYS, f"{where} [images]")
    index = None
    if "index" in img:
        from censorsim.image import HammingIndex

        ipath = base / str(img["index"])
        if not ipath.is_file():
            raise PolicyError(f"{where} [images]: index file {str(ipath)!r} not found")
        inputs.append(str(ipath.resolve()))
        try:
            index = HammingIndex.load(ipath)
        except (CensorsimError, OSError) as exc:
            raise PolicyError(f"{where} [images]: {exc}") from exc
    thresholds = img.get("thresholds", {})
    if not isinstance(thresholds, dict):
        raise PolicyError(f"{where} [images]: thresholds must map entry ids to integers")
    thresholds = {
        k: _number(int, v, f"{where} [images] thresholds.{k}", 0, MAX_RADIUS)
        for k, v in thresholds.items()
    }
    images = ImageBlacklist(
        frozenset(_str_list(img.get("md5", []), f"{where} [images] md5")),
        index,
        _number(int, img.get("radius", 10), f"{where} [images] radius", 0, MAX_RADIUS),
        thresholds,
        tuple(_str_list(img.get("ocr", []), f"{where} [images] ocr")),
        str(img.get("ocr_engine", "rapidocr")),
        str(img.get("ocr_mode", "wechat")),
    )
    deletion = DelayDistribution.zhu2013()
    dele = _table(data, "deletion", where)
    _check_keys(dele, _DELETION_KEYS, f"{where} [deletion]")
    if "knots" in dele:
        knots = dele["knots"]
        if not isinstance(knots, list) or not all(
            isinstance(k, list) and len(k) == 2 for k in knots
        ):
            raise PolicyError(f"{where} [deletion]: knots must be [[seconds, share], ...]")
        deletion = _parse_enum(
            DelayDistribution, tuple((k[0], k[1]) for k in knots), f"{where} [deletion]"
        )
    share = _number(float, dele.get("share", 1.0), f"{where} [deletion] share", 0, 1)
    shares = dele.get("shares", {})
    if not isinstance(shares, dict):
        raise PolicyError(f"{where} [deletion]: shares must map rule ids to probabilities")
    shares = {k: _number(float, v, f"{where} [deletion] shares.{k}", 0, 1)
              for k, v in shares.items()}
    try:
        return Policy(
            name=str(name),
            rulesets=rulesets,
            surfaces=tuple(surfaces),
            images=images,
            deletion=deletion,
            deletion_share=share,
            deletion_shares=shares,
            analysis_delay=timedelta(seconds=_number(
                float, meta.get("analysis_delay_seconds", 0),
                f"{where} [policy] analysis_delay_seconds", 0, MAX_ANALYSIS_DELAY,
            )),
            description=str(meta.get("description", "")),
            sources=tuple(_str_list(meta.get("sources", []), f"{where} [policy] sources")),
            inputs=tuple(inputs),
        )
    except PolicyError as exc:
        raise PolicyError(f"{where}: {exc}") from None


def load_policy(path: str | os.PathLike[str]) -> Policy:
    """Load a policy from a TOML file (format: ``docs/simulation.md``).

    Raises:
        PolicyError: the file is missing or malformed; the message names it and the problem.
    """
    p = Path(path)
    where = str(p)
    data, _ = read_toml(p, what="policy file", limit=MAX_POLICY_BYTES, error=PolicyError)
    policy = policy_from_dict(data, base=p.resolve().parent, where=where)
    return replace(policy, inputs=(str(p.resolve()), *policy.inputs))
