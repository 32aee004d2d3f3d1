"""Use both cores for big batches: a fork-based process pool that keeps output order.

Workers are forked after the work is planned, so they inherit the plan (and
its closures) without pickling; only indexes go out and results come back.
The result is the same, in the same order, as the plain loop it replaces.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 200
"""Below this many items a pool costs more than it saves."""
CHUNK = 32
AHEAD = 64
"""At most this many chunks queued, under way or done but not yet handed back: results that
the caller has not consumed yet would otherwise pile up in memory."""

_work: tuple[Callable[[Any], Any], Sequence[Any]] | None = None
"""Set only inside forked worker processes."""


def _start_worker(fn: Callable[[Any], Any], items: Sequence[Any]) -> None:
    global _work
    _work = (fn, items)


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    fn, items = _work
    return [fn(items[i]) for i in range(*bounds)]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def ordered_map(fn: Callable[[T], R], items: Sequence[T], jobs: int) -> Iterator[R]:
    """`map(fn, items)`, spread over `jobs` processes when it is worth it: `jobs - 1` forked
    workers, and this process, which works through the next chunk itself whenever it would
    otherwise wait for a worker's (one process fewer, so one copy fewer of everything it
    holds, and no core idle while some chunks take longer than others)."""
    if not _can_fork(jobs, len(items)):
        yield from map(fn, items)
        return
    context = multiprocessing.get_context("fork")
    chunks = deque((i, min(i + CHUNK, len(items))) for i in range(0, len(items), CHUNK))
    # The workers share the parent's memory until they write to it, and Python's collector
    # writes to every object it scans: frozen, the inherited objects are never scanned, so
    # their pages stay shared (less memory, and far fewer copy-on-write page faults).
    frozen = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        with ProcessPoolExecutor(jobs - 1, mp_context=context, initializer=_start_worker,
                                 initargs=(fn, items)) as pool:
            # In chunk order: a worker's future, or the results this process worked out.
            pending: deque[Future | list[Any]] = deque()

            def submit() -> None:
                """Keep two chunks queued per worker, so that none waits for this process."""
                while (chunks and len(pending) < AHEAD
                       and sum(isinstance(p, Future) and not p.done() for p in pending) < 2 * (jobs - 1)):
                    pending.append(pool.submit(_run_chunk, chunks.popleft()))

            submit()
            while pending:
                head = pending[0]
                if isinstance(head, Future) and not head.done() and chunks and len(pending) < AHEAD:
                    pending.append([fn(items[i]) for i in range(*chunks.popleft())])
                else:
                    pending.popleft()
                    results = head.result() if isinstance(head, Future) else head
                    submit()
                    yield from results
                submit()
    finally:
        if not frozen:
            gc.unfreeze()


def _can_fork(jobs: int, count: int) -> bool:
    """Forking a process that runs other threads (the dev server) is not safe."""
    return (jobs > 1 and count >= MIN_ITEMS and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)
