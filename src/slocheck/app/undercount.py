"""Warn where plain PromQL undercounts: `rate()`/`increase()` over a counter whose series were born inside the
window never see those series' first values (there is no earlier sample), and extrapolate at the edges.

For every counter selector inside `rate(…[…])`, `increase(…[…])` or `irate(…[…])` of a Prometheus query, the raw
samples are read and counted exactly (core/counters.py); series without a scrape before the window start were
born in it. The warning names them, the events their first scrapes hold (the least `rate()` misses), the exact
count, and the form that counts them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from slocheck.app.measure_counters import LOOKBACK, fetch_counts
from slocheck.core.counters import SeriesCount
from slocheck.core.errors import BackendError
from slocheck.core.model import Objective, PrometheusIndicator, Window
from slocheck.core.spec.templating import render
from slocheck.sources.protocols import CounterBackend, MetricsBackend

# `validate --online` has no run window: it looks this far back for series that appeared recently.
RECENT = timedelta(minutes=5)
COUNT_EXACTLY = (
    "count exactly with prometheus: {count: '<selector>'}, {rate: '<selector>'} or {ratio: {bad|good: …, total: …}}"
)
_COUNTER_FUNCTION_RE = re.compile(r"\b(rate|increase|irate)\s*\(\s*([^()\[\]]+?)\s*\[")


def counter_selectors_of(query: str) -> list[tuple[str, str]]:
    """(function, selector) for every `rate(sel[…])`-like call in a PromQL query, in order, without repeats."""
    found: list[tuple[str, str]] = []
    for match in _COUNTER_FUNCTION_RE.finditer(query):
        pair = (match.group(1), match.group(2).strip())
        if pair not in found:
            found.append(pair)
    return found


def _born_inside(
    indicator: PrometheusIndicator, window: Window, backend: CounterBackend
) -> Iterator[tuple[str, str, tuple[SeriesCount, ...], list[SeriesCount]]]:
    """(function, selector, every series' count, the series born inside `window`) for each counter selector the
    query reads through rate()/increase()/irate() that has a series born inside the window."""
    query = render(indicator.template or indicator.query, indicator.variables, window)
    for function, selector in counter_selectors_of(query):
        try:
            if not _any_born(backend, selector, window):
                continue
            counts = fetch_counts(backend, selector, window)
        except BackendError:
            continue  # the objective's own query reports the backend's trouble
        born = [c for c in counts if c.born]
        if born:
            yield function, selector, counts, born


def _any_born(backend: CounterBackend, selector: str, window: Window) -> bool:
    """Whether a series of `selector` has samples in the window but none in the look-back before its start — one
    count Prometheus computes, so the raw samples (an hour of 1 s scrapes is 3,600 per series) are read only for a
    selector that has such a series."""
    inside = max(1, round(window.seconds * 1000))
    before = round(LOOKBACK.total_seconds() * 1000)
    born = (f"count(last_over_time({selector}[{inside}ms]) unless "
            f"last_over_time({selector}[{before}ms] @ {window.start.timestamp():.3f}))")  # fmt: skip
    return any(s.value > 0 for s in backend.instant(born, window.end).series)


def undercount_warning(
    objective: Objective, indicator: PrometheusIndicator, window: Window, backend: MetricsBackend
) -> str:
    """The warning for this objective, or "" when no selector it reads over a counter function has a series
    born inside the window (or the raw samples cannot be read)."""
    if indicator.counter is not None or not isinstance(backend, CounterBackend):
        return ""
    parts = []
    for function, selector, counts, born in _born_inside(indicator, window, backend):
        exact = sum(c.events for c in counts)
        missed = sum(c.born_value for c in born)
        share = f" ({missed / exact:.1%} of it)" if exact > 0 else ""
        parts.append(
            f"{len(born)} of {len(counts)} series of {selector} were born inside the window: {function}() cannot "
            f"see their first scraped values, about {missed:g} of the {exact:g} events counted exactly{share}"
        )
    if not parts:
        return ""
    return "; ".join(parts) + f". The result can be low by that much (edge extrapolation aside); {COUNT_EXACTLY}"


def recently_born_warnings(objectives: Sequence[Objective], now: datetime, backend: MetricsBackend) -> list[str]:
    """For `validate --online`: objectives whose rate()/increase() counters have series that first appeared in
    the last RECENT minutes — label sets created on first use, so a run's series will be born inside its window."""
    if not isinstance(backend, CounterBackend):
        return []
    window, warnings = Window(now - RECENT, now), []
    for objective in objectives:
        indicator = objective.indicator
        if not isinstance(indicator, PrometheusIndicator) or indicator.counter is not None:
            continue
        for function, selector, counts, born in _born_inside(indicator, window, backend):
            warnings.append(
                f"{objective.key}: {len(born)} of {len(counts)} series of {selector} first appeared in the last "
                f"{RECENT.seconds // 60} minutes (label sets created on first use?): {function}() will miss the "
                f"first values of series born during a run and read low; {COUNT_EXACTLY}"
            )
    return warnings
