"""A simulated day as tables and plots, from a decision log read with pandas.

The functions take the DataFrame of :func:`censorsim.simulate.read_log` (the
``decisions`` view's columns plus ``sent_at``); each table function returns a DataFrame,
and :func:`draw_day` draws four panels from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from censorsim.viz._style import COLORS, mpl, new_axes, pyplot

__all__ = [
    "censored_share",
    "collateral_damage",
    "deletion_delays",
    "draw_day",
    "draw_image_outcomes",
    "image_outcomes",
    "share_over_time",
]


def censored_share(log: Any, by: str | list[str]) -> Any:
    """Messages, censored messages and the censored share per group of ``by`` columns."""
    g = log.groupby(by, observed=True)["censored"]
    out = g.agg(messages="size", censored="sum")
    out["share"] = out["censored"] / out["messages"]
    return out


def share_over_time(log: Any, freq: str = "1h") -> Any:
    """Messages, censored messages and the censored share per time window of ``sent_at``."""
    g = log.set_index("sent_at")["censored"].resample(freq)
    out = g.agg(["size", "sum"]).rename(columns={"size": "messages", "sum": "censored"})
    out["share"] = (out["censored"] / out["messages"]).fillna(0.0)
    return out


def deletion_delays(log: Any) -> Any:
    """The delays, in seconds, of the messages deleted later (a sorted Series)."""
    return log["delete_after"].dropna().sort_values().reset_index(drop=True)


def collateral_damage(log: Any, top: int = 10) -> Any:
    """Benign messages censored, per rule (``rule_ids`` split on ``;``), most first.

    Columns: ``messages`` and one ``example`` text per rule.
    """
    benign = log[(log["kind"] == "benign") & (log["censored"] == 1)]
    rows = benign.assign(rule=benign["rule_ids"].str.split(";")).explode("rule")
    rows = rows[rows["rule"].fillna("") != ""]
    out = rows.groupby("rule").agg(messages=("message_id", "size"), example=("text", "first"))
    return out.sort_values("messages", ascending=False).head(top)


def image_outcomes(log: Any, banned: Sequence[str] | None = None) -> Any:
    """Messages with a blacklisted image, by variant and action (a DataFrame).

    The log's ``image`` column is ``name:variant`` (``original``, ``resized``,
    ``mirrored``). ``banned`` names the blacklisted images (a config's
    ``banned_images``); by default, every image the censor ever matched.
    """
    with_image = log[log["image"] != ""]
    parts = with_image["image"].str.split(":", n=1, expand=True)
    if banned is None:
        matched = with_image["image_ids"].str.split(";").explode()
        banned = sorted(set(matched[matched.fillna("") != ""]))
    rows = with_image[parts[0].isin(list(banned))]
    variant = parts.loc[rows.index, 1].rename("variant")
    table = rows.groupby([variant, rows["action"]]).size().unstack("action", fill_value=0)
    order = [v for v in ("original", "resized", "mirrored") if v in table.index]
    return table.reindex(order + [v for v in table.index if v not in order])


def draw_image_outcomes(
    log: Any, banned: Sequence[str] | None = None, *, ax: Any = None
) -> Any:
    """Stacked bars: what happened to blacklisted images, per variant. Returns the Axes."""
    table = image_outcomes(log, banned)
    ax = new_axes(ax, (6.5, 3.2))
    share = table.div(table.sum(axis=1), axis=0)
    palette = {"deliver": COLORS["passed"], "block": COLORS["censored"],
               "drop": COLORS["censored"], "hide": COLORS["path"]}
    left = None
    for action in share.columns:
        ax.barh(share.index, share[action], left=left, label=action,
                color=palette.get(action, COLORS["muted"]), edgecolor="white")
        left = share[action] if left is None else left + share[action]
    for i, total in enumerate(table.sum(axis=1)):
        ax.text(1.01, i, f"{total} messages", va="center", fontsize=8)
    ax.set_xlim(0, 1.2)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.invert_yaxis()  # original on top
    ax.xaxis.set_major_formatter(mpl("ticker").PercentFormatter(1.0))
    ax.set_xlabel("share of messages carrying a blacklisted image")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22),
              ncols=max(1, len(share.columns)), frameon=False)
    ax.set_title("blacklisted images: original, resized (new MD5, same look), mirrored",
                 fontsize=10)
    return ax


def _fmt_seconds(s: float) -> str:
    if s < 3600:
        return f"{s / 60:.0f} min"
    if s < 86400 * 2:
        return f"{s / 3600:.0f} h"
    return f"{s / 86400:.0f} d"


def draw_day(log: Any, *, title: str = "") -> Any:
    """Four panels: censored share per surface and region; censored share and volume
    per hour; time to deletion (the share deleted within 5 min, 30 min, 24 h marked);
    collateral damage by rule. Returns the Figure."""
    plt = pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), layout="constrained")
    a, b, c, d = axes.flat

    share = censored_share(log, ["surface", "region"])["share"].unstack("region").fillna(0)
    share.plot.bar(ax=a, rot=0, color=[COLORS["current"], COLORS["path"], COLORS["passed"]]
                   [: share.shape[1]])
    for bars in a.containers:
        a.bar_label(bars, labels=[f"{b.get_height():.1%}" for b in bars], fontsize=7)
    a.set_ylim(0, max(0.01, float(share.to_numpy().max())) * 1.4)  # room for the legend
    a.set_ylabel("censored share")
    a.set_xlabel("surface")
    a.set_title("censored share per surface and sender's region", fontsize=10)
    a.yaxis.set_major_formatter(mpl("ticker").PercentFormatter(1.0))
    a.legend(title="sender's region", fontsize=8, ncols=max(1, share.shape[1]),
             loc="upper center")

    over = share_over_time(log)
    b.bar(over.index, over["messages"], width=1 / 24 * 0.9, color="#dddddd", label="messages")
    b.set_ylabel("messages per hour")
    b2 = b.twinx()
    b2.plot(over.index, over["share"], color=COLORS["censored"], marker="o", markersize=3,
            label="censored share")
    b2.set_ylabel("censored share", color=COLORS["censored"])
    b2.yaxis.set_major_formatter(mpl("ticker").PercentFormatter(1.0))
    b2.set_ylim(0, max(0.05, float(over["share"].max()) * 1.2))
    b.set_title("volume (bars) and censored share (line) per hour", fontsize=10)
    b.tick_params(axis="x", labelrotation=30, labelsize=8)

    delays = deletion_delays(log)
    if len(delays):
        ys = [(i + 1) / len(delays) for i in range(len(delays))]
        c.step(delays, ys, where="post", color=COLORS["current"])
        c.set_xscale("log")
        for mark in (300, 1800, 86400):
            within = float((delays <= mark).mean())
            c.axvline(mark, color=COLORS["muted"], linestyle=":")
            c.annotate(f"{within:.0%} within {_fmt_seconds(mark)}", (mark, within),
                       xytext=(4, -12), textcoords="offset points", fontsize=8)
        c.set_ylabel("share of deleted posts")
        c.set_xlabel("time to deletion (seconds, log scale)")
        c.yaxis.set_major_formatter(mpl("ticker").PercentFormatter(1.0))
        c.set_title(f"time to deletion ({len(delays)} posts deleted later)", fontsize=10)
    else:
        c.text(0.5, 0.5, "no post was deleted later\n(this platform censors at once)",
               ha="center", va="center", transform=c.transAxes)
        c.set_axis_off()
        c.set_title("time to deletion", fontsize=10)

    coll = collateral_damage(log, top=8)
    if len(coll):
        d.barh(coll.index[::-1], coll["messages"][::-1], color=COLORS["censored"])
        d.set_xlabel("benign messages censored")
        d.tick_params(axis="y", labelsize=8)
    else:
        d.text(0.5, 0.5, "no benign message censored", ha="center", va="center",
               transform=d.transAxes)
        d.set_axis_off()
    benign = int((log["kind"] == "benign").sum())
    hit = int(((log["kind"] == "benign") & (log["censored"] == 1)).sum())
    d.set_title(f"collateral damage: {hit} of {benign} benign messages censored, by rule",
                fontsize=10)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig
