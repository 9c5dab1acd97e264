"""Input hardening: every awkward or broken input either hashes or raises ImageError."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from censorsim.errors import ImageError
from censorsim.image import Hasher, hash_many

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "images"
PHASH = Hasher("phash")


def _rgb(w: int = 96, h: int = 64, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    coarse = (rng.random((6, 6, 3)) * 255).astype(np.uint8)
    return Image.fromarray(coarse).resize((w, h), Image.Resampling.BICUBIC)


def _encode(img: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _png_with_size(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width x height`` (the pixel data is not needed)."""
    small = _encode(Image.new("L", (1, 1)), "PNG")
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        small[:8]
        + struct.pack(">I", 13)
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
        + (small[8 + 25 :])
    )


def _assert_names(exc: ImageError, path: Path, words: str) -> None:
    assert exc.image == str(path)
    assert str(path) in str(exc)
    assert words in exc.problem


# --------------------------------------------------------------------------- broken inputs


def test_zero_byte_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "empty.jpg", b"")
    with pytest.raises(ImageError) as info:
        PHASH.hash(path)
    _assert_names(info.value, path, "empty file")


def test_md5_of_zero_byte_file_is_refused_too(tmp_path: Path) -> None:
    path = _write(tmp_path, "empty.jpg", b"")
    with pytest.raises(ImageError, match="empty"):
        Hasher("md5").hash(path)


def test_non_image(tmp_path: Path) -> None:
    path = _write(tmp_path, "notes.jpg", "六四 — not a picture\n".encode())
    with pytest.raises(ImageError) as info:
        PHASH.hash(path)
    _assert_names(info.value, path, "not an image")


def test_truncated_jpeg(tmp_path: Path) -> None:
    data = _encode(_rgb(320, 240), "JPEG", quality=90)
    path = _write(tmp_path, "cut.jpg", data[: len(data) // 2])
    with pytest.raises(ImageError) as info:
        PHASH.hash(path)
    _assert_names(info.value, path, "truncated")


def test_truncated_png(tmp_path: Path) -> None:
    data = _encode(_rgb(320, 240), "PNG")
    path = _write(tmp_path, "cut.png", data[: len(data) // 2])
    with pytest.raises(ImageError) as info:
        PHASH.hash(path)
    _assert_names(info.value, path, "truncated")


def test_corrupt_png_data(tmp_path: Path) -> None:
    data = bytearray(_encode(_rgb(64, 64), "PNG"))
    start = data.index(b"IDAT") + 8
    data[start : start + 40] = b"\xff" * 40
    path = _write(tmp_path, "corrupt.png", bytes(data))
    with pytest.raises(ImageError) as info:
        PHASH.hash(path)
    assert info.value.image == str(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="no such file"):
        PHASH.hash(tmp_path / "nope.jpg")
    with pytest.raises(ImageError, match="directory"):
        PHASH.hash(tmp_path)


def test_decompression_bomb_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "bomb.png", _png_with_size(100_000, 100_000))
    with pytest.raises(ImageError) as info:
        PHASH.hash(path)
    _assert_names(info.value, path, "decompression bomb")
    assert "MAX_IMAGE_PIXELS" in info.value.problem


def test_decompression_bomb_warning_level_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Between the limit and twice the limit Pillow only warns; we refuse either way.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    warn = _write(tmp_path, "warn.png", _encode(_rgb(40, 40), "PNG"))  # 1600 pixels
    error = _write(tmp_path, "error.png", _encode(_rgb(50, 50), "PNG"))  # 2500 pixels
    for path in (warn, error):
        with pytest.raises(ImageError) as info:
            PHASH.hash(path)
        _assert_names(info.value, path, "decompression bomb")


def test_bad_files_do_not_stop_a_recorded_batch(tmp_path: Path) -> None:
    good = SAMPLES / "01_shapes.jpg"
    bad = [
        _write(tmp_path, "a.jpg", b""),
        _write(tmp_path, "b.jpg", b"text"),
        _write(tmp_path, "c.png", _png_with_size(100_000, 100_000)),
    ]
    records = hash_many([bad[0], good, bad[1], bad[2], good], PHASH, errors="record")
    assert [r.ok for r in records] == [False, True, False, False, True]
    assert records[1].hashes == records[4].hashes == (PHASH.hash(good),)


# --------------------------------------------------------------------------- unusual modes


def test_huge_dimensions_under_the_limit(tmp_path: Path) -> None:
    strip = Image.new("RGB", (40_000, 4), (200, 10, 10))
    path = _write(tmp_path, "strip.png", _encode(strip, "PNG"))
    assert PHASH.hash(path).bits == 64
    assert Hasher("whash").hash(path).bits == 64


def test_cmyk_jpeg_hashes_like_its_rgb_conversion(tmp_path: Path) -> None:
    cmyk = _rgb().convert("CMYK")
    path = _write(tmp_path, "cmyk.jpg", _encode(cmyk, "JPEG", quality=95))
    with Image.open(path) as img:
        assert img.mode == "CMYK"
        expected = PHASH.hash(img.convert("RGB"))
    assert PHASH.hash(path) == expected
    assert Hasher("colorhash").hash(path).bits == 42


def test_palette_png(tmp_path: Path) -> None:
    pal = _rgb().convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    path = _write(tmp_path, "pal.png", _encode(pal, "PNG"))
    assert PHASH.hash(path) == PHASH.hash(pal.convert("RGB"))


def test_palette_with_transparency_is_flattened_on_white(tmp_path: Path) -> None:
    pal = _rgb().convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    path = _write(tmp_path, "pal_t.png", _encode(pal, "PNG", transparency=0))
    with Image.open(path) as img:
        assert "transparency" in img.info
        rgba = img.convert("RGBA")
    white = Image.new("RGBA", rgba.size, "white")
    expected = PHASH.hash(Image.alpha_composite(white, rgba).convert("RGB"))
    assert PHASH.hash(path) == expected


def test_sixteen_bit_grey_is_scaled_not_clipped(tmp_path: Path) -> None:
    eight = np.asarray(_rgb().convert("L"), dtype=np.uint16)
    sixteen = Image.fromarray(eight * 257)  # full 16-bit range
    path = _write(tmp_path, "deep.png", _encode(sixteen, "PNG"))
    with Image.open(path) as img:
        assert img.mode.startswith("I")
    assert PHASH.hash(path) == PHASH.hash(Image.fromarray(eight.astype(np.uint8)))


def test_thirty_two_bit_and_float_modes() -> None:
    grey = np.asarray(_rgb().convert("L"))
    as_int = Image.fromarray(grey.astype(np.int32) * 256, mode="I")
    as_float = Image.fromarray(grey.astype(np.float32), mode="F")
    expected = PHASH.hash(Image.fromarray(grey))
    assert PHASH.hash(as_int) == expected
    assert PHASH.hash(as_float) == expected


def test_alpha_is_composited_over_white(tmp_path: Path) -> None:
    rgba = _rgb().convert("RGBA")
    alpha = np.full((64, 96), 255, dtype=np.uint8)
    alpha[:, :48] = 0
    rgba.putalpha(Image.fromarray(alpha))
    path = _write(tmp_path, "alpha.png", _encode(rgba, "PNG"))
    flattened = np.asarray(rgba.convert("RGB")).copy()
    flattened[:, :48] = 255
    assert PHASH.hash(path) == PHASH.hash(Image.fromarray(flattened))
    la = _rgb().convert("LA")
    assert PHASH.hash(la).bits == 64


def test_one_bit_image() -> None:
    bw = _rgb().convert("1")
    assert PHASH.hash(bw) == PHASH.hash(bw.convert("L"))


def test_animated_gif_hashes_its_first_frame(tmp_path: Path) -> None:
    frames = [_rgb(seed=s).convert("P", palette=Image.Palette.ADAPTIVE) for s in (1, 2, 3)]
    data = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    path = _write(tmp_path, "anim.gif", data)
    with Image.open(path) as img:
        assert img.n_frames == 3
        first = PHASH.hash(img.convert("RGB"))
        img.seek(2)
        third = PHASH.hash(img.convert("RGB"))
    assert first != third
    assert PHASH.hash(path) == first


def _exif_jpeg(orientation: int) -> tuple[bytes, Image.Image]:
    img = _rgb(120, 60)
    exif = Image.Exif()
    exif[0x0112] = orientation
    return _encode(img, "JPEG", quality=95, exif=exif.tobytes()), img


def test_exif_orientation_is_applied_by_default(tmp_path: Path) -> None:
    data, _ = _exif_jpeg(6)  # "rotate 90 clockwise to display"
    path = _write(tmp_path, "rotated.jpg", data)
    with Image.open(path) as img:
        stored = img.convert("RGB")
        stored.load()
    shown = stored.transpose(Image.Transpose.ROTATE_270)
    # Derived PIL images keep the EXIF block, so compare without re-applying it.
    raw_hasher = Hasher("phash", exif_transpose=False)
    assert PHASH.hash(path) == raw_hasher.hash(shown)
    assert PHASH.hash(path) == PHASH.hash(stored)  # a PIL input's EXIF is honoured too
    raw = raw_hasher.hash(path)
    assert raw == raw_hasher.hash(stored)
    assert raw != PHASH.hash(path)


def test_exif_orientation_one_changes_nothing(tmp_path: Path) -> None:
    data, _ = _exif_jpeg(1)
    path = _write(tmp_path, "upright.jpg", data)
    assert PHASH.hash(path) == Hasher("phash", exif_transpose=False).hash(path)


def test_webp_and_bmp(tmp_path: Path) -> None:
    img = _rgb()
    bmp = _write(tmp_path, "x.bmp", _encode(img, "BMP"))
    assert PHASH.hash(bmp) == PHASH.hash(img)
    try:
        webp = _encode(img, "WEBP", lossless=True)
    except (KeyError, OSError):
        pytest.skip("Pillow built without WebP")
    assert PHASH.hash(_write(tmp_path, "x.webp", webp)) == PHASH.hash(img)
