"""censorsim: simulate, measure and probe the automated censorship of Chinese platforms."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
