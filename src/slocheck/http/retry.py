"""Bounded retries for transient backend failures (connection errors, timeouts, 5xx, 429).

Only adapters use this. The budget bounds the total time spent retrying, so a backend that is down
turns into an ERROR quickly and predictably instead of hanging a pipeline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from tenacity import RetryError, Retrying, retry_if_exception_type, stop_before_delay, wait_random_exponential

from slocheck.core.errors import BackendUnavailable

T = TypeVar("T")


class TransientError(Exception):
    """A failure worth retrying; the message says what happened on the last attempt."""


def call_with_retries(
    call: Callable[[], T],
    *,
    backend: str,
    budget_seconds: float,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call`, retrying TransientError with jittered exponential backoff within the budget.

    `stop_before_delay` gives up when the next wait would end past the budget, so the budget holds
    (plus at most one attempt's own timeout).
    """
    retrying = Retrying(
        stop=stop_before_delay(budget_seconds),
        wait=wait_random_exponential(multiplier=0.25, max=4.0),
        retry=retry_if_exception_type(TransientError),
        sleep=sleep,
        reraise=False,
    )
    try:
        return retrying(call)
    except RetryError as exc:
        attempts = exc.last_attempt.attempt_number
        last = exc.last_attempt.exception()
        detail = f"{last} (gave up after {attempts} attempt{'s' if attempts != 1 else ''} in {budget_seconds:g}s)"
        raise BackendUnavailable(backend, detail) from None
