"""The harness: every contender gated, broken ones caught, missing ones skipped, JSON kept."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from censorsim.bench.contenders import TextContender, TextRunner, text_contender, text_contenders
from censorsim.bench.gate import Occurrence
from censorsim.bench.harness import SCHEMA_VERSION, BenchConfig, BenchRun, TextSpec, run_benchmarks
from censorsim.bench.tables import load_run, markdown, plot_run, save_run
from censorsim.bench.workloads import (
    WECHAT_709_COMPONENTS,
    Workload,
    load_workload,
    make_workload,
    with_combination_rules,
)

SMALL = BenchConfig(
    suites=("text",),
    text=(TextSpec("zh", 150, 60), TextSpec("en", 150, 60)),
    repeats=1,
    latency_items=5,
    trial_messages=20,
)


class _Dropping(TextContender):
    """A test double: the reference matcher, but the first occurrence of a batch is lost."""

    name = "broken:drops-matches"

    def build(self, workload: Workload) -> TextRunner:
        inner = text_contender("censorsim:reference").build(workload)

        class Runner(TextRunner):
            def scan(self, messages: Sequence[str]) -> Any:
                return inner.scan(messages)

            def occurrences(self, messages: Sequence[str], output: Any) -> set[Occurrence]:
                return set(sorted(inner.occurrences(messages, output))[1:])

        return Runner()


class _Absent(TextContender):
    name = "absent"
    requires = ("censorsim_no_such_module",)

    def build(self, workload: Workload) -> TextRunner:
        raise AssertionError("a skipped contender is never built")


@pytest.fixture(scope="module")
def small_run() -> BenchRun:
    return run_benchmarks(SMALL, text_extra=[_Dropping(), _Absent()])


def test_every_installed_text_contender_passes_the_gate(small_run: BenchRun) -> None:
    names = {c.name for c in text_contenders()}
    ours = [r for r in small_run.results if r.contender in names]
    assert len(ours) == 2 * len(names)
    for r in ours:
        assert r.status in ("ok", "skipped"), (r.contender, r.workload, r.reason, r.gate)
        if r.status == "ok":
            assert r.gate is not None and r.gate.passed and r.gate.expected > 0
            assert r.build is not None and r.scan is not None and r.memory is not None
            assert r.throughput["messages"] > 0 and r.latency_us["p99"] > 0


def test_a_contender_that_drops_matches_is_caught_and_not_timed(small_run: BenchRun) -> None:
    broken = [r for r in small_run.results if r.contender == "broken:drops-matches"]
    assert len(broken) == 2
    for r in broken:
        assert r.status == "gate-failed"
        assert r.gate is not None and r.gate.missing > 0 and r.gate.sample_missing
        assert r.scan is None and r.build is None and not r.throughput
    assert {r.contender for r in small_run.gate_failures} == {"broken:drops-matches"}
    assert "gate-failed" in markdown(small_run)


def test_a_missing_package_is_skipped_not_failed(small_run: BenchRun) -> None:
    absent = [r for r in small_run.results if r.contender == "absent"]
    assert [r.status for r in absent] == ["skipped", "skipped"]
    assert "censorsim_no_such_module" in (absent[0].reason or "")
    assert absent[0].gate is None
    assert all(r.contender != "absent" for r in small_run.gate_failures)


def test_json_round_trip(small_run: BenchRun, tmp_path: Path) -> None:
    data = json.loads(json.dumps(small_run.to_json()))
    assert data["schema_version"] == SCHEMA_VERSION
    assert BenchRun.from_json(data) == small_run
    path = save_run(small_run, tmp_path / "run.json")
    assert load_run(path) == small_run
    data["schema_version"] = 99
    (tmp_path / "bad.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="schema_version 99"):
        load_run(tmp_path / "bad.json")


def test_environment_is_recorded(small_run: BenchRun) -> None:
    env = small_run.environment
    assert env["cpu_count"] >= 1 and env["python"] and env["packages"]["numpy"]
    assert "level" in env["numpy_simd"]


def test_over_budget_contenders_are_gated_on_a_trial() -> None:
    config = BenchConfig(suites=("text",), text=(TextSpec("en", 100, 40),), repeats=1,
                         budget_seconds=1e-9, contenders=("censorsim:naive",))
    (r,) = run_benchmarks(config).results
    assert r.status == "over-budget" and r.gate is not None and r.gate.scope == "trial"
    assert r.gate.passed and r.scan is None


def test_index_and_hash_suites() -> None:
    config = BenchConfig.quick(suites=("index", "hash"), index_sizes=(800,), index_queries=40,
                               hash_algorithms=("dhash", "md5"), latency_items=5)
    run = run_benchmarks(config)
    statuses = {(r.suite, r.contender): r.status for r in run.results}
    assert statuses[("index", "index:linear")] == "ok"
    assert statuses[("hash", "hash:dhash:fast")] == "ok"
    assert set(statuses.values()) <= {"ok", "skipped"}
    assert all(r.throughput for r in run.results if r.status == "ok")


def test_plots_are_written(small_run: BenchRun, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    data = small_run.to_json()
    for w in data["workloads"]:  # a second keyword count, so lines have two points
        w2 = dict(w, name=w["name"] + "-x", keywords=w["keywords"] * 10)
        data["workloads"].append(w2)
        data["results"] += [dict(r, workload=w2["name"]) for r in data["results"]
                            if r["workload"] == w["name"]]
        break
    written = plot_run(BenchRun.from_json(data), tmp_path, prefix="t-")
    assert [p.name for p in written] == ["t-text-en.png", "t-text-zh.png"]
    assert all(p.stat().st_size > 1000 for p in written)


def test_combination_rules_follow_the_wechat_proportions() -> None:
    w = with_combination_rules(make_workload("zh", 400, 30, seed=3), 709, seed=3)
    sizes = [len(r.components) for r in w.rules]
    assert len(w.rules) == 709 and set(sizes) <= set(WECHAT_709_COMPONENTS)
    assert abs(sizes.count(3) / 709 - 528 / 862) < 0.08
    assert set(w.keywords) == {k for r in w.rules for k in r.keywords}


def test_user_keyword_file_and_corpus(tmp_path: Path) -> None:
    (tmp_path / "kw.txt").write_text("六四\n法轮+功\n", encoding="utf-8")
    (tmp_path / "corpus.txt").write_text("今天六四\n\n法轮大法功\nnothing\n", encoding="utf-8")
    w = load_workload(tmp_path / "kw.txt", tmp_path / "corpus.txt")
    assert w.keywords == ("六四", "法轮", "功") and len(w.messages) == 3 and len(w.rules) == 2
    config = BenchConfig(suites=("text",), extra_workloads=(w,), repeats=1, latency_items=2,
                         contenders=("pipeline:default", "pyahocorasick"))
    run = run_benchmarks(config)
    assert [r.status for r in run.results] == ["ok", "ok"]
    gate = run.results[0].gate
    # 3 occurrences (六四, 法轮, 功), 2 rules fired, 2 messages whose rules were checked.
    assert gate is not None and gate.passed and gate.expected == 7
