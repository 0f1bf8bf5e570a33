"""Starter objectives for `slocheck init`: what a service's metrics can be judged on, from their names and labels.

Pure: the metric names, types and label sets Prometheus reported go in; candidate objectives (each a query and
a starter bar the user is told to set) come out. Recognised: HTTP request counters and duration histograms,
database connection pools, Redis (redis_exporter) and LLM call metrics.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

# Label names that carry an HTTP status code, most common first.
STATUS_LABELS = ("status", "code", "status_code", "http_status_code", "http_response_status_code")
_HTTP_COUNTER_RE = re.compile(r"^(?:http_server_)?(?:http_)?requests?_total$|^http_server_requests_total$")
_HTTP_HISTOGRAM_RE = re.compile(
    r"^(?:http_server_request_duration|http_request_duration|http_server_requests)_(?:seconds|milliseconds|ms)$"
)
_LLM_HISTOGRAM_RE = re.compile(r"^(?:llm_request_duration|gen_ai_client_operation_duration)_seconds$")
_IN_USE_STATES = ("in_use", "inuse", "used", "active", "busy")


@dataclass(frozen=True)
class Candidate:
    """One starter objective: `bar` is a placeholder the user must set (`why` says what to set it to)."""

    family: str
    name: str
    description: str
    query: str
    bar: str
    why: str


@dataclass(frozen=True)
class Discovered:
    """What Prometheus reported: metric names with their types, and the label sets of the relevant ones."""

    names: frozenset[str]
    types: Mapping[str, str] = field(default_factory=dict)
    series: Mapping[str, Sequence[Mapping[str, str]]] = field(default_factory=dict)

    def labels(self, metric: str) -> set[str]:
        return {key for labels in self.series.get(metric, ()) for key in labels}

    def values(self, metric: str, label: str) -> set[str]:
        return {labels[label] for labels in self.series.get(metric, ()) if label in labels}


def relevant_metrics(names: frozenset[str]) -> list[str]:
    """The metrics whose label sets the recipes need (to find status labels, pool states...)."""
    wanted = [n for n in names if _HTTP_COUNTER_RE.match(n) or n in ("db_pool_connections", "llm_requests_total")]
    wanted += [f"{n}_bucket" for n in _histograms(names, _HTTP_HISTOGRAM_RE)]
    return sorted(wanted)


def starter_objectives(found: Discovered, selector: str) -> list[Candidate]:
    """Every recognised objective; `selector` is the label matcher text for the service, e.g. `job="${job}"`."""
    candidates: list[Candidate] = []
    for recipe in RECIPES:
        candidates.extend(recipe(found, selector))
    return candidates


def _histograms(names: frozenset[str], pattern: re.Pattern[str]) -> list[str]:
    return sorted(n[: -len("_bucket")] for n in names if n.endswith("_bucket") and pattern.match(n[: -len("_bucket")]))


def _sel(selector: str, *extra: str) -> str:
    parts = [p for p in (selector, *extra) if p]
    return "{" + ",".join(parts) + "}" if parts else ""


def _http_latency(found: Discovered, selector: str) -> list[Candidate]:
    out = []
    for base in _histograms(found.names, _HTTP_HISTOGRAM_RE)[:1]:
        scale = " / 1000" if base.endswith(("_milliseconds", "_ms")) else ""
        for quantile, bar in (("0.95", "< 500ms"), ("0.99", "< 1s")):
            query = (
                f"histogram_quantile({quantile}, sum by (le) (rate({base}_bucket{_sel(selector)}[$__range]))){scale}"
            )
            pct = quantile[2:]
            out.append(Candidate("HTTP", f"http-p{pct}-latency", f"p{pct} of HTTP request durations ({base})",
                                 query, bar, "your latency SLO"))  # fmt: skip
    return out


def _http_traffic(found: Discovered, selector: str) -> list[Candidate]:
    counters = sorted(
        n for n in found.names if _HTTP_COUNTER_RE.match(n) and found.types.get(n, "counter") == "counter"
    )
    if not counters:
        return []
    metric = counters[0]
    out = []
    status = next((label for label in STATUS_LABELS if label in found.labels(metric)), None)
    total = f"sum(rate({metric}{_sel(selector)}[$__range]))"
    if status is not None:
        errors = f"(sum(rate({metric}{_sel(selector, f'{status}=~{chr(34)}5..{chr(34)}')}[$__range])) or vector(0))"
        out.append(Candidate("HTTP", "http-error-rate", f"5xx responses as a share of all ({metric}, label {status})",
                             f"{errors}\n/ {total}", "< 1%", "your error budget, e.g. < 0.1% for 99.9%"))  # fmt: skip
    out.append(Candidate("HTTP", "http-throughput", f"requests per second answered ({metric})", total, ">= 1/s",
                         "the rate your load profile should reach"))  # fmt: skip
    return out


def _db_pool(found: Discovered, selector: str) -> list[Candidate]:
    pools = [
        ("hikaricp_connections_active", "hikaricp_connections_max", ""),
        ("pg_stat_activity_count", "pg_settings_max_connections", ""),
    ]
    if "db_pool_connections" in found.names and "db_pool_max_connections" in found.names:
        state = next((s for s in _IN_USE_STATES if s in found.values("db_pool_connections", "state")), None)
        if state is not None:
            pools.insert(0, ("db_pool_connections", "db_pool_max_connections", f'state="{state}"'))
    for used, limit, extra in pools:
        if used in found.names and limit in found.names:
            service_sel = "" if used.startswith("pg_") else selector  # postgres_exporter is its own job
            query = (f"max_over_time(sum({used}{_sel(service_sel, extra)})[$__range:])\n"
                     f"/ max({limit}{_sel(service_sel)})")  # fmt: skip
            return [Candidate("database pool", "db-pool-utilisation", f"peak connections in use / the limit ({used})",
                              query, "< 80%", "the headroom you want to keep")]  # fmt: skip
    return []


def _redis(found: Discovered, selector: str) -> list[Candidate]:
    out = []
    if "redis_memory_used_bytes" in found.names:
        out.append(Candidate("Redis", "redis-memory", "peak memory Redis used (redis_exporter)",
                             "max(max_over_time(redis_memory_used_bytes[$__range]))", "< 1GiB",
                             "below your maxmemory"))  # fmt: skip
    if "redis_up" in found.names:
        query = "min(min_over_time(redis_up[$__range]))"
        out.append(Candidate("Redis", "redis-up", "Redis answered redis_exporter throughout the run", query, "== 1",
                             "keep: 1 means up all along"))  # fmt: skip
    return out


def _llm(found: Discovered, selector: str) -> list[Candidate]:
    out = []
    for base in _histograms(found.names, _LLM_HISTOGRAM_RE)[:1]:
        query = f"histogram_quantile(0.95, sum by (le) (rate({base}_bucket{_sel(selector)}[$__range])))"
        out.append(Candidate("LLM", "llm-p95-latency", f"p95 of LLM call durations ({base})", query, "< 10s",
                             "what your users can wait for an answer"))  # fmt: skip
    errors = _llm_errors(found, selector)
    if errors is not None:
        query = f"({errors} or vector(0))\n/ sum(rate(llm_requests_total{_sel(selector)}[$__range]))"
        out.append(Candidate("LLM", "llm-error-rate", "failed LLM calls as a share of all", query, "< 5%",
                             "the failures your fallbacks absorb"))  # fmt: skip
    if "llm_tokens_total" in found.names:
        query = f"sum(rate(llm_tokens_total{_sel(selector)}[$__range]))"
        out.append(Candidate("LLM", "llm-token-rate", "LLM tokens per second (cost)", query, "< 1000/s",
                             "your token budget per second"))  # fmt: skip
    return out


def _llm_errors(found: Discovered, selector: str) -> str | None:
    """Failed LLM calls: llm_errors_total, or llm_requests_total with an error status label."""
    if "llm_requests_total" not in found.names:
        return None
    if "llm_errors_total" in found.names:
        return f"sum(rate(llm_errors_total{_sel(selector)}[$__range]))"
    for label in ("status", "outcome", "result"):
        if "error" in found.values("llm_requests_total", label):
            return f"sum(rate(llm_requests_total{_sel(selector, f'{label}={chr(34)}error{chr(34)}')}[$__range]))"
    return None


RECIPES: tuple[Callable[[Discovered, str], list[Candidate]], ...] = (
    _http_latency,
    _http_traffic,
    _db_pool,
    _redis,
    _llm,
)
