"""Settings of the demo service, and the command line of `python -m slocheck_demo.service`."""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceOptions:
    """Everything `run_service` needs. Latencies in milliseconds, rates as fractions in [0, 1]."""

    host: str = "127.0.0.1"
    port: int = 8000
    # Without a URL the service uses an in-process stand-in, and /health says so.
    database_url: str | None = None
    db_pool_min_size: int = 1
    db_pool_max_size: int = 10
    # Server-side pg_sleep per write, so pool connections are visibly busy under load.
    db_write_latency_ms: float = 5.0
    redis_url: str | None = None
    redis_max_connections: int = 20
    # Fault knobs.
    latency_ms: float = 0.0
    # A target with a known capacity: at most `max_concurrency` requests served at once (the rest queue), each
    # holding its slot for `service_time_ms`; every path but /health and /metrics. 0 = unlimited.
    max_concurrency: int = 0
    service_time_ms: float = 0.0
    error_rate: float = 0.0
    llm_error_rate: float = 0.0
    # A fast model's median; slower models are multiples of it (see service_llm.MODELS).
    llm_latency_median_ms: float = 100.0
    llm_latency_sigma: float = 0.35
    seed: int | None = None
    # Time-to-live of tokens, cached agent lookups and stored run results.
    token_ttl_seconds: float = 3600.0
    cache_ttl_seconds: float = 30.0
    result_ttl_seconds: float = 300.0
    # Requests per token per minute; 0 counts them (in the cache) but never rejects.
    rate_limit_per_minute: int = 0
    log_level: str = "INFO"
    # Observability, off by default: JSON logs pushed to Loki, OTLP/HTTP traces (or OTEL_EXPORTER_OTLP_ENDPOINT).
    loki_url: str | None = None
    loki_tenant: str | None = None
    otlp_endpoint: str | None = None
    # Create label sets on first use (as most services do) instead of at zero up front: every series is then
    # born during the first requests, which `rate()`/`increase()` undercount (slocheck's `count:` does not).
    lazy_series: bool = False

    def __post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise ValueError("invalid demo service options: " + "; ".join(problems))

    def _urls(self) -> tuple[str | None, ...]:
        return (self.loki_url, self.otlp_endpoint)

    def _problems(self) -> list[str]:
        checks = [
            (0 <= self.port <= 65535, "port must be 0..65535"),
            (self.db_pool_max_size >= 1, "db_pool_max_size must be at least 1"),
            (0 <= self.db_pool_min_size <= self.db_pool_max_size, "db_pool_min_size must be 0..db_pool_max_size"),
            (self.redis_max_connections >= 1, "redis_max_connections must be at least 1"),
            (0 <= self.error_rate <= 1, "error_rate must be within [0, 1]"),
            (0 <= self.llm_error_rate <= 1, "llm_error_rate must be within [0, 1]"),
            (self.latency_ms >= 0 and self.db_write_latency_ms >= 0, "latencies must not be negative"),
            (self.max_concurrency >= 0, "max_concurrency must be 0 (unlimited) or more"),
            (self.service_time_ms >= 0, "service_time must not be negative"),
            (self.llm_latency_median_ms >= 0 and self.llm_latency_sigma >= 0, "LLM latency must not be negative"),
            (min(self.token_ttl_seconds, self.cache_ttl_seconds, self.result_ttl_seconds) > 0, "TTLs must be > 0"),
            (self.rate_limit_per_minute >= 0, "rate_limit_per_minute must not be negative"),
            (all(u is None or u.startswith(("http://", "https://")) for u in self._urls()), "URLs must be http(s)"),
        ]
        return [message for ok, message in checks if not ok]


_UNITS = {"ms": 1.0, "s": 1000.0}


def service_time(text: str) -> float:
    """`50ms`, `0.05s` or a bare number of milliseconds, as milliseconds."""
    value = text.strip().lower()
    scale = 1.0
    for suffix in ("ms", "s"):
        if value.endswith(suffix):
            value, scale = value[: -len(suffix)], _UNITS[suffix]
            break
    try:
        return float(value) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a duration like 50ms or 0.05s (got {text!r})") from None


# (flag, field, type, help); defaults come from ServiceOptions so the two never disagree.
_FLAGS: tuple[tuple[str, str, Callable[[str], object], str], ...] = (
    ("--host", "host", str, "address to bind"),
    ("--port", "port", int, "port to bind (0 picks a free one)"),
    ("--database-url", "database_url", str, "postgresql://… (default: in-process stand-in)"),
    ("--db-pool-min-size", "db_pool_min_size", int, "minimum pool connections"),
    ("--db-pool-max-size", "db_pool_max_size", int, "maximum pool connections"),
    ("--db-write-latency", "db_write_latency_ms", float, "server-side pg_sleep per write, ms"),
    ("--redis-url", "redis_url", str, "redis://… (default: in-process stand-in)"),
    ("--redis-max-connections", "redis_max_connections", int, "maximum Redis connections"),
    ("--latency", "latency_ms", float, "extra latency added to every API request, ms"),
    ("--max-concurrency", "max_concurrency", int, "serve at most N requests at once, queue the rest (0: unlimited)"),
    ("--service-time", "service_time_ms", service_time, "time each request holds its slot (50ms, 0.05s; bare: ms)"),
    ("--error-rate", "error_rate", float, "fraction of API requests answering 500"),
    ("--llm-error-rate", "llm_error_rate", float, "fraction of simulated LLM calls failing"),
    ("--llm-latency-median", "llm_latency_median_ms", float, "median latency of the fast model, ms"),
    ("--llm-latency-sigma", "llm_latency_sigma", float, "lognormal sigma of LLM latency"),
    ("--seed", "seed", int, "seed for the simulation's randomness"),
    ("--token-ttl", "token_ttl_seconds", float, "token lifetime, s"),
    ("--cache-ttl", "cache_ttl_seconds", float, "agent lookup cache TTL, s"),
    ("--result-ttl", "result_ttl_seconds", float, "stored run result TTL, s"),
    ("--rate-limit", "rate_limit_per_minute", int, "requests per token per minute (0: unlimited)"),
    ("--log-level", "log_level", str, "DEBUG, INFO, WARNING or ERROR"),
    ("--loki-url", "loki_url", str, "push JSON logs to this Loki (labels app, level)"),
    ("--loki-tenant", "loki_tenant", str, "X-Scope-OrgID for the Loki push"),
    ("--otlp-endpoint", "otlp_endpoint", str, "export traces over OTLP/HTTP (else OTEL_EXPORTER_OTLP_ENDPOINT)"),
)


def otlp_endpoint(configured: str | None) -> str | None:
    """`--otlp-endpoint`, else the standard OpenTelemetry variables; None means tracing is off."""
    return (
        configured
        or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or None
    )


def argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m slocheck_demo.service",
        description="The slocheck demo service: an agent-platform API with real metrics.",
    )
    defaults = {field.name: field.default for field in dataclasses.fields(ServiceOptions)}
    for flag, name, kind, help_text in _FLAGS:
        parser.add_argument(
            flag, dest=name, type=kind, default=defaults[name], help=f"{help_text} (default: %(default)s)"
        )
    parser.add_argument(
        "--lazy-series", dest="lazy_series", action="store_true",
        help="create metric label sets on first use instead of at zero at start (series are born under load)",
    )  # fmt: skip
    return parser


def parse_options(argv: Sequence[str] | None = None) -> ServiceOptions:
    parser = argument_parser()
    namespace = parser.parse_args(argv)
    try:
        return ServiceOptions(**vars(namespace))
    except ValueError as error:
        parser.error(str(error))
