"""Content ids: every content a run can draw, numbered so an id means the same in every batch."""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from censorsim.models import Attachment
from censorsim.simulate._corpus import _VARIANTS, Corpus, _Image

_LANGS = ("zh", "en")
"""Languages by index (the ``lang`` codes drawn for messages)."""

_TEMPLATES: Mapping[str, tuple[str, ...]] = {
    "zh": ("{a}，{b}", "{a}。另外，{b}", "{a} {b}", "说真的，{a}{b}"),
    "en": ("{a} {b}", "{a} Also, {b}", "btw {a} {b}", "{a} {b} :)"),
}
"""Generated texts: ``{b}`` carries a sensitive text's keywords, so every template keeps
it (two templates used to drop it, turning a quarter of "sensitive" texts benign)."""
_ZH_STOPS = frozenset("。，、；！？")
"""Chinese punctuation a template may put right after ``{a}``; ``{a}``'s own final one is
dropped then, so generated messages read like chat (no ``。，``)."""
_SPACED_SHARE = 0.3
"""Share of generated sensitive Chinese texts whose keywords are spaced out."""


class _Content(NamedTuple):
    """What a message carries besides its sender, surface and time (a ``contents`` row).

    A named tuple: cheap to build, and untracked by the garbage collector.
    """

    kind: str
    lang: str
    origin: str
    text: str
    attachment: Attachment | None = None

    def row(self, content_id: int) -> tuple[Any, ...]:
        att = self.attachment
        return (content_id, self.kind, self.lang, self.origin, self.text,
                att.name if att else "", att.md5 if att else "")


@dataclass(frozen=True, slots=True)
class _Category:
    origin: str
    kind: str
    lang: str
    radices: tuple[int, ...]
    offset: int

    @property
    def size(self) -> int:
        return math.prod(self.radices)


class _ContentSpace:
    """Numbers every content a run can draw, so a content's id is the same in every batch.

    Each ``(origin, kind, lang)`` category owns a range of ids; within it an id is the
    mixed-radix number of the choices that make the content:

    - ``corpus``: the line of ``<kind>-<lang>.txt``;
    - ``generated``: the template, a benign line, then for sensitive texts a rule's
      keywords, and a second benign line (in Chinese one more value: the keywords spaced
      out instead);
    - ``image``: the image file and its variant (language ``-``).

    Ids depend only on the corpus, the rules and the images, never on the order messages
    are drawn in, so batches are generated independently and the log stores each content
    once. Drawing is vectorised; texts are built once per content (:meth:`describe`).
    """

    def __init__(
        self,
        corpus: Corpus,
        keywords: Mapping[str, Sequence[tuple[str, ...]]],
        images: Sequence[_Image],
        variants: Sequence[tuple[str, float]],
    ) -> None:
        self._corpus = corpus.texts
        self._keywords = keywords
        self._images = images
        self._variant_ids = [_VARIANTS.index(v) for v, _ in variants]
        self._variant_cum = _cumulative([w for _, w in variants])
        banned = [i for i, im in enumerate(images) if im.banned]
        allowed = [i for i, im in enumerate(images) if not im.banned]
        # The image pools of benign and sensitive messages (sensitive ones use the banned).
        self._pools = (allowed or banned, banned or allowed)
        self._categories: list[_Category] = []
        self._lookup: dict[tuple[str, str, str], int] = {}
        for origin in ("corpus", "generated", "image"):
            for kind in ("benign", "sensitive"):
                for lang in (("-",) if origin == "image" else _LANGS):
                    self._add(origin, kind, lang, self._radices(origin, kind, lang))
        self._offsets = [c.offset for c in self._categories]
        self._described: dict[int, _Content] = {}

    def _radices(self, origin: str, kind: str, lang: str) -> tuple[int, ...]:
        if origin == "image":
            return (len(self._images), len(_VARIANTS))
        if origin == "corpus":
            return (len(self._corpus[(kind, lang)]),)
        lines = len(self._corpus[("benign", lang)])
        templates = len(_TEMPLATES[lang])
        keywords = len(self._keywords[lang])
        if kind == "benign" or not keywords:
            return (templates, lines, lines)
        return (templates, lines, keywords, lines + (lang == "zh"))

    def _add(self, origin: str, kind: str, lang: str, radices: tuple[int, ...]) -> None:
        offset = self._categories[-1].offset + self._categories[-1].size if self._categories else 0
        self._lookup[(origin, kind, lang)] = len(self._categories)
        self._categories.append(_Category(origin, kind, lang, radices, offset))

    def draw(self, sensitive: Any, image: Any, generated: Any, lang: Any, u: Any) -> Any:
        """Content ids of messages (numpy arrays; ``lang`` indexes ``zh``/``en``).

        ``u`` holds seven rows of uniform draws per message: line or image, first line,
        second line, keywords, spacing, template, image variant.
        """
        import numpy as np

        out = np.empty(len(sensitive), dtype=np.int64)
        for (origin, kind, lang_name), ci in self._lookup.items():
            mask = (sensitive == (kind == "sensitive")) & (image == (origin == "image"))
            if origin != "image":
                mask &= (generated == (origin == "generated")) & (lang == _LANGS.index(lang_name))
            idx = np.flatnonzero(mask)
            if idx.size:
                cat = self._categories[ci]
                digits = self._digits(cat, u[:, idx])
                number = np.zeros(idx.size, dtype=np.int64)
                for digit, radix in zip(digits, cat.radices, strict=True):
                    number = number * radix + digit
                out[idx] = cat.offset + number
        return out

    def _digits(self, cat: _Category, u: Any) -> list[Any]:
        import numpy as np

        def pick(row: Any, k: int) -> Any:
            return np.minimum((row * k).astype(np.int64), k - 1)

        if cat.origin == "corpus":
            return [pick(u[0], cat.radices[0])]
        if cat.origin == "image":
            pool = np.asarray(self._pools[cat.kind == "sensitive"], dtype=np.int64)
            ids = np.asarray(self._variant_ids, dtype=np.int64)
            cum = self._variant_cum
            return [pool[pick(u[0], len(pool))], ids[np.searchsorted(cum, u[6] * cum[-1], "right")]]
        lines = len(self._corpus[("benign", cat.lang)])
        first, second = pick(u[1], lines), pick(u[2], lines)
        template = pick(u[5], cat.radices[0])
        if len(cat.radices) == 3:
            return [template, first, second]
        if cat.lang == "zh":
            second = np.where(u[4] < _SPACED_SHARE, lines, second)  # `lines`: spaced out
        return [template, first, pick(u[3], cat.radices[2]), second]

    def describe(self, content_id: int) -> _Content:
        """The content with this id (built once, then cached)."""
        content = self._described.get(content_id)
        if content is None:
            content = self._described[content_id] = self._build(content_id)
        return content

    def _build(self, content_id: int) -> _Content:
        cat = self._categories[bisect.bisect_right(self._offsets, content_id) - 1]
        number = content_id - cat.offset
        digits: list[int] = []
        for radix in reversed(cat.radices):
            number, digit = divmod(number, radix)
            digits.append(digit)
        digits.reverse()
        if cat.origin == "image":
            att = self._images[digits[0]].by_variant[_VARIANTS[digits[1]]]
            return _Content(cat.kind, "-", "image", "", att)
        if cat.origin == "corpus":
            line = self._corpus[(cat.kind, cat.lang)][digits[0]]
            return _Content(cat.kind, cat.lang, "corpus", line)
        benign = self._corpus[("benign", cat.lang)]
        template, first = _TEMPLATES[cat.lang][digits[0]], benign[digits[1]]
        if len(digits) == 3:
            second = benign[digits[2]]
        else:
            keywords = self._keywords[cat.lang][digits[2]]
            if digits[3] == len(benign):
                second = " ".join("".join(keywords))
            else:
                sep = "" if cat.lang == "zh" else " "
                second = sep.join(keywords) + sep + benign[digits[3]]
        if cat.lang == "zh" and template.startswith("{a}") and template[3:4] in _ZH_STOPS:
            first = first.rstrip("".join(_ZH_STOPS))  # "好。" + "，下周" would read "好。，"
        return _Content(cat.kind, cat.lang, "generated", template.format(a=first, b=second))


def _cumulative(weights: Sequence[float]) -> list[float]:
    out: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        out.append(total)
    return out
