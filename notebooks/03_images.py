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
# # 3. Image filtering: perceptual hashes
#
# **What you will learn**
#
# - how a perceptual hash (pHash) turns a picture into 64 bits, stage by stage;
# - why resizing, recompressing or brightening an image barely changes those bits,
#   while a file hash (MD5) changes completely;
# - how a filter compares hashes (the Hamming distance: the number of differing bits)
#   against a threshold;
# - why a mirrored image walks past the filter (as it did on WeChat Moments in 2018),
#   and how a blacklist of all eight rotations and mirrors (a *dihedral* index)
#   catches it, at a price.
#
# The images are the project's generated samples (`samples/images`).

# %%
import io

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from censorsim.evasion import image_transform
from censorsim.image import HammingIndex, Hasher, Transform, hash_many
from censorsim.research import image_files
from censorsim.viz import draw_bit_grids, draw_phash_pipeline, draw_thumbnails, phash_steps

paths = image_files()  # the shipped sample JPEGs
original = Image.open(paths[0]).convert("RGB")
phash = Hasher("phash")
THRESHOLD = 10  # bits out of 64: the command line's default for phash:8
print(len(paths), "sample images; the first is", paths[0].name, original.size)

# %% [markdown]
# ## pHash as a pipeline
#
# 1. The picture in grey: colour is thrown away.
# 2. Shrunk to 32 x 32: fine detail, size and aspect ratio are thrown away.
# 3. The 2-D discrete cosine transform (DCT): how much of each pattern of stripes, from
#    the flat average (top left) to the finest checkerboard (bottom right), the image
#    contains.
# 4. Only the top-left 8 x 8 block is kept: the coarse structure of the picture.
# 5. Each of the 64 coefficients becomes one bit: 1 if above the block's median.

# %%
steps = phash_steps(original)
fig = draw_phash_pipeline(steps, title=paths[0].name)
print("pHash:", steps.to_hash().to_hex(), "| the library's:", phash.hash(original).to_hex())

# %% [markdown]
# ## Small changes, small distances
#
# A resized and recompressed copy is a different file (its MD5 differs completely)
# but looks the same, and its pHash differs in only a few bits:

# %%
def jpeg_bytes(image: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


copy = image_transform("scale-50").apply(original)
copy_bytes = jpeg_bytes(copy, 60)
md5 = Hasher("md5")
print("MD5 original:", md5.hash(paths[0].read_bytes()).to_hex())
print("MD5 copy:    ", md5.hash(copy_bytes).to_hex())
a, b = phash.hash(original), phash.hash(copy_bytes)
fig = draw_bit_grids(a, b, labels=("original", "half size, JPEG 60"), threshold=THRESHOLD)

# %% [markdown]
# ## Why a mirror passes
#
# Mirroring moves every part of the picture to the other side, so the stripes the DCT
# measures change sign: about half of the bits flip, as many as between two unrelated
# pictures.

# %%
mirror = image_transform("mirror").apply(original)
fig = draw_bit_grids(a, phash.hash(mirror), labels=("original", "mirrored"),
                     threshold=THRESHOLD)

# %%
names = ["noop", "scale-50", "jpeg-20", "brightness+0.4", "blur-3",
         "mirror", "rotate-90", "border-short-50"]
variants = [image_transform(n).apply(original) for n in names]
distances = [a - phash.hash(v) for v in variants]
fig = draw_thumbnails(variants, labels=names, distances=distances, threshold=THRESHOLD)

# %% [markdown]
# How far is "unrelated"? The distances between every pair of different sample images,
# against the distance of each image to its own mirror:

# %%
hashes = [phash.hash(p) for p in paths]
unrelated = [hashes[i] - hashes[j] for i in range(len(paths)) for j in range(i)]
mirrored = [h - phash.hash(image_transform("mirror").apply(Image.open(p)))
            for h, p in zip(hashes, paths, strict=True)]
fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
bins = np.arange(0, 65, 2)
ax.hist(unrelated, bins=bins, alpha=0.6, label=f"two different images ({len(unrelated)})")
ax.hist(mirrored, bins=bins, alpha=0.8, label=f"an image and its mirror ({len(mirrored)})")
ax.axvline(THRESHOLD, color="black", linestyle="--")
ax.annotate(f"threshold {THRESHOLD}: matched to the left", (THRESHOLD, 0),
            xytext=(5, 60), textcoords="offset points")
ax.set_xlabel("Hamming distance between pHashes (bits of 64)")
ax.set_ylabel("pairs")
ax.legend()
plt.show()

# %% [markdown]
# ## The dihedral index
#
# A blacklist can store each banned image's hash in all eight orientations (four
# rotations, each also mirrored: the dihedral group of the square). An upload then
# matches if it is near *any* of them. `hash_many(..., dihedral=True)` makes each entry
# a `MultiHash` of the eight variants; here the first four samples are banned.

# %%
banned = paths[:4]
plain, dihedral = HammingIndex("phash"), HammingIndex("phash")
for path, record in zip(banned, hash_many(banned, [phash], dihedral=True), strict=True):
    plain.add(phash.hash(path), id=path.name)
    dihedral.add(record.hashes[0], id=path.name)

upload = phash.hash(mirror)
print("plain index:   ", plain.query(upload, radius=THRESHOLD))
print("dihedral index:", [(m.entry.id, m.distance) for m in dihedral.query(upload, THRESHOLD)])

# %% [markdown]
# Which of the eight stored variants matched? The orientation whose hash is nearest:

# %%
stored = phash.hash_variants(original)
images = [t.apply(original) for t in Transform]
fig = draw_thumbnails(images, labels=[t.value for t in Transform],
                      distances=[upload - stored[t] for t in Transform], threshold=THRESHOLD)

# %% [markdown]
# The price: eight hashes per entry are eight chances for an innocent picture to come
# close by accident. The nearest banned entry of every image that is *not* banned:

# %%
others = [phash.hash(p) for p in paths[4:]]
near_plain = [min(m.distance for m in plain.query(h, 64)) for h in others]
near_dihedral = [min(m.distance for m in dihedral.query(h, 64)) for h in others]
fig, ax = plt.subplots(figsize=(8, 3), layout="constrained")
x = np.arange(len(others))
ax.bar(x - 0.2, near_plain, 0.4, label="plain index")
ax.bar(x + 0.2, near_dihedral, 0.4, label="dihedral index")
ax.axhline(THRESHOLD, color="black", linestyle="--", label=f"threshold {THRESHOLD}")
ax.set_xticks(x, [p.stem for p in paths[4:]], rotation=45, ha="right", fontsize=8)
ax.set_ylabel("distance to nearest banned")
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()

# %% [markdown]
# ## Text inside images: OCR
#
# WeChat Moments also reads the text in an image and checks it against a keyword list of
# its own ((Can't) Picture This, 2018). It first turns the picture grey with the
# luminosity formula, so text whose colour has the background's luminosity disappears.
# `censorsim.image.ocr.OcrReader` does the same, then runs an offline OCR engine.

# %%
from PIL import ImageDraw, ImageFont

from censorsim.image.ocr import OcrReader, luminosity_grey
from censorsim.viz import use_cjk_font

font = ImageFont.truetype(str(use_cjk_font().path), 40)
plain_img = Image.new("RGB", (400, 80), "white")
ImageDraw.Draw(plain_img).text((10, 15), "六四学生民主运动", font=font, fill="black")
# Red text on a grey of the same luminosity (0.299*200 = 59.8 ~ 60): grey makes it vanish.
hidden_img = Image.new("RGB", (400, 80), (60, 60, 60))
ImageDraw.Draw(hidden_img).text((10, 15), "六四学生民主运动", font=font, fill=(200, 0, 0))
reader = OcrReader()
fig, axes = plt.subplots(2, 2, figsize=(8, 3), layout="constrained")
for row, (name, img) in enumerate([("black on white", plain_img), ("lum-matched", hidden_img)]):
    axes[row, 0].imshow(img)
    axes[row, 1].imshow(luminosity_grey(img), cmap="gray", vmin=0, vmax=255)
    axes[row, 0].set_title(f"{name}: OCR reads {reader.read(img).text!r}", fontsize=9)
    axes[row, 1].set_title("what the OCR stage sees (luminosity grey)", fontsize=9)
    for ax in axes[row]:
        ax.axis("off")
plt.show()

# %% [markdown]
# ## Questions to try
#
# 1. Which of the transforms in `censorsim.evasion` (`IMAGE_TRANSFORMS.names()`) keep
#    the distance under the threshold, and which escape it? Are there surprises?
# 2. Try `Hasher("dhash")` and `Hasher("average")`. Does either survive a mirror?
# 3. Lower the threshold to 4 and raise it to 16. What does each do to the mirror, to
#    the JPEG copy, and to the unrelated pairs in the histogram?
# 4. Make a picture that evades the dihedral index but still looks like the original
#    to a person. Which transform did you use, and why does it work?
# 5. Which text colours on a white background escape the OCR stage? Use
#    `luminosity_grey` to predict it before you run `reader.read`.
