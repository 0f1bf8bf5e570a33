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

from slocheck.core.baseline import Baseline, Samples
from slocheck.core.judge import judge
from slocheck.core.model import (
    VERDICT_SEVERITY,
    Evaluation,
    LocustIndicator,
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
from slocheck.core.units import percent_text

NO_REQUESTS = "no requests for this series in the window"
_OUTCOME_SEVERITY: dict[Outcome, int] = {
    Outcome.PASS: 0,
    Outcome.WARN: 1,
    Outcome.NO_DATA: 2,
    Outcome.FAIL: 3,
    Outcome.ERROR: 4,
}


INFINITE = "infinite value (division by zero?)"


def judge_value(objective: Objective, value: float, base: float | None = None) -> Outcome:
    """One value against the pass bar, then the warn bar. NaN is not data. An infinite value never passes: a bar it
    breaches fails (histogram_quantile answers +Inf when the quantile lies above the highest bucket: that must fail
    a latency bar), and one it would meet makes the series NO_DATA (`1/0` is not a 100 % success ratio).
    `base` is the baseline's value of the same series: a relative bar without it cannot be decided (NO_DATA)."""
    if math.isnan(value):
        return Outcome.NO_DATA
    passed = objective.pass_bar.decide(value, base)
    warned = objective.warn_bar.decide(value, base) if objective.warn_bar is not None else False
    if math.isinf(value):
        return Outcome.FAIL if passed is False and warned is False else Outcome.NO_DATA
    if passed:
        return Outcome.PASS
    if passed is None:
        return Outcome.NO_DATA
    if warned:
        return Outcome.WARN
    return Outcome.NO_DATA if warned is None else Outcome.FAIL


def _series_results(
    objective: Objective, measurement: Measurement, baseline: Baseline | None
) -> tuple[SeriesResult, ...]:
    results = []
    for s in measurement.series:
        base, note = None, ""
        if objective.relative:
            base, note = baseline.value_of(objective.key, s.labels) if baseline else (None, "no baseline run given")
        results.append(SeriesResult(s.labels, s.value, judge_value(objective, s.value, base), base, note))
    return tuple(results)


def counts_as(objective: Objective, outcome: Outcome, value: float = math.nan, *, series: bool = False) -> Verdict:
    """What an outcome counts as. A NaN series (`series=True`) follows `series_no_data` when it is set; an
    infinite value never counts as a pass, whatever `on_no_data` says."""
    if outcome is Outcome.NO_DATA:
        policy = objective.series_no_data
        if series and policy in (SeriesNoData.INCONCLUSIVE, SeriesNoData.FAIL):
            verdict = Verdict[policy.name]
        else:
            verdict = objective.on_no_data.counts_as()
        if math.isinf(value) and verdict in (Verdict.PASS, Verdict.WARN):
            return Verdict.INCONCLUSIVE  # `on_no_data: pass` never lets an infinite value pass
        return verdict
    if outcome is Outcome.ERROR:
        return Verdict.INCONCLUSIVE
    return Verdict[outcome.name]


def evaluate_objective(
    objective: Objective,
    measurement: Measurement,
    baseline: Baseline | None = None,
    samples: Samples | None = None,
) -> ObjectiveResult:
    """Bars series by series; then, for `compare:`, the judge: the objective is as bad as the worse of the two."""
    result = _by_bars(objective, measurement, baseline)
    if objective.compare is None or result.outcome is Outcome.ERROR:
        return result
    base_samples = baseline.samples.get(objective.key) if baseline else None
    missing = "no baseline run given" if baseline is None else baseline.missing.get(objective.key, "")
    if baseline is not None and base_samples is None and not missing:
        missing = f"baseline run {baseline.run_id} has no stored observations for {objective.key}"
    judgement = judge(objective.compare, samples, base_samples, missing)
    worse = _rank(objective, judgement.outcome) > _rank(objective, result.outcome)
    outcome = judgement.outcome if worse else result.outcome
    reason = f"{result.reason}; judge: {judgement.text}"
    verdict = counts_as(objective, outcome) if worse else result.counts_as
    return ObjectiveResult(objective, measurement, outcome, verdict, reason, result.series, judgement)


def _rank(objective: Objective, outcome: Outcome, value: float = math.nan, *, series: bool = False) -> tuple[int, int]:
    return VERDICT_SEVERITY[counts_as(objective, outcome, value, series=series)], _OUTCOME_SEVERITY[outcome]


def _by_bars(objective: Objective, measurement: Measurement, baseline: Baseline | None) -> ObjectiveResult:
    if measurement.status is MeasurementStatus.ERROR:
        return _result(objective, measurement, Outcome.ERROR, f"error: {measurement.reason}", ())
    series = _series_results(objective, measurement, baseline)
    if measurement.status is MeasurementStatus.NO_DATA or not series:
        reason = f"no data: {measurement.reason or 'empty result'}"
        return _result(objective, measurement, Outcome.NO_DATA, reason, series)
    judged = series
    if objective.series_no_data is SeriesNoData.IGNORE:  # NaN series (no requests there) are left out
        judged = tuple(s for s in series if not (s.outcome is Outcome.NO_DATA and math.isnan(s.value)))
        if not judged:  # at least one series of real data is needed for any verdict but NO_DATA
            reason = f"no data: every one of the {len(series)} series is NaN ({NO_REQUESTS})"
            return _result(objective, measurement, Outcome.NO_DATA, reason, series)
    # Worst by what each series counts as (a NaN series under on_no_data: pass must not hide a WARN),
    # then by raw outcome so ties still show the most telling one.
    worst = max(judged, key=lambda s: _rank(objective, s.outcome, s.value, series=True))
    reason = _reason(objective, worst, len(judged))
    if len(judged) < len(series):
        reason += f"; {len(series) - len(judged)} NaN series ignored ({NO_REQUESTS})"
    verdict = counts_as(objective, worst.outcome, worst.value, series=True)
    return ObjectiveResult(objective, measurement, worst.outcome, verdict, reason, series)


def change_text(objective: Objective, value: float, base: float) -> str:
    """`baseline 180 ms → 200 ms (+11.1 %)`: what every relative bar shows."""
    delta = value - base
    sign = "+" if delta >= 0 else "-"
    percent = f", {percent_text(delta / abs(base), signed=True)} %" if base != 0 else ""
    return (
        f"baseline {objective.format(base)} → {objective.format(value)} ({sign}{objective.format(abs(delta))}{percent})"
    )


def _reason(objective: Objective, worst: SeriesResult, count: int) -> str:
    shown = objective.format(worst.value)
    if worst.baseline is not None and math.isfinite(worst.baseline) and math.isfinite(worst.value):
        shown = change_text(objective, worst.value, worst.baseline)
    which = "" if count == 1 else f" (worst of {count} series)"
    if worst.outcome is Outcome.PASS:
        return f"{shown} meets {objective.pass_bar}{which}"
    if worst.outcome is Outcome.WARN:
        return f"{shown} misses {objective.pass_bar} but meets {objective.warn_bar}{which}"
    if worst.outcome is Outcome.NO_DATA and math.isinf(worst.value):
        met = objective.pass_bar if objective.pass_bar.holds(worst.value) else objective.warn_bar
        return f"no data: {INFINITE}: {shown} would meet {met}, but an infinite value never passes{which}"
    if worst.outcome is Outcome.NO_DATA:
        if not math.isnan(worst.value) and worst.note:
            return f"no data: {shown}, but the relative bar needs the baseline's value: {worst.note}{which}"
        if not math.isnan(worst.value):
            return f"no data: {shown}, but the relative bar cannot be computed from a baseline of 0{which}"
        return f"no data: a series returned {shown}{which}: {NO_REQUESTS} (0/0)"
    bars = [objective.pass_bar] + ([objective.warn_bar] if objective.warn_bar else [])
    if objective.relative:  # name only the conditions it missed: "meets < 2s" is as telling as "misses +10%"
        missed = [c.text for bar in bars for c in bar.conditions if c.decide(worst.value, worst.baseline) is False]
        return f"{shown} misses {' and '.join(missed)}{which}"
    return f"{shown} misses {' and '.join(str(b) for b in bars)}{which}"


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
    *,
    baseline: Baseline | None = None,
    samples: Mapping[str, Samples] | None = None,
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
        current = (samples or {}).get(objective.key)
        results.append(evaluate_objective(objective, measurement, baseline, current))
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
