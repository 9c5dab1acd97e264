"""Readable reprs: hashes in hex (and evaluating back), index entries and matches."""

from __future__ import annotations

from datetime import date

from censorsim.image import HammingIndex, ImageHash, IndexEntry, MultiHash


def test_hash_reprs_show_hex_and_evaluate_back() -> None:
    h = ImageHash("phash", 8, 0xF0441F3FC0E0393F)
    assert repr(h) == "ImageHash.from_hex('f0441f3fc0e0393f', 'phash', 8)"
    assert eval(repr(h)) == h
    m = MultiHash((h, ImageHash("phash", 8, 1)))
    assert repr(m) == "MultiHash.from_hex('f0441f3fc0e0393f,0000000000000001', 'phash', 8)"
    assert eval(repr(m)) == m


def test_entry_and_match_reprs() -> None:
    h = ImageHash("dhash", 8, 0xAB)
    entry = IndexEntry("poster", h, category="protest", added=date(2024, 6, 4))
    assert repr(entry) == ("IndexEntry('poster', dhash:8 00000000000000ab, "
                           "category='protest', added='2024-06-04')")
    index = HammingIndex("dhash")
    index.extend([entry])
    (match,) = index.query(ImageHash("dhash", 8, 0xAA), 2)
    assert repr(match) == "IndexMatch('poster', distance=1, hash=dhash:8 00000000000000ab)"
