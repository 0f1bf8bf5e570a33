"""Measure `prometheus: {count|rate|ratio: …}`: fetch the raw counter samples around the window, count the
events exactly in pure code (core/counters.py), and show the count, the window and the series born in it."""

from __future__ import annotations

import math
from datetime import timedelta

from slocheck.core.counters import GroupCount, SeriesCount, bracket_gaps, count_all, group_counts
from slocheck.core.errors import BackendError
from slocheck.core.model import (
    CounterSpec,
    Measurement,
    MeasurementStatus,
    Objective,
    PrometheusIndicator,
    SeriesValue,
    Window,
    describe_labels,
)
from slocheck.core.spec.templating import render
from slocheck.sources.protocols import CounterBackend, MetricsBackend

# How far before the start a series' earlier scrape is looked for (Prometheus' staleness period), and how far
# after the end the scrape that follows it may be.
LOOKBACK = timedelta(minutes=5)
LOOKAHEAD = timedelta(minutes=5)
NO_REQUESTS = "no requests for this series in the window"


def fetch_counts(backend: CounterBackend, selector: str, window: Window) -> tuple[SeriesCount, ...]:
    answer = backend.raw_samples(selector, window.start - LOOKBACK, window.end + LOOKAHEAD)
    return count_all(answer.series, window.start.timestamp(), window.end.timestamp())


def measure_counter(
    objective: Objective, indicator: PrometheusIndicator, window: Window, backend: MetricsBackend
) -> Measurement:
    spec = indicator.counter
    assert spec is not None  # only counter indicators come here
    shown = indicator.query
    if not isinstance(backend, CounterBackend):
        reason = f"{backend.name} cannot return raw samples, which {spec.form} needs; use a PromQL query"
        return Measurement(objective.key, "prometheus", shown, MeasurementStatus.ERROR, reason=reason)
    try:
        counted = fetch_counts(backend, render(spec.selector, indicator.variables, window), window)
        totals = fetch_counts(backend, render(spec.total, indicator.variables, window), window) if spec.total else ()
    except BackendError as exc:
        return Measurement(objective.key, "prometheus", shown, MeasurementStatus.ERROR, reason=str(exc))
    every = counted + totals
    if not (totals if spec.total else counted):
        reason = f"no series of {spec.total or spec.selector} has a sample in the window (or {LOOKBACK} before it)"
        return Measurement(objective.key, "prometheus", shown, MeasurementStatus.NO_DATA, (), reason, 0)
    series = _values(spec, group_counts(counted, spec.by), group_counts(totals, spec.by), window)
    details = counter_details(spec, counted, totals, window)
    if all(math.isnan(s.value) for s in series):
        return Measurement(objective.key, "prometheus", shown, MeasurementStatus.NO_DATA, series, NO_REQUESTS,
                           len(every), details)  # fmt: skip
    return Measurement(objective.key, "prometheus", shown, MeasurementStatus.OK, series, "", len(every), details)


def _values(
    spec: CounterSpec, counted: tuple[GroupCount, ...], totals: tuple[GroupCount, ...], window: Window
) -> tuple[SeriesValue, ...]:
    if spec.form == "count":
        return tuple(SeriesValue(g.labels, g.events) for g in counted)
    if spec.form == "rate":
        return tuple(SeriesValue(g.labels, g.events / window.seconds) for g in counted)
    numerators = {describe_labels(g.labels): g.events for g in counted}
    values = []
    for group in totals:
        part = numerators.get(describe_labels(group.labels), 0.0)  # no bad series at all: no bad events
        values.append(SeriesValue(group.labels, part / group.events if group.events > 0 else math.nan))
    return tuple(values)


def counter_details(
    spec: CounterSpec, counted: tuple[SeriesCount, ...], totals: tuple[SeriesCount, ...], window: Window
) -> dict[str, object]:
    """The evidence: counts per group, the window, the series born in it, and the error bound."""
    start, end = window.start.timestamp(), window.end.timestamp()
    every = counted + totals
    start_gap, end_gap = bracket_gaps(every, start, end)
    details: dict[str, object] = {
        "form": spec.form,
        "window_start": window.start.isoformat(),
        "window_end": window.end.isoformat(),
        "window_seconds": window.seconds,
        "counts": {describe_labels(g.labels): g.events for g in group_counts(counted, spec.by)},
        "series": len(every),
        "born_in_window": sorted({describe_labels(c.labels, ["__name__"]) for c in every if c.born}),
        "counter_resets": sum(c.resets for c in every),
        "start_gap_seconds": round(start_gap, 3),
        "end_gap_seconds": round(end_gap, 3),
        "error_bound": (
            f"events up to {start_gap:.3g}s before the start and {end_gap:.3g}s after the end are included "
            "(the scrapes that bracket the window)"
        ),
    }
    if spec.total:
        details["totals"] = {describe_labels(g.labels): g.events for g in group_counts(totals, spec.by)}
        details["numerator"] = spec.numerator
    uncovered = sorted({describe_labels(c.labels, ["__name__"]) for c in every if not c.end_covered})
    if uncovered:
        details["end_not_scraped"] = uncovered  # no scrape after the end yet: events after the last may be missing
    return details
