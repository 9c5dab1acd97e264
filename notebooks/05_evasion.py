# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 5. Evasion matrices
#
# **What you will learn**
#
# - how users rewrite text and edit images to get past filters, and how to measure
#   each trick against each filter setting in one table: an *evasion matrix*;
# - how to read such a matrix as a heat map (red: the filter still catches it; green:
#   the trick works);
# - which tricks no normaliser undoes, and which image edits no block hash survives;
# - how the simulated image filter compares with what Citizen Lab observed on WeChat.

# %%
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from PIL import Image

from censorsim.evasion import image_transform, text_transform
from censorsim.platforms import example_rules
from censorsim.research import image_files, image_matrix, load_texts, text_matrix, wechat_reference
from censorsim.viz import draw_matrix, draw_thumbnails

# %% [markdown]
# ## Text: what each trick does
#
# Each transform rewrites the keyword spans of a censored text. `noop` changes nothing:
# it is the baseline row of every matrix.

# %%
sample = "六四那年的学生和民主运动"
targets = [(0, 2), (5, 7), (8, 12)]  # the spans of 六四, 学生, 民主运动
pd.DataFrame({name: [text_transform(name).apply(sample, targets=targets, seed=1)]
              for name in ["noop", "spaces", "punctuation", "fullwidth", "homophone",
                           "pinyin", "traditional", "repeat", "drop-component"]}
             ).transpose().rename(columns={0: "rewritten"})

# %% [markdown]
# ## The text matrix
#
# Rows are transforms, columns are normaliser profiles (what the censor folds before
# matching): `identity` (nothing), `strip` (separators removed), `fold` (width, case,
# digits, traditional script) and `default` (all of them). Each cell is the share of the
# sample's sensitive texts still censored after the transform.

# %%
rules = example_rules("wechat-combinations", "english-whole-word", "search-hard-soft")
texts = load_texts()
text = text_matrix(texts, rules)
ax = draw_matrix(text, title=f"text evasion: {text.items} sensitive sample texts")

# %% [markdown]
# Read it by rows. Separators (`spaces`, `punctuation`, `zero-width`) defeat the
# `identity` and `fold` censors and are undone by any profile that strips them; full
# width and traditional script are undone by folding. `homophone`, `pinyin`, `repeat`
# and `drop-component` stay green in every column: no per-character normalisation
# undoes them (the texts still caught there are the English ones, which these Han-only
# transforms leave alone).
#
# ## Images: what each edit does
#
# The image matrix uses eight of the sample images, shrunk to 256 pixels so the
# notebook runs in seconds (written to a temporary folder). The images themselves are
# the blacklist.

# %%
workdir = Path(tempfile.mkdtemp(prefix="censorsim-notebook-"))
small = []
for path in image_files()[:8]:
    image = Image.open(path).convert("RGB")
    image.thumbnail((256, 256))
    small.append(workdir / f"{path.stem}.jpg")
    image.save(small[-1], quality=90)

edits = ["mirror", "rotate-5", "shorter-30", "translate-10", "border-long-50", "invert",
         "crop-25", "tile-2"]
first = Image.open(small[0])
fig = draw_thumbnails([image_transform(e).apply(first) for e in edits], labels=edits)

# %% [markdown]
# ## The image matrix: 39 edits against 6 detectors
#
# Columns are a hash with a threshold in bits (`phash<=8`: matched when at most 8 of 64
# bits differ). `md5<=0` is an exact file match (WeChat chat); the others are perceptual
# (WeChat Moments). With 39 rows the heat map stays legible: each row is a fixed height.

# %%
images = image_matrix(small, detectors=["md5=0", "phash=4,8,12", "dhash=8", "colorhash=4"])
ax = draw_matrix(images, title=f"image evasion: {images.items} sample images as the blacklist")

# %% [markdown]
# What the columns say:
#
# - **md5** only catches the untouched file: any edit at all evades it.
# - **pHash and dHash** shrink the picture first, so scaling, blurring, JPEG and
#   squashing (`shorter-30`) barely move them, while every geometric edit (mirror,
#   rotation, translation, borders, crops, tiles) moves about as many bits as an
#   unrelated picture.
# - **colorhash** compares colour histograms: blind to geometry (so it catches mirrors
#   and tiles) but fooled by colour edits such as `invert`.
#
# ## Against WeChat (Citizen Lab, 2018)
#
# Citizen Lab tested 15 blacklisted images on WeChat Moments. Where it published an
# outcome for one of these edits, here it is next to the simulated `phash<=8` filter:

# %%
pd.DataFrame([{"edit": r.transform, "WeChat 2018": r.outcome,
               "simulated phash<=8": f"{images.rate(r.transform, 'phash<=8').rate:.0%}"}
              for r in wechat_reference(images.transforms)]).set_index("edit")

# %% [markdown]
# The simulated filter agrees on mirrors, rotations and short-side borders, but gets
# the other rows backwards: WeChat was fooled by squashing and blurring, which a block
# hash shrugs off, and was *not* fooled by translation, inversion or long-side borders,
# which fool a block hash. WeChat's visual filter is not a plain downscaled perceptual
# hash (see `docs/research.md`).

# %%
shutil.rmtree(workdir)

# %% [markdown]
# ## Questions to try
#
# 1. Add the `strip+t2s` profile (only separators and script) to the text matrix
#    (`profiles=[...]`). Which rows change?
# 2. Which single normaliser step would you add to catch `repeat`? What would it break?
# 3. Add `whash=8` and `average=8` to the image detectors. Is any hash robust to both
#    `mirror` and `translate-10`?
# 4. Design an image filter that reproduces WeChat's 2018 outcomes better than a
#    perceptual hash. Which rows of the matrix would you test it on first?
