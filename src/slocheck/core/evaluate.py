"""(objectives, measurements) → verdict. Pure: no I/O, no clock, no backend.

Rules (DESIGN.md): a series passes, warns or fails against the bars; NO_DATA counts as the objective's
`on_no_data`; ERROR counts as INCONCLUSIVE. An objective is as bad as its worst series. The verdict is
FAIL if a blocking objective fails, else INCONCLUSIVE if one has no data or an error, else WARN if one
warns, else PASS. Non-blocking objectives are reported and never move the verdict.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace

from slocheck.core.model import (
    VERDICT_SEVERITY,
    Evaluation,
    LocustIndicator,
    Measurement,
    MeasurementStatus,
    Objective,
    ObjectiveResult,
    Outcome,
    SeriesResult,
    Verdict,
    Window,
)

_OUTCOME_SEVERITY: dict[Outcome, int] = {
    Outcome.PASS: 0,
    Outcome.WARN: 1,
    Outcome.NO_DATA: 2,
    Outcome.FAIL: 3,
    Outcome.ERROR: 4,
}


INFINITE = "infinite value (division by zero?)"


def judge_value(objective: Objective, value: float) -> Outcome:
    """One value against the pass bar, then the warn bar. NaN is not data. An infinite value never passes: a bar it
    breaches fails (histogram_quantile answers +Inf when the quantile lies above the highest bucket: that must fail
    a latency bar), and one it would meet makes the series NO_DATA (`1/0` is not a 100 % success ratio)."""
    if math.isnan(value):
        return Outcome.NO_DATA
    meets_pass = objective.pass_bar.holds(value)
    meets_warn = objective.warn_bar is not None and objective.warn_bar.holds(value)
    if math.isinf(value):
        return Outcome.NO_DATA if meets_pass or meets_warn else Outcome.FAIL
    if meets_pass:
        return Outcome.PASS
    if meets_warn:
        return Outcome.WARN
    return Outcome.FAIL


def counts_as(objective: Objective, outcome: Outcome, value: float = math.nan) -> Verdict:
    if outcome is Outcome.NO_DATA:
        verdict = objective.on_no_data.counts_as()
        if math.isinf(value) and verdict in (Verdict.PASS, Verdict.WARN):
            return Verdict.INCONCLUSIVE  # `on_no_data: pass` never lets an infinite value pass
        return verdict
    if outcome is Outcome.ERROR:
        return Verdict.INCONCLUSIVE
    return Verdict[outcome.name]


def evaluate_objective(objective: Objective, measurement: Measurement) -> ObjectiveResult:
    if measurement.status is MeasurementStatus.ERROR:
        return _result(objective, measurement, Outcome.ERROR, f"error: {measurement.reason}", ())
    series = tuple(SeriesResult(s.labels, s.value, judge_value(objective, s.value)) for s in measurement.series)
    if measurement.status is MeasurementStatus.NO_DATA or not series:
        reason = f"no data: {measurement.reason or 'empty result'}"
        return _result(objective, measurement, Outcome.NO_DATA, reason, series)
    # Worst by what each series counts as (a NaN series under on_no_data: pass must not hide a WARN),
    # then by raw outcome so ties still show the most telling one.
    worst = max(
        series,
        key=lambda s: (VERDICT_SEVERITY[counts_as(objective, s.outcome, s.value)], _OUTCOME_SEVERITY[s.outcome]),
    )
    reason = _reason(objective, worst, len(series))
    return _result(objective, measurement, worst.outcome, reason, series, worst.value)


def _reason(objective: Objective, worst: SeriesResult, count: int) -> str:
    shown = objective.format(worst.value)
    which = "" if count == 1 else f" (worst of {count} series)"
    if worst.outcome is Outcome.PASS:
        return f"{shown} meets {objective.pass_bar}{which}"
    if worst.outcome is Outcome.WARN:
        return f"{shown} misses {objective.pass_bar} but meets {objective.warn_bar}{which}"
    if worst.outcome is Outcome.NO_DATA and math.isinf(worst.value):
        met = objective.pass_bar if objective.pass_bar.holds(worst.value) else objective.warn_bar
        return f"no data: {INFINITE}: {shown} would meet {met}, but an infinite value never passes{which}"
    if worst.outcome is Outcome.NO_DATA:
        return f"no data: a series returned {shown}{which}"
    bars = str(objective.pass_bar) + (f" and {objective.warn_bar}" if objective.warn_bar else "")
    return f"{shown} misses {bars}{which}"


def _result(
    objective: Objective,
    measurement: Measurement,
    outcome: Outcome,
    reason: str,
    series: tuple[SeriesResult, ...],
    value: float = math.nan,
) -> ObjectiveResult:
    verdict = counts_as(objective, outcome, value)
    return ObjectiveResult(objective, measurement, outcome, verdict, reason, series)


def overall_verdict(results: Iterable[ObjectiveResult]) -> Verdict:
    """The worst of what blocking objectives count as; PASS when nothing blocks."""
    blocking = [r.counts_as for r in results if r.objective.blocking]
    return max(blocking, key=VERDICT_SEVERITY.__getitem__, default=Verdict.PASS)


def evaluate(
    objectives: Iterable[Objective],
    measurements: Mapping[str, Measurement],
    window: Window,
) -> Evaluation:
    """Judge every objective; an objective without a measurement is an ERROR, never a pass."""
    results = []
    for objective in objectives:
        measurement = measurements.get(objective.key) or Measurement(
            objective.key,
            objective.indicator.backend,
            "",
            MeasurementStatus.ERROR,
            reason="not measured",
        )
        results.append(evaluate_objective(objective, measurement))
    return Evaluation(overall_verdict(results), window, tuple(results))


FAILURE_STATS = ("fail_ratio", "failures")


def judge_load(evaluation: Evaluation, requests: int, failures: int) -> Evaluation:
    """The run-level rules of a load run: one in which no request succeeded never passes (INCONCLUSIVE at best,
    whatever the objectives say); failed requests that no blocking objective judges are said, not hidden."""
    notes = list(evaluation.notes)
    verdict = evaluation.verdict
    if failures >= requests:
        what = "the load made no request" if requests == 0 else f"no request succeeded (all {requests} failed)"
        notes.append(f"{what}: a run in which no request succeeded never passes")
        if VERDICT_SEVERITY[verdict] < VERDICT_SEVERITY[Verdict.INCONCLUSIVE]:
            verdict = Verdict.INCONCLUSIVE
    elif failures and not any(_judges_failures(r.objective) for r in evaluation.results):
        notes.append(
            f"{failures} of {requests} requests failed ({failures / requests:.2%}) and no blocking objective judges "
            "client failures; add one with `locust: {stat: fail_ratio}`"
        )
    return replace(evaluation, verdict=verdict, notes=tuple(notes))


def _judges_failures(objective: Objective) -> bool:
    indicator = objective.indicator
    return objective.blocking and isinstance(indicator, LocustIndicator) and indicator.stat in FAILURE_STATS


def exit_code_for(verdict: Verdict, *, fail_on_warn: bool = False) -> int:
    """DESIGN's exit codes: 0 PASS (and WARN unless --fail-on-warn), 1 FAIL, 3 INCONCLUSIVE."""
    if verdict is Verdict.FAIL or (verdict is Verdict.WARN and fail_on_warn):
        return 1
    if verdict is Verdict.INCONCLUSIVE:
        return 3
    return 0
