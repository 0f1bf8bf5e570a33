"""Context for the report: a fixed, documented set of Prometheus range queries over the run window.

The objectives say whether the release passes; the context says why: throughput by status class, server
latency percentiles, error ratio, database connections, the application's pool, Redis memory, process CPU and
memory, and LLM traffic per provider/model. Every entry keeps the exact query it ran and the series exactly as
Prometheus returned them (labels + points), or says that it returned nothing, or why it failed. Nothing is ever
filled in: a query without data is "no data" in the report. The list is documented in docs/report.md.

Two kinds of entry:

- `over_time`: a range query from the window start to its end every `step_seconds` (charts, peaks, trends);
- `window`: one point at the window end whose range selector covers the whole window (totals and percentiles
  of the run as a whole), asked through the same range API with start == end.

The document (`context.json`) is strict JSON: NaN/±Inf become null.
"""

from __future__ import annotations

import functools
import json
import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from string import Template
from typing import Any

from slocheck.app.concurrency import run_bounded
from slocheck.core.errors import BackendError, BackendUnavailable
from slocheck.core.model import Objective, PrometheusIndicator, Window
from slocheck.core.spec.templating import escape_label_value
from slocheck.core.units import prometheus_duration
from slocheck.sources.protocols import MetricsBackend, RangeResult

CONTEXT_SCHEMA = "slocheck.app.context/v1"
CONTEXT_FILE = "context.json"
MAX_WORKERS = 4
OVER_TIME = "over_time"
WINDOW = "window"
# A chart needs no more points than this; the step grows with the window.
TARGET_POINTS = 240


@dataclass(frozen=True)
class ContextQuery:
    """One query of the context. `template` may use ${job} (`job="…"` or nothing), ${job_and} (`job="…",` or
    nothing), ${rate} (the rate window of an over-time query) and ${range} (the whole window)."""

    id: str
    section: str
    title: str
    unit: str  # a units.Kind value: duration, bytes, ratio, rate, number
    template: str
    mode: str = OVER_TIME
    step_seconds: float | None = None  # None: the context's step


def _q(id: str, section: str, title: str, unit: str, template: str, mode: str = OVER_TIME) -> ContextQuery:
    return ContextQuery(id, section, title, unit, template, mode)


_HTTP_RATE = "rate(http_requests_total{${job}}[${rate}])"
_HTTP_INCREASE = "increase(http_requests_total{${job}}[${range}])"


def _by_status_class(inner: str) -> str:
    """`status="503"` → `status_class="5xx"` (`$${1}` is `${1}` once the template is filled)."""
    return f'sum by (status_class) (label_replace({inner}, "status_class", "$${{1}}xx", "status", "([0-9]).*"))'


def _latency(quantile: str, label: str, mode: str) -> ContextQuery:
    span = "${rate}" if mode == OVER_TIME else "${range}"
    selector = f"http_request_duration_seconds_bucket{{${{job}}}}[{span}]"
    query = f"histogram_quantile({quantile}, sum by (le) (rate({selector})))"
    if mode == OVER_TIME:
        return _q(f"http_latency_{label}", "latency", f"server latency {label}", "duration", query)
    return _q(f"http_latency_{label}_window", "latency", f"server latency {label} over the window", "duration",
              query, WINDOW)  # fmt: skip


def _llm_p95(span: str) -> str:
    selector = f"llm_request_duration_seconds_bucket{{${{job}}}}[{span}]"
    return f"histogram_quantile(0.95, sum by (le, provider, model) (rate({selector})))"


_PERCENTILES = (("0.5", "p50"), ("0.9", "p90"), ("0.95", "p95"), ("0.99", "p99"))

QUERIES: tuple[ContextQuery, ...] = (
    _q("http_rps_by_status", "throughput", "server requests/s by status class", "rate",
       _by_status_class(_HTTP_RATE)),
    _q("http_in_flight", "throughput", "server requests in flight", "number", "sum(http_requests_in_flight{${job}})"),
    _q("http_requests_by_status_window", "errors", "server requests by status class over the window", "number",
       _by_status_class(_HTTP_INCREASE), WINDOW),
    *(_latency(q, label, OVER_TIME) for q, label in _PERCENTILES),
    *(_latency(q, label, WINDOW) for q, label in (*_PERCENTILES, ("0.999", "p99.9"))),
    _q("http_latency_avg_window", "latency", "server latency average over the window", "duration",
       "sum(rate(http_request_duration_seconds_sum{${job}}[${range}]))"
       " / sum(rate(http_request_duration_seconds_count{${job}}[${range}]))", WINDOW),
    _q("http_error_ratio", "errors", "server 5xx ratio", "ratio",
       '(sum(rate(http_requests_total{${job_and}status=~"5.."}[${rate}])) or vector(0))'
       " / sum(rate(http_requests_total{${job}}[${rate}]))"),
    _q("db_connections", "resources", "PostgreSQL connections by database", "number",
       "sum by (datname) (pg_stat_activity_count)"),
    _q("db_max_connections", "resources", "PostgreSQL max_connections", "number", "max(pg_settings_max_connections)"),
    _q("pool_in_use", "resources", "application DB pool connections in use", "number",
       'sum(db_pool_connections{${job_and}state="in_use"})'),
    _q("pool_max", "resources", "application DB pool size", "number", "max(db_pool_max_connections{${job}})"),
    _q("redis_memory_used", "resources", "Redis memory used", "bytes", "redis_memory_used_bytes"),
    _q("redis_memory_max", "resources", "Redis maxmemory (0 = unlimited)", "bytes", "redis_memory_max_bytes"),
    _q("process_cpu", "resources", "process CPU (cores) by job", "number",
       "sum by (job, instance) (rate(process_cpu_seconds_total[${rate}]))"),
    _q("process_memory", "resources", "process resident memory by job", "bytes",
       "sum by (job, instance) (process_resident_memory_bytes)"),
    _q("llm_rps", "llm", "LLM requests/s by provider/model", "rate",
       "sum by (provider, model) (rate(llm_requests_total{${job}}[${rate}]))"),
    _q("llm_p95", "llm", "LLM p95 latency by provider/model", "duration", _llm_p95("${rate}")),
    _q("llm_errors_rate", "llm", "LLM errors/s by provider/model", "rate",
       'sum by (provider, model) (rate(llm_requests_total{${job_and}status="error"}[${rate}]))'),
    _q("llm_tokens_rate", "llm", "LLM tokens/s by provider/model and type", "rate",
       "sum by (provider, model, type) (rate(llm_tokens_total{${job}}[${rate}]))"),
    _q("llm_requests_window", "llm", "LLM requests over the window by provider/model", "number",
       "sum by (provider, model) (increase(llm_requests_total{${job}}[${range}]))", WINDOW),
    _q("llm_errors_window", "llm", "LLM errors over the window by provider/model", "number",
       'sum by (provider, model) (increase(llm_requests_total{${job_and}status="error"}[${range}]))', WINDOW),
    _q("llm_p95_window", "llm", "LLM p95 latency over the window by provider/model", "duration",
       _llm_p95("${range}"), WINDOW),
    _q("llm_tokens_window", "llm", "LLM tokens over the window by provider/model and type", "number",
       "sum by (provider, model, type) (increase(llm_tokens_total{${job}}[${range}]))", WINDOW),
)  # fmt: skip


def context_step(window_seconds: float, scrape_interval_seconds: float | None = None) -> float:
    """A step of whole seconds, never finer than the scrape interval, giving at most ~TARGET_POINTS points."""
    floor = max(1.0, scrape_interval_seconds or 1.0)
    return float(max(math.ceil(floor), math.ceil(window_seconds / TARGET_POINTS)))


def rate_window_seconds(step_seconds: float, scrape_interval_seconds: float | None) -> float:
    """Grafana's $__rate_interval: at least four scrapes, and at least one step plus one scrape."""
    scrape = scrape_interval_seconds or step_seconds
    return max(4 * scrape, step_seconds + scrape)


def resolve(query: ContextQuery, job: str | None, rate_seconds: float, window: Window) -> str:
    matcher = f'job="{escape_label_value(job)}"' if job else ""
    template = query.template if matcher else query.template.replace("{${job}}", "")
    values = {
        "job": matcher,
        "job_and": f"{matcher}," if matcher else "",
        "rate": prometheus_duration(rate_seconds),
        "range": prometheus_duration(window.seconds),
    }
    return Template(template).substitute(values)


def job_of(objectives: Iterable[Objective], variables: Mapping[str, str] | None = None) -> str | None:
    """The service's scrape job: `--var job=…`, else the first `job` variable of a Prometheus objective."""
    if variables and variables.get("job"):
        return variables["job"]
    for objective in objectives:
        indicator = objective.indicator
        if isinstance(indicator, PrometheusIndicator) and indicator.variables.get("job"):
            return indicator.variables["job"]
    return None


def objective_range_queries(document: Mapping[str, Any]) -> list[ContextQuery]:
    """The range objectives of a result document, re-asked for their points so the report can chart them
    against their bars (the document keeps only each series' reduced value)."""
    queries = []
    for objective in document.get("objectives", []):
        step = (objective.get("details") or {}).get("step_seconds")
        if objective.get("backend") == "prometheus" and objective.get("query") and isinstance(step, (int, float)):
            template = str(objective["query"]).replace("$", "$$")
            title = f"objective {objective['key']}"
            queries.append(
                ContextQuery(f"objective:{objective['key']}", "objectives", title, str(objective.get("unit")),
                             template, OVER_TIME, float(step))
            )  # fmt: skip
    return queries


def collect_context(
    backend: MetricsBackend,
    window: Window,
    *,
    job: str | None,
    step_seconds: float,
    scrape_interval_seconds: float | None = None,
    extra: Sequence[ContextQuery] = (),
    max_workers: int = MAX_WORKERS,
) -> dict[str, Any]:
    """Run QUERIES (+ `extra`) over `window` on a bounded pool; one entry per query, in order, never raising
    for a query's failure (it becomes that entry's error)."""
    rate_seconds = rate_window_seconds(step_seconds, scrape_interval_seconds)
    queries = [*QUERIES, *extra]
    gone = _Gone()
    calls = [
        functools.partial(_entry, backend, query, resolve(query, job, rate_seconds, window), window, step_seconds, gone)
        for query in queries
    ]
    results = run_bounded(calls, max_workers, "slocheck-context")
    entries = {query.id: entry for query, entry in zip(queries, results, strict=True)}
    return {
        "schema": CONTEXT_SCHEMA,
        "backend": getattr(backend, "name", "prometheus"),
        "job": job,
        "window": {"start": window.start.isoformat(), "end": window.end.isoformat(), "seconds": window.seconds},
        "step_seconds": step_seconds,
        "rate_window": prometheus_duration(rate_seconds),
        "entries": entries,
    }


class _Gone:
    """Set once the backend turned out to be unreachable, so the remaining queries do not each wait a budget."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason = ""

    def is_set(self) -> bool:
        return self._event.is_set()

    def mark(self, reason: str) -> None:
        self.reason = reason
        self._event.set()


def _entry(
    backend: MetricsBackend,
    query: ContextQuery,
    promql: str,
    window: Window,
    step_seconds: float,
    gone: _Gone,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "section": query.section,
        "title": query.title,
        "unit": query.unit,
        "mode": query.mode,
        "query": promql,
    }
    if gone.is_set():
        return {**entry, "status": "error", "note": f"skipped: {gone.reason}", "series": []}
    try:
        if query.mode == WINDOW:
            result = backend.range(promql, window.end, window.end, max(1.0, window.seconds))
        else:
            step = query.step_seconds or step_seconds
            entry["step_seconds"] = step
            result = backend.range(promql, window.start, window.end, step)
    except BackendUnavailable as exc:
        gone.mark(str(exc))  # one full retry budget is enough to know: the other queries are skipped
        return {**entry, "status": "error", "note": f"error: {exc}", "series": []}
    except BackendError as exc:
        return {**entry, "status": "error", "note": f"error: {exc}", "series": []}
    except Exception as exc:  # one broken query must not cost the run its report
        return {**entry, "status": "error", "note": f"internal error: {type(exc).__name__}: {exc}", "series": []}
    return {**entry, **_series_fields(result)}


def _series_fields(result: RangeResult) -> dict[str, Any]:
    series = [
        {"labels": dict(labels), "points": [[t, v if math.isfinite(v) else None] for t, v in points]}
        for labels, points in result.series
    ]
    if not series:
        status, note = "no_data", "no data: empty result, no series matched in the window"
    elif not any(v is not None for s in series for _, v in s["points"]):
        status, note = "no_data", "no data: every point is NaN/Inf (no samples, or 0/0)"
    else:
        status, note = "ok", ""
    warnings = [str(w) for w in result.warnings]
    return {"status": status, "note": note, "series": series, **({"warnings": warnings} if warnings else {})}


def render_context(context: Mapping[str, Any]) -> str:
    """context.json's text (strict JSON: collect_context already turned NaN/Inf into null)."""
    return json.dumps(context, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
