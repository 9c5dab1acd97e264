"""One registry shape for every string-keyed choice: names, availability, construction.

Matchers, normalisation profiles, hashers, index backends, platforms, transforms,
probing methods and benchmark contenders are all chosen by name. Each of those lives in a
:class:`Registry`, so every one of them lists its names the same way, reports which are
usable on this machine, names the extra that installs a missing one, and raises the same
:class:`~censorsim.errors.UnknownNameError` for a name it does not know.

Example:
    >>> reg: Registry[int] = Registry("colour")
    >>> reg.add("red", 1)
    1
    >>> reg.get("red")
    1
    >>> reg.get("blue")
    Traceback (most recent call last):
    ...
    censorsim.errors.UnknownNameError: unknown colour 'blue'; expected one of: red
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from censorsim._optional import has_module
from censorsim.errors import MissingDependencyError, ParameterError, UnknownNameError

__all__ = ["Entry", "Registry"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Entry(Generic[T]):
    """One registered choice.

    Attributes:
        name: the key users type.
        value: what the name stands for (a class, a factory, a profile, ...).
        requires: importable modules it needs; empty when it always works.
        extra: the ``pip install 'censorsim[EXTRA]'`` that brings those modules.
        summary: one line for listings (``censorsim ... --help``, docs).
    """

    name: str
    value: T
    requires: tuple[str, ...] = ()
    extra: str | None = None
    summary: str = ""

    @property
    def available(self) -> bool:
        """Whether every module it requires can be imported here."""
        return all(has_module(m) for m in self.requires)


class Registry(Generic[T]):
    """Named choices of one kind, in registration order.

    ``name in reg``, ``list(reg)``, ``len(reg)``, ``reg.items()`` and ``reg[name]`` work as on
    a read-only mapping (``reg[name]`` raises :class:`UnknownNameError`, not ``KeyError``);
    :meth:`get` also checks that the choice's optional dependencies are installed.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}

    def add(
        self,
        name: str,
        value: T,
        *,
        requires: tuple[str, ...] | str = (),
        extra: str | None = None,
        summary: str = "",
    ) -> T:
        """Register ``value`` under ``name`` and return it (a name can be registered once)."""
        if name in self._entries:
            raise ParameterError(f"{self.kind} {name!r} is registered twice")
        req = (requires,) if isinstance(requires, str) else tuple(requires)
        self._entries[name] = Entry(name, value, req, extra, summary)
        return value

    def register(
        self,
        name: str,
        *,
        requires: tuple[str, ...] | str = (),
        extra: str | None = None,
        summary: str = "",
    ) -> Callable[[T], T]:
        """Decorator form of :meth:`add`."""

        def deco(value: T) -> T:
            return self.add(name, value, requires=requires, extra=extra, summary=summary)

        return deco

    # ------------------------------------------------------------------ queries

    def names(self) -> tuple[str, ...]:
        """Every registered name, usable here or not."""
        return tuple(self._entries)

    def available(self) -> tuple[str, ...]:
        """The names whose optional dependencies are installed."""
        return tuple(n for n, e in self._entries.items() if e.available)

    def entry(self, name: str) -> Entry[T]:
        """The entry for ``name``.

        Raises:
            UnknownNameError: ``name`` is not registered (the message lists the names).
        """
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            raise UnknownNameError(self.kind, name, self.names()) from None

    def get(self, name: str) -> T:
        """The value for ``name``, checking that it can be used here.

        Raises:
            UnknownNameError: ``name`` is not registered.
            MissingDependencyError: its optional package is missing (names the extra).
        """
        e = self.entry(name)
        if not e.available:
            missing = ", ".join(m for m in e.requires if not has_module(m))
            hint = f": pip install 'censorsim[{e.extra}]'" if e.extra else ""
            raise MissingDependencyError(
                f"{self.kind} {name!r} needs the optional package(s) {missing}{hint}"
            )
        return e.value

    # ------------------------------------------------------------------ mapping-like

    def items(self) -> ItemsView[str, T]:
        """``(name, value)`` pairs in registration order."""
        return {n: e.value for n, e in self._entries.items()}.items()

    def __getitem__(self, name: str) -> T:
        return self.entry(name).value

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, names={list(self._entries)})"
