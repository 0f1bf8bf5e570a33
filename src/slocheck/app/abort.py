"""Abort on a clear failure: objectives with `abort: {after, every}` judged live during the load.

Client-side (`locust:`) objectives are judged on the live client statistics, Prometheus/Loki/Jaeger objectives
over [load start, now], each at its own cadence once `after` has passed since the start. The first FAIL returns
the reason ("aborted at 01:42: api/p99 3.2 s misses < 1 s") and the load stops; NO_DATA, ERROR and WARN never
abort. `run` then judges every objective over the load actually run and the verdict is FAIL with that reason.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from slocheck.app.measure import Sources, measure_all
from slocheck.core.evaluate import evaluate
from slocheck.core.model import Evaluation, Objective, Outcome, Verdict, Window
from slocheck.load.stats import ClientStats, client_measurement


def abort_objectives(objectives: Sequence[Objective]) -> list[Objective]:
    return [o for o in objectives if o.abort is not None]


def abort_cadence(objectives: Sequence[Objective]) -> float:
    """How often the load loop asks: the shortest `every` of the abort objectives."""
    return min((o.abort.every for o in objectives if o.abort is not None), default=5.0)


class AbortWatch:
    """The load plan's `abort_check`: None while every abort objective holds (or cannot be judged yet)."""

    def __init__(self, objectives: Sequence[Objective], sources: Sources, clock: Callable[[], datetime]) -> None:
        self.objectives = abort_objectives(objectives)
        self.sources, self.clock = sources, clock
        self.next_due: dict[str, float] = {}

    def __call__(self, stats: ClientStats, start: datetime) -> str | None:
        now = self.clock()
        elapsed = (now - start).total_seconds()
        due = [o for o in self.objectives if self._due(o, elapsed)]
        if not due or now <= start:
            return None
        live = dataclasses.replace(self.sources, client_stats=lambda objective: client_measurement(stats, objective))
        window = Window(start, now)
        evaluation = evaluate(due, measure_all(due, window, live), window)
        for result in evaluation.results:
            if result.outcome is Outcome.FAIL:
                return f"aborted at {_clock(elapsed)}: {result.objective.key} {result.reason}"
        return None

    def _due(self, objective: Objective, elapsed: float) -> bool:
        assert objective.abort is not None
        if elapsed < objective.abort.after or time.monotonic() < self.next_due.get(objective.key, 0.0):
            return False
        self.next_due[objective.key] = time.monotonic() + objective.abort.every
        return True


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes:02d}:{rest:02d}"


def aborted_evaluation(evaluation: Evaluation) -> Evaluation:
    """An aborted run FAILs whatever the objectives say over the shortened window."""
    return dataclasses.replace(evaluation, verdict=Verdict.FAIL)
