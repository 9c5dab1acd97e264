"""Conformance suites: check that a backend, hasher or transform keeps censorsim's contracts.

The project's own tests run these over every registered backend; they are public so that
a user who writes their own matcher, hasher, index backend or evasion transform can hold
it to the same contract. Each function returns ``None`` when the contract holds and
raises :class:`AssertionError` naming the broken property otherwise.

Example:
    >>> from censorsim.testing import check_matcher, check_index_backend
    >>> check_matcher("reference")
    >>> check_index_backend("linear")
"""

from __future__ import annotations

from censorsim.testing._hasher import check_hasher
from censorsim.testing._index import check_index_backend
from censorsim.testing._matcher import check_matcher, check_normalizer
from censorsim.testing._transform import check_image_transform, check_text_transform

__all__ = [
    "check_hasher",
    "check_image_transform",
    "check_index_backend",
    "check_matcher",
    "check_normalizer",
    "check_text_transform",
]
