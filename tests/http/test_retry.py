"""backends/retry.py: bounded retries of transient failures, with an injected sleep (instant tests)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from slocheck.core.errors import EXIT_INCONCLUSIVE, BackendUnavailable, QueryError
from slocheck.http.retry import TransientError, call_with_retries


def failing(times: int, exc: Exception, result: str = "answer") -> tuple[Callable[[], str], list[int]]:
    """A call that raises `exc` `times` times, then returns `result`; also returns its call log."""
    calls: list[int] = []

    def call() -> str:
        calls.append(len(calls) + 1)
        if len(calls) <= times:
            raise exc
        return result

    return call, calls


def test_a_transient_error_is_retried_until_the_call_succeeds() -> None:
    call, calls = failing(2, TransientError("cannot reach http://127.0.0.1:9"))
    sleeps: list[float] = []
    assert call_with_retries(call, backend="Prometheus", budget_seconds=60, sleep=sleeps.append) == "answer"
    assert calls == [1, 2, 3]
    assert len(sleeps) == 2


def test_waits_between_attempts_are_jittered_and_capped_at_four_seconds() -> None:
    call, _ = failing(30, TransientError("503"))
    sleeps: list[float] = []
    call_with_retries(call, backend="Prometheus", budget_seconds=60, sleep=sleeps.append)
    assert len(sleeps) == 30
    assert all(0 <= s <= 4.0 for s in sleeps)


def test_a_call_that_succeeds_first_time_never_sleeps() -> None:
    sleeps: list[float] = []
    assert call_with_retries(lambda: 42, backend="Prometheus", budget_seconds=1, sleep=sleeps.append) == 42
    assert sleeps == []


def test_after_the_budget_it_gives_up_naming_the_backend_and_the_attempts() -> None:
    call, calls = failing(10**9, TransientError("cannot reach http://127.0.0.1:9: Connection refused"))
    with pytest.raises(BackendUnavailable) as caught:
        call_with_retries(call, backend="Prometheus", budget_seconds=2.0, sleep=lambda _: None)
    error = caught.value
    assert error.backend == "Prometheus"
    assert error.exit_code == EXIT_INCONCLUSIVE
    match = re.fullmatch(
        r"Prometheus: cannot reach http://127\.0\.0\.1:9: Connection refused "
        r"\(gave up after (\d+) attempts in 2s\)",
        str(error),
    )
    assert match is not None, str(error)
    assert int(match[1]) == len(calls) > 1


def test_a_zero_budget_makes_exactly_one_attempt() -> None:
    call, calls = failing(5, TransientError("timed out"))
    with pytest.raises(BackendUnavailable) as caught:
        call_with_retries(call, backend="Loki", budget_seconds=0, sleep=lambda _: None)
    assert calls == [1]
    assert str(caught.value) == "Loki: timed out (gave up after 1 attempt in 0s)"


def test_a_non_transient_error_is_raised_at_once_without_retrying() -> None:
    call, calls = failing(5, QueryError("Prometheus", "400 bad_data: parse error"))
    with pytest.raises(QueryError, match="400 bad_data"):
        call_with_retries(call, backend="Prometheus", budget_seconds=60, sleep=lambda _: None)
    assert calls == [1]
