"""The one contender protocol of every suite, and the registry of contenders by name.

A :class:`Contender` is built from a workload's data (``build``, timed on its own); the
built :class:`Runner` scans a batch of items (``scan``, timed: messages, queries or image
paths) and turns what ``scan`` returned into gate records (``records``, untimed). The
harness's one measurement loop (:mod:`censorsim.bench.measure`) runs every suite's
contenders this way.

Contenders are registered by name in :data:`CONTENDERS` (text ones by
:mod:`censorsim.bench.contenders`, index and hash ones by
:mod:`censorsim.bench.image_contenders`); :func:`contenders` lists them per suite.

Example:
    >>> [c.name for c in contenders("index")][:2]
    ['index:linear', 'index:mih']
    >>> make_contender("hash:md5").suite
    'hash'
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, Literal

from censorsim._optional import has_module
from censorsim.registry import Registry

__all__ = [
    "CONTENDERS",
    "Contender",
    "Runner",
    "Suite",
    "contenders",
    "make_contender",
]

Suite = Literal["text", "index", "hash"]
"""The three suites: keyword matching, Hamming range search, image hashing."""


class Runner(ABC):
    """A built contender."""

    @abstractmethod
    def scan(self, batch: Sequence[Any]) -> Any:
        """Scan a batch of items (the timed call); returns the contender's own output."""

    @abstractmethod
    def records(self, batch: Sequence[Any], output: Any) -> set[Any]:
        """Gate records from what :meth:`scan` returned for ``batch`` (untimed)."""


class Contender(ABC):
    """A named way of doing one suite's job.

    Attributes:
        name: the contender's name (its :data:`CONTENDERS` key).
        suite: ``"text"``, ``"index"`` or ``"hash"``.
        family: a report group (``censorsim``, ``pipeline``, ``peer``, ``index``, ``hash``).
        semantics: what its output means; the gate compares under it.
        requires: modules that must import for the contender to run.
        note: one line for the report.
        advisory: the gate's verdict is reported but does not fail the run.
    """

    name: str = "abstract"
    suite: str = "text"
    family: str = "peer"
    semantics: str = "overlapping"
    requires: tuple[str, ...] = ()
    note: str = ""
    advisory: bool = False

    def missing(self) -> str | None:
        """Why the contender cannot run here, or None when it can."""
        absent = [m for m in self.requires if not has_module(m)]
        return f"package not installed: {', '.join(absent)}" if absent else None

    def prepare(self) -> None:  # noqa: B027 - optional hook
        """Fill process-wide caches (imports, tables) so they are not counted in a build."""

    @abstractmethod
    def build(self, data: Any) -> Runner:
        """Build the contender for a workload's data (the timed build)."""

    def expected(self, data: Any, reference: set[Any], batch: Sequence[Any]) -> set[Any]:
        """The records the contender must produce on ``batch`` (a prefix of the workload).

        Args:
            data: the workload's data, as given to :meth:`build`.
            reference: the reference's records on ``batch``.
            batch: the items scanned.
        """
        return set(reference)

    def comparable(self, expected: set[Any], got: set[Any]) -> set[Any]:
        """The contender's records restricted to what :meth:`expected` checked."""
        return got

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


CONTENDERS: Registry[Callable[[], Contender]] = Registry("benchmark contender")
"""Every contender's factory by name, in report order within each suite."""


def _load_all() -> None:
    # The modules that register contenders (imported here: they import this module).
    import censorsim.bench.contenders
    import censorsim.bench.image_contenders  # noqa: F401


def contenders(suite: str | None = None) -> list[Contender]:
    """Every contender (of ``suite``), installed or not, in report order."""
    _load_all()
    made = [factory() for _, factory in CONTENDERS.items()]
    return [c for c in made if suite is None or c.suite == suite]


def make_contender(name: str) -> Contender:
    """The contender called ``name``.

    Raises:
        UnknownNameError: no contender has that name (the message lists them).
    """
    _load_all()
    return CONTENDERS[name]()
