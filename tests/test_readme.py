"""The README's Python examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run(capsys: object) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README has no Python example"
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})  # our own README, not untrusted input


def test_readme_quickstart_is_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    quick = text.split("## Quickstart", 1)[1].split("```", 2)[1]
    commands = [line for line in quick.splitlines() if line.strip()]
    assert commands == ["python3 dev.py demo", "python3 dev.py test"]
