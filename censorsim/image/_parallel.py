"""Parallel image hashing that scales: files cut into chunks that shrink towards the
end, hashers shipped once per worker, workers reusable across batches.

Why :func:`~censorsim.image.hash_many`'s ``workers`` showed no speed-up: hashing one
file costs a few milliseconds, while a process pool started for the call costs a
second or more of start-up (a fresh interpreter importing numpy, scipy and Pillow), and
``pool.map`` sends the hashers with every chunk of eight files. Here the work is cut
into contiguous chunks, large first and a few files each at the end so the workers
finish together (one task each, results as compact tuples); the hashers travel once (a
pool initializer, or one shared task on Dask); workers fork from a server that imported
this module once; and :class:`HashPool` keeps its workers for every later batch, so
start-up is paid once.

The result is exactly :func:`~censorsim.image.hash_many`'s (the reference), record for
record and in input order.

Example:
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> from censorsim.image import Hasher, hash_many
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> paths = []
    >>> for i, c in enumerate(("red", "blue", "white")):
    ...     Image.new("RGB", (32, 32), c).save(d / f"{i}.png"); paths.append(d / f"{i}.png")
    >>> hash_files(paths, Hasher("phash")) == hash_many(paths, Hasher("phash"))
    True
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from censorsim.errors import ParameterError
from censorsim.image.hashing import (
    ErrorPolicy,
    Hasher,
    HashRecord,
    _hash_job,
    _Outcome,
    _record,
)

__all__ = ["HashPool", "hash_files", "iter_hash_files"]

_MAX_CHUNK = 500
"""The most files in one task (bounds memory and keeps a progress bar moving on large
batches)."""
_MIN_CHUNK = 4
"""The fewest files in one task (but the last): a few tens of milliseconds of hashing,
well above a task's cost to send and collect."""

_WORKER_PRELOAD = ("scipy.fftpack", "PIL.BmpImagePlugin", "PIL.GifImagePlugin",
                   "PIL.JpegImagePlugin", "PIL.PngImagePlugin", "PIL.PpmImagePlugin")
"""Imported once by the server worker processes fork from (see
``censorsim.distributed._engine``); else every worker imports them on its first file
(imagehash's pHash imports SciPy's FFT, Pillow its common formats): 0.35 s each."""

_Job = tuple[tuple[Hasher, ...], bool]
_INSTALLED: list[_Job] = []


def _chunks(items: Sequence[Any], workers: int, per_worker: int,
            largest: int = _MAX_CHUNK) -> list[list[Any]]:
    """``items`` cut into contiguous chunks, largest first (guided scheduling).

    Each chunk takes ``1 / (workers * per_worker)`` of the items not yet cut (at least
    :data:`_MIN_CHUNK`, at most ``largest``), so the first tasks are big (few of them)
    and the last ones are a few files each: a worker that finishes early takes small
    chunks while the others end theirs, instead of idling through the last big chunk
    (with equal chunks the run waits on average half a chunk for its slowest worker).
    """
    share = max(1, workers * per_worker)
    out: list[list[Any]] = []
    start = 0
    while start < len(items):
        size = min(largest, max(_MIN_CHUNK, -(-(len(items) - start) // share)))
        out.append(list(items[start:start + size]))
        start += size
    return out


def _hash_chunk(chunk: list[tuple[str, str]], job: _Job) -> list[_Outcome]:
    """Hash a chunk of ``(path, name)`` in this worker (the task every engine runs)."""
    hashers, dihedral = job
    return [_hash_job(item, hashers, dihedral) for item in chunk]


def _install(job: _Job) -> None:
    _INSTALLED[:] = [job]


def _hash_installed(chunk: list[tuple[str, str]]) -> list[_Outcome]:
    return _hash_chunk(chunk, _INSTALLED[0])


def _prepare(
    paths: Sequence[str | os.PathLike[str]], hashers: Hasher | Sequence[Hasher],
    errors: str, dihedral: bool,
) -> tuple[list[tuple[str, str]], _Job]:
    hasher_tuple = (hashers,) if isinstance(hashers, Hasher) else tuple(hashers)
    if not hasher_tuple:
        raise ParameterError("give at least one hasher")
    if errors not in ("raise", "record"):
        raise ParameterError(f"errors must be 'raise' or 'record', not {errors!r}")
    if dihedral:
        for h in hasher_tuple:
            h._check_dihedral()
    items = [(os.fspath(p), os.fspath(p)) for p in paths]
    return items, (hasher_tuple, dihedral)


def _records(outcomes: list[list[_Outcome]], errors: ErrorPolicy) -> list[HashRecord]:
    return [_record(o, errors) for chunk in outcomes for o in chunk]


def hash_files(
    paths: Sequence[str | os.PathLike[str]],
    hashers: Hasher | Sequence[Hasher],
    *,
    workers: int = 1,
    engine: str | None = None,
    address: str | None = None,
    scheduler: str | None = None,
    errors: ErrorPolicy = "raise",
    dihedral: bool = False,
    chunks_per_worker: int = 2,
) -> list[HashRecord]:
    """Hash image files on ``workers`` processes (or Dask), one record per file, in order.

    Args:
        paths: image files.
        hashers: one hasher or several (each file is decoded once per decode setting).
        workers: worker processes (1: this process).
        engine: ``serial``, ``processes`` or ``dask`` (see
            :func:`censorsim.distributed.run_tasks`); default ``processes`` when
            ``workers > 1``.
        address, scheduler: with ``engine="dask"``, a scheduler's address, or one of
            Dask's local schedulers (``sync``, ``threads``, ``processes``); neither
            starts a ``LocalCluster`` for the call.
        errors, dihedral: as for :func:`~censorsim.image.hash_many`.
        chunks_per_worker: the first task holds ``1 / (workers * chunks_per_worker)``
            of the files; later ones shrink with what remains (see ``_chunks``).

    Raises:
        ImageError: under ``"raise"``, the first file (in input order) that cannot be hashed.
        ParameterError: a bad argument.
    """
    from censorsim.distributed import run_tasks

    if chunks_per_worker < 1:
        raise ParameterError(f"chunks_per_worker must be >= 1, got {chunks_per_worker}")
    items, job = _prepare(paths, hashers, errors, dihedral)
    engine = engine or ("processes" if workers > 1 else "serial")
    chunks = (_chunks(items, workers, chunks_per_worker) if engine != "serial"
              else [items] if items else [])
    outcomes: list[list[_Outcome]] = [[] for _ in chunks]
    for i, got in run_tasks(_hash_chunk, chunks, job, engine=engine, workers=workers,
                            address=address, scheduler=scheduler):
        outcomes[i] = got
    return _records(outcomes, errors)


def iter_hash_files(
    paths: Sequence[str | os.PathLike[str]],
    hashers: Hasher | Sequence[Hasher],
    *,
    workers: int = 2,
    engine: str | None = None,
    address: str | None = None,
    errors: ErrorPolicy = "raise",
    dihedral: bool = False,
    chunks_per_worker: int = 2,
) -> Iterator[HashRecord]:
    """:func:`hash_files` as a stream: records in input order, each chunk's as soon as
    it and every chunk before it are done (chunks of at most 500 files).

    Raises:
        ImageError: under ``"raise"``, the first file (in input order) that cannot be hashed.
        ParameterError: a bad argument.
    """
    from censorsim.distributed import run_tasks

    if chunks_per_worker < 1:
        raise ParameterError(f"chunks_per_worker must be >= 1, got {chunks_per_worker}")
    items, job = _prepare(paths, hashers, errors, dihedral)
    engine = engine or ("processes" if workers > 1 else "serial")
    chunks = (_chunks(items, workers, chunks_per_worker) if engine != "serial"
              else [items[i:i + _MAX_CHUNK] for i in range(0, len(items), _MAX_CHUNK)])
    ready: dict[int, list[_Outcome]] = {}
    following = 0
    for i, got in run_tasks(_hash_chunk, chunks, job, engine=engine, workers=workers,
                            address=address):
        ready[i] = got
        while following in ready:
            for outcome in ready.pop(following):
                yield _record(outcome, errors)
            following += 1


class HashPool:
    """Worker processes that hash image files, started once and reused for every batch.

    Args:
        hashers: one hasher or several, sent to each worker once.
        workers: worker processes.
        dihedral: as for :func:`~censorsim.image.hash_many`.
        chunks_per_worker: as for :func:`hash_files`.

    Use it as a context manager; :meth:`hash_many` gives :func:`hash_files`' records.
    """

    def __init__(self, hashers: Hasher | Sequence[Hasher], *, workers: int = 2,
                 dihedral: bool = False, chunks_per_worker: int = 2) -> None:
        if workers < 1:
            raise ParameterError(f"workers must be >= 1, got {workers}")
        if chunks_per_worker < 1:
            raise ParameterError(f"chunks_per_worker must be >= 1, got {chunks_per_worker}")
        _, self._job = _prepare([], hashers, "raise", dihedral)
        self.workers = workers
        self._per_worker = chunks_per_worker
        from censorsim.distributed._engine import _forkserver_context

        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_forkserver_context([__name__, *_WORKER_PRELOAD]),
            initializer=_install,
            initargs=(self._job,),
        )

    def warm_up(self) -> None:
        """Start every worker now (otherwise the first batch pays for the start-up)."""
        pool = self._live()
        list(pool.map(_hash_installed, [[] for _ in range(self.workers)]))

    def hash_many(self, paths: Sequence[str | os.PathLike[str]], *,
                  errors: ErrorPolicy = "raise") -> list[HashRecord]:
        """One record per file, in order (see :func:`hash_files`)."""
        items, _ = _prepare(paths, self._job[0], errors, False)
        chunks = _chunks(items, self.workers, self._per_worker)
        outcomes = list(self._live().map(_hash_installed, chunks))
        return _records(outcomes, errors)

    def _live(self) -> ProcessPoolExecutor:
        if self._pool is None:
            raise ParameterError("the hash pool is closed")
        return self._pool

    def close(self) -> None:
        """Stop the workers."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> HashPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
