"""Resolve every objective's indicator for one window through the backends, concurrently.

Each objective becomes exactly one Measurement: OK with series, NO_DATA with a reason, or ERROR with
the backend's message. Nothing here judges a value; that is `evaluate.py`'s job.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from slocheck.backends.base import MetricsBackend
from slocheck.backends.prometheus import range_step
from slocheck.errors import BackendError
from slocheck.model import (
    Measurement,
    MeasurementStatus,
    Objective,
    PrometheusIndicator,
    SeriesReduce,
    SeriesValue,
    Window,
)
from slocheck.spec.templating import render

ClientStats = Callable[[Objective], Measurement]


@dataclass
class Sources:
    """The backends a measurement may use; a missing one makes its objectives ERROR, never PASS."""

    prometheus: MetricsBackend | None = None
    client_stats: ClientStats | None = None
    concurrency: int = 16

    def close(self) -> None:
        if self.prometheus is not None:
            self.prometheus.close()


def reduce_over_time(points: Sequence[float], how: str) -> float:
    """`max min avg last pNN` over the samples of one series that are not NaN; NaN when there are none."""
    finite = [p for p in points if not math.isnan(p)]
    if not finite:
        return math.nan
    if how == "max":
        return max(finite)
    if how == "min":
        return min(finite)
    if how == "avg":
        return statistics.fmean(finite)
    if how == "last":
        return finite[-1]
    return _percentile(sorted(finite), float(how[1:]) / 100)


def _percentile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def reduce_series(series: Sequence[SeriesValue], how: SeriesReduce) -> tuple[SeriesValue, ...]:
    """Aggregate several series into one (`reduce:`), ignoring NaN series."""
    values = [s.value for s in series if not math.isnan(s.value)]
    if not values:
        return ()
    combine: dict[SeriesReduce, Callable[[list[float]], float]] = {
        SeriesReduce.MAX: max,
        SeriesReduce.MIN: min,
        SeriesReduce.AVG: statistics.fmean,
        SeriesReduce.SUM: math.fsum,
    }
    return (SeriesValue({"reduce": f"{how.value} of {len(values)} series"}, combine[how](values)),)


def measure_prometheus(
    objective: Objective, indicator: PrometheusIndicator, window: Window, backend: MetricsBackend
) -> Measurement:
    interval = range_step(window.seconds, indicator.range.step_seconds) if indicator.range else None
    query = render(indicator.template or indicator.query, indicator.variables, window, interval)
    details: dict[str, object] = {}
    try:
        if indicator.range is not None and interval is not None:
            answer = backend.range(query, window.start, window.end, interval)
            series = tuple(
                SeriesValue(labels, reduce_over_time([v for _, v in points], indicator.range.reduce))
                for labels, points in answer.series
            )
            details = {"step_seconds": interval, "reduce_over_time": indicator.range.reduce}
            samples = sum(len(points) for _, points in answer.series)
        else:
            series = backend.instant(query, window.end).series
            samples = len(series)
    except BackendError as exc:
        return Measurement(objective.key, "prometheus", query, MeasurementStatus.ERROR, reason=str(exc))
    if indicator.reduce is not None:
        if series and not reduce_series(series, indicator.reduce):
            reason = f"every one of the {len(series)} series is NaN, nothing to {indicator.reduce.value}"
            return Measurement(objective.key, "prometheus", query, MeasurementStatus.NO_DATA, series, reason, samples)
        series = reduce_series(series, indicator.reduce)
    return _measurement(objective, query, series, samples, details)


def _measurement(
    objective: Objective, query: str, series: tuple[SeriesValue, ...], samples: int, details: dict[str, object]
) -> Measurement:
    if not series:
        reason = "empty result: no series matched in the window"
        return Measurement(objective.key, "prometheus", query, MeasurementStatus.NO_DATA, (), reason, 0, details)
    if all(math.isnan(s.value) for s in series):
        reason = "every series is NaN (no samples in the window, or 0/0)"
        return Measurement(
            objective.key, "prometheus", query, MeasurementStatus.NO_DATA, series, reason, samples, details
        )
    return Measurement(objective.key, "prometheus", query, MeasurementStatus.OK, series, "", samples, details)


def _measure_one(objective: Objective, window: Window, sources: Sources) -> Measurement:
    indicator = objective.indicator
    if isinstance(indicator, PrometheusIndicator):
        if sources.prometheus is None:
            reason = "Prometheus is not configured; pass --prometheus-url or set SLOCHECK_PROMETHEUS_URL"
            return Measurement(objective.key, "prometheus", indicator.query, MeasurementStatus.ERROR, reason=reason)
        return measure_prometheus(objective, indicator, window, sources.prometheus)
    if sources.client_stats is None:
        reason = "client-side (locust) statistics exist only for a load run: use `slocheck run`"
        return Measurement(objective.key, "locust", indicator.stat, MeasurementStatus.ERROR, reason=reason)
    return sources.client_stats(objective)


def measure_all(objectives: Iterable[Objective], window: Window, sources: Sources) -> dict[str, Measurement]:
    """One Measurement per objective; queries run on a bounded pool, never one by one."""
    objectives = list(objectives)
    workers = max(1, min(sources.concurrency, len(objectives)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slocheck-measure") as pool:
        futures = {o.key: pool.submit(_guarded, o, window, sources) for o in objectives}
        return {key: future.result() for key, future in futures.items()}


def _guarded(objective: Objective, window: Window, sources: Sources) -> Measurement:
    """An unexpected exception in one adapter is that objective's ERROR, not a crashed run."""
    try:
        return _measure_one(objective, window, sources)
    except Exception as exc:
        backend = objective.indicator.backend
        reason = f"internal error while measuring: {type(exc).__name__}: {exc}"
        return Measurement(objective.key, backend, "", MeasurementStatus.ERROR, reason=reason)
