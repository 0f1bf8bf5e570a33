"""The demo service's Prometheus metrics (names, labels and buckets are documented in docs/metrics.md).

Each service instance owns its registry, so two instances in one process (tests) never share counters.
Known label combinations are created at zero up front: a ratio such as "5xx / all" then has a numerator of
0 instead of no series at all, so an SLO over a healthy run gets a value rather than NO_DATA.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0)
LLM_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 10.0, 15.0, 20.0, 30.0, 60.0)


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.http_requests = Counter(
            "http_requests_total", "HTTP requests answered, by route template", ["method", "endpoint", "status"],
            registry=r,
        )  # fmt: skip
        self.http_duration = Histogram(
            "http_request_duration_seconds", "Time to answer an HTTP request", ["method", "endpoint"],
            buckets=HTTP_BUCKETS, registry=r,
        )  # fmt: skip
        self.http_in_flight = Gauge("http_requests_in_flight", "HTTP requests being answered", registry=r)
        self.llm_requests = Counter(
            "llm_requests_total", "LLM calls, by outcome", ["provider", "model", "status"], registry=r
        )
        self.llm_duration = Histogram(
            "llm_request_duration_seconds", "LLM call latency", ["provider", "model"], buckets=LLM_BUCKETS,
            registry=r,
        )  # fmt: skip
        self.llm_errors = Counter(
            "llm_errors_total", "Failed LLM calls", ["provider", "model", "error_type"], registry=r
        )
        self.llm_tokens = Counter("llm_tokens_total", "LLM tokens used", ["provider", "model", "type"], registry=r)
        self.db_pool_connections = Gauge("db_pool_connections", "Database pool connections", ["state"], registry=r)
        self.db_pool_max = Gauge("db_pool_max_connections", "Database pool size limit", registry=r)
        self.cache_requests = Counter("cache_requests_total", "Cache lookups, by result", ["result"], registry=r)

    def initialise(self, routes: Iterable[tuple[str, str]], models: Iterable[tuple[str, str]]) -> None:
        """Create the known series at zero: (method, route template) pairs and (provider, model) pairs."""
        for method, endpoint in routes:
            for status in ("200", "500"):
                self.http_requests.labels(method, endpoint, status)
            self.http_duration.labels(method, endpoint)
        for provider, model in models:
            for status in ("success", "error"):
                self.llm_requests.labels(provider, model, status)
            self.llm_duration.labels(provider, model)
            for kind in ("prompt", "completion"):
                self.llm_tokens.labels(provider, model, kind)
        for result in ("hit", "miss"):
            self.cache_requests.labels(result)

    def watch_pool(self, in_use: Callable[[], float], idle: Callable[[], float], maximum: int) -> None:
        """Read the pool's state at scrape time, so the gauges are never stale."""
        self.db_pool_connections.labels("in_use").set_function(in_use)
        self.db_pool_connections.labels("idle").set_function(idle)
        self.db_pool_max.set(maximum)

    def observe_http(self, method: str, endpoint: str, status: int, seconds: float) -> None:
        self.http_requests.labels(method, endpoint, str(status)).inc()
        self.http_duration.labels(method, endpoint).observe(seconds)

    def observe_llm_success(
        self, provider: str, model: str, seconds: float, prompt_tokens: int, completion_tokens: int
    ) -> None:
        self.llm_requests.labels(provider, model, "success").inc()
        self.llm_duration.labels(provider, model).observe(seconds)
        self.llm_tokens.labels(provider, model, "prompt").inc(prompt_tokens)
        self.llm_tokens.labels(provider, model, "completion").inc(completion_tokens)

    def observe_llm_error(self, provider: str, model: str, error_type: str, seconds: float) -> None:
        self.llm_requests.labels(provider, model, "error").inc()
        self.llm_errors.labels(provider, model, error_type).inc()
        self.llm_duration.labels(provider, model).observe(seconds)

    def observe_cache(self, hit: bool) -> None:
        self.cache_requests.labels("hit" if hit else "miss").inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
