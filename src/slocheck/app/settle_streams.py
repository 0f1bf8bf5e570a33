"""The settle wait for logs and traces, measured: after the load, Loki has caught up when the streams the objectives
read hold lines from the window's last second, and Jaeger when the services they read have traces starting in it.

Under load both exist as soon as the pipeline has delivered them (the service logs and traces every request), so
each source is polled until its last second has arrived, bounded by what is left of the settle bound. A stream or
service with no line or trace in that second (the target went idle before the end, or sampling skipped it) keeps
the wait to the bound, which is then said in run.json and in its objectives' reasons.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from slocheck.core.errors import BackendError
from slocheck.core.model import JaegerIndicator, LokiIndicator, Objective
from slocheck.core.querytext import structural
from slocheck.core.spec.logql import presence_selector
from slocheck.sources.jaeger_sample import TraceBackend, TraceQuery
from slocheck.sources.protocols import MetricsBackend

# The window's last second: what the final requests of the load wrote.
EDGE = timedelta(seconds=1)
POLL_SECONDS = 0.25
Lagging = Callable[[], list[str]]  # what has not caught up yet; empty when everything has


def loki_streams(objectives: Iterable[Objective]) -> list[str]:
    """The streams (first positive matcher of the first selector) the Loki objectives read, without repeats."""
    streams: list[str] = []
    for objective in objectives:
        indicator = objective.indicator
        if isinstance(indicator, LokiIndicator):
            text = indicator.count_of or indicator.template or indicator.query
            opening = next((i for i, char in structural(text) if char == "{"), None)
            stream = presence_selector(text[opening:]) if opening is not None else ""
            if stream.startswith("{") and stream not in streams:
                streams.append(stream)
    return streams


def jaeger_services(objectives: Iterable[Objective]) -> list[str]:
    services: list[str] = []
    for objective in objectives:
        indicator = objective.indicator
        if isinstance(indicator, JaegerIndicator) and indicator.service not in services:
            services.append(indicator.service)
    return services


def loki_lagging(backend: MetricsBackend, streams: Sequence[str], end: datetime) -> Lagging:
    """Streams without a line in the window's last second (Loki counts them: `count_over_time(… [1s])` at end)."""
    instant = backend.instant

    def lagging() -> list[str]:
        behind = []
        for stream in streams:
            answer = instant(f"sum(count_over_time({stream} [{int(EDGE.total_seconds())}s]))", end)
            if not any(math.isfinite(s.value) and s.value > 0 for s in answer.series):
                behind.append(stream)
        return behind

    return lagging


def jaeger_lagging(backend: TraceBackend, services: Sequence[str], end: datetime) -> Lagging:
    """Services without a trace starting in the window's last second."""
    search = backend.search

    def lagging() -> list[str]:
        return [s for s in services if not search(TraceQuery(s), end - EDGE, end).traces]

    return lagging


def wait_until_caught_up(
    probes: Mapping[str, Lagging],
    bound: float,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
    floor: float = 0.0,
) -> tuple[float, dict[str, str]]:
    """Poll every source until none lags (and at least `floor` seconds have passed) or `bound` seconds have:
    (seconds waited, source → why it is behind) for the sources still behind at the bound."""
    started, waiting = monotonic(), dict(probes)
    while True:
        behind: dict[str, str] = {}
        for source, probe in list(waiting.items()):
            try:
                lagging = probe()
            except BackendError as exc:
                lagging = [f"unknown: {exc}"]
            if lagging:
                behind[source] = f"nothing from the window's last second yet in {', '.join(lagging)}"
            else:
                del waiting[source]
        waited = monotonic() - started
        if waited >= bound or (not waiting and waited >= floor):
            return waited, behind
        sleep(min(bound, floor) - waited if not waiting else min(POLL_SECONDS, max(0.0, bound - waited)))
