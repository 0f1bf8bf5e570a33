"""Build backends from settings and parse the CLI's small value formats."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from slocheck.backends.prometheus import PrometheusBackend
from slocheck.errors import ConfigError, QueryError
from slocheck.measure import Sources
from slocheck.model import Objective, PrometheusIndicator, SLOSet, Window
from slocheck.settings import Settings
from slocheck.spec.templating import render


def parse_vars(pairs: Sequence[str]) -> dict[str, str]:
    """`--var job=api --var env=staging` → {"job": "api", "env": "staging"}."""
    variables = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f'--var "{pair}": expected NAME=VALUE (e.g. --var job=paracle-api)')
        variables[name.strip()] = value
    return variables


def all_objectives(sets: Iterable[SLOSet]) -> list[Objective]:
    return [objective for slo_set in sets for objective in slo_set.objectives]


def needs_prometheus(objectives: Iterable[Objective]) -> bool:
    return any(isinstance(o.indicator, PrometheusIndicator) for o in objectives)


def build_sources(settings: Settings, objectives: Sequence[Objective]) -> Sources:
    """Backends for exactly the sources these objectives use."""
    prometheus = None
    if needs_prometheus(objectives):
        if not settings.backends.prometheus.url:
            raise ConfigError(
                "these objectives query Prometheus but no URL is set: "
                "pass --prometheus-url, set SLOCHECK_PROMETHEUS_URL, or add backends.prometheus.url to slocheck.yaml"
            )
        prometheus = PrometheusBackend(settings.backends.prometheus)
    return Sources(prometheus=prometheus, concurrency=settings.backends.prometheus.concurrency)


def check_queries(sources: Sources, objectives: Sequence[Objective], now: datetime | None = None) -> None:
    """Ask Prometheus to parse every query; a rejected one is invalid input (exit 2), reported with its objective.

    A Prometheus that cannot be reached raises BackendUnavailable (exit 3): nothing was checked.
    """
    if sources.prometheus is None:
        return
    moment = now or datetime.now(UTC)
    sample_window = Window(moment - timedelta(minutes=5), moment)  # any window: only the syntax is checked
    problems = []
    for objective in objectives:
        if isinstance(objective.indicator, PrometheusIndicator):
            try:
                indicator = objective.indicator
                query = render(indicator.template or indicator.query, indicator.variables, sample_window)
                sources.prometheus.check_query(query)
            except QueryError as exc:
                problems.append(f"{objective.source}: {objective.key}: {exc}")
    if problems:
        raise ConfigError("\n".join(problems))
