#!/usr/bin/env python3
"""Generate the sample images in ``samples/images/`` (deterministic; numpy + Pillow only).

    python samples/make_images.py            # (re)write samples/images/*
    python samples/make_images.py --check    # exit 1 if the shipped files differ

Every image is drawn from a seeded random generator: posters with text in Pillow's
default font, shapes, gradients and smooth "photo-like" noise fields, at several aspect
ratios. The JPEG bytes depend on the libjpeg inside Pillow, so ``--check`` may report a
difference on another Pillow build even though the pictures are the same; the golden
hashes in ``tests/image/test_image_golden.py`` are pinned to the shipped files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent / "images"
SIZES = [(640, 480), (480, 640), (800, 450), (512, 512)]
WORDS = ["FREEDOM", "MAY 35", "TANK MAN", "CANDLE", "NOTICE", "STRIKE", "WINNIE", "8964"]


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has only the bitmap font
        return ImageFont.load_default()


def _smooth_field(rng: np.random.Generator, w: int, h: int, cells: int) -> np.ndarray:
    """A smooth random RGB field: coarse noise upsampled bicubically."""
    coarse = (rng.random((cells, cells, 3)) * 255).astype(np.uint8)
    return np.asarray(Image.fromarray(coarse).resize((w, h), Image.Resampling.BICUBIC))


def poster(rng: np.random.Generator, w: int, h: int) -> Image.Image:
    """A gradient background, blocks of colour and a headline."""
    y = np.linspace(0, 1, h)[:, None, None]
    top, bottom = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    grad = (top * (1 - y) + bottom * y) * np.ones((1, w, 1))
    img = Image.fromarray(grad.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(2, 5))):
        x0, y0 = int(rng.integers(0, w // 2)), int(rng.integers(0, h // 2))
        x1, y1 = x0 + int(rng.integers(w // 6, w // 2)), y0 + int(rng.integers(h // 6, h // 2))
        draw.rectangle((x0, y0, x1, y1), fill=tuple(int(c) for c in rng.integers(0, 256, 3)))
    text = str(rng.choice(WORDS))
    draw.text((w // 10, h // 3), text, fill=(255, 255, 255), font=_font(max(16, w // 8)))
    draw.text((w // 10, h // 3 + w // 7), "censorsim sample", fill=(0, 0, 0), font=_font(24))
    return img


def shapes(rng: np.random.Generator, w: int, h: int) -> Image.Image:
    """Ellipses and polygons on a flat background."""
    img = Image.new("RGB", (w, h), tuple(int(c) for c in rng.integers(0, 256, 3)))
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(4, 9))):
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        x0, y0 = int(rng.integers(0, w - 40)), int(rng.integers(0, h - 40))
        x1, y1 = x0 + int(rng.integers(30, w // 2)), y0 + int(rng.integers(30, h // 2))
        if rng.random() < 0.5:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            pts = [(int(rng.integers(0, w)), int(rng.integers(0, h))) for _ in range(3)]
            draw.polygon(pts, fill=colour)
    return img


def photo(rng: np.random.Generator, w: int, h: int) -> Image.Image:
    """A smooth noise field with fine grain, like an out-of-focus photograph."""
    field = _smooth_field(rng, w, h, int(rng.integers(4, 9))).astype(np.float64)
    grain = rng.normal(0, 6, field.shape)
    return Image.fromarray(np.clip(field + grain, 0, 255).astype(np.uint8), "RGB")


def gradient(rng: np.random.Generator, w: int, h: int) -> Image.Image:
    """A diagonal two-colour gradient with a bright disc."""
    yy, xx = np.mgrid[0:h, 0:w]
    t = ((xx / w + yy / h) / 2)[..., None]
    a, b = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    arr = a * (1 - t) + b * t
    cx, cy, r = rng.integers(0, w), rng.integers(0, h), rng.integers(min(w, h) // 8, min(w, h) // 3)
    arr[(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] = 250
    return Image.fromarray(arr.astype(np.uint8), "RGB")


def build() -> dict[str, bytes]:
    """Every sample file name and its bytes."""
    import io

    rng = np.random.default_rng(20240604)
    makers = [poster, shapes, photo, gradient]
    files: dict[str, bytes] = {}
    for i in range(16):
        maker = makers[i % len(makers)]
        w, h = SIZES[(i // len(makers) + i) % len(SIZES)]
        img = maker(rng, w, h)
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=85)
        files[f"{i:02d}_{maker.__name__}.jpg"] = buf.getvalue()
    # A transparent PNG and an animated GIF for the non-JPEG paths.
    rgba = poster(rng, 320, 240).convert("RGBA")
    alpha = np.zeros((240, 320), dtype=np.uint8)
    alpha[20:220, 20:300] = 255
    rgba.putalpha(Image.fromarray(alpha, "L"))
    buf = io.BytesIO()
    rgba.save(buf, "PNG")
    files["16_transparent.png"] = buf.getvalue()
    frames = [shapes(rng, 200, 150).convert("P", palette=Image.Palette.ADAPTIVE) for _ in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    files["17_animated.gif"] = buf.getvalue()
    return files


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = [n for n, data in files.items() if (OUT / n).read_bytes() != data]
        for name in stale:
            print(f"differs: {name}", file=sys.stderr)
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (OUT / name).write_bytes(data)
    total = sum(len(d) for d in files.values())
    print(f"wrote {len(files)} files, {total / 1024:.0f} KiB, to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
