"""The WeChat-like visual matcher on a simulation's Moments surface (issue 12).

WeChat Moments compared posted images with its blacklist by visual similarity, robust to
scaling and re-encoding but not to mirroring ("(Can't) Picture This", Knockel, Ruan,
Crete-Nishihata and Deibert, FOCI 2018). With ``image_matcher = "visual"`` a run puts its
banned images in a :class:`~censorsim.image.VisualIndex` and matches every image and
variant it can post once (by MD5) before the first message; the verdicts go to the
policy (``ImageBlacklist.visual``) and the censor reads them where it would look a
perceptual hash up (``Reason.IMAGE_VISUAL`` when it decides). The default matcher,
``phash``, is a pHash ``HammingIndex`` at ``image_radius`` bits.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from censorsim.errors import ImageError, SimulationError
from censorsim.policy import Policy
from censorsim.simulate._corpus import _Image, _variant_bytes

__all__: list[str] = []



def with_visual_verdicts(images: list[_Image], policy: Policy) -> Policy:
    """``policy`` with the visual matcher's verdicts on every image of the run: for each
    attachment's MD5, the banned images it matched (an empty tuple when none).

    Raises:
        SimulationError: an image the matcher cannot read (named).
    """
    from censorsim.image import VisualIndex

    index = VisualIndex()
    verdicts: dict[str, tuple[str, ...]] = {}
    for im in images:
        if im.banned:
            try:
                index.add(im.path, im.name)
            except ImageError as exc:
                raise SimulationError(f"image {im.path!r}: {exc.problem}") from exc
    for im in images:
        data: bytes | None = None
        for variant, att in [("original", im.original), *im.by_variant.items()]:
            if att.md5 in verdicts:
                continue
            if data is None:
                data = Path(im.path).read_bytes()
            try:
                found = index.query(_variant_bytes(data, variant))
            except ImageError as exc:
                raise SimulationError(f"image {im.path!r} ({variant}): {exc.problem}") from exc
            verdicts[att.md5] = tuple(m.id for m in found)
    return replace(policy, images=replace(policy.images, visual=verdicts))
