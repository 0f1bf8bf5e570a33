"""A bounded pool for backend queries that a Ctrl-C (or SIGTERM) can leave at once.

`ThreadPoolExecutor` waits for every running call on the way out — at `with` exit and again at interpreter exit —
so an interrupt during measurement would sit through every in-flight query's timeout and retries. This pool runs
its calls on daemon threads: an interrupt stops handing out calls that have not started, stops waiting for those
that have (they end by their own timeout, and never hold the process open), and gives the caller the results that
did arrive, so the partial evidence is still written.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class PoolInterrupted(KeyboardInterrupt, Generic[T]):
    """Raised instead of KeyboardInterrupt; `done` maps call index → result for the calls that finished."""

    def __init__(self, done: dict[int, T]) -> None:
        super().__init__("interrupted")
        self.done = done


class PoolDeadline(Exception, Generic[T]):
    """The deadline passed before every call finished; `done` maps call index → result for those that did."""

    def __init__(self, done: dict[int, T]) -> None:
        super().__init__("deadline passed")
        self.done = done


class _Pool(Generic[T]):
    def __init__(self, calls: Sequence[Callable[[], T]]) -> None:
        self.calls = calls
        self.results: dict[int, T] = {}
        self.errors: dict[int, BaseException] = {}
        self.pending: queue.SimpleQueue[int] = queue.SimpleQueue()
        for index in range(len(calls)):
            self.pending.put(index)
        self.stopped = threading.Event()
        self.finished = threading.Event()
        self.lock = threading.Lock()

    def work(self) -> None:
        while not self.stopped.is_set():
            try:
                index = self.pending.get_nowait()
            except queue.Empty:
                return
            try:
                result = self.calls[index]()
            except BaseException as exc:
                with self.lock:
                    self.errors[index] = exc
            else:
                with self.lock:
                    self.results[index] = result
            with self.lock:
                if len(self.results) + len(self.errors) == len(self.calls):
                    self.finished.set()


def run_bounded(calls: Sequence[Callable[[], T]], workers: int, name: str, deadline: float | None = None) -> list[T]:
    """Every call's result, in order, with at most `workers` running at once; a call's exception is re-raised.
    After `deadline` seconds the calls still running are abandoned as on an interrupt (PoolDeadline)."""
    if not calls:
        return []
    pool = _Pool(calls)
    for number in range(max(1, min(workers, len(calls)))):
        threading.Thread(target=pool.work, name=f"{name}-{number}", daemon=True).start()
    try:
        finished = pool.finished.wait(deadline)
    except KeyboardInterrupt:
        pool.stopped.set()
        with pool.lock:
            raise PoolInterrupted(dict(pool.results)) from None
    if not finished:
        pool.stopped.set()
        with pool.lock:
            raise PoolDeadline(dict(pool.results))
    if pool.errors:
        raise pool.errors[min(pool.errors)]
    return [pool.results[index] for index in range(len(calls))]
