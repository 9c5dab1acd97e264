"""The shipped conformance suite (censorsim.testing) over every registered matcher and profile."""

from __future__ import annotations

import pytest

from censorsim.testing._matcher import check_matcher, check_normalizer
from censorsim.text.matchers import BACKENDS, NaiveMatcher, available_backends
from censorsim.text.normalize import PROFILES, STEPS


@pytest.mark.parametrize("backend", available_backends())
def test_every_available_backend_conforms(backend: str) -> None:
    check_matcher(backend)


def test_every_backend_is_covered() -> None:
    # An optional backend whose package is missing is not checked: say so loudly.
    assert set(available_backends()) == set(BACKENDS.names())


def test_a_class_can_be_checked_before_registering() -> None:
    check_matcher(NaiveMatcher)


@pytest.mark.parametrize("spec", [*PROFILES, *STEPS])
def test_every_profile_and_step_conforms(spec: str) -> None:
    check_normalizer(spec)


def test_the_suite_catches_a_wrong_backend() -> None:
    class Lossy(NaiveMatcher):
        def _find_raw(self, text: str) -> list[tuple[int, int, int]]:
            return list(super()._find_raw(text))[:1]

    with pytest.raises(AssertionError, match="the reference finds"):
        check_matcher(Lossy)
