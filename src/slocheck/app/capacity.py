"""Capacity search: the highest arrival rate at which every blocking objective still holds.

Design: each step is its own load run (a constant arrival rate for `hold`), followed by the settle wait, and its
objectives are judged over that step's own window with `measure_and_evaluate` — the same path as `run`. Separate
runs rather than measured windows inside one continuous run, because a step that broke leaves a backlog (queues,
pools, retries) that would leak into the next step's window and blame it; with a fresh run and a settle wait each
step's verdict depends on its own rate only. Steps grow by a factor (`1.5x`) or an increment (`50/s`) from
`start` to `max`; the search stops at the first step that fails, and `bisect` halves the interval between the
last step that held and the first that broke.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slocheck.app.measure import Sources
from slocheck.app.phases import measure_and_evaluate
from slocheck.core.errors import LoadError
from slocheck.core.model import Evaluation, Objective, Outcome, Verdict, Window
from slocheck.load.plan import LoadOutcome, LoadPlan
from slocheck.load.profiles import Profile, Stage, check_rate
from slocheck.load.stats import client_measurement

HELD = (Verdict.PASS, Verdict.WARN)


@dataclass(frozen=True)
class StepSize:
    """`1.5x` (multiply) or `50/s` (add)."""

    factor: float | None = None
    increment: float | None = None

    @classmethod
    def parse(cls, text: str) -> StepSize:
        value = text.strip().lower()
        if value.endswith("x"):
            try:
                factor = float(value[:-1])
            except ValueError:
                factor = 0.0
            if not factor > 1:
                raise LoadError(f"--step {text!r}: a factor must be above 1, like 1.5x")
            return cls(factor=factor)
        try:
            return cls(increment=check_rate(value))
        except ValueError as exc:
            raise LoadError(f"--step {text!r}: expected a factor like 1.5x or a rate like 50/s ({exc})") from None

    def next(self, rate: float) -> float:
        return rate * self.factor if self.factor is not None else rate + (self.increment or 0.0)


@dataclass(frozen=True)
class CapacityPlan:
    start: float
    max: float
    step: StepSize
    hold: float
    bisect: int = 0  # bisection steps after the first failure
    settle: float = 0.0

    def rates(self) -> Iterator[float]:
        rate = self.start
        while rate <= self.max * (1 + 1e-9):
            yield rate
            rate = self.step.next(rate)


@dataclass(frozen=True)
class StepResult:
    rate: float
    outcome: LoadOutcome
    evaluation: Evaluation

    @property
    def held(self) -> bool:
        return self.evaluation.verdict in HELD and not self.outcome.failed

    @property
    def broken_by(self) -> list[str]:
        """The blocking objectives that did not hold at this rate, with their reasons."""
        return [
            f"{r.objective.key}: {r.reason}"
            for r in self.evaluation.results
            if r.objective.blocking and r.outcome not in (Outcome.PASS, Outcome.WARN)
        ]

    def to_dict(self) -> dict[str, Any]:
        stats = self.outcome.stats.to_dict()
        return {
            "rate": self.rate,
            "held": self.held,
            "verdict": self.evaluation.verdict.value,
            "window": {"start": self.outcome.start.isoformat(), "end": self.outcome.end.isoformat()},
            "broken_by": self.broken_by,
            "objectives": [
                {"key": r.objective.key, "outcome": r.outcome.value, "value": _value(r.measurement), "reason": r.reason}
                for r in self.evaluation.results
            ],
            "client": {"aggregated": stats["aggregated"], "arrivals": stats.get("arrivals")},
            "workers": self.outcome.workers,
        }


def _value(measurement: Any) -> float | None:
    values = [s.value for s in measurement.series]
    return max(values) if values else None


@dataclass
class CapacityResult:
    steps: list[StepResult] = field(default_factory=list)

    @property
    def highest_held(self) -> StepResult | None:
        held = [s for s in self.steps if s.held]
        return max(held, key=lambda s: s.rate) if held else None

    @property
    def first_broken(self) -> StepResult | None:
        broken = [s for s in self.steps if not s.held]
        return min(broken, key=lambda s: s.rate) if broken else None

    def to_dict(self) -> dict[str, Any]:
        held, broken = self.highest_held, self.first_broken
        return {
            "capacity": held.rate if held else None,
            "first_broken": broken.rate if broken else None,
            "broken_by": broken.broken_by if broken else [],
            "steps": [s.to_dict() for s in self.steps],
        }


RunStep = Callable[[Profile], LoadOutcome]


def search_capacity(
    plan: CapacityPlan,
    objectives: Sequence[Objective],
    sources: Sources,
    run_step: RunStep,
    on_step: Callable[[StepResult], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> CapacityResult:
    """Run the steps, stop at the first that breaks, then bisect between the last good and the first bad."""
    blocking = [o for o in objectives if o.blocking]
    result = CapacityResult()

    def step(rate: float) -> StepResult:
        outcome = run_step(Profile(f"capacity-{rate:g}/s", (Stage(plan.hold, 0, 0.0, rate),)))
        if plan.settle > 0:
            sleep(plan.settle)
        sources.client_stats = lambda objective: client_measurement(outcome.stats, objective)
        judged = measure_and_evaluate(blocking, Window(outcome.start, outcome.end), sources)
        done = StepResult(rate, outcome, judged.evaluation)
        result.steps.append(done)
        if on_step is not None:
            on_step(done)
        return done

    good: float | None = None
    for rate in plan.rates():
        if not step(rate).held:
            break
        good = rate
    bad = result.first_broken
    for _ in range(plan.bisect if bad is not None and good is not None else 0):
        assert bad is not None
        assert good is not None
        middle = (good + bad.rate) / 2
        if step(middle).held:
            good = middle
        else:
            bad = result.first_broken
    return result


def capacity_plan_for(profile_plan: LoadPlan, profile: Profile) -> LoadPlan:
    """The load plan of one step: the same scenario, host and workers, this step's rate."""
    from dataclasses import replace

    return replace(profile_plan, profile=profile, out_dir=_step_dir(profile_plan.out_dir, profile.name))


def _step_dir(root: Path | None, name: str) -> Path | None:
    return None if root is None else root / name.replace("/", "_")
