"""Every docstring example (``>>>``) in the package runs here, module by module.

A module whose import needs an optional extra that is not installed is reported as a
skip with the extra's name; CI installs every extra, so there nothing is skipped.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import censorsim
from censorsim.errors import MissingDependencyError


def _module_names() -> list[str]:
    names = ["censorsim"]
    for info in pkgutil.walk_packages(censorsim.__path__, prefix="censorsim."):
        if info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return sorted(names)


MODULES = _module_names()


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except MissingDependencyError as exc:  # pragma: no cover - CI installs every extra
        pytest.skip(f"{name}: {exc}")


def test_modules_are_found() -> None:
    """The walk sees the whole package, not an empty or partial list."""
    assert "censorsim.text.rules" in MODULES
    assert "censorsim.registry" in MODULES
    assert len(MODULES) > 30


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    """The module's examples produce exactly the output they show."""
    module = _import(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(module, name) if t.examples]
    # Only the module's own objects: re-exports are checked in the module defining them.
    tests = [t for t in tests if _defined_here(t, module)]
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def _defined_here(test: doctest.DocTest, module: ModuleType) -> bool:
    return test.filename is None or test.filename == getattr(module, "__file__", None)
