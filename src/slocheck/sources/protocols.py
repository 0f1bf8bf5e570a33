"""The protocols the measurement speaks; adapters implement them in slocheck's own types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from slocheck.core.model import SeriesValue


@dataclass(frozen=True)
class QueryResult:
    """A backend's answer reduced to slocheck types: series with labels and a float each."""

    series: tuple[SeriesValue, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class RangeResult:
    """Per-series samples of a range query: labels plus (unix seconds, value) points."""

    series: tuple[tuple[dict[str, str], tuple[tuple[float, float], ...]], ...]
    warnings: tuple[str, ...] = ()


class MetricsBackend(Protocol):
    """What slocheck needs from Prometheus (or anything that speaks its HTTP API)."""

    name: str

    def instant(self, query: str, at: datetime) -> QueryResult: ...

    def range(self, query: str, start: datetime, end: datetime, step_seconds: float) -> RangeResult: ...

    def check_query(self, query: str) -> None:
        """Raise QueryError when the backend rejects the query's syntax."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class CounterBackend(MetricsBackend, Protocol):
    """A metrics backend that can return the raw samples of a selector (for exact counter counts)."""

    def raw_samples(self, selector: str, start: datetime, end: datetime) -> RangeResult:
        """Every stored sample of the matching series with start < t <= end, as scraped."""
        ...
