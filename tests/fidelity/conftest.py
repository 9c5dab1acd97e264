"""Fixtures of the fidelity tests: the Citizen Lab data (skipped cleanly when absent)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

AT = datetime(2017, 7, 20, 12)
"""A day after Liu Xiaobo's death, inside the period the 2017 report observed."""


def data_root() -> Path:
    """Citizen Lab's chat-censorship data: ``$CENSORSIM_CITIZENLAB`` or ../shared/data."""
    env = os.environ.get("CENSORSIM_CITIZENLAB")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "citizenlab"


@pytest.fixture(scope="session")
def citizenlab() -> Path:
    """The data folder; skips the test when it is not there (read only, never copied)."""
    path = data_root()
    if not path.is_dir():
        pytest.skip(f"Citizen Lab data not found at {path} (set CENSORSIM_CITIZENLAB)")
    return path
