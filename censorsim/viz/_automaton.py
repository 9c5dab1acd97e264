"""The Aho-Corasick automaton as a graph, and a text stepped through it.

:func:`automaton_graph` reads the reference matcher's states (``goto`` edges, ``fail``
links, ``output`` keyword indices) into an :class:`AutomatonGraph` with a tree layout;
:func:`trace_steps` replays a scan one character at a time, recording the failure links
followed. :func:`draw_automaton` and :func:`draw_trace` draw them with matplotlib.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from censorsim.text import AhoCorasickMatcher
from censorsim.viz._style import COLORS, mpl, new_axes

__all__ = [
    "AutomatonGraph",
    "TraceStep",
    "automaton_graph",
    "draw_automaton",
    "draw_trace",
    "trace_steps",
]


@dataclass(frozen=True, slots=True)
class AutomatonGraph:
    """An Aho-Corasick automaton as data to draw.

    Attributes:
        keywords: the matcher's keywords; outputs index into them.
        labels: the string each state spells (``""`` for the root, state 0).
        depth: each state's depth (the length of its label).
        goto: the trie edges ``(state, character, next state)``.
        fail: the failure link of each state (the root's is itself, 0).
        output: the keyword indices recognised in each state, its own and those reached
            through failure links.
        positions: ``(x, y)`` of each state: x is the depth, leaves are spaced one apart
            down the y axis in depth-first order, a parent sits at its children's mean.
    """

    keywords: tuple[str, ...]
    labels: tuple[str, ...]
    depth: tuple[int, ...]
    goto: tuple[tuple[int, str, int], ...]
    fail: tuple[int, ...]
    output: tuple[tuple[int, ...], ...]
    positions: tuple[tuple[float, float], ...]

    @property
    def states(self) -> int:
        """The number of states."""
        return len(self.labels)

    def failure_links(self, *, to_root: bool = False) -> list[tuple[int, int]]:
        """``(state, target)`` for every non-root state; links to the root only if asked."""
        return [(s, f) for s, f in enumerate(self.fail) if s and (to_root or f)]

    def outputs(self, state: int) -> tuple[str, ...]:
        """The keywords recognised in ``state``."""
        return tuple(self.keywords[k] for k in self.output[state])


def _matcher(source: AhoCorasickMatcher | Iterable[str]) -> AhoCorasickMatcher:
    if isinstance(source, AhoCorasickMatcher):
        return source
    return AhoCorasickMatcher(list(source))


def automaton_graph(source: AhoCorasickMatcher | Iterable[str]) -> AutomatonGraph:
    """The automaton of a reference matcher, or of the keywords given.

    Example:
        >>> g = automaton_graph(["六四", "四通"])
        >>> g.labels, g.fail
        (('', '六', '六四', '四', '四通'), (0, 0, 3, 0, 0))
    """
    m = _matcher(source)
    n = len(m.goto)
    labels = [""] * n
    edges: list[tuple[int, str, int]] = []
    order: list[int] = []  # depth-first, children in insertion order
    stack = [0]
    while stack:
        s = stack.pop()
        order.append(s)
        children = list(m.goto[s].items())
        for ch, nxt in children:
            labels[nxt] = labels[s] + ch
            edges.append((s, ch, nxt))
        stack.extend(nxt for _, nxt in reversed(children))
    ys: dict[int, float] = {}
    leaf = 0
    for s in order:
        if not m.goto[s]:
            ys[s] = -float(leaf)
            leaf += 1
    for s in reversed(order):  # children before parents
        kids = list(m.goto[s].values())
        if kids:
            ys[s] = sum(ys[k] for k in kids) / len(kids)
    positions = tuple((float(m.depth[s]), ys[s]) for s in range(n))
    return AutomatonGraph(
        keywords=tuple(m.keywords),
        labels=tuple(labels),
        depth=tuple(m.depth),
        goto=tuple(sorted(edges, key=lambda e: e[2])),
        fail=tuple(m.fail),
        output=tuple(m.output),
        positions=positions,
    )


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One character of a scan.

    Attributes:
        position: the character's index in the text.
        char: the character.
        before: the state before reading it.
        followed: the states reached through failure links while looking for an edge on
            ``char`` (empty when ``before`` had one, or was the root).
        state: the state after reading it.
        found: the keywords ending at this character.
    """

    position: int
    char: str
    before: int
    followed: tuple[int, ...]
    state: int
    found: tuple[str, ...]


def trace_steps(source: AhoCorasickMatcher | Iterable[str], text: str) -> list[TraceStep]:
    """Step ``text`` through the automaton one character at a time.

    The states equal those of :meth:`AhoCorasickMatcher.trace`; the failure links
    followed are what a drawing needs to show *why* the state changed.

    Example:
        >>> [(s.char, s.state, s.found) for s in trace_steps(["六四", "四通"], "六四通")]
        [('六', 1, ()), ('四', 2, ('六四',)), ('通', 4, ('四通',))]
    """
    m = _matcher(source)
    goto, fail, output, kws = m.goto, m.fail, m.output, m.keywords
    out: list[TraceStep] = []
    state = 0
    for pos, ch in enumerate(text):
        before = state
        followed: list[int] = []
        while state and ch not in goto[state]:
            state = fail[state]
            followed.append(state)
        state = goto[state].get(ch, 0)
        out.append(TraceStep(pos, ch, before, tuple(followed), state,
                             tuple(kws[k] for k in output[state])))
    return out


def draw_automaton(
    source: AhoCorasickMatcher | Iterable[str] | AutomatonGraph,
    *,
    ax: Any = None,
    highlight: int | None = None,
    path: Sequence[int] = (),
    failure_to_root: bool = False,
    title: str | None = None,
) -> Any:
    """Draw the automaton: states, goto edges, dashed failure links, outputs.

    Args:
        source: a reference matcher, keywords, or an :class:`AutomatonGraph`.
        ax: the matplotlib Axes to draw on (default: a new figure sized to the graph).
        highlight: a state to fill as the current one.
        path: states to ring as visited on the way (failure links followed).
        failure_to_root: also draw the failure links that point at the root (every
            depth-1 state has one; they are left out by default to reduce clutter).
        title: the Axes title.

    Returns:
        The Axes.
    """
    g = source if isinstance(source, AutomatonGraph) else automaton_graph(source)
    width = 1.2 + 0.95 * max(g.depth)
    height = 0.9 + 0.75 * max(1.0, -min(y for _, y in g.positions) + 1)
    ax = new_axes(ax, (width, height))
    pos = g.positions
    r = 0.2
    patches = mpl("patches")
    inner: list[Any] = []  # drawn inside the axes: left out of layout computations
    for s, ch, t in g.goto:
        (x0, y0), (x1, y1) = pos[s], pos[t]
        inner.append(ax.add_artist(patches.FancyArrowPatch(
            (x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=10,
            color=COLORS["edge"], lw=1.2, shrinkA=11, shrinkB=11)))
        inner.append(ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.1, ch, ha="center",
                             va="bottom", fontsize=11, color=COLORS["text"]))
    for s, f in g.failure_links(to_root=failure_to_root):
        inner.append(ax.add_artist(patches.FancyArrowPatch(
            pos[s], pos[f], arrowstyle="-|>", mutation_scale=9, color=COLORS["fail"],
            lw=1.0, linestyle=(0, (4, 3)), shrinkA=11, shrinkB=11,
            connectionstyle="arc3,rad=0.35")))
    for s, (x, y) in enumerate(pos):
        outs = g.outputs(s)
        face = COLORS["current"] if s == highlight else (
            COLORS["output"] if outs else "white")
        edge = COLORS["path"] if s in path else COLORS["edge"]
        inner.append(ax.add_artist(_circle(x, y, r, face, edge, 2.2 if s in path else 1.2)))
        if outs:
            inner.append(ax.add_artist(_circle(x, y, r * 0.8, "none", COLORS["edge"], 0.8)))
            inner.append(ax.text(x, y - r - 0.08, "{" + ", ".join(outs) + "}", ha="center",
                                 va="top", fontsize=8, color=COLORS["found"]))
        inner.append(ax.text(x, y, str(s), ha="center", va="center", fontsize=8,
                             color="white" if s == highlight else COLORS["text"]))
    for artist in inner:
        artist.set_in_layout(False)
    xs = [x for x, _ in pos]
    ys = [y for _, y in pos]
    ax.set_xlim(min(xs) - 0.45, max(xs) + 0.7)
    ax.set_ylim(min(ys) - 0.55, max(ys) + 0.45)
    ax.set_aspect("equal")
    ax.axis("off")
    if title is None:
        title = "Aho-Corasick automaton of " + ", ".join(g.keywords)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def _circle(x: float, y: float, r: float, face: str, edge: str, lw: float) -> Any:
    return mpl("patches").Circle((x, y), r, facecolor=face, edgecolor=edge, linewidth=lw, zorder=3)


def draw_trace(
    source: AhoCorasickMatcher | Iterable[str],
    text: str,
    *,
    steps: Sequence[int] | None = None,
    ncols: int = 2,
    failure_to_root: bool = False,
) -> Any:
    """Small multiples: the automaton after each character of ``text``.

    Each panel shows the text with the character just read boxed, the current state
    filled, the states reached through failure links ringed, and the keywords found
    so far.

    Args:
        source: a reference matcher or keywords.
        text: the message to scan.
        steps: which character positions to show (default: all).
        ncols: panels per row.
        failure_to_root: draw failure links to the root too.

    Returns:
        The Figure.
    """
    from censorsim.viz._style import pyplot

    m = _matcher(source)
    g = automaton_graph(m)
    trace = trace_steps(m, text)
    shown = list(range(len(trace))) if steps is None else list(steps)
    plt = pyplot()
    nrows = max(1, -(-len(shown) // ncols))
    w = 1.2 + 0.95 * max(g.depth)
    h = 1.6 + 0.75 * max(1.0, -min(y for _, y in g.positions) + 1)
    fig, axes = plt.subplots(nrows, ncols, figsize=(w * ncols, h * nrows), squeeze=False,
                             layout="constrained")
    found_so_far: list[str] = []
    for i, step in enumerate(trace):
        found_so_far.extend(f"{k}@{step.position + 1 - len(k)}" for k in step.found)
        if i not in shown:
            continue
        ax = axes.flat[shown.index(i)]
        draw_automaton(g, ax=ax, highlight=step.state, path=step.followed,
                       failure_to_root=failure_to_root, title="")
        how = (f"fail {step.before}→" + "→".join(map(str, step.followed)) + ", "
               if step.followed else "")
        ax.set_title(f"read {step.char!r}: {how}state {step.state}"
                     + (f", found {'、'.join(step.found)}" if step.found else ""),
                     fontsize=9)
        _draw_text_strip(ax, text, step.position)
    for ax in axes.flat[len(shown):]:
        ax.axis("off")
    return fig


def _draw_text_strip(ax: Any, text: str, position: int) -> None:
    """The message under the panel, the current character boxed."""
    n = len(text)
    for i, ch in enumerate(text):
        x = (i + 0.5) / max(n, 1)
        style = {"boxstyle": "square,pad=0.15", "facecolor": COLORS["current"],
                 "edgecolor": "none"} if i == position else None
        ax.text(x, -0.02, ch, transform=ax.transAxes, ha="center", va="top", fontsize=11,
                color="white" if i == position else (
                    COLORS["text"] if i < position else COLORS["muted"]),
                bbox=style)
