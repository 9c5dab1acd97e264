"""Failures every command shares: missing files, unreadable files, folders given as files."""

from __future__ import annotations

from pathlib import Path

from tests.robustness.conftest import BadInput


def test_missing_message_file_names_it(bad_input: BadInput, tmp_path: Path) -> None:
    """``scan`` on a file that does not exist: exit 2 naming the file."""
    missing = tmp_path / "nope.txt"
    rules = tmp_path / "r.txt"
    rules.write_text("法轮功\n", encoding="utf-8")
    bad_input(["scan", "-r", str(rules), str(missing)], expect=r"nope\.txt", inputs=[rules])


def test_folder_given_as_rule_file(bad_input: BadInput, tmp_path: Path) -> None:
    """A folder where a rule file is expected is named, not a traceback."""
    folder = tmp_path / "rules"
    folder.mkdir()
    msgs = tmp_path / "m.txt"
    msgs.write_text("hello\n", encoding="utf-8")
    bad_input(["scan", "-r", str(folder), str(msgs)], expect=r"rules", inputs=[msgs])
