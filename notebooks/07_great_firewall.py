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
# # 7. The Great Firewall, seen from a client
#
# **What you will learn**
#
# - the five ways the Great Firewall breaks a connection (forged DNS answers, dropped
#   packets, injected resets on a keyword, resets on a server name, dropped ESNI
#   handshakes), and how each one *looks different* to the client, which is how
#   measurement tools such as OONI tell them apart;
# - the residual block: after one reset, even innocent requests to the same server fail
#   for a while, and why the sources disagree on how long;
# - how the firewall's own overbroad DNS rules block innocent names (GFWatch found 41K
#   innocuous names among 311K censored ones), and why a name must match by label;
# - what a VPN changes, in one client and in a measurement campaign.
#
# Sources are cited in `docs/network.md`, which says for each measured figure whether it
# was read in the paper itself or only in a summary of it ("secondary"); every number
# below comes from the simulation.

# %%
from datetime import datetime, timedelta
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from censorsim.network import (
    Client,
    Firewall,
    FirewallConfig,
    Outcome,
    load_firewall_config,
    run_campaign,
)

config = load_firewall_config(Path("../samples/configs/gfw-2020.toml"))
firewall = Firewall(config)
T = datetime(2020, 7, 31, 12, 0)  # the scenario: late July 2020
firewall

# %% [markdown]
# ## One site, five ways to fetch it
#
# A client in Beijing asks for Twitter and for an innocent site, over plain HTTP, over
# HTTPS (the server name travels in clear in the TLS ClientHello: SNI), over HTTPS with
# encrypted SNI (ESNI), and through a VPN. Each row is what a measurement tool would
# record. Each fetch uses a fresh client so that one block does not spill into the next.

# %%
def fetch(url: str, *, esni: bool = False, vpn: bool = False, at: datetime = T) -> dict:
    o = Client(firewall, vpn=vpn).fetch(url, at=at, esni=esni)
    how = "VPN" if vpn else ("ESNI" if esni else url.split(":")[0].upper())
    return {"url": url, "how": how, "outcome": o.outcome.value, "mechanism": o.mechanism.value,
            "trigger": o.trigger, "failure": o.failure, "OONI blocking": o.blocking,
            "DNS": o.dns_consistency}


rows = [
    fetch("http://twitter.com/"),
    fetch("https://twitter.com/"),
    fetch("http://example.com/?q=falun"),
    fetch("https://example.com/?q=falun"),
    fetch("https://example.com/", esni=True),
    fetch("https://example.com/", esni=True, at=datetime(2020, 7, 20)),
    fetch("https://twitter.com/", vpn=True),
    fetch("https://203.0.113.5/"),
]
pd.DataFrame(rows)

# %% [markdown]
# Read the table column by column:
#
# - **wrong-address**: the DNS answer was forged (OONI: `dns`, inconsistent with the
#   control resolver). Twitter never gets as far as a connection.
# - **reset** on `?q=falun` over HTTP: the keyword is in the clear, the firewall injects
#   TCP resets to both ends (Clayton et al. 2006). The same URL over HTTPS passes: the
#   path is encrypted and the firewall does not decrypt.
# - **no-answer** with ESNI after 29 July 2020: the handshake is simply dropped, whatever
#   the server. Ten days earlier the same fetch went through.
# - **timeout** for a blocked address: packets are dropped, nothing comes back.
# - **ok** through the VPN: the firewall sees only a tunnel.
#
# A tool that sees only `failure` and `blocking` can already separate DNS, IP and
# in-connection blocking; `outcome` separates the reset from the silent drop.

# %% [markdown]
# ## The residual block
#
# After a reset, the firewall keeps blocking the (client, server, port) triple. Below,
# a client triggers a reset at t = 0 and then fetches an innocent page of the same
# server every 10 seconds. How long the block lasts is a parameter, because the sources
# measured different windows: 90 s (Rambert et al. 2021, as a summary of the paper
# gives it; their abstract says "a few minutes"), 120 or 180 s after ESNI (GFW Report,
# iYouPort and U. Maryland, 2020), and in 2006 from a few minutes to nearly an hour,
# about 20 minutes on average (Clayton et al., as the press reported it).

# %%
def residual_timeline(seconds: float, span: int = 300) -> pd.Series:
    c = Client(Firewall(FirewallConfig(residual_seconds=seconds)))
    c.fetch("http://example.com/?q=falun", at=T)
    blocked = {t: c.fetch("http://example.com/about", at=T + timedelta(seconds=t)).outcome
               is not Outcome.OK for t in range(10, span, 10)}
    return pd.Series(blocked, name=f"{seconds:g} s")


timelines = pd.concat([residual_timeline(s) for s in (90, 180, 1200)], axis=1)
fig, ax = plt.subplots(figsize=(7, 2.4))
for i, col in enumerate(timelines.columns):
    t = timelines.index[timelines[col]]
    ax.scatter(t, [i] * len(t), marker="s", s=30, label=col)
ax.set_yticks(range(len(timelines.columns)), timelines.columns)
ax.set_xlabel("seconds after the reset")
ax.set_title("innocent fetches blocked by the residual window")
ax.set_xlim(0, 300)
fig.tight_layout()

# %% [markdown]
# The block is narrow: another port or another server is not affected, and neither is
# another client.

# %%
c = Client(firewall)
c.fetch("http://example.com/?q=falun", at=T)
soon = T + timedelta(seconds=20)
pd.DataFrame([
    {"fetch 20 s later": url, "outcome": c.fetch(url, at=soon).outcome.value}
    for url in ("http://example.com/", "http://example.com:8080/", "http://example.org/")
] + [{"fetch 20 s later": "http://example.com/ (another client)",
      "outcome": Client(firewall, address="10.0.0.99").fetch("http://example.com/",
                                                               at=soon).outcome.value}])

# %% [markdown]
# ## DNS: by label, and the firewall's overblocking
#
# A careful filter blocks a name and its subdomains, never a name that merely contains
# it: `notgoogle.com` is not `google.com`. GFWatch reverse-engineered the firewall's
# real rules and found 41K innocuous names that match them; by a summary of the paper,
# many rules match any name *ending with* a censored one, 919.com among the worst. The
# sample configuration has that one overbroad entry. The model marks those matches, so
# collateral damage can be counted rather than hidden.

# %%
names = ["google.com", "mail.google.com", "notgoogle.com", "google.com.example",
         "919.com", "www.919.com", "5919.com", "jx919.com", "919.community"]
pd.DataFrame([
    {"name": n, "blocked": (m := firewall.dns_match(n)) is not None,
     "entry": m.entry if m else None, "overbroad": m.overbroad if m else None}
    for n in names
])

# %% [markdown]
# ## A measurement campaign, and the VPN share
#
# Twenty clients in the mainland fetch a small test list 2,000 times over an hour; a
# share of them use a VPN, and a third of HTTPS fetches try ESNI. The table counts the
# outcome of every fetch per mechanism: each mechanism has its own outcome, except the
# residual block, which borrows the outcome of what started it. VPN demand in Hong Kong
# surged on 21 May 2020, the day the national security law was announced; here we vary
# the share and watch what the firewall still sees.

# %%
urls = ["https://twitter.com/", "https://www.google.com/", "http://example.com/?q=falun",
        "http://example.com/", "https://example.com/", "http://5919.com/",
        "http://www.example.cn/"]
result = run_campaign(firewall, urls, probes=2000, clients=20, esni_share=1 / 3, seed=1)
pd.DataFrame(result.table()).set_index("mechanism")

# %%
shares = [0.0, 0.25, 0.5, 0.75]
blocked = []
for share in shares:
    r = run_campaign(firewall, urls, probes=2000, clients=20, vpn_share=share,
                     esni_share=1 / 3, seed=1)
    blocked.append(sum(o.outcome is not Outcome.OK for o in r.observations) / 2000)
fig, ax = plt.subplots(figsize=(5, 2.6))
ax.bar([f"{s:.0%}" for s in shares], blocked)
ax.set_xlabel("share of clients on a VPN")
ax.set_ylabel("fetches blocked")
ax.set_title("what the firewall still blocks")
fig.tight_layout()

# %% [markdown]
# ## Questions to try
#
# 1. Set `residual_seconds` to 1200 (Clayton et al.'s average, as reported) and rerun
#    the campaign. Which mechanism's share grows, and why do innocent pages suffer?
# 2. Move `esni_blocked_since` to `False` in a copy of the sample configuration. What
#    happens to HTTPS fetches of Twitter with ESNI, and why does DNS still catch them?
# 3. Add `["google.com"]` to `[dns] overbroad`. Which innocent names become blocked?
#    Write three and check them with `firewall.dns_match`.
# 4. Put the VPN server's address into `[ip] blocked`. What does the campaign table look
#    like now, and what would a VPN user see?
# 5. Rambert et al. saw only about 75% of keyword requests reset (by a summary of the
#    paper). Set `reset_rate=0.75` in a `FirewallConfig` and fetch
#    `http://example.com/?q=falun` 100 times with one client (and
#    `residual_seconds=0`). How many got through? What would a researcher
#    need to do before concluding that a keyword is *not* censored?
# 6. A client outside China (`Client(firewall, inside=False)`) requests
#    `http://www.example.cn/?q=falun`. Is it reset? What does that say about the
#    direction of filtering?
