"""Client-side statistics computed from the raw timing of every request (Locust's `request` event).

Locust's own statistics round response times to two significant digits before bucketing; slocheck keeps a
`LogHistogram` per (method, name) and for the aggregate instead (see `histogram.py` and docs/client-stats.md):
percentiles within 0.5 % of the exact value, memory independent of the run's length, and histograms from worker
processes merge exactly on the master.

Values leave this module in base units: seconds, requests per second, ratios.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from slocheck.core.model import LocustIndicator, Measurement, MeasurementStatus, Objective, SeriesValue
from slocheck.load.histogram import LogHistogram
from slocheck.load.timeline import Timeline

AGGREGATED = "Aggregated"
MAX_DISTINCT_ERRORS = 500
OTHER_ERRORS = "(other errors: more than 500 distinct error messages)"
PERCENTILES: dict[str, float] = {"p50": 0.5, "p90": 0.9, "p95": 0.95, "p99": 0.99, "p99.9": 0.999}
STATS = (*PERCENTILES, "avg", "max", "rps", "fail_ratio", "count", "failures", "dropped", "achieved_rate")
# Stats of the run as a whole (arrival-rate profiles), not of a request.
RUN_STATS = ("dropped", "achieved_rate")


@dataclass
class EndpointStats:
    """Everything kept for one (method, name), or for the aggregate."""

    method: str
    name: str
    times: LogHistogram = field(default_factory=LogHistogram)
    failures: int = 0
    size_total: int = 0
    ok_times: LogHistogram = field(default_factory=LogHistogram)  # successful requests only: what objectives judge
    # Arrival-rate runs: each request's latency from its iteration's scheduled start.
    scheduled: LogHistogram = field(default_factory=LogHistogram)

    @property
    def count(self) -> int:
        return self.times.count

    @property
    def fail_ratio(self) -> float:
        return self.failures / self.count if self.count else math.nan

    @property
    def successes(self) -> int:
        return self.ok_times.count

    def add(self, seconds: float, size: int, failed: bool) -> None:
        self.times.add(seconds)
        if not failed:
            self.ok_times.add(seconds)
        self.size_total += size
        self.failures += failed

    def merge(self, other: EndpointStats) -> None:
        self.times.merge(other.times)
        self.ok_times.merge(other.ok_times)
        self.scheduled.merge(other.scheduled)
        self.failures += other.failures
        self.size_total += other.size_total

    def to_wire(self) -> dict[str, Any]:
        wire = {"m": self.method, "r": self.name, "h": self.times.to_wire(), "f": self.failures, "b": self.size_total}
        wire |= {"o": self.ok_times.to_wire()}
        if self.scheduled.count:
            wire["s"] = self.scheduled.to_wire()
        return wire

    def merge_wire(self, data: Mapping[str, Any]) -> None:
        """`merge(EndpointStats.from_wire(data))` without the intermediate histograms."""
        self.times.merge_wire(data["h"])
        self.ok_times.merge_wire(data["o"])
        if "s" in data:
            self.scheduled.merge_wire(data["s"])
        self.failures += int(data["f"])
        self.size_total += int(data["b"])

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> EndpointStats:
        times, ok_times = LogHistogram.from_wire(data["h"]), LogHistogram.from_wire(data["o"])
        scheduled = LogHistogram.from_wire(data["s"]) if "s" in data else LogHistogram()
        return cls(str(data["m"]), str(data["r"]), times, int(data["f"]), int(data["b"]), ok_times, scheduled)

    def row(self, window_seconds: float) -> dict[str, Any]:
        """One line of the per-endpoint table (latencies in seconds, rates per second)."""
        times = self.times
        return {
            "method": self.method,
            "name": self.name,
            "requests": self.count,
            "failures": self.failures,
            "fail_ratio": _finite(self.fail_ratio),
            "avg": _finite(times.mean),
            **{stat: _finite(times.quantile(q)) for stat, q in PERCENTILES.items()},
            "max": _finite(times.max) if self.count else None,
            "avg_size": self.size_total / self.count if self.count else None,
            "rps": self.count / window_seconds if window_seconds > 0 else None,
            **self.scheduled_row(),
        }

    def scheduled_row(self) -> dict[str, Any]:
        """Latency from the scheduled start (arrival-rate runs only), beside the send-time columns."""
        if not self.scheduled.count:
            return {}
        return {f"scheduled_{stat}": _finite(self.scheduled.quantile(q)) for stat, q in PERCENTILES.items()}


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


class ClientStats:
    """Per-request statistics of one run; fed by `on_request`, merged across processes with `merge_wire`."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], EndpointStats] = {}
        self.total = EndpointStats("", AGGREGATED)
        self.errors: dict[tuple[str, str, str], int] = {}
        self.window_seconds = 0.0
        # Arrival-rate runs: iterations scheduled, started (handed to a free user) and dropped (no user free);
        # schedule_seconds: how long the schedule took to run (longer than planned when the generator lagged).
        self.open_model = False
        self.scheduled = 0
        self.iterations = 0
        self.dropped = 0
        self.schedule_seconds = 0.0
        # Per-interval endpoint histograms (successful requests), filled by the runner's once-a-second sample.
        self.timeline = Timeline()

    def snapshot_interval(self, elapsed: float) -> None:
        """Close the current interval of the timeline `elapsed` seconds after the load started."""
        self.timeline.snapshot(elapsed, {key: entry.ok_times for key, entry in self.entries.items()})

    @property
    def achieved_rate(self) -> float:
        """Iterations started per second over the schedule actually run."""
        return self.iterations / self.schedule_seconds if self.schedule_seconds > 0 else math.nan

    def record_scheduled(self, method: str, name: str, seconds: float) -> None:
        """A request's latency from its iteration's scheduled start (recorded beside `record`)."""
        entry = self.entries.get((method, name))
        if entry is None:
            entry = self.entries[(method, name)] = EndpointStats(method, name)
        entry.scheduled.add(seconds)
        self.total.scheduled.add(seconds)

    def record(self, method: str, name: str, seconds: float, size: int, error: str | None) -> None:
        """One finished request: `error` is None for a success."""
        key = (method, name)
        entry = self.entries.get(key)
        if entry is None:
            entry = self.entries[key] = EndpointStats(method, name)
        failed = error is not None
        entry.add(seconds, size, failed)
        self.total.add(seconds, size, failed)
        if error is not None:
            self._count_error(method, name, error, 1)

    def on_request(
        self,
        request_type: str,
        name: str,
        response_time: float | None,
        response_length: int | None,
        exception: BaseException | str | None = None,
        **_kwargs: object,
    ) -> None:
        """A listener for Locust's `events.request` (response_time in milliseconds).

        Fast path (every request but the first of an endpoint and the failures): add straight to the known entry and
        the aggregate, skipping `record()` and its conversions.
        """
        if exception is None:
            entry = self.entries.get((request_type, name))
            if entry is not None:
                seconds = (response_time or 0.0) / 1000.0
                size = int(response_length or 0)
                entry.times.add(seconds)
                entry.ok_times.add(seconds)
                entry.size_total += size
                total = self.total
                total.times.add(seconds)
                total.ok_times.add(seconds)
                total.size_total += size
                return
        error = None if exception is None else describe_error(exception)
        seconds = (response_time or 0.0) / 1000.0
        self.record(str(request_type), str(name), seconds, int(response_length or 0), error)

    def _count_error(self, method: str, name: str, error: str, n: int) -> None:
        key = (method, name, error)
        if key not in self.errors and len(self.errors) >= MAX_DISTINCT_ERRORS:
            key = (method, name, OTHER_ERRORS)
        self.errors[key] = self.errors.get(key, 0) + n

    @property
    def count(self) -> int:
        return self.total.count

    def merge(self, other: ClientStats) -> None:
        for key, entry in other.entries.items():
            mine = self.entries.get(key)
            if mine is None:
                mine = self.entries[key] = EndpointStats(entry.method, entry.name)
            mine.merge(entry)
        self.total.merge(other.total)
        for (method, name, error), n in other.errors.items():
            self._count_error(method, name, error, n)
        self.open_model = self.open_model or other.open_model
        self.scheduled += other.scheduled
        self.iterations += other.iterations
        self.dropped += other.dropped
        self.schedule_seconds = max(self.schedule_seconds, other.schedule_seconds)

    def to_wire(self) -> dict[str, Any]:
        """Plain data for Locust's msgpack messages (worker → master)."""
        return {
            "entries": [entry.to_wire() for entry in self.entries.values()],
            "total": self.total.to_wire(),
            "errors": [[m, r, e, n] for (m, r, e), n in self.errors.items()],
            "open": [self.open_model, self.scheduled, self.iterations, self.dropped, self.schedule_seconds],
        }

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> ClientStats:
        stats = cls()
        for item in data.get("entries", []):
            entry = EndpointStats.from_wire(item)
            stats.entries[(entry.method, entry.name)] = entry
        stats.total = EndpointStats.from_wire(data["total"])
        for method, name, error, n in data.get("errors", []):
            stats._count_error(str(method), str(name), str(error), int(n))
        if "open" in data:
            open_model, scheduled, iterations, dropped, seconds = data["open"]
            stats.open_model, stats.scheduled, stats.iterations = bool(open_model), int(scheduled), int(iterations)
            stats.dropped, stats.schedule_seconds = int(dropped), float(seconds)
        return stats

    def drain(self) -> dict[str, Any]:
        """What was recorded since the last drain, as wire data, and forget it (worker side)."""
        wire = self.to_wire()
        self.entries = {}
        self.total = EndpointStats("", AGGREGATED)
        self.errors = {}
        self.scheduled = self.iterations = self.dropped = 0
        return wire

    def merge_wire(self, data: Mapping[str, Any]) -> None:
        """`merge(ClientStats.from_wire(data))`, merging the wire histograms straight into this one's (the master
        does it for every worker report)."""
        for item in data.get("entries", []):
            key = (str(item["m"]), str(item["r"]))
            mine = self.entries.get(key)
            if mine is None:
                mine = self.entries[key] = EndpointStats(*key)
            mine.merge_wire(item)
        self.total.merge_wire(data["total"])
        for method, name, error, n in data.get("errors", []):
            self._count_error(str(method), str(name), str(error), int(n))
        if "open" in data:
            open_model, scheduled, iterations, dropped, seconds = data["open"]
            self.open_model = self.open_model or bool(open_model)
            self.scheduled += int(scheduled)
            self.iterations += int(iterations)
            self.dropped += int(dropped)
            self.schedule_seconds = max(self.schedule_seconds, float(seconds))

    def names(self) -> list[str]:
        return sorted({name for _method, name in self.entries})

    def top_failures(self, limit: int = 20) -> list[dict[str, Any]]:
        ranked = sorted(self.errors.items(), key=lambda item: (-item[1], item[0]))
        return [{"method": m, "name": r, "error": e, "occurrences": n} for (m, r, e), n in ranked[:limit]]

    def to_dict(self) -> dict[str, Any]:
        """The per-endpoint table plus the aggregate and the top failures, JSON-ready, base units."""
        ordered = sorted(self.entries.values(), key=lambda e: (e.name, e.method))
        document: dict[str, Any] = {
            "window_seconds": self.window_seconds,
            "endpoints": [entry.row(self.window_seconds) for entry in ordered],
            "aggregated": self.total.row(self.window_seconds),
            "failures": self.top_failures(),
        }
        if self.open_model:
            document["arrivals"] = {
                "scheduled": self.scheduled,
                "started": self.iterations,
                "dropped": self.dropped,
                "achieved_rate": _finite(self.achieved_rate),
                "schedule_seconds": self.schedule_seconds,
            }
        return document


def describe_error(exception: BaseException | str) -> str:
    """The error text as Locust's failure table shows it (memory addresses removed)."""
    from locust.stats import StatsError

    parse: Any = StatsError.parse_error
    return str(parse(exception))


# Over successful requests by default (a refused connection is not a 2 ms response); `include_failures` for all.
SUCCESS_STATS = (*PERCENTILES, "avg", "max", "rps")


def _describe(indicator: LocustIndicator) -> str:
    target = " ".join(part for part in (indicator.method, indicator.request) if part) or AGGREGATED
    scope = " (failed requests included)" if indicator.include_failures and indicator.stat in SUCCESS_STATS else ""
    return f"{indicator.stat} of {target}{scope}"


def _value(
    entry: EndpointStats, stat: str, window_seconds: float, include_failures: bool = False, scheduled: bool = False
) -> float:
    times = entry.times if include_failures else entry.ok_times
    if stat in PERCENTILES:
        return (entry.scheduled if scheduled else times).quantile(PERCENTILES[stat])
    values: dict[str, float] = {
        "avg": times.mean,
        "max": times.max,
        "rps": times.count / window_seconds if window_seconds > 0 else math.nan,
        "fail_ratio": entry.fail_ratio,
        "count": float(entry.count),
        "failures": float(entry.failures),
    }
    return values[stat]


def _select(stats: ClientStats, indicator: LocustIndicator) -> list[EndpointStats]:
    if indicator.request is None:
        return [stats.total] if indicator.method is None else _by_method(stats, indicator.method)
    return [
        entry
        for (method, name), entry in sorted(stats.entries.items())
        if name == indicator.request and (indicator.method is None or method.upper() == indicator.method.upper())
    ]


def _by_method(stats: ClientStats, method: str) -> list[EndpointStats]:
    """`method` without `request`: every request of that method, merged into one series."""
    merged = EndpointStats(method.upper(), AGGREGATED)
    for (entry_method, _name), entry in stats.entries.items():
        if entry_method.upper() == method.upper():
            merged.merge(entry)
    return [merged] if merged.count else []


def _labels(entry: EndpointStats, indicator: LocustIndicator) -> dict[str, str]:
    if indicator.request is None:
        return {"request": AGGREGATED} if indicator.method is None else {"request": AGGREGATED, "method": entry.method}
    return {"request": entry.name, "method": entry.method}


def client_measurement(stats: ClientStats, objective: Objective) -> Measurement:
    """Measure a `locust:` objective from this run's client statistics (base units)."""
    indicator = objective.indicator
    if not isinstance(indicator, LocustIndicator):
        raise TypeError(f"{objective.key} is not a locust indicator")
    query = _describe(indicator)

    def no_data(reason: str) -> Measurement:
        return Measurement(objective.key, "locust", query, MeasurementStatus.NO_DATA, reason=reason, sample_size=0)

    if indicator.stat not in STATS:
        return Measurement(
            objective.key,
            "locust",
            query,
            MeasurementStatus.ERROR,
            reason=f"unknown stat {indicator.stat!r}; use one of {', '.join(STATS)}",
        )
    if indicator.stat in RUN_STATS:
        return _run_measurement(stats, objective, query)
    scheduled = indicator.start == "scheduled"
    if scheduled and not stats.open_model:
        return no_data("`from: scheduled` needs an arrival-rate profile (rate: …); this run used users")
    if stats.count == 0:
        return no_data("the load run made no requests")
    selected = _select(stats, indicator)
    if not selected:
        known = ", ".join(f"{m} {n}" for m, n in sorted(stats.entries, key=lambda k: (k[1], k[0])))
        return no_data(f"no request {query.split(' of ', 1)[1]!r} in this run; known requests: {known}")
    window = stats.window_seconds
    values = [_value(e, indicator.stat, window, indicator.include_failures, scheduled) for e in selected]
    series = tuple(SeriesValue(_labels(e, indicator), v) for e, v in zip(selected, values, strict=True))
    samples = sum(e.count for e in selected)
    if indicator.stat in SUCCESS_STATS and not indicator.include_failures and not any(e.successes for e in selected):
        failed = sum(e.failures for e in selected)
        return no_data(f"no request succeeded ({failed} failed); latency and rps are over successful requests")
    if not any(math.isfinite(s.value) for s in series):
        return no_data("no finite value (empty load window)")
    details = {"window_seconds": window, "requests": samples, "failures": sum(e.failures for e in selected)}
    return Measurement(objective.key, "locust", query, MeasurementStatus.OK, series, "", samples, details)


def _run_measurement(stats: ClientStats, objective: Objective, query: str) -> Measurement:
    """`dropped` and `achieved_rate`: stats of the arrival schedule as a whole."""
    stat = objective.indicator.stat if isinstance(objective.indicator, LocustIndicator) else ""
    if not stats.open_model:
        reason = f"{stat} needs an arrival-rate profile (rate: …); this run used users"
        return Measurement(objective.key, "locust", stat, MeasurementStatus.NO_DATA, reason=reason, sample_size=0)
    value = float(stats.dropped) if stat == "dropped" else stats.achieved_rate
    if not math.isfinite(value):
        reason = "the arrival schedule did not run"
        return Measurement(objective.key, "locust", stat, MeasurementStatus.NO_DATA, reason=reason, sample_size=0)
    details = {"scheduled": stats.scheduled, "started": stats.iterations, "dropped": stats.dropped}
    series = (SeriesValue({"request": AGGREGATED}, value),)
    return Measurement(objective.key, "locust", stat, MeasurementStatus.OK, series, "", stats.scheduled, details)
