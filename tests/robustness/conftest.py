"""Shared tools of the bad-input suite: drive a command in process, check how it fails.

Every case asserts three things: the exit status is 2, stderr is one line of the form
``censorsim CMD: error: ...`` naming what is wrong (no traceback), and no input file
changed (their SHA-256 digests before and after are equal).
"""

from __future__ import annotations

import hashlib
import re
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from censorsim.cli import main


@dataclass(frozen=True)
class Outcome:
    """What one CLI call did."""

    code: int
    out: str
    err: str


def _digest(paths: Iterable[Path]) -> dict[Path, str | None]:
    out: dict[Path, str | None] = {}
    for p in paths:
        if p.is_file():
            out[p] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[p] = None if not p.exists() else "<not a file>"
    return out


RunCli = Callable[[Sequence[str]], Outcome]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """Call ``censorsim.cli.main(argv)``; an argparse exit is captured as its status."""

    def run(argv: Sequence[str]) -> Outcome:
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        except Exception:  # a raw traceback is exactly what this suite forbids
            pytest.fail(f"censorsim {' '.join(argv)} raised:\n{traceback.format_exc()}")
        cap = capsys.readouterr()
        return Outcome(code, cap.out, cap.err)

    return run


BadInput = Callable[..., Outcome]


@pytest.fixture
def bad_input(run_cli: RunCli) -> BadInput:
    """Run ``argv`` and assert it fails cleanly: exit 2, one named error, inputs unchanged.

    Args:
        argv: the command line after ``censorsim``.
        expect: a regular expression the error message must contain (for example the
            file name and line, and the problem).
        inputs: files that must be byte-for-byte unchanged afterwards.
    """

    def check(argv: Sequence[str], expect: str, inputs: Sequence[Path] = ()) -> Outcome:
        before = _digest(inputs)
        outcome = run_cli(argv)
        assert outcome.code == 2, (
            f"censorsim {' '.join(argv)} exited {outcome.code}, not 2\n{outcome.err}"
        )
        assert "Traceback" not in outcome.err, outcome.err
        lines = [ln for ln in outcome.err.splitlines() if ln.strip()]
        command = re.escape(argv[0])
        shaped = [ln for ln in lines if re.match(rf"censorsim {command}(?: [\w-]+)?: error: ", ln)]
        assert shaped, f"no 'censorsim {argv[0]}: error:' line in:\n{outcome.err}"
        assert re.search(expect, outcome.err), f"{expect!r} not in:\n{outcome.err}"
        assert _digest(inputs) == before, f"an input changed: {list(inputs)}"
        return outcome

    return check
