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
# # 1. How keyword filtering works
#
# **What you will learn**
#
# - why a Chinese filter matches keywords as *substrings*, not as words;
# - how an Aho-Corasick automaton finds every keyword of a list in one pass over a
#   message: its goto edges, its failure links and its outputs;
# - what the automaton does, character by character, on one message;
# - how normalisation (full width, traditional script, spaces and punctuation) defeats
#   simple evasions, and how offsets still point into the text the user wrote.
#
# Everything runs offline on the library's own data: `censorsim.text` is the keyword
# engine and `censorsim.viz` draws it.

# %%
import pandas as pd

from censorsim.text import AhoCorasickMatcher, Normalizer, Rule, RuleSet, make_matcher
from censorsim.viz import automaton_graph, draw_automaton, draw_trace, trace_steps

# %% [markdown]
# ## Chinese has no spaces between words
#
# An English filter can split a message on spaces and look each word up. A Chinese
# message has no spaces, so there are no words to look up: where one word ends is a
# guess (word segmentation), and a censor does not guess. It looks for each keyword
# *anywhere* in the text.

# %%
message = "我们在讨论六四学生运动的历史"
print("split on spaces:", message.split())
print("'学生' is a word of the message:", "学生" in message.split())
print("'学生' occurs in the message:   ", "学生" in message, "at", message.find("学生"))

# %% [markdown]
# Substring matching also finds keywords that straddle what a reader would call two
# words: `生运` (not a word) occurs in `学生运动`. A real list has thousands of keywords,
# so checking each with `str.find` costs time proportional to the size of the list.
# The Aho-Corasick automaton reads the message **once** whatever the size of the list.

# %% [markdown]
# ## The automaton of a few keywords
#
# The automaton is a trie of the keywords (solid arrows: **goto edges**, one character
# each) with two additions:
#
# - a **failure link** (dashed red) from each state to the longest proper suffix of its
#   string that is also a state. When the next character has no goto edge, the scan
#   follows failure links instead of starting again, so it never re-reads the text.
#   Links to the root (state 0) are left out of the picture;
# - **outputs** (green, double ring): the keywords that end in that state, including
#   those reached through failure links.

# %%
keywords = ["六四", "四通", "学生", "学生运动", "生运", "法轮功"]
matcher = AhoCorasickMatcher(keywords)
fig = draw_automaton(matcher).figure

# %% [markdown]
# The drawing comes from the matcher's own tables (`matcher.goto`, `matcher.fail`,
# `matcher.output`); as a table:

# %%
g = automaton_graph(matcher)
pd.DataFrame({
    "spells": [s or "(root)" for s in g.labels],
    "goto": [", ".join(f"{c}→{t}" for s, c, t in g.goto if s == i) for i in range(g.states)],
    "fail": [f"{g.fail[i]} ({g.labels[g.fail[i]] or 'root'})" for i in range(g.states)],
    "outputs": [", ".join(g.outputs(i)) for i in range(g.states)],
})

# %% [markdown]
# ## One message, one character at a time
#
# Each panel reads one more character. The filled state is where the automaton is after
# the character; an orange ring marks a state reached through a failure link on the
# way. Look at `通`: state 2 (`六四`) has no edge on `通`, so the scan falls back to
# state 3 (`四`) and takes its edge to `四通`, finding a keyword that overlaps the
# previous one.

# %%
text = "六四通学生运动"
fig = draw_trace(matcher, text, ncols=4)

# %%
pd.DataFrame([
    {"position": s.position, "char": s.char, "from": s.before,
     "failure links followed": " → ".join(map(str, s.followed)), "to": s.state,
     "keywords found": ", ".join(s.found)}
    for s in trace_steps(matcher, text)
])

# %% [markdown]
# The scan reports every occurrence, overlapping ones included, as half-open spans
# `[start, end)`. Every backend of the library (the fast ones are numpy or Rust
# automata) must return exactly the reference's matches:

# %%
for backend in ["reference", "naive", "numpy-prefix", "pyahocorasick-utf8"]:
    found = make_matcher(keywords, backend).find(text)
    print(f"{backend:>20}:", [(m.keyword, m.start, m.end) for m in found])

# %% [markdown]
# ## Normalisation, and offsets back to the original
#
# Users evade filters with spaces, punctuation, full-width letters and traditional
# characters. A censor *normalises* both its keywords and the text the same way before
# matching. The `default` profile folds width, case, digits and script, and removes
# separators; each normalised character remembers which original character it came
# from.

# %%
normalizer = Normalizer.from_profile("default")
original = "六 四 那年，學生們的民主運動"
normalised, offsets = normalizer.normalize_with_offsets(original)
print(normalised)
pd.DataFrame({"normalised": list(normalised),
              "from original index": offsets,
              "original char": [original[i] for i in offsets]}).transpose()

# %% [markdown]
# A combination rule fires when every component occurs. The spans it reports are in the
# *original* text, so the masked text hides exactly what the user typed:

# %%
rules = RuleSet([Rule.combination("六四+学生+民主运动"), Rule.keyword("法轮功")],
                normalizer="default")
result = rules.check(original)
print(result.explain())
print(result.masked())

# %% [markdown]
# Without normalisation (`identity`), the same message passes:

# %%
strict = RuleSet([Rule.combination("六四+学生+民主运动")], normalizer="identity")
print("identity:", strict.check(original).censored, "| default:", result.censored)

# %% [markdown]
# ## Questions to try
#
# 1. Add the keyword `通学` to `keywords`. Which failure links change, and why?
# 2. Step the message `法法轮功` through the automaton. Which failure link is followed?
# 3. Find a message that the `default` profile censors but `strip` (only removing
#    separators) does not. What does that tell you about which evasions each step undoes?
# 4. Homophones (`六四` written `陆肆`) are not undone by any normaliser step. Why not,
#    and what would a censor need to catch them?
