"""A batch in chunks of whole examples; a large one on two threads (numpy's loops and BLAS release the GIL).

Every example's result is computed exactly as in one pass over the batch; only sums over the batch
(conv's dW) are added chunk by chunk. Chunks keep temporaries small: they stay in cache, and the
allocator reuses their memory instead of mapping fresh pages on every call. A second thread pays only
on a long batch: on a loaded 2-core machine a thread is now and then descheduled for a few ms in
mid-chunk, and the other one then waits for that chunk. Work that calls BLAS (convolution) goes to
threads only where BLAS can be held at one thread meanwhile (the optional ``threadpoolctl``): two
threads that each start a two-thread BLAS fight over two cores. Otherwise one BLAS call takes the whole
batch, on BLAS's own threads.
"""
from __future__ import annotations

import contextlib
import functools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # optional: without it convolution runs unsplit
    ThreadpoolController = None

THREADS = 2
CHUNK_BYTES = 2 << 20  # of a chunk's main array
MIN_BATCH_BYTES = 8 << 20  # smaller batches stay on this thread (conv B's im2col: 4.9 MB, 3 ms)
_BLAS_LOCK = threading.Lock()  # the BLAS limit is process-wide: one split at a time holds it


def split_batch(work: Callable[[slice], object], m: int, nbytes: int, blas: bool = False) -> list:
    """[work(chunk) for chunk in chunks]: chunks, slices of a batch of m examples in batch order, cover it.

    nbytes: the size of the batch's main array (the im2col matrix, the pooled input); chunks hold about
    CHUNK_BYTES of it. A batch of m >= 2 examples and at least MIN_BATCH_BYTES runs on THREADS threads,
    in at least THREADS chunks; a smaller one here. blas: work calls BLAS; it gets the whole batch at
    once unless the batch goes to threads with BLAS held at one thread.
    """
    threads = m >= 2 and nbytes >= MIN_BATCH_BYTES and (not blas or ThreadpoolController is not None)
    if blas and not threads:
        return [work(slice(0, m))]
    size = max(1, min(m * CHUNK_BYTES // max(nbytes, 1), -(-m // (THREADS if threads else 1))))
    chunks = [slice(start, min(start + size, m)) for start in range(0, m, size)]
    if not threads:
        return [work(chunk) for chunk in chunks]
    with _one_blas_thread() if blas else contextlib.nullcontext():
        return _on_threads(work, chunks)


def _on_threads(work: Callable[[slice], object], chunks: list[slice]) -> list:
    """[work(c) for c in chunks] on THREADS threads (this one included), each taking the next chunk when done."""
    todo = queue.SimpleQueue()
    for k in range(len(chunks)):
        todo.put(k)
    results = [None] * len(chunks)

    def drain() -> None:
        with contextlib.suppress(queue.Empty):
            while True:
                k = todo.get_nowait()
                results[k] = work(chunks[k])

    with ThreadPoolExecutor(THREADS - 1) as helpers:
        running = [helpers.submit(drain) for _ in range(THREADS - 1)]
        drain()
        for helper in running:
            helper.result()  # re-raises a helper's exception
    return results


@contextlib.contextmanager
def _one_blas_thread():
    """BLAS at one thread for the duration (the limit is process-wide: concurrent splits take turns)."""
    with _BLAS_LOCK, _blas_pools().limit(limits=1):
        yield


@functools.cache
def _blas_pools():
    """threadpoolctl's handle on the BLAS libraries loaded so far (numpy's among them)."""
    return ThreadpoolController().select(user_api="blas")
