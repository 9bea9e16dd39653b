"""Where submissions are graded: a local process pool, or a dask.distributed cluster (``dask://HOST:PORT``).

Both are concurrent.futures executors, so the batch submits the same grading function to either. On a
cluster, every worker needs convgrade installed and must see the submissions at the same paths.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

SCHEME = "dask://"
CONNECT_SECONDS = 5  # how long to try reaching a dask scheduler before saying it cannot be reached


class ExecutorError(RuntimeError):
    """The executor cannot be set up (dask missing, scheduler unreachable)."""


def dask_address(spec: str) -> str:
    """'dask://HOST:PORT' -> the scheduler address 'tcp://HOST:PORT'; ValueError for anything else."""
    host, _, port = spec.removeprefix(SCHEME).rpartition(":")
    if not spec.startswith(SCHEME) or not host or not port.isdigit():
        raise ValueError(f"expected {SCHEME}HOST:PORT, got {spec!r}")
    return f"tcp://{host}:{port}"


def default_jobs() -> int:
    """The number of CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextmanager
def open_executor(address: str | None, jobs: int) -> Iterator[Executor]:
    """A process pool of ``jobs`` workers, or an executor on the dask scheduler at ``address``."""
    if address is None:
        with ProcessPoolExecutor(jobs, initializer=_exit_with_parent, initargs=(os.getpid(),)) as pool:
            yield pool
        return
    try:
        from distributed import Client
    except ImportError:
        raise ExecutorError("--executor dask:// needs dask.distributed: pip install 'convgrade[dask]'") from None
    try:
        client = Client(address, timeout=CONNECT_SECONDS)
    except OSError as error:
        raise ExecutorError(f"cannot reach the dask scheduler at {address}: {error}") from None
    with client, client.get_executor(pure=False) as executor:
        yield executor


def _exit_with_parent(parent: int) -> None:
    """Pool worker initializer: end the worker once the batch process is gone (even SIGKILLed), which a
    ProcessPoolExecutor worker otherwise never notices."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="convgrade-parent-watch", daemon=True).start()
