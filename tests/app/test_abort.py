"""Abort objectives judged live: the first FAIL after `after` gives the reason; NO_DATA never aborts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slocheck.app.abort import AbortWatch, abort_cadence
from slocheck.app.measure import Sources
from slocheck.core.model import AbortRule, Bar, LocustIndicator, Objective
from slocheck.core.spec.conditions import parse_bar_text
from slocheck.load.stats import ClientStats

START = datetime(2026, 1, 1, tzinfo=UTC)


def p99_objective(after: float = 5.0, every: float = 1.0) -> Objective:
    bar = Bar((parse_bar_text("< 1s"),))
    return Objective("api", "p99", LocustIndicator("p99"), bar, abort=AbortRule(after, every))


def slow_stats() -> ClientStats:
    stats = ClientStats()
    for _ in range(20):
        stats.record("GET", "/x", 3.2, 0, None)
    return stats


def watch_at(seconds: float, objective: Objective) -> AbortWatch:
    return AbortWatch([objective], Sources(), lambda: START + timedelta(seconds=seconds))


def test_a_failing_abort_objective_after_its_delay_gives_the_reason() -> None:
    reason = watch_at(102, p99_objective())(slow_stats(), START)

    assert reason is not None
    assert reason.startswith("aborted at 01:42: api/p99 ")
    assert "misses < 1s" in reason


def test_before_its_after_delay_an_objective_is_not_judged() -> None:
    assert watch_at(4, p99_objective(after=5))(slow_stats(), START) is None


def test_no_data_never_aborts() -> None:
    assert watch_at(60, p99_objective())(ClientStats(), START) is None


def test_the_load_loop_asks_at_the_shortest_every() -> None:
    assert abort_cadence([p99_objective(every=7), p99_objective(every=2)]) == 2
