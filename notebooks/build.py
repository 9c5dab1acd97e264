#!/usr/bin/env python3
"""Pair, execute and save the teaching notebooks (the ``notebooks`` extra).

    python notebooks/build.py                 # every NN_*.py -> NN_*.ipynb, with outputs
    python notebooks/build.py 03_images.py    # only these

The ``.py`` files (jupytext percent format) are the source; each ``.ipynb`` is rebuilt
from its ``.py`` and executed with the working directory set to this folder, so it is
saved with its outputs (figures) and opens with them. ``tests/notebooks`` executes the
same way and checks that every pair is in sync.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
TIMEOUT = 300  # seconds per cell


def notebook_sources() -> list[Path]:
    """The notebooks' ``.py`` sources, in order."""
    return sorted(p for p in HERE.glob("[0-9][0-9]_*.py"))


def execute(source: Path) -> nbformat.NotebookNode:
    """Read a ``.py`` notebook and execute it in this folder; returns it with outputs."""
    nb = jupytext.read(source)
    nb.metadata.setdefault("jupytext", {})["formats"] = "ipynb,py:percent"
    for i, cell in enumerate(nb.cells):  # stable ids and no timings: small, quiet diffs
        cell.id = f"cell-{i:02d}"
    client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(HERE)}})
    client.execute()
    return nb


def main(argv: list[str]) -> int:
    sources = [HERE / a for a in argv] if argv else notebook_sources()
    for source in sources:
        t0 = time.perf_counter()
        nb = execute(source)
        target = source.with_suffix(".ipynb")
        nbformat.write(nb, target)
        print(f"{target.name}: {time.perf_counter() - t0:.1f} s, "
              f"{target.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
