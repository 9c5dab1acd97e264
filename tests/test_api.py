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
    "censorsim.models._rules",
    "censorsim.models._results",
    "censorsim.models._messages",
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
    if name not in ("censorsim.errors", "censorsim.models"):  # models: in its submodules
        assert result.attempted > 0, f"{name} has no runnable example"


def test_every_error_is_a_censorsim_error() -> None:
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), censorsim.CensorsimError)
    assert issubclass(censorsim.WordlistError, ValueError)
    err = censorsim.WordlistError("empty component", path="x.txt", line=3)
    assert str(err) == "x.txt:3: empty component"


def test_every_error_survives_pickling() -> None:
    """Errors raised in a process-pool worker reach the parent intact (spawn pools pickle)."""
    import pickle

    samples: list[Exception] = [
        errors.UnknownNameError("matcher backend", "nope", ("reference", "auto")),
        errors.WordlistError("empty component", path="x.txt", line=3),
        errors.ImageError("truncated", image="a.png"),
        errors.ParameterError("radius must be >= 0, not -1"),
        errors.MissingDependencyError("needs faiss: pip install 'censorsim[faiss]'"),
    ]
    for name in errors.__all__:
        cls = getattr(errors, name)
        if cls not in {type(e) for e in samples} and cls.__init__ is Exception.__init__:
            samples.append(cls(f"a {name}"))
    for err in samples:
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err)
        assert str(back) == str(err)
        assert vars(back) == vars(err)
