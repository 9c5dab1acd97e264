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
# # 2. Combination rules and black-box probing
#
# **What you will learn**
#
# - what a keyword *combination* rule is, and why each keyword alone passes;
# - how researchers who cannot see the list find out which combination censored a
#   message, by sending variations of it and watching which ones are censored
#   (black-box probing);
# - how the two isolation methods in `censorsim.probe` work, query by query, and why
#   the older one (recursive halving) can return the wrong answer;
# - what the choice of separator between fragments does to the answer.

# %%
import matplotlib.pyplot as plt
import pandas as pd

from censorsim.errors import ParameterError
from censorsim.platforms import example_rules
from censorsim.probe import METHODS, isolate
from censorsim.research import validate_probing
from censorsim.text import Rule, RuleSet
from censorsim.viz import TracingOracle, draw_query_trace

# %% [markdown]
# ## Combinations
#
# Most rules on WeChat's lists are combinations: `六四+学生+民主运动` fires only when
# **every** component occurs somewhere in the message, in any order. Each keyword on its
# own is harmless; this is what makes the lists hard to discover by sending single words.

# %%
rules = RuleSet([Rule.combination("六四+学生+民主运动"), Rule.combination("习近平+三连任")],
                normalizer="default")
for text in ["六四", "学生", "六四的学生", "六四的学生和民主运动", "民主运动，学生，六四"]:
    print(f"{text:<14} censored: {rules.check(text).censored}")

# %% [markdown]
# ## The black box
#
# A researcher only sees whether a message got through: an **oracle** that answers
# censored or not and counts the queries. `TracingOracle` (from `censorsim.viz`) is the
# library's `Oracle` that also keeps every query, for the pictures below.
#
# Fragments of one query are joined with a **separator**. It must be a character the
# censor keeps and no keyword contains: a censor that strips spaces and punctuation
# would glue `学` and `生` back together across a newline, and the query would be
# censored for a reason the researcher did not intend. The library's `Oracle` therefore
# refuses such a separator (and picks a safe one when none is given); `check=False`
# turns the check off to show what would go wrong.

# %%
article = "昨天我们讨论了六四那年的学生和他们的民主运动，还有别的事情"
fragments = ["六四", "学", "生", "民主运动"]  # 学生 is split: this query should pass
try:
    TracingOracle(rules, separator="\n")
except ParameterError as exc:
    print("refused:", exc)
for sep in ["\n", "吧"]:
    probe = TracingOracle(rules, separator=sep, check=False)
    print(f"separator {sep!r}: {sep.join(fragments)!r} censored? {probe.query(fragments)}")
print("chosen automatically:", repr(TracingOracle(rules).separator))

# %% [markdown]
# ## Binary split (Xiong & Knockel, 2019)
#
# With the components found so far `K`, the method binary-searches for the latest start
# `j` such that `K` plus `article[j:]` is still censored: the next component starts at
# `j`. It then grows the end `e` until `K`, `article[j:e]` and `article[j+1:]` together are
# censored, records `article[j:e]`, and repeats until `K` alone is censored.
#
# Each row below is one query; the filled cells are the characters it sent (red:
# censored, grey: passed). The blue boxes are the components found.

# %%
oracle = TracingOracle(rules, separator="吧")
found = isolate(oracle, article, "binary-split")
print(found.components, "in", found.queries, "queries; confirmed:", found.confirmed)
ax = draw_query_trace(article, oracle.log, found=found.spans,
                      title="binary split: one row per query")

# %% [markdown]
# The same queries as text, step by step:

# %%
pd.DataFrame({"query": [q.number for q in oracle.log],
              "sent": [" | ".join(q.fragments) for q in oracle.log],
              "censored": [q.censored for q in oracle.log]}).set_index("query").head(12)

# %% [markdown]
# ## Recursive halving (the older method)
#
# Delete the whole text, then each half, each quarter, ... and keep every deletion after
# which the rest is still censored. What is left are the components, but deleting text
# closes the gap: two components that were next to each other come back as *one* run.

# %%
adjacent = "今天天气很好六四学生民主运动我们去公园散步看花"
for method in METHODS.names():
    oracle = TracingOracle(rules, separator="吧")
    iso = isolate(oracle, adjacent, method)
    print(f"{method:>18}: {iso.components} ({iso.queries} queries)")
    ax = draw_query_trace(adjacent, oracle.log, found=iso.spans, title=method)

# %% [markdown]
# Recursive halving reports `六四学生民主运动` as one component: still censored, so the
# answer looks plausible, but it is not the rule. The binary split finds the three
# components.
#
# ## Comparing the methods on many articles
#
# `validate_probing` plants the rules of a list into generated filler articles, isolates
# with each method and scores the answer against the rules that really fire. `adjacent`
# is the probability that a rule's components are planted side by side.

# %%
wechat = example_rules("wechat-combinations")
rows = []
for share in [0.0, 0.5, 1.0]:
    v = validate_probing(wechat, articles=30, length=300, adjacent=share, seed=1)
    rows += [{"adjacent": share, "method": s.method, "correct": s.accuracy.rate,
              "mean queries": s.mean_queries} for s in v.scores]
scores = pd.DataFrame(rows)
scores.round(2)

# %%
fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.5), layout="constrained")
for method, part in scores.groupby("method"):
    a.plot(part["adjacent"], part["correct"], marker="o", label=method)
    b.plot(part["adjacent"], part["mean queries"], marker="o", label=method)
a.set_xlabel("share of rules planted with components side by side")
a.set_ylabel("correct isolations")
a.set_ylim(0, 1.05)
b.set_xlabel("share of rules planted with components side by side")
b.set_ylabel("mean queries per article")
b.set_ylim(bottom=0)
a.yaxis.set_major_formatter("{x:.0%}")
a.legend()
a.set_title("accuracy")
b.set_title("cost")
plt.show()

# %% [markdown]
# ## Questions to try
#
# 1. Probe `article` with `TracingOracle(rules, separator="\n", check=False)` instead of
#    the separator `"吧"`. What does each method return, and why?
# 2. The binary split needs about `log2(n) + len(component) + 1` queries per component.
#    Double the length of `article` with filler and count the queries again.
# 3. Add a rule whose component overlaps another (`学生+生运`). Can either method
#    separate the overlapping components?
# 4. Real platforms are noisy: a message is sometimes delivered even though it should
#    be censored. Wrap the oracle's target in a function that lies 5% of the time. What
#    happens to each method?
