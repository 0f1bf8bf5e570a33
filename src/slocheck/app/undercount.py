"""Warn where plain PromQL undercounts: `rate()`/`increase()` over a counter whose series were born inside the
window never see those series' first values (there is no earlier sample), and extrapolate at the edges.

For every counter selector inside `rate(…[…])`, `increase(…[…])` or `irate(…[…])` of a Prometheus query, the raw
samples are read and counted exactly (core/counters.py); series without a scrape before the window start were
born in it. The warning names them, the events their first scrapes hold (the least `rate()` misses), the exact
count, and the form that counts them. `BornSeries` first asks Prometheus which selectors have a series born at all,
twenty selectors per query for a whole measurement: asked per selector, the check made the verdict of 100
objectives 75 % slower, though no series was born.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
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
# Selectors asked about per query, and the label that says which of them an answer is for.
_BATCH = 20
_POSITION = "slocheck_selector"
_COUNTER_FUNCTION_RE = re.compile(r"\b(rate|increase|irate)\s*\(\s*([^()\[\]]+?)\s*\[")


def counter_selectors_of(query: str) -> list[tuple[str, str]]:
    """(function, selector) for every `rate(sel[…])`-like call in a PromQL query, in order, without repeats."""
    found: list[tuple[str, str]] = []
    for match in _COUNTER_FUNCTION_RE.finditer(query):
        pair = (match.group(1), match.group(2).strip())
        if pair not in found:
            found.append(pair)
    return found


class BornSeries:
    """The counts of the counter selectors that have a series born inside one window. Which selectors have one is
    asked of Prometheus for all of them at once, on the first `counts()`; each such selector's raw samples are then
    read once however many objectives read it (measuring runs objectives on a pool: the first asker asks, the
    others wait for its answer)."""

    def __init__(self, backend: CounterBackend, window: Window, selectors: Sequence[str]) -> None:
        self.backend, self.window, self.selectors = backend, window, tuple(dict.fromkeys(selectors))
        self._answers: dict[str, Future[object]] = {}
        self._lock = threading.Lock()

    def counts(self, selector: str) -> tuple[SeriesCount, ...]:
        """Every series' count of `selector` when one of them was born inside the window, else ()."""
        flags = self._once("born", lambda: _born_flags(self.backend, self.selectors, self.window))
        assert isinstance(flags, dict)
        if not flags.get(selector, True):
            return ()
        counts = self._once(f"counts:{selector}", lambda: fetch_counts(self.backend, selector, self.window))
        assert isinstance(counts, tuple)
        return counts if any(c.born for c in counts) else ()

    def _once(self, key: str, ask: Callable[[], object]) -> object:
        with self._lock:
            answer = self._answers.get(key)
            mine = answer is None
            if answer is None:
                answer = self._answers[key] = Future()
        if mine:
            try:
                answer.set_result(ask())
            except BaseException as exc:  # every waiter gets the same BackendError (or interrupt)
                answer.set_exception(exc)
        return answer.result()


def born_series(backend: MetricsBackend | None, window: Window, objectives: Iterable[Objective]) -> BornSeries | None:
    """The born-series check of one measurement of `objectives`, or None when the backend cannot return raw
    samples."""
    if not isinstance(backend, CounterBackend):
        return None
    selectors = [selector for objective in objectives for _, selector in _counter_selectors(objective, window)]
    return BornSeries(backend, window, selectors)


def _counter_selectors(objective: Objective, window: Window) -> list[tuple[str, str]]:
    indicator = objective.indicator
    if not isinstance(indicator, PrometheusIndicator) or indicator.counter is not None:
        return []
    return counter_selectors_of(render(indicator.template or indicator.query, indicator.variables, window))


def _born_flags(backend: CounterBackend, selectors: Sequence[str], window: Window) -> dict[str, bool]:
    """Whether each selector has a series with a sample in the last part of the window (up to LOOKBACK) but none
    in the LOOKBACK before its start. Reading LOOKBACK, not the whole window, keeps it cheap; a series born inside
    a long window and gone LOOKBACK before its end is not seen. One query per _BATCH selectors, each answer
    labelled with the selector's position."""
    inside = max(1, round(min(window.seconds, LOOKBACK.total_seconds()) * 1000))
    before = round(LOOKBACK.total_seconds() * 1000)
    flags: dict[str, bool] = {}
    for first in range(0, len(selectors), _BATCH):
        batch = selectors[first : first + _BATCH]
        query = " or ".join(
            f"label_replace(count(last_over_time({selector}[{inside}ms]) unless last_over_time({selector}"
            f'[{before}ms] @ {window.start.timestamp():.3f})), "{_POSITION}", "{position}", "", "")'
            for position, selector in enumerate(batch)
        )
        try:
            answer = backend.instant(query, window.end)
        except BackendError:  # one selector Prometheus refuses fails its batch: read each one's samples instead
            flags |= dict.fromkeys(batch, True)
            continue
        born = {s.labels.get(_POSITION) for s in answer.series if s.value > 0}
        flags |= {selector: str(position) in born for position, selector in enumerate(batch)}
    return flags


def _born_inside(
    objective: Objective, born: BornSeries
) -> Iterator[tuple[str, str, tuple[SeriesCount, ...], list[SeriesCount]]]:
    """(function, selector, every series' count, the series born inside the window) for each counter selector the
    objective's PromQL reads through rate()/increase()/irate() that has a series born inside the window."""
    for function, selector in _counter_selectors(objective, born.window):
        try:
            counts = born.counts(selector)
        except BackendError:
            continue  # the objective's own query reports the backend's trouble
        if counts:
            yield function, selector, counts, [c for c in counts if c.born]


def undercount_warning(objective: Objective, born_check: BornSeries | None) -> str:
    """The warning for this objective, or "" when no selector it reads over a counter function has a series
    born inside the window (or the raw samples cannot be read)."""
    if born_check is None:
        return ""
    parts = []
    for function, selector, counts, born in _born_inside(objective, born_check):
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
    born_check = born_series(backend, Window(now - RECENT, now), objectives)
    if born_check is None:
        return []
    warnings = []
    for objective in objectives:
        for function, selector, counts, born in _born_inside(objective, born_check):
            warnings.append(
                f"{objective.key}: {len(born)} of {len(counts)} series of {selector} first appeared in the last "
                f"{RECENT.seconds // 60} minutes (label sets created on first use?): {function}() will miss the "
                f"first values of series born during a run and read low; {COUNT_EXACTLY}"
            )
    return warnings
