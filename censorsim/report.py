"""Import path of the decision-log reports, which live in :mod:`censorsim.simulate`.

``from censorsim.report import write_report`` keeps working; the code is in
``censorsim.simulate._report``.
"""

from __future__ import annotations

from censorsim.simulate import Report, summary_markdown, write_report

__all__ = ["Report", "summary_markdown", "write_report"]
