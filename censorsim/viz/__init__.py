"""Drawing helpers for teaching: the mechanisms of censorsim as pictures.

Each helper computes plain data first (tested on its own, and usable for your own
plots) and then draws it with matplotlib (the ``plot`` extra), in whatever backend is
active: inline in a notebook, Agg on a headless machine. Chinese text is drawn with the
CJK font chosen in one place, :func:`use_cjk_font`.

- Keyword matching: :func:`automaton_graph`, :func:`draw_automaton` (goto edges, dashed
  failure links, outputs), :func:`trace_steps`, :func:`draw_trace` (a message stepped
  through the automaton).
- Images: :func:`phash_steps`, :func:`draw_phash_pipeline` (grey, 32 x 32, DCT, 8 x 8
  block, bits), :func:`bit_grids`, :func:`draw_bit_grids` (differing bits highlighted),
  :func:`draw_thumbnails` (images with distances against a threshold).
- Research: :func:`matrix_rates`, :func:`draw_matrix` (evasion heat maps),
  :class:`TracingOracle`, :func:`query_masks`, :func:`draw_query_trace` (probing).
- A simulated day: :func:`censored_share`, :func:`share_over_time`,
  :func:`deletion_delays`, :func:`collateral_damage`, :func:`draw_day`,
  :func:`image_outcomes`, :func:`draw_image_outcomes`.
"""

from __future__ import annotations

from censorsim.viz._automaton import (
    AutomatonGraph,
    TraceStep,
    automaton_graph,
    draw_automaton,
    draw_trace,
    trace_steps,
)
from censorsim.viz._day import (
    censored_share,
    collateral_damage,
    deletion_delays,
    draw_day,
    draw_image_outcomes,
    image_outcomes,
    share_over_time,
)
from censorsim.viz._fonts import (
    CJK_PROBE,
    CJKFont,
    CJKFontWarning,
    cjk_font_candidates,
    find_cjk_font,
    has_glyphs,
    use_cjk_font,
)
from censorsim.viz._hashes import (
    BitGrids,
    PHashSteps,
    bit_grids,
    draw_bit_grids,
    draw_phash_pipeline,
    draw_thumbnails,
    open_image,
    phash_steps,
)
from censorsim.viz._research import (
    Query,
    TracingOracle,
    draw_matrix,
    draw_query_trace,
    matrix_rates,
    query_masks,
)

__all__ = [
    "CJK_PROBE",
    "AutomatonGraph",
    "BitGrids",
    "CJKFont",
    "CJKFontWarning",
    "PHashSteps",
    "Query",
    "TraceStep",
    "TracingOracle",
    "automaton_graph",
    "bit_grids",
    "censored_share",
    "cjk_font_candidates",
    "collateral_damage",
    "deletion_delays",
    "draw_automaton",
    "draw_bit_grids",
    "draw_day",
    "draw_image_outcomes",
    "draw_matrix",
    "draw_phash_pipeline",
    "draw_query_trace",
    "draw_thumbnails",
    "draw_trace",
    "find_cjk_font",
    "has_glyphs",
    "image_outcomes",
    "matrix_rates",
    "open_image",
    "phash_steps",
    "query_masks",
    "share_over_time",
    "trace_steps",
    "use_cjk_font",
]
