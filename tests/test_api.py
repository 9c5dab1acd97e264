"""The public surface: ``__all__`` is honest, doctests run, errors form one tree."""

from __future__ import annotations

import doctest
import importlib

import pytest

import censorsim
from censorsim import errors

MODULES = [
    "censorsim",
    "censorsim.models",
    "censorsim.errors",
    "censorsim.text",
    "censorsim.text.normalize",
    "censorsim.text.matchers",
    "censorsim.text.rules",
    "censorsim.text.wordlists",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_honest(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert len(exported) == len(set(exported))
    for attr in exported:
        assert hasattr(module, attr), f"{name}.__all__ lists missing {attr}"
    defined_here = {
        a
        for a, v in vars(module).items()
        if not a.startswith("_")
        and getattr(v, "__module__", None) == name
        and (callable(v) or isinstance(v, type))
    }
    assert defined_here <= set(exported), f"{name} does not export {defined_here - set(exported)}"


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    if name != "censorsim.errors":
        assert result.attempted > 0, f"{name} has no runnable example"


def test_every_error_is_a_censorsim_error() -> None:
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), censorsim.CensorsimError)
    assert issubclass(censorsim.WordlistError, ValueError)
    err = censorsim.WordlistError("empty component", path="x.txt", line=3)
    assert str(err) == "x.txt:3: empty component"
