"""`history.json` in a run directory: what a later comparison needs, in a versioned format (docs/baselines.md).

- the client latency histograms per endpoint and for the aggregate (`LogHistogram` wire form: mergeable,
  every percentile within 0.5 %), and per interval of about a second each endpoint's histogram of successful
  requests (v2), so a later run can compare interval by interval (the judge's blocks);
- for every Prometheus/Loki objective, its series over the window at one fixed step (the objective's query
  with `$__range` and `$__interval` set to that step, so the points do not overlap), with the query and step.

Reading turns a stored run into the judge's `Samples`; nothing here evaluates anything.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from slocheck.app.concurrency import PoolInterrupted, run_bounded
from slocheck.app.intervals import interval_samples
from slocheck.core.baseline import Samples
from slocheck.core.errors import BackendError, ConfigError
from slocheck.core.model import LocustIndicator, LokiIndicator, Objective, PrometheusIndicator, Window
from slocheck.core.spec.templating import render
from slocheck.load.histogram import LogHistogram
from slocheck.load.stats import AGGREGATED, ClientStats, EndpointStats
from slocheck.load.timeline import Slot, Timeline
from slocheck.sources.protocols import MetricsBackend

HISTORY_FILE = "history.json"
HISTORY_SCHEMA = "slocheck.history/v2"
# v1 (before per-interval client histograms) stays readable: its series and histograms still serve compare and
# the trend; its client latency cannot be judged (the judge needs intervals) and says so.
READABLE_SCHEMAS = (HISTORY_SCHEMA, "slocheck.history/v1")
# About this many points per series; never finer than two scrapes (a rate needs two samples).
TARGET_POINTS = 200
FALLBACK_SCRAPE_SECONDS = 15.0
MAX_WORKERS = 4


def series_step(window_seconds: float, scrape_interval_seconds: float | None) -> float:
    """The fixed step of the stored series: ≥ 2 scrape intervals, ≤ TARGET_POINTS points, whole seconds."""
    scrape = scrape_interval_seconds or FALLBACK_SCRAPE_SECONDS
    return float(max(math.ceil(2 * scrape), math.ceil(window_seconds / TARGET_POINTS), 1))


def client_section(stats: ClientStats) -> dict[str, Any]:
    endpoints = sorted(stats.entries.values(), key=lambda e: (e.name, e.method))
    return {
        "relative_accuracy": 0.005,
        "endpoints": [{"method": e.method, "name": e.name, "histogram": e.times.to_wire()} for e in endpoints],
        "aggregated": stats.total.times.to_wire(),
        "intervals": stats.timeline.to_wire(),
    }


def _series_entry(objective: Objective, window: Window, backend: MetricsBackend, step: float) -> dict[str, Any]:
    indicator = objective.indicator
    assert isinstance(indicator, PrometheusIndicator | LokiIndicator)
    # `$__range` of every point covers one step: consecutive points share no sample.
    piece = Window(window.start, window.start + timedelta(seconds=step))
    query = render(indicator.template or indicator.query, indicator.variables, piece, step)
    entry: dict[str, Any] = {"backend": indicator.backend, "query": query, "step_seconds": step}
    try:
        answer = backend.range(query, window.start, window.end, step)
    except BackendError as exc:
        return {**entry, "status": "error", "note": str(exc), "series": []}
    series = [
        {"labels": dict(labels), "points": [[t, v if math.isfinite(v) else None] for t, v in points]}
        for labels, points in answer.series
    ]
    return {**entry, "status": "ok" if series else "no_data", "series": series}


def collect_series(
    objectives: Sequence[Objective],
    window: Window,
    backends: Mapping[str, MetricsBackend | None],
    step: float,
) -> dict[str, dict[str, Any]]:
    """Every Prometheus/Loki objective's series at `step` over the window; a failed query is recorded, not raised."""
    chosen = [
        (o, backends.get(o.indicator.backend))
        for o in objectives
        if isinstance(o.indicator, PrometheusIndicator | LokiIndicator)
    ]
    calls = [functools.partial(_series_entry, o, window, b, step) for o, b in chosen if b is not None]
    keys = [o.key for o, b in chosen if b is not None]
    try:
        found = run_bounded(calls, MAX_WORKERS, "slocheck-history")
    except PoolInterrupted as stop:  # Ctrl-C: keep what arrived; the rest say why they are missing
        interrupted = {"status": "error", "note": "interrupted before this series was read", "series": []}
        partial = [stop.done.get(i, interrupted) for i in range(len(calls))]
        raise SeriesInterrupted(dict(zip(keys, partial, strict=True))) from None
    return dict(zip(keys, found, strict=True))


class SeriesInterrupted(KeyboardInterrupt):
    """Ctrl-C/SIGTERM while reading the series; `series` holds what arrived. The interrupt goes on up: the run
    must stop at once, not go on to its next queries."""

    def __init__(self, series: dict[str, dict[str, Any]]) -> None:
        super().__init__("interrupted while reading the run's series")
        self.series = series


class HistoryInterrupted(KeyboardInterrupt):
    """Ctrl-C/SIGTERM while recording the history; `history` is the document with what arrived."""

    def __init__(self, history: dict[str, Any]) -> None:
        super().__init__("interrupted while recording the run's history")
        self.history = history


def history_document(
    run_id: str, window: Window, stats: ClientStats | None, series: Mapping[str, Any], step: float
) -> dict[str, Any]:
    return {
        "schema": HISTORY_SCHEMA,
        "run_id": run_id,
        "window": {"start": window.start.isoformat(), "end": window.end.isoformat(), "seconds": window.seconds},
        "series_step_seconds": step,
        "client": client_section(stats) if stats is not None else None,
        "objectives": dict(series),
    }


def render_history(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=1, allow_nan=False) + "\n"


def read_history(run_dir: Path) -> dict[str, Any] | None:
    """history.json of a run directory; None for runs older than the format; a ConfigError when unreadable."""
    path = run_dir / HISTORY_FILE
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid JSON ({exc}); the run's history cannot be used") from None
    schema = document.get("schema") if isinstance(document, dict) else None
    if schema not in READABLE_SCHEMAS:
        raise ConfigError(
            f"{path}: history format {schema!r} is not one this slocheck reads ({', '.join(READABLE_SCHEMAS)}); "
            "upgrade slocheck"
        )
    return dict(document)


@dataclass(frozen=True)
class ClientHistograms:
    """The stored client histograms of one run, by (method, name), plus the aggregate and the per-interval
    histograms (None: a v1 history, written before they were kept)."""

    endpoints: dict[tuple[str, str], LogHistogram]
    aggregated: LogHistogram
    slots: tuple[Slot, ...] | None = None

    @classmethod
    def of(cls, history: Mapping[str, Any] | None) -> ClientHistograms | None:
        client = (history or {}).get("client")
        if not client:
            return None
        endpoints = {
            (str(e["method"]), str(e["name"])): LogHistogram.from_wire(e["histogram"]) for e in client["endpoints"]
        }
        intervals = client.get("intervals")
        slots = tuple(Timeline.from_wire(intervals)) if intervals is not None else None
        return cls(endpoints, LogHistogram.from_wire(client["aggregated"]), slots)

    def select(self, indicator: LocustIndicator) -> LogHistogram | None:
        """The histogram a locust objective measures: the aggregate, one method, or one request."""
        if indicator.request is None and indicator.method is None:
            return self.aggregated
        merged = EndpointStats("", AGGREGATED)
        for _key, histogram in self.matching(indicator):
            merged.times.merge(histogram)
        return merged.times if merged.count else None

    def matching(self, indicator: LocustIndicator) -> list[tuple[tuple[str, str], LogHistogram]]:
        """The endpoints a locust objective covers, each on its own (the judge's strata)."""
        found = []
        for (method, name), histogram in sorted(self.endpoints.items()):
            same_method = indicator.method is None or method.upper() == indicator.method.upper()
            if same_method and (indicator.request is None or name == indicator.request):
                found.append(((method, name), histogram))
        return found

    def samples(self, indicator: LocustIndicator, width: float) -> Samples | None:
        """The judge's observations: per block of `width` seconds, the median of the selection's successful
        requests, and one stratum per endpoint; None without per-interval histograms or requests."""
        if self.slots is None:
            return None
        return interval_samples(self.slots, [key for key, _h in self.matching(indicator)], width)


NO_INTERVALS = (
    "{run} stored no per-interval client histograms (history {schema}, written before slocheck.history/v2); "
    "the judge compares intervals of the run, not single requests"
)


def client_judge_gap(history: Mapping[str, Any] | None, run: str) -> str:
    """Why a run's history cannot give client-latency observations, or "" when it can."""
    if history is None:
        return f"{run} has no history.json (an older run)"
    client = history.get("client")
    if not client:
        return f"{run} has no client statistics (an `evaluate` window)"
    if client.get("intervals") is None:
        return NO_INTERVALS.format(run=run, schema=history.get("schema"))
    return ""


def series_samples(entry: Mapping[str, Any] | None) -> Samples | None:
    """Every finite point of every stored series of one objective (pooled)."""
    if not entry or entry.get("status") != "ok":
        return None
    values = tuple(float(v) for s in entry.get("series", []) for _, v in s.get("points", []) if v is not None)
    return Samples(values, (), f"points at a {entry.get('step_seconds'):g} s step") if values else None


def samples_from(
    objectives: Sequence[Objective], history: Mapping[str, Any] | None, width: float
) -> dict[str, Samples]:
    """The judge's observations for every objective with `compare:` that this run's history can give; client
    latency in blocks of `width` seconds (the same width for both runs of a comparison)."""
    client = ClientHistograms.of(history)
    found: dict[str, Samples] = {}
    for objective in objectives:
        if objective.compare is None:
            continue
        indicator = objective.indicator
        if isinstance(indicator, LocustIndicator):
            client_samples = client.samples(indicator, width) if client is not None else None
            if client_samples is not None:
                found[objective.key] = client_samples
            continue
        samples = series_samples(((history or {}).get("objectives") or {}).get(objective.key))
        if samples is not None:
            found[objective.key] = samples
    return found


def record_history(
    objectives: Sequence[Objective],
    window: Window,
    prometheus: MetricsBackend | None,
    loki: MetricsBackend | None,
    stats: ClientStats | None,
    run_id: str,
) -> dict[str, Any]:
    """The history document of a run: client histograms and every metric objective's series at one step."""
    scrape = getattr(prometheus, "scrape_interval", lambda: None)() if prometheus is not None else None
    step = series_step(window.seconds, scrape)
    try:
        series = collect_series(objectives, window, {"prometheus": prometheus, "loki": loki}, step)
    except SeriesInterrupted as stop:
        raise HistoryInterrupted(history_document(run_id, window, stats, stop.series, step)) from None
    return history_document(run_id, window, stats, series, step)
