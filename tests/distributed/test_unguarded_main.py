"""A script without a ``__main__`` guard gets an error that says so, not a bare crash."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

HEAD = textwrap.dedent(
    """
    from censorsim.distributed import run_tasks

    def double(item, shared):
        return item * shared
    """
)
RUN = 'print(sorted(run_tasks(double, [1, 2, 3], 2, engine="processes", workers=2, retries=0)))'


def _run(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "script.py"
    script.write_text(HEAD + body + "\n", encoding="utf-8")
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)


def test_unguarded_script_is_told_to_guard_its_entry_point(tmp_path: Path) -> None:
    """The forkserver imports the main module once; unguarded, its top-level code starts
    workers again there and every worker dies. The error names the fix."""
    done = _run(tmp_path, RUN)
    assert done.returncode != 0
    assert 'if __name__ == "__main__":' in done.stderr.splitlines()[-1]


def test_guarded_script_runs(tmp_path: Path) -> None:
    """The same script with the guard runs its tasks on 2 processes."""
    done = _run(tmp_path, 'if __name__ == "__main__":\n    ' + RUN)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[(0, 2), (1, 4), (2, 6)]"
