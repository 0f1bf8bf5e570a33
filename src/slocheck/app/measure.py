"""Resolve every objective's indicator for one window through the backends, concurrently.

Each objective becomes exactly one Measurement: OK with series, NO_DATA with a reason, or ERROR with
the backend's message. Nothing here judges a value; that is `evaluate.py`'s job.
"""

from __future__ import annotations

import functools
import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from slocheck.app.concurrency import PoolDeadline, PoolInterrupted, run_bounded
from slocheck.app.measure_counters import measure_counter
from slocheck.app.undercount import BornSeries, born_series, undercount_warning
from slocheck.core.errors import BackendError
from slocheck.core.model import (
    JaegerIndicator,
    LokiIndicator,
    Measurement,
    MeasurementStatus,
    Objective,
    PrometheusIndicator,
    SeriesReduce,
    SeriesValue,
    Window,
)
from slocheck.core.spec.logql import count_query, presence_selector
from slocheck.core.spec.templating import render
from slocheck.sources.jaeger_sample import TraceBackend, TraceQuery, TraceSample, TraceSearch, exemplars, samples_of
from slocheck.sources.prometheus import range_step
from slocheck.sources.protocols import MetricsBackend

ClientStats = Callable[[Objective], Measurement]
# The details key of a rate()/increase() objective whose counter series were born inside the window.
UNDERCOUNT = "born_in_window_warning"


@dataclass
class Sources:
    """The backends a measurement may use; a missing one makes its objectives ERROR, never PASS."""

    prometheus: MetricsBackend | None = None
    client_stats: ClientStats | None = None
    concurrency: int = 16
    loki: MetricsBackend | None = None
    jaeger: TraceBackend | None = None
    # The load run whose traces `jaeger: {run_traces: true}` keeps; set by `slocheck run`.
    run_id: str | None = None
    # Seconds measuring every objective may take as a whole (`measure_deadline`); None: no limit.
    deadline: float | None = None

    def close(self) -> None:
        for backend in (self.prometheus, self.loki, self.jaeger):
            if backend is not None:
                backend.close()


def reduce_over_time(points: Sequence[float], how: str) -> float:
    """`max min avg last pNN` over the samples of one series that are not NaN; NaN when there are none. Infinite
    samples count (a p99 above the top bucket must not vanish); the evaluator never lets an infinite value pass."""
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
    if ordered[high] == ordered[low] or position == low:  # also keeps +Inf as +Inf (Inf - Inf would be NaN)
        return ordered[low]
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


MetricIndicator = PrometheusIndicator | LokiIndicator


def measure_prometheus(
    objective: Objective, indicator: PrometheusIndicator, window: Window, backend: MetricsBackend
) -> Measurement:
    return measure_metric(objective, indicator, window, backend, "prometheus")


def measure_metric(
    objective: Objective, indicator: MetricIndicator, window: Window, backend: MetricsBackend, source: str
) -> Measurement:
    """An instant query at the window end, or a range query reduced over time; Prometheus and Loki alike."""
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
        return Measurement(objective.key, source, query, MeasurementStatus.ERROR, reason=str(exc))
    if indicator.reduce is not None:
        if series and not reduce_series(series, indicator.reduce):
            reason = f"every one of the {len(series)} series is NaN, nothing to {indicator.reduce.value}"
            return Measurement(objective.key, source, query, MeasurementStatus.NO_DATA, series, reason, samples)
        series = reduce_series(series, indicator.reduce)
    return _measurement(objective, source, query, series, samples, details)


def _measurement(
    objective: Objective,
    source: str,
    query: str,
    series: tuple[SeriesValue, ...],
    samples: int,
    details: dict[str, object],
) -> Measurement:
    if not series:
        reason = "empty result: no series matched in the window"
        return Measurement(objective.key, source, query, MeasurementStatus.NO_DATA, (), reason, 0, details)
    if all(math.isnan(s.value) for s in series):
        reason = "every series is NaN (no samples in the window, or 0/0)"
        return Measurement(objective.key, source, query, MeasurementStatus.NO_DATA, series, reason, samples, details)
    return Measurement(objective.key, source, query, MeasurementStatus.OK, series, "", samples, details)


def measure_loki(
    objective: Objective, indicator: LokiIndicator, window: Window, backend: MetricsBackend
) -> Measurement:
    """A metric query as for Prometheus. For `count:`, an empty answer is 0 lines only when the stream being
    counted has lines in the window; otherwise logs may simply be missing, and that is NO_DATA."""
    measured = measure_metric(objective, indicator, window, backend, "loki")
    if indicator.count_of is None or measured.status is not MeasurementStatus.NO_DATA or measured.series:
        return measured
    presence = render(count_query(presence_selector(indicator.count_of)), indicator.variables, window)
    try:
        lines = math.fsum(s.value for s in backend.instant(presence, window.end).series if math.isfinite(s.value))
    except BackendError as exc:
        return replace(measured, status=MeasurementStatus.ERROR, reason=str(exc))
    if lines <= 0:
        reason = (
            f"no log line matched, and {presence_selector(indicator.count_of)} has no lines at all in the window: "
            "slocheck cannot tell zero from missing logs (are logs shipped to Loki?)"
        )
        return replace(measured, reason=reason, details={"presence_query": presence})
    details = {"presence_query": presence, "stream_lines": int(lines)}
    return replace(measured, status=MeasurementStatus.OK, series=(SeriesValue({}, 0.0),), reason="", details=details)


def trace_stat(samples: Sequence[TraceSample], stat: str) -> float:
    """`count error_ratio p50 p90 p95 p99 max mean` over a non-empty sample, in seconds, ratio or count."""
    if stat == "count":
        return float(len(samples))
    if stat == "error_ratio":
        return sum(s.error for s in samples) / len(samples)
    return reduce_over_time([s.duration_seconds for s in samples], "avg" if stat == "mean" else stat)


def _trace_shortfall(indicator: JaegerIndicator, search: TraceSearch, matched: int) -> str:
    """Why this sample cannot give the statistic, or ""."""
    if indicator.stat == "count":
        if search.complete:
            return ""
        return (
            f"at least {matched} traces, but {search.limited_slices} of {search.slices} searches hit Jaeger's "
            f"per-query limit of {search.limit}: the exact count is unknown (count requests with Prometheus)"
        )
    if matched < indicator.min_traces:
        return f"{matched} matching trace(s) in the window, fewer than min_traces ({indicator.min_traces})"
    return ""


def _service_absent(query: TraceQuery, window: Window, backend: TraceBackend) -> str:
    """A count of 0 is a value only when the service (or the run) has traces at all in the window: an empty or
    broken trace pipeline must not read as "zero errors"."""
    presence = TraceQuery(query.service, None, None, {}, query.run_id)
    try:
        found = backend.search(presence, window.start, window.end)
    except BackendError as exc:
        return f"0 matching traces, and checking that {query.service} has any traces failed: {exc}"
    if found.traces:
        return ""
    return f"no trace of {query.service} at all in the window: cannot tell a count of 0 from missing traces"


def _trace_details(
    indicator: JaegerIndicator, search: TraceSearch, samples: Sequence[TraceSample], backend: TraceBackend
) -> dict[str, object]:
    details: dict[str, object] = {
        "api": search.api,
        "traces_fetched": len(search.traces),
        "traces_matched": len(samples),
        "error_traces": sum(s.error for s in samples),
        "queries": search.queries,
        "slices": search.slices,
        "limit_per_query": search.limit,
        "complete": search.complete,
    }
    if indicator.stat != "count":
        details["exemplars"] = exemplars(samples, backend.trace_url)
    return details


def measure_jaeger(
    objective: Objective, indicator: JaegerIndicator, window: Window, backend: TraceBackend, run_id: str | None
) -> Measurement:
    shown = indicator.describe()
    if indicator.run_traces and not run_id:
        reason = "run_traces needs a load run's id: it works in `slocheck run` with tracing on, not in evaluate"
        return Measurement(objective.key, "jaeger", shown, MeasurementStatus.ERROR, reason=reason)
    query = TraceQuery(indicator.service, indicator.operation, indicator.span_kind, dict(indicator.attributes),
                       run_id if indicator.run_traces else None)  # fmt: skip
    try:
        search = backend.search(query, window.start, window.end)
    except BackendError as exc:
        return Measurement(objective.key, "jaeger", shown, MeasurementStatus.ERROR, reason=str(exc))
    samples = samples_of(search, query)
    details = _trace_details(indicator, search, samples, backend)
    if query.run_id is not None:
        details["run_id"] = query.run_id
    shortfall = _trace_shortfall(indicator, search, len(samples))
    if not shortfall and indicator.stat == "count" and not samples:
        shortfall = _service_absent(query, window, backend)
    if shortfall:
        return Measurement(objective.key, "jaeger", shown, MeasurementStatus.NO_DATA, (), shortfall, len(samples),
                           details)  # fmt: skip
    labels = {"service": indicator.service, **({"operation": indicator.operation} if indicator.operation else {})}
    series = (SeriesValue(labels, trace_stat(samples, indicator.stat)),)
    return Measurement(objective.key, "jaeger", shown, MeasurementStatus.OK, series, "", len(samples), details)


_NOT_CONFIGURED = {
    "prometheus": "Prometheus is not configured; pass --prometheus-url or set SLOCHECK_PROMETHEUS_URL",
    "loki": "Loki is not configured; pass --loki-url, set SLOCHECK_LOKI_URL or backends.loki.url in slocheck.yaml",
    "jaeger": (
        "Jaeger is not configured; pass --jaeger-url, set SLOCHECK_JAEGER_URL or backends.jaeger.url in slocheck.yaml"
    ),
}


def _not_configured(objective: Objective, source: str, query: str) -> Measurement:
    return Measurement(objective.key, source, query, MeasurementStatus.ERROR, reason=_NOT_CONFIGURED[source])


def _measure_one(objective: Objective, window: Window, sources: Sources, born: BornSeries | None) -> Measurement:
    indicator = objective.indicator
    if isinstance(indicator, PrometheusIndicator):
        if sources.prometheus is None:
            return _not_configured(objective, "prometheus", indicator.query)
        if indicator.counter is not None:
            return measure_counter(objective, indicator, window, sources.prometheus)
        measured = measure_prometheus(objective, indicator, window, sources.prometheus)
        if measured.status is MeasurementStatus.OK and (warning := undercount_warning(objective, born)):
            measured = replace(measured, details={**measured.details, UNDERCOUNT: warning})
        return measured
    if isinstance(indicator, LokiIndicator):
        if sources.loki is None:
            return _not_configured(objective, "loki", indicator.query)
        return measure_loki(objective, indicator, window, sources.loki)
    if isinstance(indicator, JaegerIndicator):
        if sources.jaeger is None:
            return _not_configured(objective, "jaeger", indicator.describe())
        return measure_jaeger(objective, indicator, window, sources.jaeger, sources.run_id)
    if sources.client_stats is None:
        reason = "client-side (locust) statistics exist only for a load run: use `slocheck run`"
        return Measurement(objective.key, "locust", indicator.stat, MeasurementStatus.ERROR, reason=reason)
    return sources.client_stats(objective)


def measure_all(objectives: Iterable[Objective], window: Window, sources: Sources) -> dict[str, Measurement]:
    """One Measurement per objective; queries run on a bounded pool, never one by one."""
    objectives = list(objectives)
    born = born_series(sources.prometheus, window, objectives)
    calls = [functools.partial(_guarded, o, window, sources, born) for o in objectives]
    try:
        measurements = run_bounded(calls, sources.concurrency, "slocheck-measure", sources.deadline)
    except PoolInterrupted as stop:
        # Ctrl-C while measuring: keep what arrived; the rest are ERROR "not measured" in the evaluation.
        raise MeasurementInterrupted({objectives[i].key: m for i, m in stop.done.items()}) from None
    except PoolDeadline as late:
        return {o.key: late.done.get(i) or _past_deadline(o, sources.deadline) for i, o in enumerate(objectives)}
    return {o.key: m for o, m in zip(objectives, measurements, strict=True)}


def _past_deadline(objective: Objective, deadline: float | None) -> Measurement:
    reason = (
        f"not measured: measuring every objective took longer than measure_deadline ({deadline or 0:g}s); "
        "check the backend, or raise measure_deadline in slocheck.yaml"
    )
    return Measurement(objective.key, objective.indicator.backend, "", MeasurementStatus.ERROR, reason=reason)


class MeasurementInterrupted(KeyboardInterrupt):
    """Ctrl-C/SIGTERM while measuring; `done` holds the measurements that had arrived."""

    def __init__(self, done: dict[str, Measurement]) -> None:
        super().__init__("interrupted while measuring")
        self.done = done


def _guarded(objective: Objective, window: Window, sources: Sources, born: BornSeries | None) -> Measurement:
    """An unexpected exception in one adapter is that objective's ERROR, not a crashed run."""
    try:
        return _measure_one(objective, window, sources, born)
    except Exception as exc:
        backend = objective.indicator.backend
        reason = f"internal error while measuring: {type(exc).__name__}: {exc}"
        return Measurement(objective.key, backend, "", MeasurementStatus.ERROR, reason=reason)
