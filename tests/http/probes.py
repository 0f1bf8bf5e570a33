"""One request through the HTTP seam for each backend's client, pointed at any URL (the fake Prometheus
misbehaves on every path, so one server serves all four clients' fault tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from slocheck.config.settings import BackendSettings, GrafanaSettings, JaegerSettings, LokiSettings
from slocheck.core.errors import BackendError
from slocheck.grafana.client import GrafanaBackend
from slocheck.sources.jaeger import JaegerBackend
from slocheck.sources.jaeger_sample import TraceQuery
from slocheck.sources.loki import LokiBackend
from slocheck.sources.prometheus import PrometheusBackend

BACKENDS = ("prometheus", "loki", "jaeger", "grafana")
NAMES = {"prometheus": "Prometheus", "loki": "Loki", "jaeger": "Jaeger", "grafana": "Grafana"}
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def probe(backend: str, url: str, **settings: Any) -> object:
    """Run one call of `backend`'s client against `url`; its answer."""
    values = {"url": url, "timeout": 2, "retry_budget": 0, **settings}
    if backend == "prometheus":
        prometheus = PrometheusBackend(BackendSettings.model_validate(values))
        try:
            return prometheus.instant("demo:error_ratio:rate1m", NOW)
        finally:
            prometheus.close()
    if backend == "loki":
        loki = LokiBackend(LokiSettings.model_validate(values))
        try:
            return loki.instant('sum(count_over_time({app="api"}[1m]))', NOW)
        finally:
            loki.close()
    if backend == "jaeger":
        jaeger = JaegerBackend(JaegerSettings.model_validate(values))
        try:
            return jaeger.search(TraceQuery("api", None, None, {}, None), NOW - timedelta(minutes=5), NOW)
        finally:
            jaeger.close()
    with GrafanaBackend(GrafanaSettings.model_validate(values)) as grafana:
        return grafana.check()


def failure(backend: str, url: str, **settings: Any) -> BackendError:
    """The error `backend`'s client raises for one call against `url` (fails the test if it does not)."""
    try:
        answer = probe(backend, url, **settings)
    except BackendError as exc:
        return exc
    raise AssertionError(f"{backend} answered {answer!r} instead of failing")
