"""Drawing tests run headless and close every figure they open."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

mpl = pytest.importorskip("matplotlib", reason="the drawing helpers need the plot extra")
mpl.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    import matplotlib.pyplot as plt

    yield
    plt.close("all")
