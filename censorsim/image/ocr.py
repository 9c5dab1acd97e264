"""OCR of text in images, as WeChat Moments' OCR filter reads it (engines by name).

WeChat Moments filters an image whose text contains a keyword combination of a list of its
own, separate from the chat lists (Knockel, Ruan, Crete-Nishihata and Deibert, "(Can't)
Picture This", FOCI 2018). The paper observed that the OCR stage first converts the image
to grey with the **luminosity** formula (``0.299 R + 0.587 G + 0.114 B``: text whose
colour has the background's luminosity evaded 150/150) and merges blobs into characters
(text broken into tiled squares or letters evaded 92 % and 100 %). :class:`OcrReader`
does the same first step, then hands the grey image to an engine of :data:`OCR_ENGINES`:

* ``rapidocr`` (extra ``ocr``: ``rapidocr-onnxruntime``): PP-OCRv4 detection and
  recognition run by onnxruntime, with the models inside the wheel (nothing is
  downloaded). Its logging is silenced.

Images are decoded exactly as the hashers decode them, so a truncated file, a
decompression bomb or a file that is not an image raises the same
:class:`~censorsim.errors.ImageError`; an engine that is not installed raises
:class:`~censorsim.errors.MissingDependencyError` naming the extra. An image without
text is not an error: its result has no lines. Results are cached by the MD5 of the file
bytes (of the pixels, for a PIL image).

Modes (:data:`OCR_MODES`): ``plain`` keeps every line the engine reads. ``wechat`` models
the blob merging the paper observed: a line is kept only when its ink forms glyph-sized
connected blobs, so text whose strokes are broken into tiles (``text-squares``,
``text-letters`` of :mod:`censorsim.evasion`) is not read, while ordinary rendered text
is. A modern engine reads tiled text a 2018 WeChat did not; the mode reproduces the
observation, not WeChat's code (see :func:`blob_scale`).

Example:
    >>> "rapidocr" in OCR_ENGINES
    True
    >>> OcrLine("法轮功", (0, 0, 90, 30), 0.99).to_json()["text"]
    '法轮功'
"""

from __future__ import annotations

import hashlib
import logging
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from censorsim._optional import import_optional
from censorsim.errors import ImageError, ParameterError
from censorsim.image._load import ImageSource, _decode, _name_of, _read_bytes
from censorsim.registry import Registry

__all__ = [
    "OCR_ENGINES",
    "OCR_MODES",
    "OcrEngine",
    "OcrLine",
    "OcrReader",
    "OcrResult",
    "blob_scale",
    "luminosity_grey",
]

_LUMA: Final = np.array([0.299, 0.587, 0.114])


def luminosity_grey(image: Image.Image) -> NDArray[np.uint8]:
    """The image in grey by the luminosity formula (what WeChat's OCR stage reads).

    Example:
        >>> int(luminosity_grey(Image.new("RGB", (1, 1), (255, 0, 0)))[0, 0])
        76
    """
    a = np.asarray(image.convert("RGB"), dtype=np.float64)
    grey: NDArray[np.uint8] = np.clip(np.rint(a @ _LUMA), 0, 255).astype(np.uint8)
    return grey


OCR_MODES: Final = ("plain", "wechat")
"""How lines are kept: ``plain`` every line read; ``wechat`` only lines of glyph-sized blobs."""

WECHAT_MIN_BLOB_SCALE: Final = 0.3
"""The ``wechat`` mode keeps a line when its :func:`blob_scale` is at least this.

Assumption, not a published figure: rendered Chinese measures 0.5 to 0.9 here, the
``text-squares`` and ``text-letters`` transforms about 0.1 (their tiles are 6 to 7 px
high on 50 px text); the paper reports only that such tiled text evaded 92 % and 100 %.
"""


def _otsu(values: NDArray[np.uint8]) -> int:
    """Otsu's threshold of grey values: the ``t`` maximising the between-class variance
    of ``values <= t`` and ``values > t`` (the smallest such ``t``)."""
    hist = np.bincount(values.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    weight = np.cumsum(hist)
    mass = np.cumsum(hist * np.arange(256))
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mass[-1] * weight - mass * total) ** 2 / (weight * (total - weight))
    between[~np.isfinite(between)] = -1.0
    return int(np.argmax(between))


def _ink(grey: NDArray[np.uint8]) -> NDArray[np.bool_]:
    """The ink of a text region: the smaller side of its Otsu threshold (dark text on a
    light ground or light on dark); nothing when the region is flat."""
    if grey.size == 0 or int(grey.max()) == int(grey.min()):
        return np.zeros(grey.shape, dtype=bool)
    dark = grey <= _otsu(grey)
    return dark if dark.sum() * 2 <= dark.size else ~dark


def _blobs_reference(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``(pixels, extent)`` of every 8-connected blob of ``mask``, sorted (plain flood
    fill: the reference :func:`_blobs` is tested against). ``extent`` is the larger side
    of the blob's bounding box."""
    h, w = mask.shape
    seen = np.zeros_like(mask)
    out = []
    for y0, x0 in zip(*np.nonzero(mask), strict=True):
        if seen[y0, x0]:
            continue
        seen[y0, x0] = True
        stack = [(int(y0), int(x0))]
        ys, xs, count = [], [], 0
        while stack:
            y, x = stack.pop()
            ys.append(y)
            xs.append(x)
            count += 1
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    v, u = y + dy, x + dx
                    if 0 <= v < h and 0 <= u < w and mask[v, u] and not seen[v, u]:
                        seen[v, u] = True
                        stack.append((v, u))
        out.append((count, max(max(ys) - min(ys), max(xs) - min(xs)) + 1))
    return sorted(out)


def _blobs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """:func:`_blobs_reference` by ``scipy.ndimage`` (it comes with imagehash)."""
    from scipy import ndimage

    labels, n = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
    if n == 0:
        return []
    counts = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    out = []
    for k, sl in enumerate(ndimage.find_objects(labels)):
        assert sl is not None
        out.append((int(counts[k]), max(sl[0].stop - sl[0].start, sl[1].stop - sl[1].start)))
    return sorted(out)


def blob_scale(grey: NDArray[np.uint8], box: tuple[int, int, int, int] | None = None) -> float:
    """How large a text region's ink blobs are, relative to the region's height.

    The ink (the smaller side of an Otsu threshold) is cut into 8-connected blobs; the
    result is the ink-weighted median of the blobs' extents (larger bounding-box side)
    over the region's height: about 0.5 to 0.9 for rendered Chinese, whose strokes join
    into radicals, and about 0.1 for text drawn with small tiles. It stands in for the
    blob merging WeChat's OCR was observed to need ("(Can't) Picture This", FOCI 2018:
    text broken into tiled squares or letters evaded 92 % and 100 %). 0.0 when the
    region has no ink.

    Args:
        grey: a 2-D ``uint8`` grey image.
        box: ``(left, top, right, bottom)`` of the region (default: the whole image).

    Example:
        >>> solid = np.full((40, 120), 255, np.uint8); solid[8:32, 10:34] = 0
        >>> round(blob_scale(solid), 2)
        0.6
        >>> tiled = np.full((40, 120), 255, np.uint8); tiled[8:32:4, 10:110:4] = 0
        >>> round(blob_scale(tiled), 3)
        0.025
    """
    if box is not None:
        h, w = grey.shape
        left, top = max(0, box[0]), max(0, box[1])
        grey = grey[top:max(top, min(h, box[3])), left:max(left, min(w, box[2]))]
    if grey.size == 0:
        return 0.0
    blobs = _blobs(_ink(grey))
    if not blobs:
        return 0.0
    pixels = np.array([b[0] for b in blobs], dtype=np.float64)
    extents = np.array([b[1] for b in blobs], dtype=np.float64)
    order = np.argsort(extents, kind="stable")
    cumulative = np.cumsum(pixels[order])
    median = extents[order][int(np.searchsorted(cumulative, cumulative[-1] / 2))]
    return float(median / grey.shape[0])


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One recognised line of text.

    Attributes:
        text: the text read.
        box: its bounding box ``(left, top, right, bottom)`` in pixels of the image.
        confidence: the engine's confidence in ``[0, 1]``.
    """

    text: str
    box: tuple[int, int, int, int]
    confidence: float

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"text": self.text, "box": list(self.box),
                "confidence": round(self.confidence, 4)}


@dataclass(frozen=True, slots=True)
class OcrResult:
    """The text read in one image.

    Attributes:
        image: the image's name (its path, or ``<bytes>``/``<image>``).
        md5: the MD5 the result is cached under (file bytes, or pixels for a PIL image).
        engine: the engine's name.
        lines: the lines read, top to bottom; empty when the image has no text.
        mode: the reader's mode (:data:`OCR_MODES`).
    """

    image: str
    md5: str
    engine: str
    lines: tuple[OcrLine, ...] = field(default=())
    mode: str = "plain"

    @property
    def text(self) -> str:
        """The lines joined with newlines (``""`` for an image without text)."""
        return "\n".join(line.text for line in self.lines)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"image": self.image, "md5": self.md5, "engine": self.engine,
                "mode": self.mode, "text": self.text,
                "lines": [line.to_json() for line in self.lines]}


class OcrEngine(Protocol):
    """What an OCR engine does: grey pixels in, lines out."""

    name: str

    def read(self, grey: NDArray[np.uint8]) -> list[OcrLine]:
        """The lines in a 2-D ``uint8`` grey image."""
        ...  # pragma: no cover


def _quiet(names: Iterable[str]) -> None:
    for name in names:
        log = logging.getLogger(name)
        log.handlers.clear()
        log.propagate = False
        log.disabled = True


class _RapidOcr:
    """``rapidocr-onnxruntime``: PP-OCRv4, models in the wheel, logging silenced."""

    name = "rapidocr"

    def __init__(self, threads: int = 1) -> None:
        ort = import_optional("onnxruntime", "ocr", "the rapidocr OCR engine")
        ort.set_default_logger_severity(3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mod = import_optional("rapidocr_onnxruntime", "ocr", "the rapidocr OCR engine")
            _quiet(("RapidOCR", "OrtInferSession"))
            # limit_type "max": never upscale (the default blows a 80 px line up to 736 px)
            self._engine = mod.RapidOCR(
                det_limit_type="max", det_limit_side_len=960, intra_op_num_threads=threads,
                inter_op_num_threads=1, print_verbose=False)
        _quiet(("RapidOCR", "OrtInferSession"))
        self._lock = threading.Lock()

    def read(self, grey: NDArray[np.uint8]) -> list[OcrLine]:
        rgb = np.ascontiguousarray(np.repeat(grey[..., None], 3, axis=2))
        with self._lock, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found, _elapsed = self._engine(rgb)
        out = []
        for points, text, score in found or ():
            xs = [float(p[0]) for p in points]
            ys = [float(p[1]) for p in points]
            box = (round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys)))
            out.append(OcrLine(str(text), box, float(score)))
        out.sort(key=lambda line: (line.box[1], line.box[0]))
        return out


OCR_ENGINES: Final[Registry[Callable[[], OcrEngine]]] = Registry("OCR engine")
"""OCR engines by name; each value builds the engine (loading its models)."""

OCR_ENGINES.add("rapidocr", _RapidOcr, requires=("rapidocr_onnxruntime", "onnxruntime"),
                extra="ocr", summary="PP-OCRv4 with onnxruntime, models inside the wheel")

_ENGINES: dict[str, OcrEngine] = {}
_ENGINES_LOCK = threading.Lock()


def _engine(name: str) -> OcrEngine:
    factory = OCR_ENGINES.get(name)
    with _ENGINES_LOCK:
        if name not in _ENGINES:
            _ENGINES[name] = factory()
        return _ENGINES[name]


class OcrReader:
    """Reads the text in images the way WeChat's OCR stage does: luminosity grey first.

    Args:
        engine: a name of :data:`OCR_ENGINES` (loaded once per process, on first use).
        min_confidence: lines the engine is less sure of are dropped.
        cache_size: results kept, by MD5 (0: no cache).
        mode: ``plain`` keeps every line; ``wechat`` only lines whose ink forms
            glyph-sized blobs (:func:`blob_scale` at least
            :data:`WECHAT_MIN_BLOB_SCALE`), as WeChat's 2018 OCR behaved.

    Raises:
        UnknownNameError: an unknown engine.
        MissingDependencyError: the engine is not installed (names the extra ``ocr``).
        ParameterError: a confidence outside ``[0, 1]``, a negative cache size or an
            unknown mode.
    """

    def __init__(self, engine: str = "rapidocr", *, min_confidence: float = 0.5,
                 cache_size: int = 1024, mode: str = "plain") -> None:
        if mode not in OCR_MODES:
            raise ParameterError(f"OCR mode must be one of {', '.join(OCR_MODES)}, not {mode!r}")
        self.mode = mode
        if not 0.0 <= min_confidence <= 1.0:
            raise ParameterError(f"min_confidence must be in [0, 1], not {min_confidence}")
        if cache_size < 0:
            raise ParameterError(f"cache_size must be at least 0, not {cache_size}")
        OCR_ENGINES.get(engine)  # unknown or missing: fail here, not at the first image
        self.engine = engine
        self.min_confidence = min_confidence
        self.cache_size = cache_size
        self._cache: OrderedDict[str, tuple[OcrLine, ...]] = OrderedDict()

    def read(self, image: ImageSource) -> OcrResult:
        """The text in one image (a path, its bytes or a PIL image).

        Raises:
            ImageError: the image cannot be read (named, as the hashers name it).
        """
        name = _name_of(image)
        data = _read_bytes(image, name)
        decoded, _size = _decode(image, name, data=data)
        if data is not None:
            md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        else:
            md5 = hashlib.md5(decoded.tobytes() + repr((decoded.mode, decoded.size)).encode(),
                              usedforsecurity=False).hexdigest()
        lines = self._cache.get(md5)
        if lines is None:
            try:
                grey = luminosity_grey(decoded)
                found = _engine(self.engine).read(grey)
                if self.mode == "wechat":
                    found = [x for x in found
                             if blob_scale(grey, x.box) >= WECHAT_MIN_BLOB_SCALE]
            except MemoryError:
                raise
            except (ImageError, ParameterError):
                raise
            except Exception as exc:
                raise ImageError(f"OCR failed ({type(exc).__name__}: {exc})",
                                 image=name) from exc
            lines = tuple(x for x in found if x.confidence >= self.min_confidence)
            if self.cache_size:
                self._cache[md5] = lines
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(md5)
        return OcrResult(name, md5, self.engine, lines, self.mode)

    def read_many(self, images: Sequence[ImageSource]) -> list[OcrResult]:
        """The text in each image, in order (a bad image raises its ImageError)."""
        return [self.read(im) for im in images]
