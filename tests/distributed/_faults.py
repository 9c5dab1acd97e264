"""A partition task that kills its own worker process the first time it runs."""

from __future__ import annotations

import os
from typing import Any

from censorsim.distributed import Partition, scan_partition


def die_once(item: tuple[Partition, str], job: Any) -> dict[str, Any]:
    """Scan the partition; but the first call anywhere (no marker file yet) dies
    abruptly, as a worker killed by the kernel would."""
    part, marker = item
    if part.index == 1:
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pass
        else:
            os.close(fd)
            os._exit(1)
    return scan_partition(part, job)


def busy_pid(item: int, shared: Any) -> int:
    """Spin on the CPU for a moment and name the process that ran the task."""
    import time

    end = time.perf_counter() + 0.3
    while time.perf_counter() < end:
        pass
    return os.getpid()


def worker_settings(item: int, shared: Any) -> tuple[bool, str, str | None]:
    """Whether this Dask worker samples its stack for the dashboard's profile, its
    event-loop check interval, and the start method of the process it runs in."""
    import multiprocessing

    import dask

    return (bool(dask.config.get("distributed.worker.profile.enabled")),
            str(dask.config.get("distributed.admin.tick.interval")),
            multiprocessing.get_start_method(allow_none=True))
