"""Seeded simulation of a platform over time, with a resumable SQLite decision log.

Modules: ``_config`` (what determines a run; config files), ``_corpus`` (the texts and
images messages are drawn from), ``_content`` (content ids), ``_runner`` (the run),
``_log`` (the decision log), ``_metrics`` (metrics over a log), ``_report`` (summary and
plots of a log).

A :class:`Simulation` draws users (region, activity), then a stream of messages in
batches: each batch's messages, times, senders, texts, images and deletion delays come
from random generators seeded by ``(seed, batch)``, so a batch can be regenerated on its
own and a run is reproducible from its config. The censor's decisions are written to a
:class:`DecisionLog` (SQLite, WAL) in one transaction per batch, so a killed run resumes
from its last committed batch and ends with the same log as an uninterrupted run.

Log schema (version :data:`LOG_SCHEMA_VERSION`; described in ``docs/simulation.md``): one
narrow row per message, pointing at what it carried and what was decided; each content
and each distinct outcome is stored once. The ``decisions`` view joins them back into one
row per message with names (:data:`LOG_COLUMNS`); read the log through it::

    schema_version(version)                   one row
    run(key, value)                           config (canonical JSON), seed, start,
                                              messages, batch_size, status
    users(user_id, region, activity)          the simulated population
    batches(batch, first_message, messages)   one row per committed batch
    surfaces(surface_id, name)                the codes of messages.surface_id
    contents(content_id, kind, lang, origin, text, image, image_md5)
    outcomes(outcome_id, action, censored, reason, rule_ids, image_ids, error,
             hidden_from, learned_md5)        outcome 0: delivered, nothing matched
    messages(message_id, t, user_id, surface_id, content_id, outcome_id)
    deletions(message_id, delete_after)       only messages deleted later
    decisions                                 VIEW: LOG_COLUMNS, one row per message

A message's batch is ``message_id // batch_size``. ``t`` and ``delete_after`` are seconds
since the run's start (``delete_after`` is NULL in the view unless the action is
``delete_later``); ``rule_ids``, ``image_ids`` and ``hidden_from`` are ``;``-joined; an
empty string means none in every text column.
"""

from __future__ import annotations

from censorsim.simulate._config import SimulationConfig, load_config
from censorsim.simulate._corpus import Corpus
from censorsim.simulate._log import (
    EXPORT_FORMATS,
    LOG_COLUMNS,
    LOG_SCHEMA_VERSION,
    DecisionLog,
    export_log,
    open_log,
    read_log,
)
from censorsim.simulate._metrics import Collateral, Metrics, Share, compute_metrics
from censorsim.simulate._report import Report, summary_markdown, write_report
from censorsim.simulate._runner import MessageBatch, RunSummary, Simulation

__all__ = [
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
    "compute_metrics",
    "export_log",
    "load_config",
    "open_log",
    "read_log",
    "summary_markdown",
    "write_report",
]
