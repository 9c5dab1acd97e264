"""Tables and plots of a benchmark run: markdown, matplotlib, and its JSON files.

Plots are made in a separate step from the run (``plot_run`` reads only the
:class:`~censorsim.bench.records.BenchRun`), with the Agg backend, so a saved JSON file
can be re-plotted anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from censorsim.bench.contenders import REFERENCE_CONTENDER
from censorsim.bench.gate import SEMANTICS
from censorsim.bench.records import BenchRun, ContenderResult
from censorsim.errors import ParameterError

__all__ = ["REFERENCES", "THROUGHPUT_KEY", "load_run", "markdown", "plot_run", "save_run"]

REFERENCES: dict[str, str] = {
    "text": REFERENCE_CONTENDER,
    "index": "index:linear",
    "hash": "hash:md5",
}
"""Per suite, the contender each throughput is divided by (measured in the same run)."""

THROUGHPUT_KEY: dict[str, str] = {"text": "messages", "index": "queries", "hash": "images"}
"""Per suite, the throughput compared across contenders and runs."""

_EXTRA_SEMANTICS = {
    "normalised": "occurrences of the normalised keywords in the normalised text, spans "
    "mapped back to the original; plus the rules that fired (brute-force check on the "
    "first messages with an occurrence)",
    "range": "every (query, entry, distance) with distance <= radius",
    "exact": "hash hex equal to imagehash's (hashlib's MD5) on every input without alpha",
    "draft-decode": "JPEG draft decoding changes some hashes by design; gated on the other "
    "inputs",
    "visual-match": "each image, queried against a blacklist of the same images, finds "
    "itself first (VisualIndex: pre-filter, coarse stage, local full-size correlation)",
    "ocr": "the text read from each image, uncached, after WeChat's luminosity grey",
}


def save_run(run: BenchRun, path: str | Path) -> Path:
    """Write the run as JSON (the schema of ``docs/benchmarks.md``)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(run.to_json(), indent=1, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    return out


def load_run(path: str | Path) -> BenchRun:
    """Read a run saved by :func:`save_run`.

    Raises:
        ParameterError: for a file that is not a benchmark run of this schema version.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ParameterError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ParameterError(f"{path}: not a benchmark run")
    try:
        return BenchRun.from_json(data)
    except (KeyError, TypeError) as exc:
        raise ParameterError(f"{path}: malformed benchmark run ({exc!r})") from None


def _num(x: float | None, digits: int = 0) -> str:
    if x is None:
        return "-"
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def _mib(x: int | None) -> str:
    return "-" if x is None else f"{x / 2**20:,.1f}"


def _status(r: ContenderResult) -> str:
    if r.status == "ok":
        return "ok"
    if r.status == "gate-failed" and r.advisory:
        return "differs (advisory)"
    return r.status


def _ratio(r: ContenderResult, ref: ContenderResult | None, key: str) -> str:
    if ref is None or r.status != "ok" or ref.status != "ok":
        return "-"
    a, b = r.throughput.get(key), ref.throughput.get(key)
    return f"{a / b:.2f}x" if a and b else "-"


def _group(run: BenchRun, suite: str) -> dict[str, list[ContenderResult]]:
    out: dict[str, list[ContenderResult]] = {}
    for r in run.results:
        if r.suite == suite:
            out.setdefault(r.workload, []).append(r)
    return out


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _notes(results: Sequence[ContenderResult]) -> list[str]:
    out: list[str] = []
    for r in results:
        if r.status == "ok":
            continue
        line = f"- `{r.contender}`: {_status(r)}"
        if r.reason:
            line += f" ({r.reason})"
        g = r.gate
        if g is not None and not g.passed:
            line += f"; {g.missing} missing, {g.extra} extra of {g.expected} expected"
            if g.sample_missing:
                line += "; e.g. missing " + ", ".join(map(str, g.sample_missing[:3]))
            if g.sample_extra:
                line += "; e.g. extra " + ", ".join(map(str, g.sample_extra[:3]))
        out.append(line)
    return out


def _workload_title(info: dict[str, Any]) -> str:
    if info["suite"] == "text":
        rules = f", {info['rules']:,} combination rules" if info.get("combination_rules") else ""
        return (
            f"{info['name']}: {info['keywords']:,} keywords{rules}, {info['messages']:,} "
            f"messages, {info['code_points']:,} code points, {info['utf8_bytes']:,} bytes"
        )
    if info["suite"] == "index":
        return (
            f"{info['name']}: {info['entries']:,} random 64-bit hashes, {info['queries']:,} "
            f"queries, radius {info['radius']}, {info['results']:,} results, 1 thread"
        )
    return f"{info['name']}: {info['images']} images ({', '.join(info['files'])})"


def markdown(run: BenchRun) -> str:
    """The run as markdown: environment, one table per workload, notes, semantics."""
    env = run.environment
    simd = env.get("numpy_simd") or {}
    pk = env.get("packages") or {}
    lines = [
        f"Profile `{run.profile}`, {run.created}, schema {run.schema_version}.",
        "",
        f"- CPU: {env.get('cpu_model')}, {env.get('cpu_count')} cores "
        f"({env.get('cpus_usable')} usable); load average at start {env.get('load_average')}, "
        f"at end {env.get('load_average_end')}",
        f"- Python {env.get('python')}, numpy {pk.get('numpy')} (SIMD level "
        f"{simd.get('level')}), " + ", ".join(
            f"{k} {v}" for k, v in pk.items() if v and k not in ("numpy",)
        ),
    ]
    git = env.get("git") or {}
    if git:
        dirty = " plus uncommitted changes" if git.get("censorsim_modified") else ""
        lines.append(f"- censorsim at commit `{str(git.get('commit'))[:10]}`{dirty}")
    if run.command:
        lines.append(f"- Command: `{run.command}`")
    infos = {w["name"]: w for w in run.workloads}
    for suite, title in (("text", "Text"), ("index", "Index"), ("hash", "Hashing")):
        groups = _group(run, suite)
        if not groups:
            continue
        key = THROUGHPUT_KEY[suite]
        ref_name = REFERENCES[suite]
        lines += ["", f"## {title}"]
        for workload, results in groups.items():
            ref = next((r for r in results if r.contender == ref_name), None)
            info = infos.get(workload)
            lines += ["", f"### {_workload_title(info) if info else workload}", ""]
            rows: list[list[str]] = []
            for r in results:
                b = r.build.median if r.build else None
                tp = r.throughput
                mem = r.memory
                row = [f"`{r.contender}`", _status(r), _num(b, 3)]
                if suite == "text":
                    row += [_num(tp.get("messages")), _num(tp.get("mb"), 2),
                            _num((tp.get("code_points") or 0) / 1e6 if tp else None, 2)]
                else:
                    row += [_num(tp.get(key))]
                row += [
                    _ratio(r, ref, key),
                    _num(r.latency_us.get("p50"), 1), _num(r.latency_us.get("p99"), 1),
                    _mib(mem.py_peak_bytes if mem else None),
                    _mib(mem.rss_peak_bytes if mem else None),
                ]
                rows.append(row)
            header = ["contender", "status", "build s"]
            header += (["msgs/s", "MB/s", "Mcp/s"] if suite == "text" else [f"{key}/s"])
            header += [f"vs {ref_name}", "p50 µs", "p99 µs", "py peak MiB", "RSS peak MiB"]
            lines += _table(header, rows)
            notes = _notes(results)
            if notes:
                lines += ["", *notes]
    used = {r.semantics for r in run.results}
    lines += ["", "Semantics the gate compared under:", ""]
    for name in sorted(used):
        text = SEMANTICS.get(name) or _EXTRA_SEMANTICS.get(name, "")
        lines.append(f"- `{name}`: {text}")
    return "\n".join(lines) + "\n"


def plot_run(run: BenchRun, out_dir: str | Path, *, prefix: str = "") -> list[Path]:
    """Throughput against keyword count per contender, and index queries/s by size.

    Writes ``{prefix}text-<language>.png`` for each language with chat workloads of
    several keyword counts, and ``{prefix}index.png``. Needs matplotlib (extra ``plot``).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from censorsim.viz import use_cjk_font

    use_cjk_font()  # workload and contender names may be Chinese

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    infos = {w["name"]: w for w in run.workloads}
    langs = sorted({str(w.get("language")) for w in run.workloads
                    if w["suite"] == "text" and w.get("kind") == "chat"
                    and not w.get("combination_rules") and w.get("language")})
    for lang in langs:
        series: dict[str, list[tuple[int, float]]] = {}
        for r in run.results:
            info = infos.get(r.workload, {})
            if (r.suite != "text" or r.status != "ok" or info.get("language") != lang
                    or info.get("kind") != "chat" or info.get("combination_rules")):
                continue
            series.setdefault(r.contender, []).append(
                (int(info["keywords"]), r.throughput["messages"])
            )
        if not series:
            continue
        fig, ax = plt.subplots(figsize=(8, 5))
        for name, pts in sorted(series.items()):
            pts.sort()
            style = "-" if name.startswith(("censorsim:", "pipeline:")) else "--"
            ax.plot([p[0] for p in pts], [p[1] for p in pts], style, marker="o", label=name)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("keywords")
        ax.set_ylabel("messages / s (median)")
        ax.set_title(f"{lang} chat messages: throughput against keyword count")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
        fig.tight_layout()
        path = out / f"{prefix}text-{lang}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    series = {}
    for r in run.results:
        if r.suite == "index" and r.status == "ok":
            info = infos.get(r.workload, {})
            series.setdefault(r.contender, []).append(
                (int(info.get("entries", 0)), r.throughput["queries"])
            )
    if series:
        fig, ax = plt.subplots(figsize=(8, 5))
        for name, pts in sorted(series.items()):
            pts.sort()
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=name)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("blacklist size (hashes)")
        ax.set_ylabel("queries / s (median, 1 thread)")
        ax.set_title("Hamming range queries against blacklist size")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = out / f"{prefix}index.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written
