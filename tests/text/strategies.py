"""Hypothesis strategies shared by the text tests: Chinese, mixed-script and emoji text."""

from __future__ import annotations

from hypothesis import strategies as st

# A small alphabet makes overlaps and repeats likely; it mixes simplified and traditional
# Han, Latin of both cases and widths, digits in several styles, separators, zero-width
# characters, emoji (non-BMP) and a lone surrogate.
ALPHABET = [
    *"六四学生民主运动法轮功习近平學體來abcAB64 ，。!-\u200b\u3000",
    "😀",
    "\U00020000",
    "\ud800",
    "①",
    "⑩",
    "ß",
    "Ａ",
    "６",
    "İ",
]

chars = st.sampled_from(ALPHABET)
texts = st.text(alphabet=chars, max_size=40)
keywords = st.text(alphabet=chars, min_size=1, max_size=4)
keyword_lists = st.lists(keywords, min_size=0, max_size=12)
any_text = st.text(max_size=30)  # the full Unicode range, surrogates included
