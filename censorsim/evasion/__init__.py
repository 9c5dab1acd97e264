"""Named, seeded transforms of texts and images, the evasions a user might try.

Every transform has a name, is found in a registry by that name, and is deterministic
given its seed. ``noop`` exists in both registries and returns its input unchanged: it
is the baseline row of every evasion matrix (:mod:`censorsim.research`).

Text transforms act on *targets*: spans of the text (usually the spans of the keywords
that made a rule fire, from :attr:`censorsim.models.Hit.spans`). Without targets the
whole text is the target. ``strength`` is the share of target characters (or gaps
between them) that are changed; 1.0 changes all of them.

========================  ===============================================================
text transform            what it does to the chosen target characters
========================  ===============================================================
``noop``                  nothing
``spaces``                inserts a space inside the target, between two characters
``punctuation``           inserts punctuation (``，。、·.-_*``) between characters
``zero-width``            inserts zero-width characters (U+200B, U+200C, U+200D, U+FEFF)
``fullwidth``             ASCII to full-width forms (``A``→``Ａ``, ``64``→``６４``)
``homophone``             a common Han character to another with the same pinyin (pypinyin)
``pinyin``                a Han character to its toneless pinyin (``六``→``liu``)
``traditional``           simplified to traditional script (OpenCC ``s2t``)
``leetspeak``             Latin letters to digits (``e``→``3``, ``o``→``0``)
``confusable``            Latin letters to Cyrillic and Greek look-alikes (``a``→``а``)
``repeat``                a character written twice
``drop-component``        one target span removed (a combination loses one component;
                          without targets, the whole text is the one span)
========================  ===============================================================

Image transforms take and return a PIL image (RGB); their parameters are part of the
name (``blur-8``, ``jpeg-30``, ``border-short-50``). See :data:`IMAGE_TRANSFORMS`.

Modules (private; import from here): ``_text`` (text transforms), ``_image`` (image
transforms), ``_seed`` (the seeding both share).

Example:
    >>> t = text_transform("spaces")
    >>> t.apply("六四学生", targets=[(0, 2)])
    '六 四学生'
    >>> text_transform("noop").apply("六四学生")
    '六四学生'
    >>> text_transform("fullwidth").apply("ISIS 64")
    'ＩＳＩＳ\\u3000６４'
"""

from __future__ import annotations

from censorsim.evasion._image import IMAGE_TRANSFORMS, ImageTransform, image_transform
from censorsim.evasion._text import TEXT_TRANSFORMS, TextTransform, homophones, text_transform

__all__ = [
    "IMAGE_TRANSFORMS",
    "TEXT_TRANSFORMS",
    "ImageTransform",
    "TextTransform",
    "homophones",
    "image_transform",
    "text_transform",
]
