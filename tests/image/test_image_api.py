"""The public surface of censorsim.image: honest ``__all__`` and executed docstring examples."""

from __future__ import annotations

import doctest
import importlib

import pytest

import censorsim.image

MODULES = [
    "censorsim.image",
    "censorsim.image.hashing",
    "censorsim.image.backends",
    "censorsim.image.index",
    "censorsim.image.algorithms",
    "censorsim.image.values",
    "censorsim.image.index_format",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_honest(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert len(exported) == len(set(exported))
    for attr in exported:
        assert hasattr(module, attr), f"{name}.__all__ lists missing {attr}"
    public = {
        a
        for a, v in vars(module).items()
        if not a.startswith("_")
        and getattr(v, "__module__", None) == name
        and (callable(v) or isinstance(v, type))
    }
    assert public <= set(exported), f"{name} does not export {public - set(exported)}"


def test_package_reexports_every_submodule_name() -> None:
    for name in MODULES[1:6]:
        for attr in importlib.import_module(name).__all__:
            if attr in ("QueryResult", "FaissBackend", "LinearBackend", "MIHBackend"):
                continue  # backend classes are reached through make_backend()
            assert attr in censorsim.image.__all__, attr


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
