"""The transform conformance suite (censorsim.testing) over every registered transform."""

from __future__ import annotations

import pytest
from PIL import Image

from censorsim.evasion import IMAGE_TRANSFORMS, TEXT_TRANSFORMS, TextTransform
from censorsim.testing._transform import check_image_transform, check_text_transform


@pytest.mark.parametrize("name", list(TEXT_TRANSFORMS))
def test_text_transform_conforms(name: str) -> None:
    if name not in TEXT_TRANSFORMS.available():
        pytest.skip(f"{name} needs the evasion extra")
    check_text_transform(name)


@pytest.mark.parametrize("name", list(IMAGE_TRANSFORMS))
def test_image_transform_conforms(name: str) -> None:
    check_image_transform(name)


def test_suite_catches_a_broken_text_transform() -> None:
    def leaky(text: str, spans: object, rng: object, strength: float) -> str:
        return text + "!"

    with pytest.raises(AssertionError, match="outside the target"):
        check_text_transform(TextTransform("leaky", "adds a mark", leaky, None))


def test_suite_catches_a_broken_image_transform() -> None:
    from censorsim.evasion import ImageTransform

    grey = ImageTransform("grey", "mode L", lambda im, _r: im.convert("L"))
    with pytest.raises(AssertionError, match="not RGB"):
        check_image_transform(grey, [Image.new("RGB", (4, 4))])
