"""The exception tree of censorsim.

Every error the library raises on purpose derives from :class:`CensorsimError`::

    CensorsimError
    ├── WordlistError      a keyword or rule file is malformed (names file and line)
    ├── RuleError          a rule is malformed (empty component, unknown reference, ...)
    ├── NormalizationError text cannot be normalised (OpenCC failed)
    ├── UnknownNameError   a string-keyed choice names nothing registered (lists the valid names)
    ├── ParameterError     an argument value is out of range or of the wrong type
    ├── BackendError       a backend that cannot be used here
    │   └── MissingDependencyError  an optional package is not installed (names the extra)
    ├── ImageError         an image cannot be read or hashed (names the image)
    ├── IndexFormatError   a saved hash index is malformed or from another version
    ├── InputError         a message file is malformed (names file and line)
    ├── PolicyError        a policy file or policy object is malformed
    ├── SimulationError    a simulation config or decision log is unusable
    └── BudgetExhausted    a probing oracle was asked more queries than its budget

Every error pickles, so one raised in a process-pool worker reaches the parent intact.

``ValueError`` is also a base of the errors that describe bad values, so callers that
already catch ``ValueError`` keep working.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BackendError",
    "BudgetExhausted",
    "CensorsimError",
    "ImageError",
    "IndexFormatError",
    "InputError",
    "MissingDependencyError",
    "NormalizationError",
    "ParameterError",
    "PolicyError",
    "RuleError",
    "SimulationError",
    "UnknownNameError",
    "WordlistError",
]


class CensorsimError(Exception):
    """Base class of every censorsim error."""


class WordlistError(CensorsimError, ValueError):
    """A keyword or rule file is malformed.

    Attributes:
        path: the file, when known.
        line: the 1-based line number, when known.
        problem: what is wrong, without the location.
    """

    def __init__(self, problem: str, *, path: str | Path | None = None, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.problem = problem
        where = self.path or "<input>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {problem}")

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), (self.problem,), {"path": self.path, "line": self.line}))


class UnknownNameError(CensorsimError, ValueError):
    """A string-keyed choice (backend, profile, hasher, platform, ...) names nothing registered.

    Attributes:
        kind: what was being chosen, for example ``"matcher backend"``.
        name: the name given.
        known: every valid name, sorted as registered.
    """

    def __init__(self, kind: str, name: object, known: tuple[str, ...]):
        self.kind = kind
        self.name = name
        self.known = known
        super().__init__(f"unknown {kind} {name!r}; expected one of: {', '.join(known)}")

    def __reduce__(self) -> tuple[type[UnknownNameError], tuple[str, object, tuple[str, ...]]]:
        # Errors raised in a process pool travel back to the parent by pickle.
        return (type(self), (self.kind, self.name, self.known))


class ParameterError(CensorsimError, ValueError):
    """An argument value is out of range or of the wrong type; the message names the argument."""


class RuleError(CensorsimError, ValueError):
    """A rule is malformed."""


class NormalizationError(CensorsimError, ValueError):
    """An unknown normalisation step or profile."""


class BackendError(CensorsimError, ValueError):
    """A backend that cannot be used here (see also :class:`UnknownNameError`)."""


class MissingDependencyError(BackendError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""


class ImageError(CensorsimError, ValueError):
    """An image cannot be read or hashed.

    Attributes:
        image: a name for the image (its path, or a placeholder for in-memory input).
        problem: what is wrong.
    """

    def __init__(self, problem: str, *, image: str | Path | None = None):
        self.image = str(image) if image is not None else "<image>"
        self.problem = problem
        super().__init__(f"{self.image}: {problem}")

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), (self.problem,), {"image": self.image}))


class InputError(CensorsimError, ValueError):
    """A file of messages is malformed; the message names the file and line."""


class IndexFormatError(CensorsimError, ValueError):
    """A saved hash index is malformed or from another format version."""


class PolicyError(CensorsimError, ValueError):
    """A policy file or policy object is malformed."""


class SimulationError(CensorsimError, ValueError):
    """A simulation config or decision log is unusable."""


class BudgetExhausted(CensorsimError):
    """A probing oracle was asked more queries than its budget allows."""


def _rebuild(
    cls: type[Exception], args: tuple[object, ...], kwargs: dict[str, object]
) -> Exception:
    """Unpickle an error whose constructor takes keyword arguments."""
    return cls(*args, **kwargs)
