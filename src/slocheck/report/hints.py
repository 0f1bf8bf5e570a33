"""Bottleneck hints: patterns in the run's own data that usually explain a slow or failing run.

Pure: a context document (context.json), the run record (run.json) and the Locust history in, hints out. Each
hint names the series it came from (the query and the labels), so a reader can check it in Prometheus or in
the CSV. A hint is a lead to follow, never a verdict. The rules and their constants are in docs/report.md:

- saturation: a resource at ≥ 80 % of a known limit (PostgreSQL connections vs max_connections, the
  application's pool in use vs its size, Redis memory vs maxmemory when maxmemory > 0);
- memory growth: the mean of a memory series over the last third of the run is > 20 % above its mean over
  the first third, and the series mostly climbs (≥ 70 % of its steps do not go down, middle third in between);
- error bursts with latency spikes: time buckets where the error ratio and p95 latency are both well above
  their medians over the run (server side from the context, client side from the Locust history);
- load generator CPU ≥ 90 %: the client's own timings include its queueing, so latency verdicts are unreliable.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slocheck.core.model import describe_labels
from slocheck.core.units import Kind, format_value
from slocheck.report.context_doc import entry, finite_points
from slocheck.report.html_inputs import HistoryPoint

SATURATION = 0.8
GROWTH = 0.2
CLIMBING_STEPS = 0.7
MIN_TREND_POINTS = 6
GENERATOR_CPU_PERCENT = 90.0
# "Well above the median": at least FACTOR × the median and at least FLOOR above it.
ERROR_FACTOR, ERROR_FLOOR = 2.0, 0.01
LATENCY_FACTOR, LATENCY_FLOOR = 1.5, 0.01
MIN_BURST_BUCKETS = 4


@dataclass(frozen=True)
class Hint:
    kind: str  # saturation | memory-growth | error-latency-burst | generator-cpu
    title: str
    detail: str
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "detail": self.detail, "sources": list(self.sources)}


Series = Mapping[str, Any]


def _source(found: Mapping[str, Any], series: Series | None = None) -> str:
    labels = describe_labels(dict(series.get("labels", {}))) if series is not None else ""
    labels = "" if labels == "{}" else labels
    return f"{found.get('query', '')} {labels}".strip()


def _sum_by_time(series_list: Sequence[Series]) -> list[tuple[float, float]]:
    """Every series added up per timestamp (missing points count as absent, not as zero)."""
    totals: dict[float, float] = {}
    for series in series_list:
        for t, v in finite_points(series):
            totals[t] = totals.get(t, 0.0) + v
    return sorted(totals.items())


def _limit(context: Mapping[str, Any] | None, id: str) -> tuple[float, Mapping[str, Any]] | None:
    found = entry(context, id)
    if found is None:
        return None
    values = [v for s in found.get("series", []) for _, v in finite_points(s)]
    return (max(values), found) if values else None


def _saturation(context: Mapping[str, Any] | None, used_id: str, limit_id: str, what: str, kind: Kind) -> list[Hint]:
    used, limit = entry(context, used_id), _limit(context, limit_id)
    if used is None or limit is None or limit[0] <= 0:
        return []
    points = _sum_by_time(used.get("series", []))
    if not points:
        return []
    peak_t, peak = max(points, key=lambda p: p[1])
    ratio = peak / limit[0]
    if ratio < SATURATION:
        return []
    detail = (
        f"peak {format_value(peak, kind)} of a limit of {format_value(limit[0], kind)} "
        f"({ratio:.0%}) at {_clock(peak_t, points[0][0])} into the run"
    )
    sources = (*(_source(used, s) for s in used.get("series", [])), _source(limit[1]))
    return [Hint("saturation", f"{what} at {ratio:.0%} of its limit", detail, sources)]


def _redis_saturation(context: Mapping[str, Any] | None) -> list[Hint]:
    used, maximum = entry(context, "redis_memory_used"), entry(context, "redis_memory_max")
    if used is None or maximum is None:
        return []
    hints = []
    limits = {describe_labels(dict(s.get("labels", {}))): s for s in maximum.get("series", [])}
    for series in used.get("series", []):
        limit_series = limits.get(describe_labels(dict(series.get("labels", {}))))
        if limit_series is None and len(limits) == 1:
            limit_series = next(iter(limits.values()))
        limit_values = [v for _, v in finite_points(limit_series or {})]
        points = finite_points(series)
        if not limit_values or not points or max(limit_values) <= 0:
            continue  # maxmemory 0 means unlimited: there is no limit to be near
        peak, limit = max(v for _, v in points), max(limit_values)
        if peak / limit >= SATURATION:
            detail = f"peak {format_value(peak, Kind.BYTES)} of maxmemory {format_value(limit, Kind.BYTES)}"
            sources = (_source(used, series), _source(maximum, limit_series))
            hints.append(Hint("saturation", f"Redis memory at {peak / limit:.0%} of maxmemory", detail, sources))
    return hints


def saturation_hints(context: Mapping[str, Any] | None) -> list[Hint]:
    return [
        *_saturation(context, "db_connections", "db_max_connections", "PostgreSQL connections", Kind.NUMBER),
        *_saturation(context, "pool_in_use", "pool_max", "The application's DB pool", Kind.NUMBER),
        *_redis_saturation(context),
    ]


def growth(points: Sequence[tuple[float, float]]) -> float | None:
    """Relative growth (last third vs first third) of a series that mostly climbs; None when it does not."""
    values = [v for _, v in points]
    if len(values) < MIN_TREND_POINTS:
        return None
    third = len(values) // 3
    first, middle, last = values[:third], values[third:-third], values[-third:]
    start, mid, end = statistics.fmean(first), statistics.fmean(middle), statistics.fmean(last)
    if start <= 0 or not start <= mid <= end:
        return None
    steps = [b - a for a, b in itertools.pairwise(values)]
    if sum(1 for s in steps if s >= 0) < CLIMBING_STEPS * len(steps):
        return None
    rise = end / start - 1
    return rise if rise > GROWTH else None


def _growth_hint(found: Mapping[str, Any], series: Series, what: str) -> Hint | None:
    points = finite_points(series)
    rise = growth(points)
    if rise is None:
        return None
    third = len(points) // 3
    start = statistics.fmean(v for _, v in points[:third])
    end = statistics.fmean(v for _, v in points[-third:])
    labels = describe_labels(dict(series.get("labels", {})))
    detail = (
        f"{labels}: mean {format_value(start, Kind.BYTES)} over the first third of the run, "
        f"{format_value(end, Kind.BYTES)} over the last third (+{rise:.0%}), climbing throughout"
    )
    return Hint("memory-growth", f"{what} grows through the run", detail, (_source(found, series),))


def memory_growth_hints(context: Mapping[str, Any] | None) -> list[Hint]:
    hints = []
    for id, what in (("process_memory", "Process memory"), ("redis_memory_used", "Redis memory")):
        found = entry(context, id)
        if found is None:
            continue
        for series in found.get("series", []):
            hint = _growth_hint(found, series, what)
            if hint is not None:
                hints.append(hint)
    return hints


def _well_above(value: float, median: float, factor: float, floor: float) -> bool:
    return value >= factor * median and value - median >= floor


def burst_buckets(errors: Mapping[float, float], latency: Mapping[float, float]) -> list[tuple[float, float, float]]:
    """(t, error ratio, p95) of the buckets where both are well above their medians over the run."""
    common = sorted(set(errors) & set(latency))
    if len(common) < MIN_BURST_BUCKETS:
        return []
    error_median = statistics.median(errors[t] for t in common)
    latency_median = statistics.median(latency[t] for t in common)
    return [
        (t, errors[t], latency[t])
        for t in common
        if _well_above(errors[t], error_median, ERROR_FACTOR, ERROR_FLOOR)
        and _well_above(latency[t], latency_median, LATENCY_FACTOR, LATENCY_FLOOR)
    ]


def _burst_hint(side: str, buckets: list[tuple[float, float, float]], origin: float, sources: tuple[str, ...]) -> Hint:
    worst = max(buckets, key=lambda b: b[1])
    times = ", ".join(_clock(t, origin) for t, _, _ in buckets[:8]) + (" …" if len(buckets) > 8 else "")
    detail = (
        f"{len(buckets)} time bucket(s) where the error ratio and p95 are both well above their run medians "
        f"(at {times}); worst: {format_value(worst[1], Kind.RATIO)} errors with p95 "
        f"{format_value(worst[2], Kind.DURATION)}"
    )
    return Hint("error-latency-burst", f"Error bursts line up with latency spikes ({side})", detail, sources)


def server_burst_hints(context: Mapping[str, Any] | None) -> list[Hint]:
    errors, latency = entry(context, "http_error_ratio"), entry(context, "http_latency_p95")
    if errors is None or latency is None or not errors["series"] or not latency["series"]:
        return []
    error_points = dict(finite_points(errors["series"][0]))
    latency_points = dict(finite_points(latency["series"][0]))
    buckets = burst_buckets(error_points, latency_points)
    if not buckets:
        return []
    origin = min(error_points)
    sources = (_source(errors, errors["series"][0]), _source(latency, latency["series"][0]))
    return [_burst_hint("server side", buckets, origin, sources)]


def client_burst_hints(history: Sequence[HistoryPoint]) -> list[Hint]:
    """Per interval of the Locust history: failures / requests of that interval, and Locust's p95."""
    errors: dict[float, float] = {}
    latency: dict[float, float] = {}
    for before, after in itertools.pairwise(history):
        done = _delta(before.total_requests, after.total_requests)
        failed = _delta(before.total_failures, after.total_failures)
        if done and failed is not None and after.p95 is not None and after.timestamp > before.timestamp:
            errors[after.timestamp] = failed / done
            latency[after.timestamp] = after.p95
    buckets = burst_buckets(errors, latency)
    if not buckets:
        return []
    source = "locust_stats_history.csv Aggregated: Total Failure Count / Total Request Count per interval, 95%"
    return [_burst_hint("client side", buckets, history[0].timestamp, (source,))]


def _delta(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def generator_cpu_percent(run: Mapping[str, Any] | None) -> float | None:
    cpu = ((run or {}).get("load") or {}).get("generator_cpu") or {}
    peak = cpu.get("peak_percent")
    return float(peak) if isinstance(peak, (int, float)) else None


def generator_hints(run: Mapping[str, Any] | None) -> list[Hint]:
    peak = generator_cpu_percent(run)
    if peak is None or peak < GENERATOR_CPU_PERCENT:
        return []
    detail = (
        f"the load generator peaked at {peak:.0f} % CPU: client-side latencies include time waiting for the "
        "generator itself, so latency verdicts are unreliable; add workers (--workers) or machines"
    )
    source = "run.json load.generator_cpu.peak_percent"
    return [Hint("generator-cpu", "Load generator CPU saturated", detail, (source,))]


def compute_hints(
    context: Mapping[str, Any] | None,
    run: Mapping[str, Any] | None = None,
    history: Sequence[HistoryPoint] = (),
) -> list[Hint]:
    """Every hint the data supports, most actionable first."""
    return [
        *generator_hints(run),
        *saturation_hints(context),
        *server_burst_hints(context),
        *client_burst_hints(history),
        *memory_growth_hints(context),
    ]


def _clock(t: float, origin: float) -> str:
    seconds = max(0, round(t - origin))
    return f"{seconds // 60}:{seconds % 60:02d}"
