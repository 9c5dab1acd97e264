"""The teaching notebooks run, one at a time, and their .py and .ipynb halves agree.

Each notebook in ``notebooks/`` is a jupytext percent-format ``.py`` (the source) paired
with an ``.ipynb`` saved with its outputs. Executing one here uses ``nbclient`` with the
working directory set to ``notebooks/``; any cell error fails the test. Rebuild the
``.ipynb`` files with ``python notebooks/build.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebooks need the notebooks extra")
jupytext = pytest.importorskip("jupytext", reason="the notebooks need the notebooks extra")
pytest.importorskip("nbclient", reason="the notebooks need the notebooks extra")
pytest.importorskip("ipykernel", reason="the notebooks need the notebooks extra")

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "notebooks"
SOURCES = sorted(FOLDER.glob("[0-9][0-9]_*.py"))
SECONDS = 120  # "under about a minute" each on a quiet machine; CI shares two cores


def _cells(nb: object) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in nb.cells]  # type: ignore[attr-defined]


def test_the_notebooks_are_there() -> None:
    numbers = [p.stem[:2] for p in SOURCES]
    assert len(numbers) == len(set(numbers)), numbers
    assert {"01", "02", "03", "04", "05", "07"} <= set(numbers), numbers


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_py_and_ipynb_are_in_sync(source: Path) -> None:
    ipynb = source.with_suffix(".ipynb")
    assert ipynb.is_file(), f"{ipynb.name} missing: run python notebooks/build.py"
    paired = nbformat.read(ipynb, as_version=4)
    assert _cells(jupytext.read(source)) == _cells(paired), (
        f"{source.name} and {ipynb.name} differ: run python notebooks/build.py {source.name}")
    assert paired.metadata["jupytext"]["formats"] == "ipynb,py:percent"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_saved_notebook_shows_its_figures(source: Path) -> None:
    nb = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "saved without executing every cell"
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no figure saved"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_teaches_and_asks(source: Path) -> None:
    cells = jupytext.read(source).cells
    assert cells[0].cell_type == "markdown" and "What you will learn" in cells[0].source
    assert cells[-1].cell_type == "markdown" and "Questions to try" in cells[-1].source


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_executes(source: Path, tmp_path: Path) -> None:
    """Run the notebook in a fresh kernel (a subprocess, so pytest's warning filters and
    event loop stay out of the kernel's way); it must not write into the repository."""
    before = _tree_state()
    script = (
        "import sys, jupytext\n"
        "from nbclient import NotebookClient\n"
        "nb = jupytext.read(sys.argv[1])\n"
        "NotebookClient(nb, timeout=300, kernel_name='python3',\n"
        "               resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
    )
    env = {**os.environ, "MPLBACKEND": "module://matplotlib_inline.backend_inline",
           "JUPYTER_PLATFORM_DIRS": "1", "IPYTHONDIR": str(tmp_path / "ipython")}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", script, str(source), str(FOLDER)],
                          capture_output=True, text=True, env=env, timeout=600)
    elapsed = time.perf_counter() - t0
    assert proc.returncode == 0, f"{source.name} failed:\n{proc.stderr[-4000:]}"
    assert elapsed < SECONDS, f"{source.name} took {elapsed:.0f} s"
    assert _tree_state() == before, "the notebook wrote into the repository"


def _tree_state() -> set[str]:
    """Untracked and modified paths under notebooks/ and samples/."""
    out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--",
                          "notebooks", "samples"], cwd=ROOT, capture_output=True, text=True,
                         check=False)
    return set(out.stdout.splitlines())
