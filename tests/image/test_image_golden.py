"""Golden hashes of the shipped samples: a dependency upgrade that shifts hashes fails here.

If this fails after upgrading Pillow, imagehash, numpy, scipy or PyWavelets, the hashes of
existing blacklists changed too: record the change in docs/images.md, then regenerate the
table below (the snippet in that file's "Golden hashes" section).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from censorsim.image import Hasher, hash_many

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "images"
ALGOS = ("average", "phash", "phash_simple", "dhash", "dhash_vertical", "whash", "colorhash", "md5")

GOLDEN: dict[str, tuple[str, ...]] = {
    "00_poster.jpg": (
        "0000e0f0c004c7ff",
        "f0441f3fc0e0393f",
        "0000000000383d3d",
        "8030948498189860",
        "1fcfff0707f7ffbb",
        "0000e0f3c787cfff",
        "0000001b000",
        "c9d7e5e0438167381f4295d0f7476516",
    ),
    "01_shapes.jpg": (
        "464c584869700001",
        "99998667666cccc9",
        "fffd9e6161653633",
        "84999294dac12001",
        "4c58122471900f01",
        "cf4f1f1f67700203",
        "00000000e00",
        "c13fa2c98c0df0588ba5398274b1f277",
    ),
    "02_photo.jpg": (
        "eff3028ce84e0776",
        "b4ef84f1db321123",
        "464646c6d8d8d8d8",
        "4b264e19199ca6a4",
        "d0060cf9fa073378",
        "eff3020ce84e0776",
        "01000240008",
        "3cf7d8fd4fefa203eab6d2ff47f7f666",
    ),
    "03_gradient.jpg": (
        "1f1e0c0000000000",
        "9595959d2d6c6a62",
        "3b3b3b3b2b2b2b27",
        "3218080200000000",
        "0c20110e00000000",
        "fffffef0e0808000",
        "01019000600",
        "19c959a835695c4d28f1a94921ee691b",
    ),
    "04_poster.jpg": (
        "003878000070ffff",
        "cb4bcc3e3632c0cd",
        "ffffff9fff9f9b9b",
        "0cf2c20858800000",
        "7f78c707f807ff00",
        "0078780000ffffff",
        "02e00200000",
        "a25f402f2f7ad7538d6b39bb9c4e31e2",
    ),
    "05_shapes.jpg": (
        "ff81818090baffff",
        "bd7a82ccb093c62d",
        "0000000000fdf555",
        "8413271e32327e56",
        "0001fed9fa6e4fe7",
        "ff80818080b8bfff",
        "00000c02000",
        "ba331c8230e591435734efa9d8fbff28",
    ),
    "06_photo.jpg": (
        "7bdece840fbe0e00",
        "99c879872a5ae5a9",
        "52535313b3b9b9b3",
        "d338982ddb4a5819",
        "9c0fa003fbbc09c0",
        "7bde4e844fbe0e00",
        "01009200000",
        "bcbe9a63d62102c7ced22baed33a6a03",
    ),
    "07_gradient.jpg": (
        "0f0f070000000000",
        "b6b6b28a4b4d15b4",
        "666666666e6e6e6e",
        "1d0c0e0601000000",
        "0512100806000000",
        "ffffffe0e0808000",
        "07030040000",
        "eae910ac7bec6326a698a32e3657dc1d",
    ),
    "08_poster.jpg": (
        "ffff3f7c1c1c0800",
        "99e66699c4c93e34",
        "0000000000000000",
        "200072f1f179f906",
        "0000387c00e80000",
        "ffff1f3c1c1c0800",
        "00080001080",
        "97c42966cff5ea1661c9637b1f4b3045",
    ),
    "09_shapes.jpg": (
        "010b183c3c3f3170",
        "8f3963965a47545a",
        "ffbf575652525353",
        "1b53b370796cebc5",
        "1b507cbf87636040",
        "090b193c3f3f3770",
        "38010203000",
        "96fb2a00da43c02b303779683390fee0",
    ),
    "10_photo.jpg": (
        "6c38094760901733",
        "81d18656e3b67d49",
        "a7a7a7a7a7b7b6b6",
        "d8d91bdfc32366e7",
        "998367f0b09f3763",
        "6c78096f60b81f37",
        "02008000000",
        "de9e28845341ae5ca9ac62273e97a416",
    ),
    "11_gradient.jpg": (
        "000000000038793b",
        "8d30cdcf30cf34c3",
        "7f7f7f7f7f7f7f7f",
        "ffffffffbf636263",
        "ffffffefbb7f7d83",
        "000103070f3f7fff",
        "00000040006",
        "73a43bfe42db02191eec13a715cfa108",
    ),
    "12_poster.jpg": (
        "00003f3f0f8f8fff",
        "b847e638c3dcc638",
        "fffffffffffff01f",
        "0074607219303838",
        "ff1fff0f4fdfff77",
        "00001f3f0f0f8fff",
        "02180000000",
        "7ebf6c0c9d0017ca765d92c37fff5d14",
    ),
    "13_shapes.jpg": (
        "fff3e3c0f8f8f89e",
        "daa4a5cb5a72a6a4",
        "000000d2dbdbd9c9",
        "0a26468839f17236",
        "122344183b7e8707",
        "c3c3e2c0f8f8b80a",
        "00000c00000",
        "71c21d1441b871e5392cf17d1ee3cd62",
    ),
    "14_photo.jpg": (
        "ff9e1478363de1e7",
        "c35ebc8bc3c91436",
        "8383a3a329292929",
        "d93c64c1ccd9c30e",
        "1610790687f9c3c6",
        "ff9e1470242ce1e3",
        "01200008000",
        "1ee4e60391250e065422f500efc00e67",
    ),
    "15_gradient.jpg": (
        "70702103070f1f3f",
        "87c7c7c6c838383d",
        "8f8f8f8f8f8f8f8f",
        "c7cf4fbfffffffff",
        "af8f8fffffffffff",
        "707021070f1f1f7f",
        "00000080006",
        "749c7bdb3b92983f30159a2a8112152e",
    ),
    "16_transparent.png": (
        "ff818181818181ff",
        "bb3bd1e4c0c09537",
        "0000c0d555555555",
        "1159593157454141",
        "000fffff03ffffff",
        "ff8181818181f1ff",
        "06202010000",
        "7c483ddc247893b971e64da7f348153a",
    ),
    "17_animated.gif": (
        "000002367e3f0f03",
        "854e7b9bc4b44c71",
        "b333333333333333",
        "32512666d4fa3ec6",
        "1c16b77ced0dc230",
        "08081e3f7f7f0f03",
        "01000000180",
        "fe13235f02eaa46aad7d84f27a48402b",
    ),
}

CROP_RESISTANT_00 = "94ac9294d494a656,2c2849989849692c,8030948498189860"


def test_every_shipped_sample_is_pinned() -> None:
    shipped = {p.name for p in SAMPLES.iterdir() if p.suffix != ".md"}
    assert shipped == set(GOLDEN)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_hashes(name: str) -> None:
    (record,) = hash_many([SAMPLES / name], [Hasher(a) for a in ALGOS])
    got = dict(zip(ALGOS, (h.to_hex() for h in record.hashes), strict=True))
    assert got == dict(zip(ALGOS, GOLDEN[name], strict=True))


def test_golden_crop_resistant() -> None:
    assert Hasher("crop_resistant").hash(SAMPLES / "00_poster.jpg").to_hex() == CROP_RESISTANT_00
