"""Engines: one function mapped over many items with one shared object, on one core,
on local processes, or on Dask.

Every engine calls ``func(item, shared)`` for every item and yields ``(index, result)``
as results complete. The shared object (a rule set, an image list) is sent to each
worker once: the ``processes`` engine hands it to each process's initializer; Dask's
distributed engine submits it once as a task of its own that every task depends on, so
each worker fetches it once and tasks find it in the worker's memory (unlike scattered
data, a task's result is recomputed if every worker holding it dies); Dask's local
schedulers put it in the graph once as one node that every task depends on.

Engines (the registry :data:`ENGINES`):

``serial``
    In this process, in order (the reference).
``processes``
    ``workers`` local processes (``concurrent.futures``), forked from the process's
    forkserver, which imported the task's module (and what it lists in
    ``_WORKER_PRELOAD``) once. A process that dies (killed, out of memory) breaks the
    pool; the unfinished items are submitted again to a new pool, up to ``retries`` times.
``dask``
    Dask: with ``address``, the distributed scheduler there; else with ``scheduler``
    ``"sync"``, ``"threads"`` or ``"processes"``, Dask's local scheduler; else a
    ``LocalCluster`` of ``workers`` single-threaded processes started for the call
    (zero set-up; forked from the same forkserver, its housekeeping slowed: see
    :data:`_DASK_LOCAL_CONFIG`). A task whose worker died is rerun elsewhere by the scheduler (up to
    its ``allowed-failures`` setting, 3 by default); one that raised is retried
    ``retries`` times, then its error travels back as itself.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from censorsim.errors import ParameterError, UnknownNameError
from censorsim.registry import Registry

__all__ = ["DASK_SCHEDULERS", "ENGINES", "cpu_count", "run_tasks"]

DASK_SCHEDULERS: tuple[str, ...] = ("sync", "threads", "processes")
"""Dask's local schedulers (no cluster)."""

_T = TypeVar("_T")
_R = TypeVar("_R")
_SHARED: list[Any] = []


def _install(shared: Any) -> None:
    _SHARED[:] = [shared]


def _call_installed(func: Callable[[Any, Any], Any], item: Any) -> Any:
    return func(item, _SHARED[0])


def run_tasks(
    func: Callable[[_T, Any], _R],
    items: Sequence[_T],
    shared: Any,
    *,
    engine: str = "serial",
    workers: int = 1,
    address: str | None = None,
    scheduler: str | None = None,
    retries: int = 2,
) -> Iterator[tuple[int, _R]]:
    """Yield ``(index, func(items[index], shared))`` for every item, as they complete.

    ``func`` must be a module-level function (it is pickled by name).

    Raises:
        UnknownNameError: an unknown engine or Dask scheduler.
        ParameterError: ``workers`` below 1 or ``retries`` below 0.
        MissingDependencyError: ``engine="dask"`` without the extra ``dask``.
    """
    runner = ENGINES.get(engine)  # UnknownNameError; names the extra Dask needs
    if workers < 1:
        raise ParameterError(f"workers must be >= 1, got {workers}")
    if retries < 0:
        raise ParameterError(f"retries must be >= 0, got {retries}")
    if scheduler is not None and scheduler not in DASK_SCHEDULERS:
        raise UnknownNameError("Dask scheduler", scheduler, DASK_SCHEDULERS)
    if not items:
        return iter(())
    return runner(func, items, shared, workers, address, scheduler, retries)


def _serial(
    func: Callable[[_T, Any], _R], items: Sequence[_T], shared: Any, workers: int,
    address: str | None, scheduler: str | None, retries: int,
) -> Iterator[tuple[int, _R]]:
    return ((i, func(item, shared)) for i, item in enumerate(items))


def _dask(
    func: Callable[[_T, Any], _R], items: Sequence[_T], shared: Any, workers: int,
    address: str | None, scheduler: str | None, retries: int,
) -> Iterator[tuple[int, _R]]:
    if address is None and scheduler is not None:
        return _dask_local(func, items, shared, scheduler, workers)
    return _dask_distributed(func, items, shared, workers, address, retries)


def _processes(
    func: Callable[[_T, Any], _R], items: Sequence[_T], shared: Any, workers: int,
    address: str | None, scheduler: str | None, retries: int,
) -> Iterator[tuple[int, _R]]:
    from concurrent.futures.process import BrokenProcessPool

    pending = set(range(len(items)))
    attempts = 0
    ctx = _forkserver_context(_preload(func))
    while pending:
        pool = cf.ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=ctx,
                                      initializer=_install, initargs=(shared,))
        try:
            futures = {pool.submit(_call_installed, func, items[i]): i for i in sorted(pending)}
            try:
                for fut in cf.as_completed(futures):
                    i = futures[fut]
                    result = fut.result()
                    pending.discard(i)
                    yield i, result
            except BrokenProcessPool as exc:
                attempts += 1
                if attempts > retries:
                    if len(pending) == len(items):
                        # Nothing ever finished: most often a script without a
                        # __main__ guard, whose top-level code the forkserver re-ran.
                        raise BrokenProcessPool(
                            f"every worker died before finishing a task ({attempts} "
                            "pools); a script that starts workers must guard its entry "
                            "point with 'if __name__ == \"__main__\":' (workers fork from "
                            "a server that imports the main module)"
                        ) from exc
                    raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _preload(func: Callable[..., Any]) -> list[str]:
    """The modules a worker running ``func`` needs: its module, and those its module
    lists in ``_WORKER_PRELOAD`` (imported lazily on a first task: pyarrow, SciPy's FFT;
    a second or so per worker, measured)."""
    module = sys.modules.get(func.__module__)
    return [func.__module__, *getattr(module, "_WORKER_PRELOAD", ())]


def _forkserver_context(modules: Sequence[str]) -> multiprocessing.context.BaseContext:
    """The ``forkserver`` start method (``spawn`` where there is none), preloading
    ``modules`` and the main module.

    Workers forked from the server start clean (no copy of the parent's threads or
    locks) and find those modules imported: without the preload every worker imports
    them itself, and re-runs the main module's imports (a second or more of processor
    time per worker, measured). The server is one per process, started by the first
    pool; the modules given then are the ones it holds.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover
        return multiprocessing.get_context("spawn")
    server = multiprocessing.get_context("forkserver")
    server.set_forkserver_preload(["__main__", *modules])
    return server


_DASK_LOCAL_CONFIG: dict[str, Any] = {
    # Dask's worker samples its own stack every 10 ms for the dashboard's profile: a
    # thread that takes the GIL from the task a hundred times a second.
    "distributed.worker.profile.enabled": False,
    # Periodic housekeeping in the scheduler, the nannies (this process) and the
    # workers: an event-loop health check every 20 ms, a memory poll every 100 ms, a
    # system monitor every 500 ms. An idle cluster of 2 used 0.12 of a core for them
    # (0.02 with these; measured), taken from the tasks on a 2-core machine. The memory
    # limit is still enforced, within a second rather than 0.1 s.
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
}
"""Dask settings for a ``LocalCluster`` started by the ``dask`` engine (a cluster
given by address keeps its own)."""


def _local_cluster(distributed: Any, workers: int, modules: Sequence[str]) -> Any:
    """A ``LocalCluster`` of ``workers`` single-threaded processes, forked from a
    server that imported Distributed and ``modules`` once (Dask's default, ``spawn``,
    has every worker start a fresh interpreter and import them: seconds of start-up
    and shut-down per worker on two cores, measured)."""
    import dask

    config = dict(_DASK_LOCAL_CONFIG)
    forkserver = "forkserver" in multiprocessing.get_all_start_methods()
    if forkserver:
        config["distributed.worker.multiprocessing-method"] = "forkserver"
    with dask.config.set(config):
        if forkserver:
            # Dask sets the server's preload on its first use; add the task's module.
            distributed.utils.get_mp_context()
            _forkserver_context(["distributed", *modules])
        return distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True,
            dashboard_address=":0", silence_logs=40,  # any free port: never a clash
        )


def _dask_local(
    func: Callable[[_T, Any], _R], items: Sequence[_T], shared: Any, scheduler: str,
    workers: int,
) -> Iterator[tuple[int, _R]]:
    from censorsim._optional import import_optional

    dask = import_optional("dask", "dask", "the dask engine")
    delayed = dask.delayed
    node = delayed(shared, pure=False)  # one node, every task depends on it
    tasks = [delayed(func, pure=False)(item, node) for item in items]
    kwargs: dict[str, Any] = {"scheduler": scheduler}
    if scheduler != "sync":
        kwargs["num_workers"] = workers
    results = dask.compute(*tasks, **kwargs)
    return iter(enumerate(results))


def _dask_distributed(
    func: Callable[[_T, Any], _R], items: Sequence[_T], shared: Any, workers: int,
    address: str | None, retries: int,
) -> Iterator[tuple[int, _R]]:
    from censorsim._optional import import_optional

    distributed = import_optional("distributed", "dask", "the dask engine")
    cluster = None
    if address is None:
        cluster = _local_cluster(distributed, workers, _preload(func))
        client = distributed.Client(cluster)
        # Forked workers may still be registering when the client connects; the
        # replication below counts the workers it sees, so wait for all of them.
        client.wait_for_workers(workers, timeout=60)
    else:
        try:
            client = distributed.Client(address)
        except ValueError as exc:  # not an address Distributed can parse
            raise ParameterError(f"Dask scheduler address {address!r}: {exc}") from None
    try:
        run = uuid.uuid4().hex[:8]
        shared_future = client.submit(_identity, shared, key=f"censorsim-{run}-shared",
                                      pure=False)
        # Every task depends on the shared value; held by one worker only, the scheduler
        # would place every task there for locality and the other workers would idle.
        # A copy on each worker spreads the tasks; it stays a task, so a lost copy is
        # recomputed rather than forgotten.
        distributed.wait([shared_future])
        if len(client.scheduler_info().get("workers", {})) > 1:
            client.replicate([shared_future])
        keys = [f"censorsim-{run}-{i}" for i in range(len(items))]
        futures = client.map(func, list(items), [shared_future] * len(items), key=keys,
                             retries=retries, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for fut in distributed.as_completed(futures):
                yield index[fut.key], fut.result()
        finally:
            client.cancel(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _identity(value: _T) -> _T:
    return value


def cpu_count() -> int:
    """CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


_Runner = Callable[..., Iterator[tuple[int, Any]]]
ENGINES: Registry[_Runner] = Registry("engine")
"""The engines :func:`run_tasks` knows (``censorsim.registry.Registry``)."""
ENGINES.add("serial", _serial, summary="this process, in order (the reference)")
ENGINES.add("processes", _processes, summary="local processes (concurrent.futures)")
ENGINES.add("dask", _dask, requires=("dask", "distributed"), extra="dask",
            summary="Dask: a scheduler's address, a local scheduler, or a LocalCluster")
