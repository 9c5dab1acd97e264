"""A policy built from a data folder (``citizenlab=...``) can be simulated and resumed."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from censorsim.platforms import wechat
from censorsim.simulate import Simulation, SimulationConfig
from censorsim.simulate._runner import _input_digest


def test_folder_digest_follows_its_files(tmp_path: Path) -> None:
    """A folder's digest is its listing (path, size, mtime): stable when nothing changed,
    different when a file is added or rewritten, and it never reads the files."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "rules.csv").write_text("法轮功\n", encoding="utf-8")
    first = _input_digest(tmp_path)
    assert _input_digest(tmp_path) == first
    (tmp_path / "b.txt").write_text("x", encoding="utf-8")
    second = _input_digest(tmp_path)
    assert second != first
    f = tmp_path / "b.txt"
    f.write_text("xy", encoding="utf-8")
    os.utime(f, ns=(1, 1))
    assert _input_digest(tmp_path) not in (first, second)
    assert _input_digest(tmp_path / "a" / "rules.csv") != _input_digest(tmp_path / "a")


def test_a_policy_naming_a_folder_runs_and_resumes(tmp_path: Path) -> None:
    """Profiles built with ``citizenlab=DIR`` name the folder among their inputs; a run
    used to fail with 'Is a directory' when it digested its inputs."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "list.txt").write_text("法轮功\n", encoding="utf-8")
    policy = replace(wechat(), inputs=(str(data),))
    config = SimulationConfig(seed=1, messages=400, users=20, batch_size=200)
    db = tmp_path / "run.db"
    first = Simulation(config, policy).run(db, max_batches=1)
    again = Simulation(config, policy).run(db)
    assert first.messages == again.resumed_from == 200 and again.messages == 400
    assert again.complete
