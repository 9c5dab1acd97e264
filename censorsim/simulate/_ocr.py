"""The text in a simulation's images, read once per run by the policy's OCR engine (issue 12).

WeChat Moments reads the text in posted images and checks it against a keyword list of
its own ("(Can't) Picture This", Knockel, Ruan, Crete-Nishihata and Deibert, FOCI 2018).
When a policy names that list (``ImageBlacklist.ocr``) and its OCR engine is installed,
:func:`read_image_text` fills ``Attachment.text`` of every image and variant the run can
post, reading each distinct file (by MD5) once; the censor then checks that text like any
message's (``Reason.IMAGE_OCR`` when it decides). Without the engine the images keep no
text and OCR decides nothing; the report's removals-by-source table then shows no
``ocr`` row.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from censorsim.errors import ImageError, SimulationError
from censorsim.models import Attachment
from censorsim.policy import Policy
from censorsim.simulate._corpus import _Image, _variant_bytes

__all__: list[str] = []


def read_image_text(images: list[_Image], policy: Policy) -> list[_Image]:
    """``images`` with the text the policy's OCR engine reads in each attachment.

    Unchanged when the policy has no OCR list, or its engine is not installed.

    Raises:
        UnknownNameError: the policy names an unknown OCR engine.
        SimulationError: an image the engine cannot read (named).
    """
    blacklist = policy.images
    if not blacklist.ocr or not images:
        return images
    from censorsim.image import OCR_ENGINES, OcrReader

    if not OCR_ENGINES.entry(blacklist.ocr_engine).available:
        return images
    reader = OcrReader(blacklist.ocr_engine, mode=blacklist.ocr_mode, cache_size=0)
    texts: dict[str, str] = {}  # by MD5: each distinct file is read once per run
    out = []
    for im in images:
        data: bytes | None = None
        variants = dict(im.by_variant)
        for variant, att in [("original", im.original), *variants.items()]:
            if att.text or att.md5 in texts:
                continue
            if data is None:
                data = Path(im.path).read_bytes()
            try:
                texts[att.md5] = reader.read(_variant_bytes(data, variant)).text
            except ImageError as exc:
                raise SimulationError(f"image {im.path!r} ({variant}): {exc.problem}") from exc
        out.append(replace(
            im, original=_with_text(im.original, texts),
            by_variant={v: _with_text(a, texts) for v, a in variants.items()}))
    return out


def _with_text(att: Attachment, texts: dict[str, str]) -> Attachment:
    return att if att.text else replace(att, text=texts[att.md5])
