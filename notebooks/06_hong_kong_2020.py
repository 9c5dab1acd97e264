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
# # 6. Hong Kong, July 2020: takedowns by law
#
# **What you will learn**
#
# - that content also disappears because an authority asks for it, under a named law,
#   and that companies answer differently: comply, review, pause, refuse, leave;
# - what Article 43 of Hong Kong's national security law let the police require of
#   platforms from 2020-07-07, and what a provider that did not comply risked;
# - how to read a simulated run's legal requests beside its automated decisions: the
#   timeline of requests and responses, a transparency table per platform, and content
#   removed by the filter against content removed by request.
#
# Every fact here is cited in `censorsim.legal` and in `docs/legal.md`; what no source
# gives (request rates, delays) is labelled an assumption there. Everything is written to
# a temporary folder, removed at the end.

# %%
import shutil
import sqlite3
import tempfile
from dataclasses import asdict, replace
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from censorsim.legal import ART43_REMOVAL, NSL_IN_FORCE, RULES_IN_FORCE, hong_kong_2020
from censorsim.simulate import Simulation, compute_transparency, load_config

workdir = Path(tempfile.mkdtemp(prefix="censorsim-notebook-"))
print("law in force:", NSL_IN_FORCE, " Article 43 rules in force:", RULES_IN_FORCE)
print("a service provider that fails to comply: HK$",
      f"{ART43_REMOVAL.penalty.fine_hkd:,}", "and", ART43_REMOVAL.penalty.imprisonment_months,
      "months")

# %% [markdown]
# ## The companies' answers
#
# The scenario `hong_kong_2020()` holds each company's policy with the announcement that
# started it and its source. Data requests were paused by almost everyone within a week
# of the law; Google said it would keep reviewing removal requests; TikTok left.

# %%
scenario = hong_kong_2020()
pd.DataFrame([{"platform": p.platform, "response": p.response.value,
               "kinds": ", ".join(sorted(k.value for k in p.kinds)),
               "from": p.start, "assumption": p.assumption,
               "announced": p.announced[:80]} for p in scenario.policies])

# %% [markdown]
# ## A run: July 2020 on a WeChat-like platform
#
# `samples/configs/hk-2020.toml` simulates 2020-06-25 to 2020-07-31 with mainland, Hong
# Kong and international accounts. WeChat's keyword filter applies to mainland accounts
# only, so sensitive messages from Hong Kong accounts are delivered; requests addressed to
# WeChat (the *host*) name the run's own messages. We shorten the run to 8,000 messages.

# %%
config = replace(load_config("../samples/configs/hk-2020.toml"), messages=8000,
                 batch_size=2000)
db = workdir / "hk.db"
Simulation(config).run(db)
con = sqlite3.connect(db)
requests = pd.read_sql_query("SELECT * FROM legal_requests", con)
requests["day"] = (pd.Timestamp(config.start)
                   + pd.to_timedelta(requests["t"], unit="s")).dt.floor("D")
requests[["day", "platform", "basis", "kind", "target", "response", "complied",
          "fine_hkd"]].head(8)

# %% [markdown]
# ## The timeline of requests and responses
#
# Before 2020-07-07 requests rest on ordinary law; from then on on Schedule 4 of the
# Article 43 rules, and their rate rises (an assumption). The pauses show up as requests
# nobody answers.

# %%
daily = requests.pivot_table(index="day", columns="response", values="request_id",
                             aggfunc="count", fill_value=0)
ax = daily.plot.bar(stacked=True, figsize=(9, 3.5), width=0.9)
for when, label in ((NSL_IN_FORCE, "law"), (RULES_IN_FORCE, "Art. 43 rules")):
    x = list(daily.index).index(pd.Timestamp(when.date())) if pd.Timestamp(
        when.date()) in daily.index else None
    if x is not None:
        ax.axvline(x - 0.5, color="k", ls=":")
        ax.text(x - 0.4, ax.get_ylim()[1] * 0.92, label, fontsize=8)
ax.set_xticklabels([d.strftime("%m-%d") for d in daily.index], fontsize=7)
ax.set_ylabel("requests")
ax.set_title("Requests per day by the platform's response")
plt.tight_layout()

# %% [markdown]
# ## The transparency table
#
# In the shape of the reports platforms publish. The fines and terms are the maximum a
# provider is liable to for each request it did not comply with in time: nobody is
# modelled as prosecuted.

# %%
t = compute_transparency(db)
pd.DataFrame([asdict(r) for r in t.rows]).set_index("platform")

# %% [markdown]
# ## Removed by the filter, removed by request
#
# The automated filter censors mainland accounts' messages (and hides Moments posts from
# mainland viewers whoever wrote them, so some Hong Kong posts count too); requests reach
# the Hong Kong accounts' messages the filter lets through.

# %%
by_region = pd.read_sql_query(
    "SELECT region, SUM(censored) AS by_filter FROM decisions GROUP BY region", con
).set_index("region")
by_request = pd.read_sql_query(
    "SELECT d.region, SUM(l.removed) AS by_request FROM legal_requests AS l "
    "JOIN decisions AS d ON d.message_id = l.message_id GROUP BY d.region", con
).set_index("region")
both = by_region.join(by_request).fillna(0).astype(int)
ax = both.plot.bar(figsize=(6, 3), rot=0)
ax.set_ylabel("messages removed")
ax.set_title("Who removed what, by the sender's region")
plt.tight_layout()
print(both.to_string())

# %%
con.close()
shutil.rmtree(workdir)

# %% [markdown]
# ## Questions to try
#
# 1. In a copy of the config, add a `[[legal.policies]]` entry giving WeChat a `pause`
#    for data requests from 2020-07-07. Why does loading it fail, and which two places
#    does the error name?
# 2. Set `review_complies = 1.0`. How do Facebook's and Google's rows change, and why
#    are some requests still "late"?
# 3. Which platforms are liable to penalties only after 2020-07-07, and why none before?
# 4. Change the regions to `{ mainland = 0.9, hong_kong = 0.1 }`. How does the split
#    between removals by filter and by request move?
# 5. Which facts in `docs/legal.md` are assumptions? Pick one and say what source would
#    settle it.
