"""Seeded, generated workloads for the benchmarks: vocabularies, keywords, messages, rules.

Nothing is downloaded. The Chinese vocabulary comes from jieba's dictionary when the
optional package ``jieba`` is installed (its ``dict.txt``: about 350,000 words with
corpus frequencies) and otherwise from a synthetic Zipf-distributed vocabulary over the
CJK Unified Ideographs block. The English vocabulary is synthetic (pronounceable words
from a syllable grammar, Zipf-distributed). Same seed, same workload.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

from censorsim.errors import InputError
from censorsim.models import Rule

__all__ = [
    "Vocabulary",
    "Workload",
    "chinese_vocabulary",
    "combination_rules",
    "dense_workload",
    "english_vocabulary",
    "load_workload",
    "make_workload",
    "shared_prefix_workload",
    "with_combination_rules",
]

Language = Literal["zh", "en"]

# Component counts of the published WeChat 709-crackdown list (Citizen Lab,
# chat-censorship/wechat/709crackdown): 113 single keywords, 148 two-part,
# 528 three-part, 69 four-part and 4 five-part combinations.
WECHAT_709_COMPONENTS = {1: 113, 2: 148, 3: 528, 4: 69, 5: 4}


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Words with sampling weights, and where they came from."""

    words: tuple[str, ...]
    weights: tuple[float, ...]
    source: str
    separator: str


def chinese_vocabulary(*, size: int = 60_000, seed: int = 0) -> Vocabulary:
    """A Chinese vocabulary: jieba's dictionary if installed, else a synthetic one."""
    try:
        import jieba

        path = Path(jieba.__file__).with_name("dict.txt")
        words: list[str] = []
        weights: list[float] = []
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 2 and parts[1].isdigit():
                    words.append(parts[0])
                    weights.append(float(parts[1]))
        order = sorted(range(len(words)), key=lambda i: -weights[i])[:size]
        return Vocabulary(
            tuple(words[i] for i in order), tuple(weights[i] for i in order), "jieba", ""
        )
    except ImportError:
        pass
    rng = random.Random(seed)
    chars = [chr(cp) for cp in range(0x4E00, 0x4E00 + 6000)]
    char_w = [1.0 / (i + 1) ** 0.9 for i in range(len(chars))]
    seen: dict[str, None] = {}
    while len(seen) < size:
        n = rng.choices((1, 2, 3, 4), (0.25, 0.55, 0.12, 0.08))[0]
        seen.setdefault("".join(rng.choices(chars, char_w, k=n)), None)
    found = tuple(seen)
    return Vocabulary(found, tuple(1.0 / (i + 1) for i in range(len(found))), "synthetic", "")


_ONSETS = ("", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t",
           "v", "w", "st", "tr", "ch", "sh", "th", "pl", "gr")
_VOWELS = ("a", "e", "i", "o", "u", "ea", "ai", "ou", "oo")
_CODAS = ("", "n", "r", "s", "t", "l", "nd", "st", "ng", "ck")


def english_vocabulary(*, size: int = 30_000, seed: int = 0) -> Vocabulary:
    """A synthetic English-like vocabulary with Zipf weights."""
    rng = random.Random(seed)
    seen: dict[str, None] = {}
    while len(seen) < size:
        syll = rng.choices((1, 2, 3), (0.5, 0.35, 0.15))[0]
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syll)
        )
        seen.setdefault(word, None)
    found = tuple(seen)
    return Vocabulary(found, tuple(1.0 / (i + 1) for i in range(len(found))), "synthetic", " ")


@dataclass(frozen=True, slots=True)
class Workload:
    """Keywords and messages for a matcher benchmark.

    Attributes:
        name: a label (language, keyword count, message kind).
        keywords: distinct keywords.
        messages: the texts to scan.
        planted: indices of messages that had a keyword inserted.
        rules: rules for the pipeline contenders; empty means one single-keyword rule
            per keyword. Their keywords are ``keywords``.
    """

    name: str
    keywords: tuple[str, ...]
    messages: tuple[str, ...]
    planted: tuple[int, ...]
    rules: tuple[Rule, ...] = ()

    @property
    def code_points(self) -> int:
        """Total length of the messages in code points."""
        return sum(map(len, self.messages))

    @property
    def utf8_bytes(self) -> int:
        """Total length of the messages in UTF-8 bytes."""
        return sum(len(m.encode("utf-8", "surrogatepass")) for m in self.messages)

    def describe(self) -> dict[str, object]:
        """Sizes for the report: keywords, rules, messages, code points, bytes."""
        return {
            "name": self.name,
            "keywords": len(self.keywords),
            "rules": len(self.rules) or len(self.keywords),
            "combination_rules": bool(self.rules),
            "messages": len(self.messages),
            "planted": len(self.planted),
            "code_points": self.code_points,
            "utf8_bytes": self.utf8_bytes,
        }


_ZH_PUNCT = "，。！？、 "
_EN_PUNCT = ",.!?"


def _keywords(vocab: Vocabulary, n: int, rng: random.Random) -> list[str]:
    # Censored keywords are names, phrases and slogans: two or three words, or one rare
    # word, drawn from outside the everyday vocabulary, so that, as on real platforms,
    # ordinary messages rarely contain one.
    words = vocab.words
    common = min(3000, len(words) // 10)
    tail = words[common:]
    rare = words[len(words) // 3 :]
    out: dict[str, None] = {}
    min_len = 3 if vocab.separator == "" else 6
    while len(out) < n:
        k = rng.choices((1, 2, 3), (0.3, 0.5, 0.2))[0]
        kw = rng.choice(rare) if k == 1 else vocab.separator.join(rng.choices(tail, k=k))
        if len(kw) >= min_len:
            out.setdefault(kw, None)
    return list(out)


def _message(
    vocab: Vocabulary, cum: list[float], length: int, rng: random.Random, punct: str
) -> str:
    parts: list[str] = []
    size = 0
    sep = vocab.separator
    while size < length:
        w = rng.choices(vocab.words, cum_weights=cum, k=1)[0]
        parts.append(w)
        size += len(w) + len(sep)
        if rng.random() < 0.12:
            parts.append(rng.choice(punct))
            size += 1
    text = sep.join(parts) if sep else "".join(parts)
    return text[:length]


def make_workload(
    language: Language,
    n_keywords: int,
    n_messages: int,
    *,
    min_length: int = 10,
    max_length: int = 140,
    planted_share: float = 0.05,
    seed: int = 0,
    vocabulary: Vocabulary | None = None,
) -> Workload:
    """Chat-length (or, with other lengths, document) messages and keywords.

    Args:
        language: ``"zh"`` or ``"en"``.
        n_keywords: number of distinct keywords.
        n_messages: number of messages.
        min_length, max_length: message length range in code points.
        planted_share: share of messages into which one keyword is inserted.
        seed: the random seed.
        vocabulary: a vocabulary to draw from (default: by language).
    """
    rng = random.Random(seed)
    vocab = vocabulary or (
        chinese_vocabulary(seed=seed) if language == "zh" else english_vocabulary(seed=seed)
    )
    keywords = _keywords(vocab, n_keywords, rng)
    punct = _ZH_PUNCT if language == "zh" else _EN_PUNCT
    # Ordinary chat does not use the words a list bans on their own: messages are drawn
    # from the vocabulary without them, so keywords occur where they are planted (the
    # planted share) and, rarely, by chance across word boundaries or as phrases.
    banned = set(keywords)
    cum = list(
        itertools.accumulate(
            0.0 if w in banned else x for w, x in zip(vocab.words, vocab.weights, strict=True)
        )
    )
    messages: list[str] = []
    planted: list[int] = []
    for i in range(n_messages):
        text = _message(vocab, cum, rng.randint(min_length, max_length), rng, punct)
        if rng.random() < planted_share:
            kw = rng.choice(keywords)
            pos = rng.randint(0, len(text))
            if vocab.separator:
                text = f"{text[:pos]} {kw} {text[pos:]}"
            else:
                text = text[:pos] + kw + text[pos:]
            planted.append(i)
        messages.append(text)
    name = f"{language}-{n_keywords}kw-{n_messages}msg-{min_length}to{max_length}"
    return Workload(name, tuple(keywords), tuple(messages), tuple(planted))


def with_combination_rules(
    workload: Workload,
    n_rules: int,
    *,
    counts: dict[int, int] | None = None,
    seed: int = 0,
) -> Workload:
    """The workload with :func:`combination_rules` over its keywords.

    The keywords become exactly those the rules mention, so every contender scans for
    the rules' components. Messages get one more planted combination each where a
    keyword was planted, so that some rules fire.
    """
    rules = combination_rules(workload.keywords, n_rules, counts=counts, seed=seed)
    used: dict[str, None] = {}
    for rule in rules:
        for k in rule.keywords:
            used.setdefault(k, None)
    rng = random.Random(seed)
    messages = list(workload.messages)
    sep = " " if any(" " in k for k in used) else "，"
    for i in workload.planted:
        rule = rng.choice(rules)
        messages[i] = messages[i] + sep + sep.join(rule.keywords)
    name = f"{workload.name}-{n_rules}rules"
    return Workload(name, tuple(used), tuple(messages), workload.planted, tuple(rules))


def load_workload(
    keywords: str | Path,
    corpus: str | Path,
    *,
    max_messages: int | None = None,
    name: str | None = None,
) -> Workload:
    """A workload from the user's own keyword file and corpus.

    Args:
        keywords: a keyword or rule file in any format
            :func:`censorsim.text.wordlists.load_rules` reads; combination rules are
            kept for the pipeline contenders.
        corpus: a UTF-8 text file, one message per line (empty lines skipped).
        max_messages: read at most this many messages.
        name: the workload's label (default: both file names).

    Raises:
        WordlistError: for a malformed keyword file (the message names file and line).
        InputError: a corpus line that is not UTF-8 (the message names file and line).
        OSError: when a file cannot be read.
    """
    from censorsim.text.wordlists import load_rules

    rules = load_rules(keywords)
    kws: dict[str, None] = {}
    for rule in rules:
        for k in rule.keywords:
            kws.setdefault(k, None)
    single = all(len(r.components) == 1 and len(r.components[0]) == 1 for r in rules)
    messages: list[str] = []
    with Path(corpus).open(encoding="utf-8") as fh:
        for line in _utf8_lines(fh, corpus):
            text = line.rstrip("\r\n")
            if text:
                messages.append(text)
                if max_messages is not None and len(messages) >= max_messages:
                    break
    label = name or f"{Path(keywords).name}+{Path(corpus).name}"
    return Workload(label, tuple(kws), tuple(messages), (), () if single else tuple(rules))


def _utf8_lines(fh: TextIO, path: str | Path) -> Iterator[str]:
    """The lines of a text file opened as UTF-8; a decoding error names file and line."""
    lineno = 0
    while True:
        try:
            line = fh.readline()
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}:{lineno + 1}: not UTF-8 ({exc.reason})") from None
        if not line:
            return
        lineno += 1
        yield line


def combination_rules(
    vocab_keywords: Sequence[str],
    n_rules: int,
    *,
    counts: dict[int, int] | None = None,
    seed: int = 0,
) -> list[Rule]:
    """Combination rules whose component counts follow ``counts`` in proportion.

    The default proportions are those of the published WeChat 709 list.
    """
    rng = random.Random(seed)
    dist = counts or WECHAT_709_COMPONENTS
    sizes = list(dist)
    weights = [dist[s] for s in sizes]
    pool = list(vocab_keywords)
    rules: list[Rule] = []
    seen: set[tuple[str, ...]] = set()
    while len(rules) < n_rules:
        k = rng.choices(sizes, weights)[0]
        comps = tuple(rng.sample(pool, k))
        if comps in seen:
            continue
        seen.add(comps)
        rules.append(Rule.combination(list(comps), id=f"r{len(rules)}"))
    return rules


def shared_prefix_workload(
    n_keywords: int = 200_000, n_messages: int = 1_000, *, prefix: str = "w", seed: int = 0
) -> Workload:
    """Keywords ``w0..w<n-1>``: one short shared prefix, many keywords extending others.

    The shape on which ``ahocorasick-rs`` builds in quadratic time (issue 10 item 5:
    83 s for 200,000); ``auto`` must not pick a backend that degrades on it. Messages are
    short English-like texts, a few with planted keywords.
    """
    rng = random.Random(seed)
    keywords = tuple(f"{prefix}{i}" for i in range(n_keywords))
    words = ("the", "of", "world", "wide", "web", "was", "we", "news", "today")
    messages: list[str] = []
    planted: list[int] = []
    for i in range(n_messages):
        text = [rng.choice(words) for _ in range(rng.randint(3, 20))]
        if rng.random() < 0.05 and keywords:
            text.insert(rng.randrange(len(text) + 1), rng.choice(keywords))
            planted.append(i)
        messages.append(" ".join(text))
    name = f"en-shared-prefix-{n_keywords}kw-{n_messages}msg"
    return Workload(name, keywords, tuple(messages), tuple(planted))


DENSE_COMMON_CHARACTERS: int = 300
"""Assumption: the most frequent characters (的, 是, 了 ...) are on no dense list.

Game-chat lists ban insults, slurs and names as single characters and two-character
words, but a list that banned the most common characters would hide nearly every
message; the generator leaves out the ``DENSE_COMMON_CHARACTERS`` most frequent ones
(by jieba's word frequencies, or the synthetic vocabulary's). Not from a published list.
"""


def dense_workload(
    n_keywords: int = 180_000,
    n_messages: int = 10_000,
    *,
    single: int = 3_000,
    hits: tuple[int, int] = (3, 25),
    combinations: int = 10_000,
    seed: int = 0,
) -> Workload:
    """A dense list: 100k-200k keywords of one and two Han characters (game-chat style).

    Issue 16 target 2: lists where a typical chat message holds 10-60 keyword
    occurrences, so per-occurrence work dominates. Generated, nothing downloaded:

    * ``single`` single characters, drawn from the vocabulary's characters by
      frequency, skipping the :data:`DENSE_COMMON_CHARACTERS` most frequent ones;
    * two-character words of the Chinese vocabulary (:func:`chinese_vocabulary`, jieba's
      dictionary when installed), rarest first, then, if it has too few, random pairs
      of its characters, up to ``n_keywords`` in all;
    * one rule per keyword plus ``combinations`` two- and three-part combination
      rules over random keywords (the pipeline evaluates every one of them);
    * messages of 10-140 code points drawn from the vocabulary, into each of which
      between ``hits[0]`` and ``hits[1]`` keywords are planted (a message also holds
      the occurrences its ordinary words happen to contain, so the raw count is higher;
      the report states the measured count).

    Example:
        >>> w = dense_workload(2_000, 20, single=200, combinations=50, seed=1)
        >>> len(w.keywords), len(w.messages), len(w.rules)
        (2000, 20, 2050)
    """
    if n_keywords < single:
        raise ValueError(f"n_keywords ({n_keywords}) must be at least single ({single})")
    rng = random.Random(seed)
    vocab = chinese_vocabulary(size=400_000, seed=seed)
    freq: dict[str, float] = {}
    for word, weight in zip(vocab.words, vocab.weights, strict=True):
        for ch in word:
            freq[ch] = freq.get(ch, 0.0) + weight
    by_freq = [c for c in sorted(freq, key=lambda c: -freq[c]) if "\u4e00" <= c <= "\u9fff"]
    pool = by_freq[DENSE_COMMON_CHARACTERS:] or by_freq
    chosen: dict[str, None] = dict.fromkeys(pool[:single])
    # Two-character words, rarest first: banned words are not the everyday ones.
    pairs = [w for w in reversed(vocab.words)
             if len(w) == 2 and min(w) >= "\u4e00" and max(w) <= "\u9fff"]
    for w in pairs:
        if len(chosen) >= n_keywords:
            break
        chosen.setdefault(w, None)
    while len(chosen) < n_keywords:
        chosen.setdefault(rng.choice(pool) + rng.choice(by_freq), None)
    keywords = list(chosen)
    rules = [Rule.keyword(k, id=f"k{i}") for i, k in enumerate(keywords)]
    seen: set[tuple[str, ...]] = set()
    while len(rules) < len(keywords) + combinations:
        comps = tuple(rng.sample(keywords, rng.choice((2, 2, 3))))
        if comps not in seen:
            seen.add(comps)
            rules.append(Rule.combination(list(comps), id=f"c{len(seen)}"))
    # Ordinary words hold no banned character and are no banned word, so that most
    # occurrences are the planted ones (others still arise across word boundaries).
    banned = set(keywords)
    singles = set(keywords[:single])
    cum = list(
        itertools.accumulate(
            0.0 if w in banned or not singles.isdisjoint(w) else x
            for w, x in zip(vocab.words, vocab.weights, strict=True)
        )
    )
    messages: list[str] = []
    for _ in range(n_messages):
        text = _message(vocab, cum, rng.randint(10, 140), rng, _ZH_PUNCT)
        parts = list(text)
        for kw in rng.choices(keywords, k=rng.randint(*hits)):
            parts.insert(rng.randint(0, len(parts)), kw)
        messages.append("".join(parts))
    name = f"zh-dense-{n_keywords}kw-{n_messages}msg"
    return Workload(name, tuple(keywords), tuple(messages), tuple(range(n_messages)),
                    tuple(rules))
