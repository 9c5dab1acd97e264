"""Import path of the decision-log metrics, which live in :mod:`censorsim.simulate`.

``from censorsim.metrics import compute_metrics`` keeps working; the code is in
``censorsim.simulate._metrics``.
"""

from __future__ import annotations

from censorsim.simulate import Collateral, Metrics, Share, compute_metrics

__all__ = ["Collateral", "Metrics", "Share", "compute_metrics"]
