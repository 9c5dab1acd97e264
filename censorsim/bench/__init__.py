"""The benchmark harness: contenders raced on generated or user workloads, gated for
correctness before they are timed (``censorsim bench``, ``docs/benchmarks.md``).

Its modules: :mod:`~censorsim.bench.contender` (the one contender protocol and the
``CONTENDERS`` registry), :mod:`~censorsim.bench.measure` (the one measurement loop),
:mod:`~censorsim.bench.gate` (the correctness gate), :mod:`~censorsim.bench.harness`
(suites to tasks), :mod:`~censorsim.bench.tables` and :mod:`~censorsim.bench.compare`
(results, plots, baseline comparison).
"""
