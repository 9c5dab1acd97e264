"""The pHash pipeline and bit grids equal the library's hashes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from censorsim.image import Hasher, ImageHash, Transform
from censorsim.research import image_files
from censorsim.viz import (
    bit_grids,
    draw_bit_grids,
    draw_phash_pipeline,
    draw_thumbnails,
    phash_steps,
)

SAMPLES = image_files()


@pytest.mark.parametrize("path", SAMPLES[:6], ids=lambda p: p.name)
def test_pipeline_bits_are_the_hashers(path: object) -> None:
    steps = phash_steps(path)  # type: ignore[arg-type]
    assert steps.to_hash() == Hasher("phash").hash(path)  # type: ignore[arg-type]
    assert steps.small.shape == (32, 32)
    assert steps.block.shape == (8, 8)
    assert np.array_equal(steps.block, steps.dct[:8, :8])
    assert np.array_equal(steps.bits, steps.block > steps.median)
    assert int(steps.bits.sum()) <= 32  # strictly above the median: at most half


def test_pipeline_handles_transparency_like_the_hasher() -> None:
    im = Image.new("RGBA", (60, 40), (0, 0, 0, 0))
    im.paste((200, 30, 30, 255), (10, 10, 40, 30))
    assert phash_steps(im).to_hash() == Hasher("phash").hash(im)


def test_bit_grid_differences_are_the_xor_of_the_hashes() -> None:
    variants = Hasher("phash").hash_variants(SAMPLES[0])
    a, b = variants[Transform.IDENTITY], variants[Transform.MIRROR]
    assert isinstance(a, ImageHash) and isinstance(b, ImageHash)
    g = bit_grids(a, b)
    assert g.a.shape == g.b.shape == (8, 8)
    assert np.array_equal(g.a.ravel(), a.to_bits())
    assert np.array_equal(g.differ.ravel(), (ImageHash("phash", 8, a.value ^ b.value)).to_bits())
    assert g.distance == a - b


def test_bit_grids_of_non_square_hashes_use_rows_of_eight() -> None:
    a = ImageHash("md5", 128, 1)
    b = ImageHash("md5", 128, 3)
    g = bit_grids(a, b)
    assert g.a.shape == (16, 8)
    assert g.distance == 1 and g.differ[15, 6]


def test_bit_grids_refuse_hashes_of_different_kinds() -> None:
    from censorsim.errors import ParameterError

    with pytest.raises(ParameterError):
        bit_grids(ImageHash("phash", 8, 0), ImageHash("dhash", 8, 0))


def test_drawings_mark_each_differing_bit() -> None:
    a, b = ImageHash("phash", 8, 0b1011), ImageHash("phash", 8, 0b0001)
    fig = draw_bit_grids(a, b, threshold=1)
    assert len(fig.axes[2].patches) == 2
    assert "passes" in fig.axes[2].get_title()
    fig = draw_phash_pipeline(phash_steps(SAMPLES[0]))
    assert len(fig.axes) == 5
    fig = draw_thumbnails(SAMPLES[:3], labels=["a", "b", "c"], distances=[0, 12, None],
                          threshold=10)
    titles = [ax.get_title() for ax in fig.axes[:3]]
    assert "matched" in titles[0] and "passes" in titles[1] and titles[2] == "c"
