"""censorsim.distributed: a corpus scanned partition by partition gives the same rows on
every engine as the single-process scan, ships its rules once, and resumes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from censorsim.cli import main
from censorsim.distributed import (
    SCAN_COLUMNS,
    ShippedRules,
    builds,
    plan_partitions,
    read_scan,
    run_tasks,
    scan_corpus,
)
from censorsim.errors import InputError
from censorsim.text.rules import RuleSet


def _jsonl_scan(capsys: pytest.CaptureFixture[str], rules_file: Path,
                files: list[Path]) -> list[dict[str, Any]]:
    assert main(["scan", "-r", str(rules_file), *map(str, files)]) == 0
    return [json.loads(x) for x in capsys.readouterr().out.splitlines()]


def test_serial_rows_match_the_single_process_scan_command(
    tmp_path: Path, corpus: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rules_file = tmp_path / "rules.txt"
    rules_file.write_text("六四+学生+民主运动\n法轮功\n", encoding="utf-8")
    expected = _jsonl_scan(capsys, rules_file, corpus)
    rs = RuleSet.from_file(rules_file)
    summary = scan_corpus(corpus, rs, tmp_path / "out", partition_size=4)
    rows = read_scan(tmp_path / "out")
    assert list(rows[0]) == list(SCAN_COLUMNS)
    got = [{k: r[k] for k in ("id", "fired", "censored", "action", "rules", "spans")}
           for r in rows]
    want = [{k: e[k] for k in ("id", "fired", "censored", "action", "rules", "spans")}
            for e in expected]
    assert got == want
    assert summary.messages == len(expected)
    assert summary.censored == sum(e["censored"] for e in expected)
    assert summary.partitions == len(plan_partitions(corpus, partition_size=4)[1]) > 3
    on_disk = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert on_disk["messages"] == summary.messages


def test_every_engine_writes_the_same_rows(
    tmp_path: Path, corpus: list[Path], rules: RuleSet, cluster: str
) -> None:
    ref = scan_corpus(corpus, rules, tmp_path / "serial", partition_size=5)
    want = read_scan(tmp_path / "serial")
    runs: dict[str, dict[str, Any]] = {
        "processes": {"engine": "processes", "workers": 2},
        "dask-sync": {"engine": "dask", "scheduler": "sync"},
        "dask-threads": {"engine": "dask", "scheduler": "threads", "workers": 2},
        "dask-cluster": {"engine": "dask", "address": cluster},
    }
    for name, kw in runs.items():
        s = scan_corpus(corpus, rules, tmp_path / name, partition_size=5, **kw)
        assert read_scan(tmp_path / name) == want, name
        assert (s.messages, s.censored, s.fired, s.actions, s.rules) == (
            ref.messages, ref.censored, ref.fired, ref.actions, ref.rules), name


def test_rules_are_built_once_per_process(
    tmp_path: Path, corpus: list[Path], rules: RuleSet, cluster: str
) -> None:
    shipped = ShippedRules.from_ruleset(rules)
    before = builds()
    scan_corpus(corpus, shipped, tmp_path / "threads", partition_size=3, engine="dask",
                scheduler="threads", workers=2)
    scan_corpus(corpus, shipped, tmp_path / "cl", partition_size=3, engine="dask",
                address=cluster)
    assert builds() == before  # this process had built them: 12+ partitions, no build
    # Local processes: see the killed-worker test (each process builds once).


def _job(shipped: ShippedRules, tmp_path: Path) -> Any:
    from censorsim.distributed._scan import _Job

    out = tmp_path / "direct"
    out.mkdir()
    return _Job(shipped, str(out), None, "raise")


def test_resume_skips_written_partitions_and_refuses_changed_input(
    tmp_path: Path, corpus: list[Path], rules: RuleSet
) -> None:
    out = tmp_path / "out"
    first = scan_corpus(corpus, rules, out, partition_size=4)
    want = read_scan(out)
    os.remove(out / "part-000002.parquet")  # as if the scan died before it
    (out / "part-000003.parquet").write_bytes(b"half a file")  # or it was cut short
    (out / ".part-000002.parquet.99.ab12.tmp").write_bytes(b"killed mid-write")
    again = scan_corpus(corpus, rules, out, partition_size=4)
    assert not list(out.glob(".*.tmp"))
    assert again.resumed == first.partitions - 2
    assert read_scan(out) == want
    with corpus[0].open("a", encoding="utf-8") as fh:
        fh.write("法轮功\n")
    with pytest.raises(InputError, match=r"a\.txt: changed since the scan .*--fresh"):
        scan_corpus(corpus, rules, out, partition_size=4)
    scan_corpus(corpus, rules, tmp_path / "o2", partition_size=4)
    with pytest.raises(InputError, match=r"o2: the scan there used other partitions"):
        scan_corpus(corpus, rules, tmp_path / "o2", partition_size=5)
    fresh = scan_corpus(corpus, rules, out, partition_size=4, fresh=True)
    assert fresh.resumed == 0 and fresh.messages == first.messages + 1


def test_a_killed_worker_is_retried_without_lost_or_duplicate_rows(
    tmp_path: Path, corpus: list[Path], rules: RuleSet
) -> None:
    from tests.distributed import _faults

    shipped = ShippedRules.from_ruleset(rules)
    parts = plan_partitions(corpus, partition_size=3)[1]
    ref = tmp_path / "ref"
    scan_corpus(corpus, shipped, ref, partition_size=3)
    job = _job(shipped, tmp_path)
    marker = tmp_path / "killed-once"
    items = [(p, str(marker)) for p in parts]
    stats = dict(run_tasks(_faults.die_once, items, job, engine="processes", workers=2,
                           retries=2))
    assert marker.exists()  # a worker did die
    assert sorted(stats) == list(range(len(parts)))  # each partition reported once
    # Rules are built once per process, whatever its number of partitions.
    per_pid: dict[int, int] = {}
    for s in stats.values():
        per_pid[s["pid"]] = max(per_pid.get(s["pid"], 0), s["rule_builds"])
    assert len(stats) > len(per_pid)
    assert set(per_pid.values()) == {1}
    assert read_scan(Path(job.out)) == read_scan(ref)
    assert not list(Path(job.out).glob(".*tmp"))  # no half-written file left
