#!/usr/bin/env python3
"""Render the figure gallery of docs/gallery.md with the censorsim.viz helpers.

    python notebooks/make_gallery.py            # writes docs/figures/*.png
    python notebooks/make_gallery.py --check    # also fail if a figure is over 200 KB

Each figure is what the notebooks draw, on the shipped samples; simulation logs and
shrunk images go to a temporary folder. Needs the ``notebooks`` (or ``plot`` and
``pandas``) extra.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from PIL import Image

from censorsim.evasion import image_transform
from censorsim.image import Hasher, Transform
from censorsim.platforms import example_rules
from censorsim.probe import isolate
from censorsim.research import image_files, image_matrix, load_texts, text_matrix
from censorsim.simulate import Simulation, load_config, read_log
from censorsim.text import AhoCorasickMatcher, Rule, RuleSet
from censorsim.viz import (
    TracingOracle,
    draw_automaton,
    draw_bit_grids,
    draw_day,
    draw_image_outcomes,
    draw_matrix,
    draw_phash_pipeline,
    draw_query_trace,
    draw_thumbnails,
    draw_trace,
    phash_steps,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "figures"
LIMIT = 200 * 1024
KEYWORDS = ["六四", "四通", "学生", "学生运动", "生运", "法轮功"]
THRESHOLD = 10


def _figure(obj: Any) -> Any:
    return obj.figure if hasattr(obj, "figure") and obj.figure is not None else obj


def automaton(_tmp: Path) -> Any:
    return draw_automaton(AhoCorasickMatcher(KEYWORDS))


def trace(_tmp: Path) -> Any:
    return draw_trace(KEYWORDS, "六四通学生运动", steps=[1, 2, 3, 6], ncols=4)


def phash_pipeline(_tmp: Path) -> Any:
    path = image_files()[0]
    return draw_phash_pipeline(phash_steps(path), title=f"pHash of {path.name}")


def mirror_bits(_tmp: Path) -> Any:
    variants = Hasher("phash").hash_variants(image_files()[0])
    return draw_bit_grids(variants[Transform.IDENTITY], variants[Transform.MIRROR],
                          labels=("original", "mirrored"), threshold=THRESHOLD)


def image_edits(_tmp: Path) -> Any:
    original = Image.open(image_files()[0]).convert("RGB")
    phash = Hasher("phash")
    names = ["noop", "scale-50", "jpeg-20", "brightness+0.4", "mirror", "rotate-90",
             "border-short-50", "crop-25"]
    edited = [image_transform(n).apply(original) for n in names]
    base = phash.hash(original)
    return draw_thumbnails(edited, labels=names, distances=[base - phash.hash(e) for e in edited],
                           threshold=THRESHOLD, size=2.0)


def probing(_tmp: Path) -> Any:
    rules = RuleSet([Rule.combination("六四+学生+民主运动")])
    article = "昨天我们讨论了六四那年的学生和他们的民主运动，还有别的事情"
    oracle = TracingOracle(rules, separator="吧")
    found = isolate(oracle, article, "binary-split")
    return draw_query_trace(article, oracle.log, found=found.spans,
                            title=f"binary split: {found.queries} queries isolate "
                                  + " + ".join(found.components))


def _day(tmp: Path, name: str, title: str) -> Any:
    config = load_config(ROOT / "samples" / "configs" / f"{name}.toml")
    Simulation(config).run(tmp / f"{name}.db")
    return draw_day(read_log(tmp / f"{name}.db"), title=title)


def wechat_day(tmp: Path) -> Any:
    return _day(tmp, "wechat-day", "WeChat, one simulated day (samples/configs/wechat-day.toml)")


def image_outcomes(tmp: Path) -> Any:
    config = load_config(ROOT / "samples" / "configs" / "wechat-day.toml")
    Simulation(config).run(tmp / "wechat-images.db")
    return draw_image_outcomes(read_log(tmp / "wechat-images.db"), config.banned_images)


def weibo_days(tmp: Path) -> Any:
    return _day(tmp, "weibo-posts", "Weibo, two simulated days (samples/configs/weibo-posts.toml)")


def text_evasion(_tmp: Path) -> Any:
    rules = example_rules("wechat-combinations", "english-whole-word", "search-hard-soft")
    m = text_matrix(load_texts(), rules)
    return draw_matrix(m, title=f"text evasion: {m.items} sensitive sample texts")


def image_evasion(tmp: Path) -> Any:
    small = []
    for path in image_files()[:8]:
        image = Image.open(path).convert("RGB")
        image.thumbnail((256, 256))
        small.append(tmp / f"{path.stem}.jpg")
        image.save(small[-1], quality=90)
    m = image_matrix(small, detectors=["md5=0", "phash=4,8,12", "dhash=8", "colorhash=4"])
    return draw_matrix(m, title=f"image evasion: {m.items} sample images (256 px) as the blacklist")


FIGURES: dict[str, Callable[[Path], Any]] = {
    "automaton": automaton,
    "trace": trace,
    "phash-pipeline": phash_pipeline,
    "mirror-bits": mirror_bits,
    "image-edits": image_edits,
    "probing": probing,
    "wechat-day": wechat_day,
    "image-outcomes": image_outcomes,
    "weibo-days": weibo_days,
    "text-evasion": text_evasion,
    "image-evasion": image_evasion,
}


def save(fig: Any, path: Path) -> int:
    """Save as a 256-colour PNG, lowering the resolution until it fits the size limit."""
    for dpi in (100, 85, 70, 55):
        fig.savefig(path, dpi=dpi, bbox_inches="tight", pad_inches=0.1)
        with Image.open(path) as im:
            small = im.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
        small.save(path, optimize=True)
        size = path.stat().st_size
        if size <= LIMIT:
            break
    plt.close(fig)
    return size


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"figures to draw (default all: {list(FIGURES)})")
    parser.add_argument("--check", action="store_true", help="fail if a figure is over 200 KB")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="censorsim-gallery-"))
    too_big = []
    try:
        for name in args.names or list(FIGURES):
            size = save(_figure(FIGURES[name](tmp)), OUT / f"{name}.png")
            print(f"docs/figures/{name}.png: {size / 1024:.0f} KB")
            if size > LIMIT:
                too_big.append(name)
    finally:
        shutil.rmtree(tmp)
    if args.check and too_big:
        print("over 200 KB:", ", ".join(too_big), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
