"""Shared helpers for the simulation tests."""

from __future__ import annotations

from datetime import datetime

import pytest

AT = datetime(2020, 2, 1, 12, 0)


@pytest.fixture
def at() -> datetime:
    return AT
