"""From fetched traces to a sample: which span of a trace stands for the request, how long it took, whether it
failed, and which traces to show as exemplars. Pure; the adapter fetches, this decides.

The span that stands for a trace is the outermost span of `service` that matches the operation, span kind and
attributes asked for (its entry into the service). The trace's duration is that span's duration; the trace
failed when that span or any span below it is an error span.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from slocheck.sources.jaeger_traces import Span, Trace

# What slocheck-load puts on its client spans (slocheck.load.tracing: SERVICE, RUN_ID_KEY).
RUN_SERVICE = "slocheck-load"
RUN_ID_KEY = "slocheck.run_id"
EXEMPLARS_PER_KIND = 5


@dataclass(frozen=True)
class TraceQuery:
    service: str
    operation: str | None = None
    span_kind: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    run_id: str | None = None

    def search(self) -> tuple[str, str | None, dict[str, str]]:
        """(service, operation, attributes) to ask Jaeger for. A run's traces are found by the load generator's
        root span, which carries the run id; the service's own spans are picked from those traces here."""
        if self.run_id is not None:
            return RUN_SERVICE, None, {RUN_ID_KEY: self.run_id}
        return self.service, self.operation, dict(self.attributes)

    def cache_key(self) -> tuple[object, ...]:
        return (self.service, self.operation, self.span_kind, tuple(sorted(self.attributes.items())), self.run_id)


@dataclass(frozen=True)
class TraceSearch:
    """What the adapter fetched for one window: the traces, and how it sampled them."""

    traces: tuple[Trace, ...]
    api: str
    limit: int
    queries: int = 1
    # The window is searched whole (1 slice), or again in `slices` slices when the whole came back full.
    slices: int = 1
    limited_slices: int = 0

    @property
    def complete(self) -> bool:
        """No slice of the sample hit the per-query limit: every matching trace was fetched."""
        return self.limited_slices == 0


class TraceBackend(Protocol):
    """What slocheck needs from Jaeger."""

    name: str

    def search(self, query: TraceQuery, start: datetime, end: datetime) -> TraceSearch: ...

    def trace_url(self, trace_id: str) -> str: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class TraceSample:
    trace_id: str
    start_ns: int
    duration_seconds: float
    error: bool


def _matches(span: Span, query: TraceQuery) -> bool:
    return (
        span.service == query.service
        and (query.operation is None or span.name == query.operation)
        and (query.span_kind is None or span.kind == query.span_kind)
        and all(span.attributes.get(key) == value for key, value in query.attributes.items())
    )


def _ancestors(span: Span, by_id: Mapping[str, Span]) -> list[str]:
    found: list[str] = []
    parent = span.parent_id
    while parent is not None and parent in by_id and parent not in found:
        found.append(parent)
        parent = by_id[parent].parent_id
    return found


def _failed_below(root: Span, spans: Sequence[Span]) -> bool:
    children: dict[str, list[Span]] = {}
    for span in spans:
        if span.parent_id is not None:
            children.setdefault(span.parent_id, []).append(span)
    pending, seen = [root], set()
    while pending:
        span = pending.pop()
        if span.error:
            return True
        if span.span_id not in seen:
            seen.add(span.span_id)
            pending.extend(children.get(span.span_id, ()))
    return False


def select_trace(trace: Trace, query: TraceQuery) -> TraceSample | None:
    """The trace as one request of `service`, or None when it holds no matching span (or is not this run's)."""
    if query.run_id is not None and not any(s.attributes.get(RUN_ID_KEY) == query.run_id for s in trace.spans):
        return None
    candidates = [s for s in trace.spans if _matches(s, query)]
    if not candidates:
        return None
    by_id: dict[str, Span] = {}
    for span in trace.spans:
        by_id.setdefault(span.span_id, span)
    ids = {c.span_id for c in candidates}
    outermost = [c for c in candidates if not ids.intersection(_ancestors(c, by_id))] or candidates
    entry = min(outermost, key=lambda s: (s.start_ns, -s.duration_ns))
    return TraceSample(trace.trace_id, entry.start_ns, entry.duration_ns / 1e9, _failed_below(entry, trace.spans))


def samples_of(search: TraceSearch, query: TraceQuery) -> list[TraceSample]:
    return [sample for trace in search.traces if (sample := select_trace(trace, query)) is not None]


def exemplars(samples: Sequence[TraceSample], url: Callable[[str], str]) -> list[dict[str, object]]:
    """The slowest traces and the failed ones (slowest first), each with a link to the Jaeger UI."""
    slowest = sorted(samples, key=lambda s: -s.duration_seconds)[:EXEMPLARS_PER_KIND]
    failed = sorted((s for s in samples if s.error), key=lambda s: -s.duration_seconds)[:EXEMPLARS_PER_KIND]
    chosen = {s.trace_id: s for s in [*failed, *slowest]}
    return [
        {
            "trace_id": s.trace_id,
            "duration_seconds": round(s.duration_seconds, 6),
            "error": s.error,
            "start": datetime.fromtimestamp(s.start_ns / 1e9, UTC).isoformat(),
            "url": url(s.trace_id),
        }
        for s in sorted(chosen.values(), key=lambda s: (not s.error, -s.duration_seconds))
    ]
