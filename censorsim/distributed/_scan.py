"""Scanning a corpus partition by partition into Parquet, resumable.

Output folder layout:

``manifest.json``
    What the scan is: the rules' digest, the options, every input's size and SHA-256
    and the partitions. Written first; a later scan into the same folder resumes only
    if all of it is unchanged (else :class:`~censorsim.errors.InputError` naming what
    changed; ``fresh=True`` starts over).
``part-NNNNNN.parquet``
    One file per partition, one row per message: ``source`` (the input file), ``line``
    (line or row number), ``id``, ``fired``, ``censored``, ``action``, ``rules`` (ids of
    the rules that fired), ``spans`` (``[start, end)`` in code points of the original
    text). Written by the worker to a temporary name and renamed, so a file is whole or
    absent: a worker killed mid-write leaves nothing, the engine's retry writes it once,
    and a resumed scan skips the partitions already there (and removes temporary files
    a killed worker left). The file's metadata holds the partition's key and its counts.
    One scan writes a folder at a time.
``summary.json``
    Totals: messages, censored, fired, per action, per rule, bad lines (listed), and
    how the scan ran.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from censorsim.distributed._corpus import (
    ErrorMode,
    Partition,
    PartitionData,
    Source,
    plan_partitions,
    read_partition,
)
from censorsim.distributed._engine import run_tasks
from censorsim.distributed._rules import ShippedRules, builds
from censorsim.errors import InputError, ParameterError
from censorsim.models import Message, Region, ScanResult, Surface
from censorsim.policy import Censor
from censorsim.text.rules import RuleSet

__all__ = ["SCAN_COLUMNS", "PlatformCheck", "ScanSummary", "read_scan", "scan_corpus",
           "scan_partition"]

MANIFEST_VERSION = 1
SCAN_COLUMNS: tuple[str, ...] = (
    "source", "line", "id", "fired", "censored", "action", "rules", "spans",
)
"""The columns of a scan's Parquet output, in order."""
_META_KEY = b"censorsim.partition"
_WORKER_PRELOAD = ("pyarrow.parquet", "pandas")
"""Imported once by the server worker processes fork from (see
``censorsim.distributed._engine``); else every worker imports them on its first
partition (``pyarrow.table`` imports pandas when it is installed): about a second each."""


@dataclass(frozen=True, slots=True)
class ScanSummary:
    """What a scan found and how it ran (also written as ``summary.json``).

    Attributes:
        out: the output folder.
        messages, censored, fired: totals.
        actions: messages per most severe action (``deliver`` included).
        rules: messages on which each rule fired, most first.
        bad_lines: ``(file, line, problem)`` of lines that were not messages (listed up
            to 1,000 per partition) and ``bad_count``, all of them.
        partitions: partitions in the corpus; ``resumed``: how many were already written.
        engine, workers: how it ran; ``seconds``: wall-clock time of this call;
        ``cpu_seconds``: processor time the partitions scanned by this call took (in the
        workers, rule building included; 0 when every partition was resumed).
    """

    out: Path
    messages: int
    censored: int
    fired: int
    actions: tuple[tuple[str, int], ...]
    rules: tuple[tuple[str, int], ...]
    bad_lines: tuple[tuple[str, int, str], ...]
    bad_count: int
    partitions: int
    resumed: int
    engine: str
    workers: int
    seconds: float
    cpu_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data."""
        return {
            "messages": self.messages, "censored": self.censored, "fired": self.fired,
            "actions": dict(self.actions), "rules": dict(self.rules),
            "bad_count": self.bad_count,
            "bad_lines": [{"file": f, "line": n, "problem": p} for f, n, p in self.bad_lines],
            "partitions": self.partitions, "resumed_partitions": self.resumed,
            "engine": self.engine, "workers": self.workers,
            "seconds": round(self.seconds, 3), "cpu_seconds": round(self.cpu_seconds, 3),
        }


@dataclass(frozen=True, slots=True)
class PlatformCheck:
    """Messages checked through a platform's censor (its own rules, surfaces, regions)
    instead of a rule set: each text becomes a message on ``surface`` from an account
    in ``region``, checked at ``at``. The censor pickles as its policy, so it is built
    once per worker like a shipped rule set.

    Example:
        >>> check = PlatformCheck.from_profile("wechat")
        >>> (check.surface.value, check.region.value)
        ('chat', 'mainland')
    """

    censor: Censor
    surface: Surface
    region: Region
    at: datetime

    @classmethod
    def from_profile(cls, name: str, *, surface: str | None = None,
                     region: str = "mainland", on: date | None = None) -> PlatformCheck:
        """The profile ``name``'s censor on ``surface`` (default: its first), at noon of
        ``on`` (default today).

        Raises:
            UnknownNameError: an unknown profile, surface or region.
            PolicyError: the profile has no such surface.
        """
        from censorsim.platforms import make_profile

        censor = Censor(make_profile(name))
        where = (Surface.parse(surface) if surface is not None
                 else censor.policy.surfaces[0].surface)
        censor.policy.surface(where)
        day = on or date.today()
        return cls(censor, where, Region.parse(region), datetime(day.year, day.month, day.day, 12))

    def describe(self) -> dict[str, Any]:
        """What determines the decisions (recorded in the manifest)."""
        return {"platform": self.censor.policy.name, "surface": self.surface.value,
                "region": self.region.value, "at": self.at.isoformat(),
                "inputs": list(self.censor.policy.inputs)}


@dataclass(frozen=True, slots=True)
class _Job:
    """What every partition task shares (shipped once per worker)."""

    rules: ShippedRules | PlatformCheck
    out: str
    on: date | None
    errors: ErrorMode


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema([
        ("source", pa.string()), ("line", pa.int64()), ("id", pa.string()),
        ("fired", pa.bool_()), ("censored", pa.bool_()), ("action", pa.string()),
        ("rules", pa.list_(pa.string())), ("spans", pa.list_(pa.list_(pa.int64()))),
    ])


def _columns(part: Partition, data: PartitionData, ruleset: RuleSet,
             on: date | None) -> tuple[dict[str, list[Any]], Counter[str], Counter[str]]:
    results = ruleset.check_many(data.texts, on=on)
    n = len(data.texts)
    clean = ScanResult("")
    default_action = clean.action.name.lower()
    fired = [False] * n
    censored = [False] * n
    action = [default_action] * n
    rules: list[list[str]] = [[] for _ in range(n)]
    spans: list[list[list[int]]] = [[] for _ in range(n)]
    actions: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    for i in results.matched_indices:
        r = results[i]
        fired[i] = r.fired
        censored[i] = r.censored
        action[i] = r.action.name.lower()
        rules[i] = list(r.rule_ids)
        spans[i] = [list(s) for s in r.spans()]
        by_rule.update(r.rule_ids)
        actions[action[i]] += 1
    actions[default_action] += n - sum(actions.values())
    if not actions[default_action]:
        del actions[default_action]
    cols: dict[str, list[Any]] = {
        "source": [part.path] * n, "line": data.lines, "id": data.ids, "fired": fired,
        "censored": censored, "action": action, "rules": rules, "spans": spans,
    }
    return cols, actions, by_rule


def _platform_columns(part: Partition, data: PartitionData, check: PlatformCheck
                      ) -> tuple[dict[str, list[Any]], Counter[str], Counter[str]]:
    decisions = check.censor.check_many(
        [Message(t, check.surface, check.region) for t in data.texts], at=check.at)
    actions: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    cols: dict[str, list[Any]] = {
        "source": [part.path] * len(decisions), "line": data.lines, "id": data.ids,
        "fired": [], "censored": [], "action": [], "rules": [], "spans": [],
    }
    for text, d in zip(data.texts, decisions, strict=True):
        action = d.action.name.lower()
        cols["fired"].append(bool(d.rule_ids))
        cols["censored"].append(d.censored)
        cols["action"].append(action)
        cols["rules"].append(list(d.rule_ids))
        spans = ScanResult(text, d.hits).spans() if d.hits else []
        cols["spans"].append([list(sp) for sp in spans])
        actions[action] += 1
        by_rule.update(d.rule_ids)
    return cols, actions, by_rule


def scan_partition(part: Partition, job: _Job) -> dict[str, Any]:
    """Scan one partition and write its Parquet file (whole, by rename); return its
    counts. The task every engine runs."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    cpu0 = time.process_time()
    data = read_partition(part, job.errors)
    if isinstance(job.rules, PlatformCheck):
        cols, actions, by_rule = _platform_columns(part, data, job.rules)
    else:
        cols, actions, by_rule = _columns(part, data, job.rules.ruleset(), job.on)
    stats: dict[str, Any] = {
        "index": part.index, "key": part.key, "messages": len(data.texts),
        "censored": sum(cols["censored"]), "fired": sum(cols["fired"]),
        "actions": dict(actions), "rules": dict(by_rule), "bad_count": data.bad_count,
        "bad_lines": [[b.file, b.line, b.problem] for b in data.bad],
    }
    try:
        table = pa.table(cols, schema=_schema())
    except (UnicodeError, pa.ArrowException):  # lone surrogates (from JSON escapes)
        for name in ("source", "id"):
            cols[name] = [_utf8(x) for x in cols[name]]
        cols["rules"] = [[_utf8(x) for x in r] for r in cols["rules"]]
        table = pa.table(cols, schema=_schema())
    table = table.replace_schema_metadata(
        {_META_KEY: json.dumps(stats, ensure_ascii=True).encode("utf-8")}
    )
    final = Path(job.out) / _part_name(part.index)
    tmp = final.with_name(f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    stats["cpu_seconds"] = time.process_time() - cpu0
    stats["pid"] = os.getpid()
    stats["rule_builds"] = builds()
    return stats


def _utf8(text: str) -> str:
    """``text`` with lone surrogates escaped (Parquet strings are UTF-8)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _part_name(index: int) -> str:
    return f"part-{index:06d}.parquet"


def _written_stats(path: Path, key: str) -> dict[str, Any] | None:
    """The counts of a partition file already written for ``key``, or None."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
        stats: dict[str, Any] = json.loads(meta[_META_KEY])
    except (OSError, KeyError, ValueError):
        return None
    except Exception:  # a damaged file: scan the partition again
        return None
    return stats if stats.get("key") == key else None


def _manifest(rules: ShippedRules | PlatformCheck, sources: Sequence[Source],
              parts: Sequence[Partition], on: date | None, errors: str) -> dict[str, Any]:
    described = rules.describe() if isinstance(rules, PlatformCheck) else {
        "digest": rules.digest, "count": len(rules.rules),
        "normalizer": rules.normalizer.name, "backend": rules.backend}
    return {
        "version": MANIFEST_VERSION,
        "rules": described,
        "on": on.isoformat() if on else None,
        "errors": errors,
        "inputs": [{"path": s.path, "format": s.format, "size": s.size, "sha256": s.sha256}
                   for s in sources],
        "partitions": [{"index": p.index, "path": p.path, "start": p.start, "stop": p.stop,
                        "first_line": p.first_line, "key": p.key} for p in parts],
    }


def _check_resume(path: Path, new: dict[str, Any]) -> None:
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a scan manifest ({exc}); give another output "
                         "folder or start over (--fresh)") from None
    hint = "; start over with --fresh (fresh=True) or give another output folder"
    if not isinstance(old, dict) or old.get("version") != MANIFEST_VERSION:
        raise InputError(f"{path}: a scan manifest of another version{hint}")
    old_inputs = {i.get("path"): i for i in old.get("inputs", []) if isinstance(i, dict)}
    for item in new["inputs"]:
        before = old_inputs.get(item["path"])
        if before is None:
            raise InputError(f"{item['path']}: not an input of the scan in {path.parent}{hint}")
        if before.get("sha256") != item["sha256"]:
            raise InputError(f"{item['path']}: changed since the scan in {path.parent} "
                             f"started (SHA-256 differs){hint}")
    if set(old_inputs) != {i["path"] for i in new["inputs"]}:
        gone = sorted(str(p) for p in set(old_inputs) - {i["path"] for i in new["inputs"]})
        raise InputError(f"{path.parent}: the scan there also read {', '.join(gone)}{hint}")
    for key in ("rules", "on", "errors", "partitions"):
        if old.get(key) != new[key]:
            raise InputError(f"{path.parent}: the scan there used other {key}{hint}")


def scan_corpus(
    inputs: Iterable[str | os.PathLike[str]],
    rules: RuleSet | ShippedRules | PlatformCheck,
    out: str | os.PathLike[str],
    *,
    format: str = "auto",
    encoding: str = "utf-8",
    on: date | None = None,
    errors: ErrorMode = "raise",
    partition_size: int = 100_000,
    engine: str = "serial",
    workers: int = 1,
    address: str | None = None,
    scheduler: str | None = None,
    retries: int = 2,
    fresh: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ScanSummary:
    """Scan a corpus into ``out`` (Parquet per partition, ``summary.json``), resuming a
    scan of the same inputs, rules and options already there.

    Args:
        inputs: files or globs of plain lines, JSON lines or Parquet (a ``text`` column,
            an optional ``id``).
        rules: a built :class:`RuleSet`, :class:`ShippedRules`, or a
            :class:`PlatformCheck` (a platform's censor instead of rules; ``on`` is
            then unused: the check's ``at`` decides which rules are in force).
        out: the output folder (created).
        format, encoding: the inputs' format (``auto`` by suffix) and text encoding.
        on: only rules in force on this date.
        errors: ``raise`` stops at the first bad line (naming file and line);
            ``record`` lists bad lines in the summary and scans the rest.
        partition_size: lines per partition of a text file.
        engine, workers, address, scheduler, retries: see :func:`run_tasks`.
        fresh: discard what ``out`` holds from an earlier scan.
        progress: called as ``progress(partitions_done, partitions_total)``.

    Raises:
        InputError: a missing, unreadable or malformed input (file and line); ``out``
            holds a scan of other inputs, rules or options.
        ParameterError: bad option values.

    Example:
        >>> import tempfile, pathlib
        >>> from censorsim.models import Rule
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "chat.txt").write_text("天气很好\\n法轮功\\n", encoding="utf-8")
        >>> s = scan_corpus([d / "chat.txt"], RuleSet([Rule.keyword("法轮功")]), d / "out")
        >>> (s.messages, s.censored)
        (2, 1)
        >>> [r["id"] for r in read_scan(d / "out") if r["censored"]] == [f"{d}/chat.txt:2"]
        True
    """
    t0 = time.perf_counter()
    shipped = rules if isinstance(rules, ShippedRules | PlatformCheck) \
        else ShippedRules.from_ruleset(rules)
    if errors not in ("raise", "record"):
        raise ParameterError(f"errors must be 'raise' or 'record', got {errors!r}")
    out_dir = Path(out)
    if out_dir.exists() and not out_dir.is_dir():
        raise ParameterError(f"{out_dir}: exists and is not a folder")
    sources, parts = plan_partitions(inputs, format=format, encoding=encoding,
                                     partition_size=partition_size)
    manifest = _manifest(shipped, sources, parts, on, errors)
    manifest_path = out_dir / "manifest.json"
    out_dir.mkdir(parents=True, exist_ok=True)
    if fresh:
        for old in out_dir.glob("part-*.parquet"):
            old.unlink()
        (out_dir / "summary.json").unlink(missing_ok=True)
    elif manifest_path.exists():
        _check_resume(manifest_path, manifest)
    _write_json(manifest_path, manifest)
    for tmp in out_dir.glob(".part-*.tmp"):  # left by a worker killed mid-write
        tmp.unlink(missing_ok=True)
    done: dict[int, dict[str, Any]] = {}
    for p in parts:
        stats = _written_stats(out_dir / _part_name(p.index), p.key)
        if stats is not None:
            done[p.index] = stats
    resumed = len(done)
    cpu = 0.0
    todo = [p for p in parts if p.index not in done]
    if progress is not None:
        progress(len(done), len(parts))
    job = _Job(shipped, str(out_dir), on, errors)
    for i, stats in run_tasks(scan_partition, todo, job, engine=engine, workers=workers,
                              address=address, scheduler=scheduler, retries=retries):
        done[todo[i].index] = stats
        cpu += stats.get("cpu_seconds", 0.0)
        if progress is not None:
            progress(len(done), len(parts))
    for stale in out_dir.glob("part-*.parquet"):  # a former, longer scan's leftovers
        number = stale.stem.split("-", 1)[1]
        if number.isdigit() and int(number) >= len(parts):
            stale.unlink()
    summary = _summarise(out_dir, [done[p.index] for p in parts], len(parts), resumed,
                         engine, workers, time.perf_counter() - t0, cpu)
    _write_json(out_dir / "summary.json", summary.to_dict())
    return summary


def _summarise(out: Path, stats: list[dict[str, Any]], partitions: int, resumed: int,
               engine: str, workers: int, seconds: float, cpu: float) -> ScanSummary:
    actions: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    bad: list[tuple[str, int, str]] = []
    for s in stats:
        actions.update(s["actions"])
        rules.update(s["rules"])
        bad.extend((f, n, p) for f, n, p in s["bad_lines"])
    return ScanSummary(
        out=out, messages=sum(s["messages"] for s in stats),
        censored=sum(s["censored"] for s in stats), fired=sum(s["fired"] for s in stats),
        actions=tuple(sorted(actions.items(), key=lambda kv: (-kv[1], kv[0]))),
        rules=tuple(sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))),
        bad_lines=tuple(bad), bad_count=sum(s["bad_count"] for s in stats),
        partitions=partitions, resumed=resumed, engine=engine, workers=workers,
        seconds=seconds, cpu_seconds=cpu,
    )


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_scan(out: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every row of a scan's output, in corpus order (partition by partition).

    Meant for tests and small scans; read big ones with ``pyarrow.dataset`` or
    ``dask.dataframe.read_parquet`` on ``out/part-*.parquet``.
    """
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = []
    for path in sorted(Path(out).glob("part-*.parquet")):
        rows.extend(pq.read_table(path).to_pylist())
    return rows
