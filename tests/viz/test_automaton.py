"""The automaton drawing's data equals the reference matcher's states."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from censorsim.text import AhoCorasickMatcher
from censorsim.viz import automaton_graph, draw_automaton, draw_trace, trace_steps

KEYWORDS = ["六四", "四通", "学生", "学生运动", "法轮功", "生运"]

keywords = st.lists(st.text(alphabet="六四学生运动法", min_size=1, max_size=4),
                    min_size=1, max_size=6)


def test_nodes_edges_failure_links_and_outputs_are_the_matchers() -> None:
    m = AhoCorasickMatcher(KEYWORDS)
    g = automaton_graph(m)
    assert g.states == len(m.goto)
    assert sorted(g.goto) == sorted((s, ch, t) for s, edges in enumerate(m.goto)
                                    for ch, t in edges.items())
    assert g.fail == m.fail
    assert g.output == m.output
    assert g.depth == m.depth
    assert g.keywords == m.keywords
    assert g.failure_links(to_root=True) == [(s, m.fail[s]) for s in range(1, len(m.goto))]
    assert all(f for _, f in g.failure_links())
    # 学生运 fails to 生运, which outputs 生运 itself: failure link and output both drawn.
    s = g.labels.index("学生运")
    assert g.labels[g.fail[s]] == "生运"
    assert g.outputs(s) == ("生运",)


@given(keywords)
@settings(max_examples=60, deadline=None)
def test_labels_spell_the_path_and_layout_is_a_tree(kws: list[str]) -> None:
    g = automaton_graph(kws)
    assert g.labels[0] == ""
    for s, ch, t in g.goto:
        assert g.labels[t] == g.labels[s] + ch
        assert g.positions[t][0] == g.positions[s][0] + 1
    assert len(set(g.positions)) == g.states  # no two states drawn on one spot
    for k, kw in enumerate(g.keywords):
        assert k in g.output[g.labels.index(kw)]


@given(keywords, st.text(alphabet="六四学生运动法x", max_size=20))
@settings(max_examples=60, deadline=None)
def test_trace_steps_follow_the_matchers_trace(kws: list[str], text: str) -> None:
    m = AhoCorasickMatcher(kws)
    steps = trace_steps(m, text)
    assert [(s.position, s.char, s.state) for s in steps] == [
        (p, c, st_) for p, c, st_, _ in m.trace(text)]
    found = sorted((s.position + 1 - len(k), s.position + 1, k) for s in steps for k in s.found)
    assert found == sorted((x.start, x.end, x.keyword) for x in m.find(text))
    for s in steps:  # the failure links followed are a chain of fail pointers
        chain, cur = [], s.before
        for nxt in s.followed:
            assert m.fail[cur] == nxt
            cur = nxt
            chain.append(nxt)


def test_trace_records_the_failure_path() -> None:
    steps = trace_steps(KEYWORDS, "六四通")
    g = automaton_graph(KEYWORDS)
    assert [g.labels[s.state] for s in steps] == ["六", "六四", "四通"]
    assert [g.labels[x] for x in steps[2].followed] == ["四"]
    assert steps[1].found == ("六四",) and steps[2].found == ("四通",)


def test_drawings_have_one_circle_per_state_and_one_panel_per_step() -> None:
    g = automaton_graph(KEYWORDS)
    from matplotlib.patches import Circle, FancyArrowPatch

    ax = draw_automaton(g, highlight=3)
    outputs = sum(1 for o in g.output if o)
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(circles) == g.states + outputs  # output states get a second ring
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(g.goto) + len(g.failure_links())
    dashed = [a for a in arrows if a.get_linestyle() not in ("-", "solid")]
    assert len(dashed) == len(g.failure_links())
    fig = draw_trace(KEYWORDS, "六四通学生", ncols=2)
    assert sum(1 for a in fig.axes if a.patches) == 5
    assert "法轮功" in ax.get_title()
