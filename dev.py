#!/usr/bin/env python3
"""Developer entry point that needs nothing but python3.

    python3 dev.py demo    # create .venv, install censorsim[plot,corpus], run the demo
    python3 dev.py test    # create .venv, install censorsim[test], run ruff, mypy and pytest
    python3 dev.py bench   # quick benchmark profile, gated on the stored baseline
    python3 dev.py report censorsim-demo/demo.db   # censorsim report ..., in the .venv

The virtual environment lives in ``.venv`` (override with ``CENSORSIM_VENV``); it is
reinstalled whenever ``pyproject.toml`` changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("CENSORSIM_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def _run(*cmd: str | Path) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    # CENSORSIM_DEV: the demo then suggests `python3 dev.py report ...` as its next command
    env = dict(os.environ, CENSORSIM_DEV="1")
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True, env=env)


def _ensure_venv(extras: str) -> None:
    stamp = VENV / f".censorsim-{extras}.stamp"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest and PY.exists():
        return
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    _run(PY, "-m", "pip", "install", "-q", "--upgrade", "pip")
    target = f".[{extras}]" if extras else "."
    _run(PY, "-m", "pip", "install", "-q", "-e", target)
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "help"
    rest = argv[1:]
    try:
        if cmd == "demo":
            # the demo draws its plots with matplotlib, and measures collateral damage on
            # the broad benign corpus of the `corpus` extra
            _ensure_venv("plot,corpus")
            _run(PY, "-m", "censorsim", "demo", *rest)
        elif cmd == "test":
            _ensure_venv("test")
            _run(PY, "-m", "ruff", "check", "censorsim", "tests", "benchmarks", "dev.py")
            _run(PY, "-m", "mypy")
            _run(PY, "-m", "pytest", *rest)
        elif cmd == "report":
            _ensure_venv("plot")  # the report draws its plots with matplotlib
            _run(PY, "-m", "censorsim", "report", *rest)
        elif cmd == "bench":
            _ensure_venv("test")
            # The correctness gate, then the regression gate against the stored ratios to
            # each suite's reference contender (docs/benchmarks.md, "Regression gate").
            _run(PY, "-m", "censorsim", "bench", "--quick", "--no-plots", "--compare",
                 "benchmarks/results/baseline-quick.json", *rest)
        else:
            print(__doc__)
            return 0 if cmd in ("help", "-h", "--help") else 2
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
