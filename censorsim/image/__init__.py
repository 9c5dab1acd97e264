"""Image censorship engine: perceptual and exact hashes, and a Hamming-range blacklist index.

Layers: ``algorithms`` (names, sizes) -> ``values`` (hash objects) -> ``hashing`` (decode,
hash) -> ``backends`` (range search) -> ``index`` (blacklist) -> ``index_format`` (its file);
``files`` finds image files in folders (reporting what it skips) and opens files safely.

Example:
    >>> from PIL import Image
    >>> from censorsim.image import Hasher, HammingIndex
    >>> banned = Image.new("RGB", (64, 48), "red")
    >>> index = HammingIndex("dhash")
    >>> _ = index.add(Hasher("dhash").hash(banned), id="red-square", category="demo")
    >>> [(e.id, d) for e, d in index.query(Hasher("dhash").hash(banned.resize((32, 24))), 10)]
    [('red-square', 0)]
"""

from __future__ import annotations

from censorsim.image.algorithms import HASH_ALGORITHMS, HashAlgorithm, resolve_size
from censorsim.image.backends import (
    BACKENDS,
    DEFAULT_BACKEND,
    INDEX_BACKENDS,
    HammingBackend,
    available_backends,
    make_backend,
)
from censorsim.image.files import (
    DEFAULT_MAX_BYTES,
    IMAGE_SUFFIXES,
    NotRegularFileError,
    iter_image_files,
)
from censorsim.image.hashing import (
    ALGORITHMS,
    Hasher,
    HashRecord,
    HashValue,
    ImageHash,
    ImageSource,
    MultiHash,
    Transform,
    hash_bits,
    hash_many,
    iter_hashes,
)
from censorsim.image.index import (
    FORMAT_NAME,
    FORMAT_VERSION,
    HammingIndex,
    IndexEntry,
    IndexMatch,
    append_entries,
    default_threshold,
    save_entries,
)
from censorsim.image.ocr import (
    OCR_ENGINES,
    OCR_MODES,
    OcrEngine,
    OcrLine,
    OcrReader,
    OcrResult,
    blob_scale,
    luminosity_grey,
)
from censorsim.image.visual import (
    DEFAULT_VISUAL_THRESHOLD,
    VisualFeatures,
    VisualIndex,
    VisualMatch,
    visual_features,
    visual_similarity,
)

__all__ = [
    "ALGORITHMS",
    "BACKENDS",
    "DEFAULT_BACKEND",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_VISUAL_THRESHOLD",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "HASH_ALGORITHMS",
    "IMAGE_SUFFIXES",
    "INDEX_BACKENDS",
    "OCR_ENGINES",
    "OCR_MODES",
    "HammingBackend",
    "HammingIndex",
    "HashAlgorithm",
    "HashRecord",
    "HashValue",
    "Hasher",
    "ImageHash",
    "ImageSource",
    "IndexEntry",
    "IndexMatch",
    "MultiHash",
    "NotRegularFileError",
    "OcrEngine",
    "OcrLine",
    "OcrReader",
    "OcrResult",
    "Transform",
    "VisualFeatures",
    "VisualIndex",
    "VisualMatch",
    "append_entries",
    "available_backends",
    "blob_scale",
    "default_threshold",
    "hash_bits",
    "hash_many",
    "iter_hashes",
    "iter_image_files",
    "luminosity_grey",
    "make_backend",
    "resolve_size",
    "save_entries",
    "visual_features",
    "visual_similarity",
]
