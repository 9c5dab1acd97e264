"""The texts and images a simulation draws messages from: the corpus and image folders."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from censorsim.errors import SimulationError
from censorsim.models import Attachment

if TYPE_CHECKING:
    from censorsim.simulate._config import SimulationConfig

__all__ = ["Corpus"]

MAX_CORPUS_BYTES = 256 << 20
"""The largest corpus file read (256 MiB)."""
MAX_IMAGE_BYTES = 64 << 20
"""The largest image file a simulation reads (64 MiB)."""


@dataclass(frozen=True, slots=True)
class Corpus:
    """Benign and sensitive messages by language (``<kind>-<lang>.txt`` files)."""

    texts: Mapping[tuple[str, str], tuple[str, ...]]
    digests: Mapping[str, str] = field(default_factory=dict, compare=False)
    """SHA-256 of each file read, by resolved path (empty when built in memory)."""

    @classmethod
    def from_dir(cls, path: str | os.PathLike[str]) -> Corpus:
        """Read ``benign-zh.txt``, ``benign-en.txt``, ``sensitive-zh.txt``, ``sensitive-en.txt``.

        Raises:
            SimulationError: the folder or a file is missing or empty.
        """
        folder = Path(path)
        texts: dict[tuple[str, str], tuple[str, ...]] = {}
        digests: dict[str, str] = {}
        for kind in ("benign", "sensitive"):
            for lang in ("zh", "en"):
                f = folder / f"{kind}-{lang}.txt"
                if not f.is_file():
                    raise SimulationError(f"corpus file {str(f)!r} not found")
                try:
                    if f.stat().st_size > MAX_CORPUS_BYTES:
                        raise SimulationError(
                            f"corpus file {str(f)!r}: larger than {MAX_CORPUS_BYTES} bytes"
                        )
                    data = f.read_bytes()
                    text = data.decode("utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise SimulationError(f"corpus file {str(f)!r}: cannot read ({exc})") from None
                digests[str(f.resolve())] = hashlib.sha256(data).hexdigest()
                lines = tuple(
                    line.strip()
                    for line in text.splitlines()
                    if line.strip() and not line.lstrip().startswith("#")
                )
                if not lines:
                    raise SimulationError(f"corpus file {str(f)!r} has no messages")
                texts[(kind, lang)] = lines
        return cls(texts, digests)


_VARIANTS = ("original", "resized", "mirrored")


def _variant_bytes(data: bytes, variant: str) -> bytes:
    from PIL import Image, ImageOps

    if variant == "original":
        return data
    with Image.open(io.BytesIO(data)) as im:
        rgb = im.convert("RGB")
        if variant == "resized":
            rgb = rgb.resize((max(1, rgb.width * 9 // 10), max(1, rgb.height * 9 // 10)))
        else:
            rgb = ImageOps.mirror(rgb)
        buf = io.BytesIO()
        rgb.save(buf, format="JPEG", quality=85)
        return buf.getvalue()


@dataclass(frozen=True, slots=True)
class _Image:
    name: str
    banned: bool
    original: Attachment
    by_variant: Mapping[str, Attachment]
    path: str = ""
    sha256: str = ""


def _load_images(config: SimulationConfig) -> list[_Image]:
    if config.images is None or config.image_share == 0:
        return []
    from censorsim.image import Hasher

    folder = Path(config.images)
    if not folder.is_dir():
        raise SimulationError(f"image folder {str(folder)!r} not found")
    files = sorted(folder.glob("*.jpg"))
    names = {f.name for f in files}
    for b in config.banned_images:
        if b not in names:
            raise SimulationError(f"banned image {b!r} is not a .jpg in {str(folder)!r}")
    hasher = Hasher("phash")
    wanted = [v for v, w in config.image_variants if w > 0]
    out = []
    for f in files:
        if not f.is_file():
            raise SimulationError(f"image {str(f)!r}: not a regular file")
        if f.stat().st_size > MAX_IMAGE_BYTES:
            raise SimulationError(f"image {str(f)!r}: larger than {MAX_IMAGE_BYTES} bytes")
        data = f.read_bytes()
        atts = {}
        for v in wanted:
            vb = _variant_bytes(data, v)
            atts[v] = Attachment.from_bytes(vb, f"{f.name}:{v}", hasher=hasher)
        original = atts.get("original") or Attachment.from_bytes(data, f.name, hasher=hasher)
        out.append(_Image(f.name, f.name in config.banned_images, original, atts,
                          str(f.resolve()), hashlib.sha256(data).hexdigest()))
    return out
