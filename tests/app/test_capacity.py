"""Capacity search over a fake target whose p95 is a known function of the rate (the judging path is real)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from slocheck.app.capacity import CapacityPlan, StepSize, search_capacity
from slocheck.app.measure import Sources
from slocheck.core.errors import LoadError
from slocheck.core.model import Bar, LocustIndicator, Objective
from slocheck.core.spec.conditions import parse_bar_text
from slocheck.load.monitor import GeneratorCpu
from slocheck.load.plan import LoadOutcome
from slocheck.load.profiles import Profile
from slocheck.load.stats import ClientStats

START = datetime(2026, 1, 1, tzinfo=UTC)
P95 = Objective("api", "p95", LocustIndicator("p95"), Bar((parse_bar_text("< 200ms"),)))


def fake_target(capacity: float) -> tuple[list[float], Callable[[Profile], LoadOutcome]]:
    """Below `capacity` requests take 50 ms, above it 1 s."""
    rates: list[float] = []

    def run_step(profile: Profile) -> LoadOutcome:
        rate = profile.stages[0].rate or 0.0
        rates.append(rate)
        stats = ClientStats()
        stats.open_model = True
        for _ in range(100):
            stats.record("GET", "/x", 0.05 if rate <= capacity else 1.0, 0, None)
        stats.window_seconds = 10.0
        return LoadOutcome(
            "r", Path("s.py"), profile.name, "h", START, START + timedelta(seconds=10), False, False, "", stats,
            (), (), (), GeneratorCpu(), 1, 1, 0, None, (), None,
        )  # fmt: skip

    return rates, run_step


def test_steps_grow_by_a_factor_or_an_increment() -> None:
    assert list(CapacityPlan(50, 200, StepSize.parse("2x"), 1.0).rates()) == [50, 100, 200]
    assert list(CapacityPlan(50, 150, StepSize.parse("50/s"), 1.0).rates()) == [50, 100, 150]
    with pytest.raises(LoadError, match="--step"):
        StepSize.parse("0.5x")


def test_the_search_stops_at_the_first_step_that_breaks_and_names_the_objective() -> None:
    rates, run_step = fake_target(capacity=160)
    result = search_capacity(CapacityPlan(50, 2000, StepSize.parse("1.5x"), 1.0), [P95], Sources(), run_step)

    assert rates == [50, 75, 112.5, 168.75]
    assert result.highest_held is not None
    assert result.highest_held.rate == 112.5
    assert result.first_broken is not None
    assert result.first_broken.broken_by[0].startswith("api/p95: 1 s misses < 200ms")
    assert [s["held"] for s in result.to_dict()["steps"]] == [True, True, True, False]


def test_bisect_narrows_between_the_last_good_and_first_bad_step() -> None:
    _rates, run_step = fake_target(capacity=160)
    plan = CapacityPlan(50, 2000, StepSize.parse("1.5x"), 1.0, bisect=3)
    result = search_capacity(plan, [P95], Sources(), run_step)

    assert result.highest_held is not None
    assert result.first_broken is not None
    assert 150 <= result.highest_held.rate <= 160 < result.first_broken.rate <= 168.75
