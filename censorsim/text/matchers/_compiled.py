"""Backends on compiled packages: pyahocorasick (code points or UTF-8), ahocorasick_rs, Hyperscan.

The UTF-8 backends scan the bytes of a whole joined batch in one pass and place the
matches back into per-text code point spans (:func:`place_byte_matches`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Final

import numpy as np
import numpy.typing as npt

from censorsim._optional import import_optional
from censorsim.text.matchers._base import MatchArrays, Matcher, RawMatch
from censorsim.text.offsets import byte_to_codepoint_array, byte_to_codepoint_offsets

__all__ = [
    "HYPERSCAN_MAX_LITERAL",
    "DaachorseMatcher",
    "HyperscanMatcher",
    "PyAhoCorasickMatcher",
    "PyAhoCorasickUtf8Matcher",
    "RustAhoCorasickMatcher",
    "place_byte_matches",
]


# --------------------------------------------------------------------------------------
# pyahocorasick, as it is and over UTF-8.


def _ahocorasick() -> object:
    return import_optional("ahocorasick", "core", "the pyahocorasick backend")


class PyAhoCorasickMatcher(Matcher):
    """pyahocorasick over the text as it is (one automaton symbol per code point)."""

    name = "pyahocorasick"

    def _build(self, keywords: tuple[str, ...]) -> None:
        ahocorasick = _ahocorasick()
        automaton = ahocorasick.Automaton()  # type: ignore[attr-defined]
        for k, kw in enumerate(keywords):
            automaton.add_word(kw, (k, len(kw)))
        if keywords:
            automaton.make_automaton()
        self._automaton = automaton if keywords else None

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        if self._automaton is None:
            return []
        return [(e + 1 - n, e + 1, k) for e, (k, n) in self._automaton.iter(text)]


def _to_latin1(text: str) -> str:
    return text.encode("utf-8", "surrogatepass").decode("latin-1")


class PyAhoCorasickUtf8Matcher(Matcher):
    """pyahocorasick over UTF-8 bytes seen as Latin-1 characters (the default).

    A Chinese character becomes three symbols; no node has more than 256 children, so
    pyahocorasick's linear child search stays short. UTF-8 is self-synchronising, so a
    keyword's bytes can only match at a character boundary. Byte offsets are converted to
    code points only in texts that matched.
    """

    name = "pyahocorasick-utf8"

    def _build(self, keywords: tuple[str, ...]) -> None:
        ahocorasick = _ahocorasick()
        automaton = ahocorasick.Automaton()  # type: ignore[attr-defined]
        for k, kw in enumerate(keywords):
            automaton.add_word(_to_latin1(kw), (k, len(kw)))
        if keywords:
            automaton.make_automaton()
        self._automaton = automaton if keywords else None

    @staticmethod
    def _to_chars(
        text: str, encoded: str, found: list[tuple[int, tuple[int, int]]]
    ) -> list[RawMatch]:
        if len(encoded) == len(text):
            return [(e + 1 - n, e + 1, k) for e, (k, n) in found]
        ends = byte_to_codepoint_offsets(encoded.encode("latin-1"), [e + 1 for e, _ in found])
        return [(end - n, end, k) for end, (_, (k, n)) in zip(ends, found, strict=True)]

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        if self._automaton is None:
            return []
        encoded = _to_latin1(text)
        found = list(self._automaton.iter(encoded))
        if not found:
            return []
        return self._to_chars(text, encoded, found)

    def _find_many_raw(self, texts: Sequence[str]) -> list[list[RawMatch]]:
        automaton = self._automaton
        if automaton is None:
            return [[] for _ in texts]
        it = automaton.iter
        to_chars = self._to_chars
        out: list[list[RawMatch]] = []
        append = out.append
        for text in texts:
            encoded = text.encode("utf-8", "surrogatepass").decode("latin-1")
            found = list(it(encoded))
            append(to_chars(text, encoded, found) if found else [])
        return out


    def _find_joined(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> dict[int, list[RawMatch]]:
        # One automaton pass over the whole batch; matches that straddle two texts are
        # dropped afterwards, so no separator is needed.
        out: dict[int, list[RawMatch]] = {}
        if self._automaton is None or not joined:
            return out
        encoded = joined.encode("utf-8", "surrogatepass").decode("latin-1")
        found = list(self._automaton.iter(encoded))
        if not found:
            return out
        ends_b = np.fromiter((e for e, _ in found), dtype=np.int64, count=len(found)) + 1
        keys = [v for _, v in found]
        return place_byte_matches(joined, len(encoded), codes, bounds, ends_b, keys)


def _find_one(matcher: Matcher, text: str) -> list[RawMatch]:
    """One text through a backend's joined-batch path."""
    bounds = np.array([0, len(text)], dtype=np.int64)
    return matcher._find_joined(text, bounds, None).get(0, [])


def place_byte_matches(
    joined: str,
    n_bytes: int,
    codes: npt.NDArray[np.uint32] | None,
    bounds: npt.NDArray[np.int64],
    ends_b: npt.NDArray[np.int64],
    keys: list[tuple[int, int]],
) -> dict[int, list[RawMatch]]:
    """Turn matches over the UTF-8 bytes of a joined batch into per-text code points.

    ``ends_b`` are exclusive end byte offsets; ``keys`` the matching ``(keyword index,
    length in code points)``. Matches that straddle two texts are dropped.
    """
    out: dict[int, list[RawMatch]] = {}
    if n_bytes == len(joined):
        ends_c = ends_b
    else:
        if codes is None:
            codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        ends_c = byte_to_codepoint_array(codes, ends_b)
    lengths = np.fromiter((n for _, n in keys), dtype=np.int64, count=len(keys))
    starts_c = ends_c - lengths
    owner = np.searchsorted(bounds, starts_c, side="right") - 1
    inside = ends_c <= bounds[owner + 1]
    base = bounds[owner]
    for i, s, e, ok, (k, _) in zip(
        owner.tolist(),
        (starts_c - base).tolist(),
        (ends_c - base).tolist(),
        inside.tolist(),
        keys,
        strict=True,
    ):
        if ok:
            out.setdefault(i, []).append((s, e, k))
    return out


# --------------------------------------------------------------------------------------
# Optional: ahocorasick_rs and Hyperscan, both over the UTF-8 bytes of a joined batch.


class _ByteScanner(Matcher):
    """A backend that scans UTF-8 bytes and reports ``(keyword index, end byte)`` pairs.

    A subclass builds ``_lengths`` (keyword lengths in code points) and implements
    :meth:`_scan_bytes`; the batch path and the single-text path are shared.
    """

    _lengths: list[int]
    _length_array: npt.NDArray[np.int64] | None = None

    def _scan_bytes(self, data: bytes) -> tuple[list[int], list[int]]:
        """Keyword indices and exclusive end byte offsets of every occurrence in ``data``."""
        raise NotImplementedError

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        return _find_one(self, text)

    def _find_joined(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> dict[int, list[RawMatch]]:
        if not self._lengths or not joined:
            return {}
        data = joined.encode("utf-8", "surrogatepass")
        ids, ends = self._scan_bytes(data)
        if not ids:
            return {}
        lengths = self._lengths
        keys = [(k, lengths[k]) for k in ids]
        ends_b = np.array(ends, dtype=np.int64)
        return place_byte_matches(joined, len(data), codes, bounds, ends_b, keys)


    def _find_joined_arrays(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> MatchArrays:
        # The same scan as _find_joined, placed with numpy instead of a loop per match.
        empty = np.zeros(0, dtype=np.int64)
        if not self._lengths or not joined:
            return MatchArrays(empty, empty, empty, empty)
        data = joined.encode("utf-8", "surrogatepass")
        ids, ends = self._scan_bytes(data)
        if not ids:
            return MatchArrays(empty, empty, empty, empty)
        kw = np.array(ids, dtype=np.int64)
        end = np.array(ends, dtype=np.int64)
        if len(data) != len(joined):
            if codes is None:
                codes = np.frombuffer(
                    joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32
                )
            end = byte_to_codepoint_array(codes, end)
        lengths = getattr(self, "_length_array", None)
        if lengths is None or lengths.size != len(self._lengths):
            lengths = self._length_array = np.array(self._lengths, dtype=np.int64)
        return MatchArrays.from_joined(bounds, end - lengths[kw], end, kw)


def _rebuild(cls: type[Matcher], keywords: tuple[str, ...], whole_word: object) -> Matcher:
    """Unpickle a matcher by building it again (its compiled automaton cannot be pickled)."""
    return cls(keywords, whole_word=whole_word)  # type: ignore[arg-type]


def _reduce_by_rebuilding(m: Matcher) -> tuple[object, ...]:
    ww = m._whole_word
    whole: bool | list[str] = (
        True if ww and len(ww) == len(m.keywords) else [m.keywords[i] for i in sorted(ww)]
    )
    return (_rebuild, (type(m), m.keywords, whole))


class RustAhoCorasickMatcher(_ByteScanner):
    """The Rust ``ahocorasick_rs`` automaton over UTF-8 bytes, overlapping (extra ``fast``).

    Working on bytes lets lone surrogates through (encoded with ``surrogatepass``) and
    needs no offset conversion for ASCII text; byte offsets are mapped back to code
    points as for ``pyahocorasick-utf8``. Pickling rebuilds the automaton.
    """

    name = "ahocorasick-rs"
    optional = "fast"

    def _build(self, keywords: tuple[str, ...]) -> None:
        mod = import_optional("ahocorasick_rs", "fast", "the ahocorasick-rs backend")
        self._lengths = [len(k) for k in keywords]
        self._automaton = (
            mod.BytesAhoCorasick([k.encode("utf-8", "surrogatepass") for k in keywords])
            if keywords
            else None
        )

    def __reduce__(self) -> tuple[object, ...]:
        return _reduce_by_rebuilding(self)

    def _scan_bytes(self, data: bytes) -> tuple[list[int], list[int]]:
        assert self._automaton is not None
        found = self._automaton.find_matches_as_indexes(data, overlapping=True)
        return [k for k, _, _ in found], [e for _, _, e in found]


HYPERSCAN_MAX_LITERAL: Final = 16000
"""The longest literal (bytes) Hyperscan compiles; longer keywords take the fallback."""


class HyperscanMatcher(_ByteScanner):
    """Intel Hyperscan in literal mode over UTF-8 bytes (extra ``hyperscan``).

    Hyperscan reports every end offset of every literal, overlapping ones included;
    offsets are mapped back to code points as for ``pyahocorasick-utf8``.

    Keywords Hyperscan cannot take as they are (one containing NUL, which its literal
    API cuts, or longer than :data:`HYPERSCAN_MAX_LITERAL` bytes) are found by a
    pyahocorasick automaton over the same bytes instead, in the same pass over the
    batch; results are identical. Each thread scans with its own scratch space, so one
    matcher can serve a thread pool; pickling rebuilds the database.
    """

    name = "hyperscan"
    optional = "hyperscan"

    def _build(self, keywords: tuple[str, ...]) -> None:
        hs = import_optional("hyperscan", "hyperscan", "the hyperscan backend")
        self._lengths = [len(k) for k in keywords]
        self._db = None
        self._fallback = None
        self._local = threading.local()
        patterns: list[bytes] = []
        ids: list[int] = []
        odd: list[tuple[int, bytes]] = []
        for k, kw in enumerate(keywords):
            data = kw.encode("utf-8", "surrogatepass")
            if b"\x00" in data or len(data) > HYPERSCAN_MAX_LITERAL:
                odd.append((k, data))
            else:
                patterns.append(data)
                ids.append(k)
        if patterns:
            db = hs.Database(mode=hs.HS_MODE_BLOCK)
            db.compile(expressions=patterns, ids=ids, literal=True)
            self._db = db
        if odd:
            automaton = _ahocorasick().Automaton()  # type: ignore[attr-defined]
            for k, data in odd:
                automaton.add_word(data.decode("latin-1"), k)
            automaton.make_automaton()
            self._fallback = automaton

    def __reduce__(self) -> tuple[object, ...]:
        return _reduce_by_rebuilding(self)

    def _scratch(self) -> object:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            hs = import_optional("hyperscan", "hyperscan", "the hyperscan backend")
            scratch = self._local.scratch = hs.Scratch(self._db)
        return scratch

    def _scan_bytes(self, data: bytes) -> tuple[list[int], list[int]]:
        ids: list[int] = []
        ends: list[int] = []

        def on_match(k: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
            ids.append(k)
            ends.append(end)

        if self._db is not None:
            self._db.scan(data, match_event_handler=on_match, scratch=self._scratch())
        if self._fallback is not None:
            for e, k in self._fallback.iter(data.decode("latin-1")):
                ids.append(k)
                ends.append(e + 1)
        return ids, ends


# --------------------------------------------------------------------------------------
# Optional: daachorse, a character-wise double-array automaton over the code points.


DAACHORSE_PROFILE_BYTES: Final = 8_192
"""The size of the text daachorse lays its byte-wise automaton out for (see
:func:`_profile_corpus`)."""


def _profile_corpus(patterns: Sequence[bytes]) -> bytes:
    """An evenly spaced sample of the keywords, concatenated, of about 8 KiB at most.

    daachorse's profile-guided build places the states a sample text visits most next to
    each other in its double array. Real texts visit the paths of the keywords they
    share words with, so the keywords themselves (no text is needed, and the build stays
    deterministic) serve as the sample. Measured on English chat at 100,000 keywords
    (``docs/benchmarks.md``, "Matcher choice"): the automaton's scan about 10% faster
    with an 8 KiB sample, 15-20% with 64 KiB. The build cost grows faster than the
    sample (measured on 200,000-keyword lists: +0.1-0.6 s at 8 KiB, +0.7-3.3 s at
    64 KiB), hence the small cap.
    """
    total = sum(map(len, patterns))
    step = max(1, -(-total // DAACHORSE_PROFILE_BYTES))
    return b"".join(patterns[::step])


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class DaachorseMatcher(Matcher):
    """daachorse's character-wise double-array Aho-Corasick automaton (extra ``daachorse``).

    The automaton works on code points, so its offsets need no conversion, and a whole
    joined batch is scanned in one call (matches straddling two texts are dropped); the
    matches come back as one flat array (:meth:`Matcher.find_joined_arrays`) without a
    Python loop over them. Its double array keeps a state's transitions in one slot per
    character, so Chinese keyword sets, whose root has thousands of children, cost no
    linear child search.

    A list of ASCII keywords gets daachorse's byte-wise automaton over the UTF-8 bytes
    instead (byte offsets mapped back to code points when the batch is not ASCII).
    Rust strings cannot hold lone surrogates: keywords containing one are found by a
    pyahocorasick automaton over the code points instead, and a batch containing one
    is scanned by a pyahocorasick automaton over every keyword (built on first need).
    Results are identical either way. Pickling rebuilds the automaton.
    """

    name = "daachorse"
    optional = "daachorse"

    def _build(self, keywords: tuple[str, ...]) -> None:
        mod = import_optional("daachorse", "daachorse", "the daachorse backend")
        self._bytewise = None
        if keywords and all(kw.isascii() for kw in keywords):
            # ASCII keywords: the byte-wise automaton, about 1.7x the character-wise one
            # on Latin text (measured). An ASCII keyword's bytes only match at character
            # boundaries of UTF-8, so byte offsets map back to code points exactly.
            patterns = [kw.encode("ascii") for kw in keywords]
            self._bytewise = mod.DoubleArrayAhoCorasick(
                patterns, corpus=[_profile_corpus(patterns)]
            )
            self._lengths = np.fromiter(map(len, keywords), dtype=np.int64,
                                        count=len(keywords))
        plain = [k for k, kw in enumerate(keywords)
                 if self._bytewise is None and not _has_surrogate(kw)]
        self._ids: npt.NDArray[np.int64] | None = (
            None if len(plain) == len(keywords) else np.array(plain, dtype=np.int64)
        )
        self._automaton = (
            mod.CharwiseDoubleArrayAhoCorasick([keywords[k] for k in plain]) if plain else None
        )
        odd = [k for k, kw in enumerate(keywords)
               if self._bytewise is None and _has_surrogate(kw)]
        self._odd = PyAhoCorasickMatcher([keywords[k] for k in odd]) if odd else None
        self._odd_ids = odd
        self._everything: PyAhoCorasickMatcher | None = None

    def __reduce__(self) -> tuple[object, ...]:
        return _reduce_by_rebuilding(self)

    def _find_raw(self, text: str) -> Iterable[RawMatch]:
        return self._find_joined(text, np.array([0, len(text)], dtype=np.int64), None).get(0, [])

    def _find_many_raw(self, texts: Sequence[str]) -> list[list[RawMatch]]:
        bounds = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), out=bounds[1:])
        found = self._find_joined("".join(texts), bounds, None)
        return [found.get(i, []) for i in range(len(texts))]

    def _find_joined(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> dict[int, list[RawMatch]]:
        return self._find_joined_arrays(joined, bounds, codes).to_dict()

    def _find_joined_arrays(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> MatchArrays:
        if self._bytewise is not None:
            return self._find_bytewise(joined, bounds, codes)
        if self._automaton is not None:
            try:
                found = self._automaton.find_overlapping(joined)
            except UnicodeEncodeError:
                return self._with_surrogates(joined, bounds, codes)
            n = len(found)
            flat = np.fromiter(chain.from_iterable(found), dtype=np.int64, count=3 * n)
            flat = flat.reshape(n, 3)
            start, end, kw = flat[:, 0], flat[:, 1], flat[:, 2]
            if self._ids is not None:
                kw = self._ids[kw]
        else:
            start = end = kw = np.zeros(0, dtype=np.int64)
        if self._odd is not None:
            extra = MatchArrays.from_dict(self._odd._find_joined(joined, bounds, codes))
            ids = np.array(self._odd_ids, dtype=np.int64)
            b = bounds[extra.text]
            start = np.concatenate([start, extra.start + b])
            end = np.concatenate([end, extra.end + b])
            kw = np.concatenate([kw, ids[extra.keyword]])
        return MatchArrays.from_joined(bounds, start, end, kw)

    def _find_bytewise(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> MatchArrays:
        assert self._bytewise is not None
        data = joined.encode("utf-8", "surrogatepass")
        found = self._bytewise.find_overlapping(data)
        n = len(found)
        flat = np.fromiter(chain.from_iterable(found), dtype=np.int64, count=3 * n)
        flat = flat.reshape(n, 3)
        end, kw = flat[:, 1], flat[:, 2]
        if len(data) != len(joined):
            if codes is None:
                codes = np.frombuffer(
                    joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32
                )
            end = byte_to_codepoint_array(codes, end)
        start = end - self._lengths[kw]
        return MatchArrays.from_joined(bounds, start, end, kw)

    def _with_surrogates(
        self, joined: str, bounds: npt.NDArray[np.int64], codes: npt.NDArray[np.uint32] | None
    ) -> MatchArrays:
        if self._everything is None:
            self._everything = PyAhoCorasickMatcher(self._keywords)
        return MatchArrays.from_dict(self._everything._find_joined(joined, bounds, codes))
