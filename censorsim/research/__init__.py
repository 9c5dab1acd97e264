"""Research measurements: evasion matrices, fidelity to WeChat, validation of probing.

- :func:`text_matrix`: text transform x normaliser profile -> share of sensitive texts
  still censored, with a Wilson 95% interval.
- :func:`image_matrix`: image transform x (hasher, threshold) -> share of blacklisted
  images still matched.
- :func:`wechat_fidelity`: each (hasher, threshold)'s outcomes on the transformations
  Citizen Lab tested against WeChat Moments in 2018 (Knockel, Ruan, Crete-Nishihata and
  Deibert, "(Can't) Picture This", FOCI 2018; :data:`WECHAT_2018`), next to WeChat's,
  with an agreement score.
- :func:`validate_probing`: builds articles that embed known rules in generated benign
  filler, censors them with the full list, isolates with each method of
  :mod:`censorsim.probe`, and scores the result against the ground truth.

Everything is seeded and returns frozen results with ``to_json()`` and ``to_markdown()``;
:func:`plot_matrix` and :func:`plot_validation` draw PNGs with matplotlib (Agg, the
``plot`` extra).

Modules (private; import from here): ``_rates`` (Wilson rates), ``_matrix`` (evasion
matrices), ``_fidelity`` (WeChat 2018 comparison), ``_articles`` (synthetic articles with
planted rules), ``_validation`` (scoring isolation methods), ``_plots`` (PNG figures),
``_samples`` (input texts and images: :func:`load_texts`, :func:`load_article`,
:func:`image_files`).

Example:
    >>> from censorsim.models import Rule
    >>> m = text_matrix(["六四的学生"], [Rule.combination("六四+学生")],
    ...                 transforms=["noop", "spaces"], profiles=["identity", "default"])
    >>> m.rate("spaces", "identity").rate, m.rate("spaces", "default").rate
    (0.0, 1.0)
"""

from __future__ import annotations

from censorsim.research._articles import Article, filler_alphabet, make_articles
from censorsim.research._compare import (
    ListDiff,
    PlatformComparison,
    PlatformRow,
    compare_platforms,
    diff_lists,
    diff_versions,
    list_timeline,
    plot_comparison,
    plot_list_timeline,
    rules_on,
)
from censorsim.research._fidelity import (
    WECHAT_2018,
    Fidelity,
    WeChatOutcome,
    wechat_fidelity,
    wechat_reference,
    wechat_sliding_outcomes,
)
from censorsim.research._matrix import (
    DEFAULT_DETECTORS,
    VISUAL_MATCH,
    EvasionMatrix,
    image_matrix,
    load_matrix_json,
    text_matrix,
)
from censorsim.research._plots import plot_matrix, plot_validation
from censorsim.research._rates import Rate, wilson_interval
from censorsim.research._samples import image_files, load_article, load_texts
from censorsim.research._validation import (
    MethodScore,
    ProbeValidation,
    validate_probing,
    validation_table,
)

__all__ = [
    "DEFAULT_DETECTORS",
    "VISUAL_MATCH",
    "WECHAT_2018",
    "Article",
    "EvasionMatrix",
    "Fidelity",
    "ListDiff",
    "MethodScore",
    "PlatformComparison",
    "PlatformRow",
    "ProbeValidation",
    "Rate",
    "WeChatOutcome",
    "compare_platforms",
    "diff_lists",
    "diff_versions",
    "filler_alphabet",
    "image_files",
    "image_matrix",
    "list_timeline",
    "load_article",
    "load_matrix_json",
    "load_texts",
    "make_articles",
    "plot_comparison",
    "plot_list_timeline",
    "plot_matrix",
    "plot_validation",
    "rules_on",
    "text_matrix",
    "validate_probing",
    "validation_table",
    "wechat_fidelity",
    "wechat_reference",
    "wechat_sliding_outcomes",
    "wilson_interval",
]
