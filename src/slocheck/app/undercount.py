"""Warn where plain PromQL undercounts: `rate()`/`increase()` over a counter whose series were born inside the
window never see those series' first values (there is no earlier sample), and extrapolate at the edges.

For every counter selector inside `rate(…[…])`, `increase(…[…])` or `irate(…[…])` of a Prometheus query, the raw
samples are read and counted exactly (core/counters.py); series without a scrape before the window start were
born in it. The warning names them, the events their first scrapes hold (the least `rate()` misses), the exact
count, and the form that counts them.
"""

from __future__ import annotations

import re

from slocheck.app.measure_counters import fetch_counts
from slocheck.core.errors import BackendError
from slocheck.core.model import Objective, PrometheusIndicator, Window
from slocheck.core.spec.templating import render
from slocheck.sources.protocols import CounterBackend, MetricsBackend

_COUNTER_FUNCTION_RE = re.compile(r"\b(rate|increase|irate)\s*\(\s*([^()\[\]]+?)\s*\[")


def counter_selectors_of(query: str) -> list[tuple[str, str]]:
    """(function, selector) for every `rate(sel[…])`-like call in a PromQL query, in order, without repeats."""
    found: list[tuple[str, str]] = []
    for match in _COUNTER_FUNCTION_RE.finditer(query):
        pair = (match.group(1), match.group(2).strip())
        if pair not in found:
            found.append(pair)
    return found


def undercount_warning(
    objective: Objective, indicator: PrometheusIndicator, window: Window, backend: MetricsBackend
) -> str:
    """The warning for this objective, or "" when no selector it reads over a counter function has a series
    born inside the window (or the raw samples cannot be read)."""
    if indicator.counter is not None or not isinstance(backend, CounterBackend):
        return ""
    query = render(indicator.template or indicator.query, indicator.variables, window)
    parts = []
    for function, selector in counter_selectors_of(query):
        try:
            counts = fetch_counts(backend, selector, window)
        except BackendError:
            continue  # the objective's own query reports the backend's trouble
        born = [c for c in counts if c.born]
        if not born:
            continue
        exact = sum(c.events for c in counts)
        missed = sum(c.born_value for c in born)
        share = f" ({missed / exact:.1%} of it)" if exact > 0 else ""
        parts.append(
            f"{len(born)} of {len(counts)} series of {selector} were born inside the window: {function}() cannot "
            f"see their first scraped values, about {missed:g} of the {exact:g} events counted exactly{share}"
        )
    if not parts:
        return ""
    return (
        "; ".join(parts) + ". The result can be low by that much (edge extrapolation aside); count exactly "
        "with prometheus: {count: '<selector>'}, {rate: '<selector>'} or {ratio: {bad|good: …, total: …}}"
    )
