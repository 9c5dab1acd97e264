"""Every TOML file the project reads (simulation and sweep configs, policies, firewall
rules) goes through one reader: bounded, UTF-8, and errors naming the file and line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from censorsim._toml import read_toml
from censorsim.distributed import load_sweep
from censorsim.errors import PolicyError, SimulationError
from censorsim.network import load_firewall_config
from censorsim.policy import load_policy
from censorsim.simulate import load_config


def _read(path: Path, limit: int = 10_000) -> tuple[dict[str, object], str]:
    return read_toml(path, what="test file", limit=limit, error=SimulationError)


def test_a_good_file_gives_its_table_and_text(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text("[a]\nb = 1\n", encoding="utf-8")
    assert _read(path) == ({"a": {"b": 1}}, "[a]\nb = 1\n")


@pytest.mark.parametrize(("content", "expect"), [
    (b"[a]\nb = 1\nc = \n", r"t\.toml:3: malformed TOML"),
    (b"[a]\nb = [1,\n", r"t\.toml:2: malformed TOML"),  # at the end of the document
    (b"a = " + b"[" * 2_000 + b"]" * 2_000, r"t\.toml: malformed TOML"),
    ("a = 'x'".encode("utf-16"), r"t\.toml: cannot read test file \("),
    (b"a = 1\n" * 2_000, r"t\.toml: test file larger than 10000 bytes"),
])
def test_bad_files_are_named_with_the_problem(
    tmp_path: Path, content: bytes, expect: str
) -> None:
    path = tmp_path / "t.toml"
    path.write_bytes(content)
    with pytest.raises(SimulationError, match=expect):
        _read(path)


def test_missing_folders_and_fifos_are_refused_without_reading(tmp_path: Path) -> None:
    with pytest.raises(SimulationError, match=r"nope\.toml: test file not found"):
        _read(tmp_path / "nope.toml")
    with pytest.raises(SimulationError, match=r": not a file"):
        _read(tmp_path)
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with pytest.raises(SimulationError, match=r"pipe\.toml: not a file"):
        _read(fifo)  # would block forever if it were opened


@pytest.mark.parametrize(("loader", "error", "what"), [
    (load_config, SimulationError, "config file"),
    (load_sweep, SimulationError, "sweep config"),
    (load_policy, PolicyError, "policy file"),
    (load_firewall_config, PolicyError, "firewall file"),
])
def test_every_loader_reads_through_it(
    tmp_path: Path, loader: object, error: type[Exception], what: str
) -> None:
    path = tmp_path / "x.toml"
    path.write_text("[a]\nb = \n", encoding="utf-8")
    assert callable(loader)
    with pytest.raises(error, match=r"x\.toml:2: malformed TOML"):
        loader(path)
    with pytest.raises(error, match=rf"gone\.toml: {what} not found"):
        loader(tmp_path / "gone.toml")
