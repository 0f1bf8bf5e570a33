"""A bounded pool for backend queries that a Ctrl-C (or SIGTERM) can leave at once.

`with ThreadPoolExecutor()` waits for every submitted call on the way out, so an interrupt during measurement
would sit through every remaining query's timeout and retries. Here an interrupt cancels what has not started,
stops waiting for what has (those calls end by their own timeout, in the background), and hands the results
that did arrive to the caller, so the partial evidence is still written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")


class PoolInterrupted(KeyboardInterrupt, Generic[T]):
    """Raised instead of KeyboardInterrupt; `done` maps call index → result for the calls that finished."""

    def __init__(self, done: dict[int, T]) -> None:
        super().__init__("interrupted")
        self.done = done


def run_bounded(calls: Sequence[Callable[[], T]], workers: int, name: str) -> list[T]:
    """Every call's result, in order, with at most `workers` running at once."""
    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(calls) or 1)), thread_name_prefix=name)
    futures: list[Future[T]] = [pool.submit(call) for call in calls]
    try:
        results = [future.result() for future in futures]
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        done = {i: f.result() for i, f in enumerate(futures) if f.done() and not f.cancelled() and not f.exception()}
        raise PoolInterrupted(done) from None
    pool.shutdown(wait=True)
    return results
