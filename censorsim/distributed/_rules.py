"""Rule sets shipped to workers: sent once, built once per worker process.

A :class:`ShippedRules` travels as its rules, normaliser and backend (cheap to pickle)
and builds its :class:`~censorsim.text.rules.RuleSet` on first use in a process. Built
rule sets are cached per process by the digest of what determines them, so a worker
that receives the same rules again (another task, another pickled copy) reuses the
automaton it built: building costs once per process, never once per partition.

Example:
    >>> import pickle
    >>> from censorsim.models import Rule
    >>> shipped = ShippedRules.from_rules([Rule.keyword("法轮功")])
    >>> copy = pickle.loads(pickle.dumps(shipped))
    >>> copy.ruleset() is shipped.ruleset()  # one process, one build
    True
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections.abc import Iterable
from typing import Any

from censorsim.errors import CensorsimError
from censorsim.models import Rule
from censorsim.text.normalize import Normalizer
from censorsim.text.rules import RuleSet

__all__ = ["ShippedRules", "builds"]

_CACHE: dict[str, RuleSet] = {}
_LOCK = threading.Lock()
_BUILDS = [0]


def builds() -> int:
    """How many rule sets this process has built from shipped rules (for tests)."""
    return _BUILDS[0]


class ShippedRules:
    """Rules as sent to workers; :meth:`ruleset` builds them once per process.

    Args:
        rules: the rules.
        normalizer: as for :class:`RuleSet`.
        backend: as for :class:`RuleSet`.
        built: an already built rule set of the same rules (kept in this process's
            cache, so a single-process scan does not build twice).
    """

    __slots__ = ("backend", "digest", "normalizer", "rules")

    def __init__(
        self,
        rules: Iterable[Rule],
        *,
        normalizer: Normalizer | str | None = None,
        backend: str = "default",
        built: RuleSet | None = None,
    ) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.normalizer = Normalizer.from_spec(normalizer)
        self.backend = backend
        payload = pickle.dumps((self.rules, self.normalizer.name, backend), protocol=4)
        self.digest = hashlib.sha256(payload).hexdigest()
        if built is not None:
            with _LOCK:
                _CACHE.setdefault(self.digest, built)

    @classmethod
    def from_rules(
        cls, rules: Iterable[Rule], *, normalizer: Normalizer | str | None = None,
        backend: str = "default",
    ) -> ShippedRules:
        """Build the rule set here (so bad rules fail before any work is sent) and wrap it."""
        rules = tuple(rules)
        built = RuleSet(rules, normalizer=normalizer, backend=backend)
        _BUILDS[0] += 1
        return cls(rules, normalizer=built.normalizer, backend=backend, built=built)

    @classmethod
    def from_ruleset(cls, ruleset: RuleSet, backend: str = "default") -> ShippedRules:
        """Wrap a built rule set (``backend``: the name it was built with)."""
        return cls(ruleset.rules, normalizer=ruleset.normalizer, backend=backend,
                   built=ruleset)

    def __reduce__(self) -> tuple[Any, ...]:
        # Travels as its rules and the normaliser's name when the name rebuilds it (a
        # normaliser pickles with its lookup tables, megabytes); unpickling builds
        # nothing (see ruleset()).
        norm: Normalizer | str = self.normalizer
        try:
            if Normalizer.from_spec(self.normalizer.name) == self.normalizer:
                norm = self.normalizer.name
        except CensorsimError:
            pass
        return (_rebuild, (self.rules, norm, self.backend))

    def ruleset(self) -> RuleSet:
        """The built rule set: from this process's cache, or built now (once)."""
        got = _CACHE.get(self.digest)
        if got is not None:
            return got
        with _LOCK:
            got = _CACHE.get(self.digest)
            if got is None:
                got = RuleSet(self.rules, normalizer=self.normalizer, backend=self.backend)
                _BUILDS[0] += 1
                _CACHE[self.digest] = got
        return got

    def __repr__(self) -> str:
        return f"<ShippedRules {len(self.rules)} rules, digest {self.digest[:12]}>"


def _rebuild(rules: tuple[Rule, ...], normalizer: Normalizer | str,
             backend: str) -> ShippedRules:
    return ShippedRules(rules, normalizer=normalizer, backend=backend)
