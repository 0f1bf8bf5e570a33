"""(objectives, measurements) → verdict. Pure: no I/O, no clock, no backend.

Rules (DESIGN.md): a series passes, warns or fails against the bars; NO_DATA counts as the objective's
`on_no_data`; ERROR counts as INCONCLUSIVE. An objective is as bad as its worst series. The verdict is
FAIL if a blocking objective fails, else INCONCLUSIVE if one has no data or an error, else WARN if one
warns, else PASS. Non-blocking objectives are reported and never move the verdict.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from slocheck.core.model import (
    VERDICT_SEVERITY,
    Evaluation,
    Measurement,
    MeasurementStatus,
    Objective,
    ObjectiveResult,
    Outcome,
    SeriesNoData,
    SeriesResult,
    Verdict,
    Window,
)

NO_REQUESTS = "no requests for this series in the window"
_OUTCOME_SEVERITY: dict[Outcome, int] = {
    Outcome.PASS: 0,
    Outcome.WARN: 1,
    Outcome.NO_DATA: 2,
    Outcome.FAIL: 3,
    Outcome.ERROR: 4,
}


def judge_value(objective: Objective, value: float) -> Outcome:
    """One value against the pass bar, then the warn bar. NaN is not data; ±Inf is a value (histogram_quantile
    answers +Inf when the quantile lies above the highest bucket: that must fail a latency bar, not vanish)."""
    if math.isnan(value):
        return Outcome.NO_DATA
    if objective.pass_bar.holds(value):
        return Outcome.PASS
    if objective.warn_bar is not None and objective.warn_bar.holds(value):
        return Outcome.WARN
    return Outcome.FAIL


def counts_as(objective: Objective, outcome: Outcome, *, series: bool = False) -> Verdict:
    """What an outcome counts as; a NaN series (`series=True`) follows `series_no_data` when it is set."""
    if outcome is Outcome.NO_DATA:
        policy = objective.series_no_data
        if series and policy in (SeriesNoData.INCONCLUSIVE, SeriesNoData.FAIL):
            return Verdict[policy.name]
        return objective.on_no_data.counts_as()
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
    judged = series
    if objective.series_no_data is SeriesNoData.IGNORE:
        judged = tuple(s for s in series if s.outcome is not Outcome.NO_DATA)
        if not judged:  # at least one series of real data is needed for any verdict but NO_DATA
            reason = f"no data: every one of the {len(series)} series is NaN ({NO_REQUESTS})"
            return _result(objective, measurement, Outcome.NO_DATA, reason, series)
    # Worst by what each series counts as (a NaN series under on_no_data: pass must not hide a WARN),
    # then by raw outcome so ties still show the most telling one.
    worst = max(
        judged,
        key=lambda s: (VERDICT_SEVERITY[counts_as(objective, s.outcome, series=True)], _OUTCOME_SEVERITY[s.outcome]),
    )
    reason = _reason(objective, worst, len(judged))
    if len(judged) < len(series):
        reason += f"; {len(series) - len(judged)} NaN series ignored ({NO_REQUESTS})"
    verdict = counts_as(objective, worst.outcome, series=True)
    return ObjectiveResult(objective, measurement, worst.outcome, verdict, reason, series)


def _reason(objective: Objective, worst: SeriesResult, count: int) -> str:
    shown = objective.format(worst.value)
    which = "" if count == 1 else f" (worst of {count} series)"
    if worst.outcome is Outcome.PASS:
        return f"{shown} meets {objective.pass_bar}{which}"
    if worst.outcome is Outcome.WARN:
        return f"{shown} misses {objective.pass_bar} but meets {objective.warn_bar}{which}"
    if worst.outcome is Outcome.NO_DATA:
        return f"no data: a series returned {shown}{which}: {NO_REQUESTS} (0/0)"
    bars = str(objective.pass_bar) + (f" and {objective.warn_bar}" if objective.warn_bar else "")
    return f"{shown} misses {bars}{which}"


def _result(
    objective: Objective,
    measurement: Measurement,
    outcome: Outcome,
    reason: str,
    series: tuple[SeriesResult, ...],
) -> ObjectiveResult:
    return ObjectiveResult(objective, measurement, outcome, counts_as(objective, outcome), reason, series)


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


def exit_code_for(verdict: Verdict, *, fail_on_warn: bool = False) -> int:
    """DESIGN's exit codes: 0 PASS (and WARN unless --fail-on-warn), 1 FAIL, 3 INCONCLUSIVE."""
    if verdict is Verdict.FAIL or (verdict is Verdict.WARN and fail_on_warn):
        return 1
    if verdict is Verdict.INCONCLUSIVE:
        return 3
    return 0
