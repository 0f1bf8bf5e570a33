"""Build backends from settings and parse the CLI's small value formats."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from slocheck.app.measure import Sources
from slocheck.config.settings import Settings
from slocheck.core.errors import BackendError, ConfigError, QueryError, one_line
from slocheck.core.histogram_bars import bar_warnings, le_query, parse_le_values, parse_quantile_query
from slocheck.core.model import JaegerIndicator, LokiIndicator, Objective, PrometheusIndicator, SLOSet, Window
from slocheck.core.spec.templating import render
from slocheck.sources.jaeger import JaegerBackend
from slocheck.sources.loki import LokiBackend
from slocheck.sources.prometheus import PrometheusBackend
from slocheck.sources.protocols import MetricsBackend


def parse_vars(pairs: Sequence[str]) -> dict[str, str]:
    """`--var job=api --var env=staging` → {"job": "api", "env": "staging"}."""
    variables = {}
    for given in pairs:
        pair = one_line(given)  # shown in messages on one line
        name, sep, value = given.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ConfigError(f'--var "{pair}": expected NAME=VALUE (e.g. --var job=paracle-api)')
        if name.startswith("__"):
            raise ConfigError(
                f'--var "{pair}": ${one_line(name)} is a built-in set from the window ($__range, $__interval, …); '
                "it cannot be set, choose the window with --last or --from/--to"
            )
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            shown = one_line(name)
            raise ConfigError(f'--var "{pair}": "{shown}" is not a variable name (letters, digits and _, e.g. job)')
        variables[name] = value
    return variables


def all_objectives(sets: Iterable[SLOSet]) -> list[Objective]:
    return [objective for slo_set in sets for objective in slo_set.objectives]


def needs_prometheus(objectives: Iterable[Objective]) -> bool:
    return any(isinstance(o.indicator, PrometheusIndicator) for o in objectives)


def _uses(objectives: Iterable[Objective], kind: type[object]) -> bool:
    return any(isinstance(o.indicator, kind) for o in objectives)


def _missing_url(backend: str, flag: str) -> ConfigError:
    env = f"SLOCHECK_{backend.upper()}_URL"
    how = f"pass {flag}, set {env}" if flag else f"set {env}"
    return ConfigError(
        f"these objectives query {backend.capitalize()} but no URL is set: "
        f"{how}, or add backends.{backend}.url to slocheck.yaml"
    )


def build_sources(settings: Settings, objectives: Sequence[Objective], run_id: str | None = None) -> Sources:
    """Backends for exactly the sources these objectives use; a source in use without a URL is a ConfigError."""
    backends = settings.backends
    wanted = {
        "prometheus": needs_prometheus(objectives) and not backends.prometheus.url,
        "loki": _uses(objectives, LokiIndicator) and not backends.loki.url,
        "jaeger": _uses(objectives, JaegerIndicator) and not backends.jaeger.url,
    }
    for name, missing in wanted.items():
        if missing:
            raise _missing_url(name, f"--{name}-url")
    sources = Sources(concurrency=backends.prometheus.concurrency, run_id=run_id, deadline=settings.measure_deadline)
    if needs_prometheus(objectives):
        sources.prometheus = PrometheusBackend(backends.prometheus)
    if _uses(objectives, LokiIndicator):
        sources.loki = LokiBackend(backends.loki)
    if _uses(objectives, JaegerIndicator):
        sources.jaeger = JaegerBackend(backends.jaeger)
    return sources


def counter_selectors(indicator: PrometheusIndicator) -> tuple[str, ...]:
    """The selectors (templates) a `count`/`rate`/`ratio` indicator reads."""
    spec = indicator.counter
    if spec is None:
        return ()
    return (spec.selector,) + ((spec.total,) if spec.total else ())


def _check(backend: MetricsBackend, query: str, objective: Objective, problems: list[str]) -> None:
    try:
        backend.check_query(query)
    except QueryError as exc:
        problems.append(f"{objective.source}: {objective.key}: {exc}")


def check_queries(sources: Sources, objectives: Sequence[Objective], now: datetime | None = None) -> list[str]:
    """Ask Prometheus to parse every PromQL query and Loki to run every LogQL query over one second; a rejected
    query is invalid input (exit 2), reported with its objective. Jaeger searches have no syntax to check.

    Returns warnings (never raises for them): a latency bar of a `histogram_quantile` objective that falls
    between two bucket bounds, with the error range the interpolation allows (see `histograms.py`).
    A backend that cannot be reached raises BackendUnavailable (exit 3): nothing was checked.
    """
    moment = now or datetime.now(UTC)
    sample_window = Window(moment - timedelta(minutes=5), moment)  # any window: only the syntax is checked
    tiny_window = Window(moment - timedelta(seconds=1), moment)  # Loki has no parse endpoint: keep the query cheap
    problems: list[str] = []
    quantiles: list[tuple[Objective, str]] = []
    for objective in objectives:
        indicator = objective.indicator
        if isinstance(indicator, PrometheusIndicator) and indicator.counter is not None:
            if sources.prometheus is not None:
                for selector in counter_selectors(indicator):
                    _check(sources.prometheus, render(selector, indicator.variables, sample_window), objective,
                           problems)  # fmt: skip
        elif isinstance(indicator, PrometheusIndicator) and sources.prometheus is not None:
            query = render(indicator.template or indicator.query, indicator.variables, sample_window)
            _check(sources.prometheus, query, objective, problems)
            quantiles.append((objective, query))
        elif isinstance(indicator, LokiIndicator) and sources.loki is not None:
            query = render(indicator.template or indicator.query, indicator.variables, tiny_window)
            _check(sources.loki, query, objective, problems)
    if problems:
        raise ConfigError("\n".join(problems))
    if sources.prometheus is None:
        return []
    return histogram_warnings(sources.prometheus, quantiles, moment)


def histogram_warnings(
    backend: MetricsBackend, queries: Sequence[tuple[Objective, str]], moment: datetime
) -> list[str]:
    """`objective: bar … lies in bucket (…]` for every latency bar between two bucket bounds of its histogram,
    reading the bounds (`le` labels) from Prometheus once per bucket selector."""
    bounds: dict[str, tuple[float, ...] | str] = {}
    warnings: list[str] = []
    for objective, query in queries:
        parsed = parse_quantile_query(query)
        if parsed is None:
            continue
        known: set[float] = set()
        for selector in parsed.selectors:
            if selector not in bounds:
                bounds[selector] = _bucket_bounds(backend, selector, moment)
            found = bounds[selector]
            if isinstance(found, str):
                warnings.append(f"{objective.key}: {found}")
            else:
                known.update(found)
        bars = (objective.pass_bar, objective.warn_bar)
        warnings += [f"{objective.key}: {w}" for w in bar_warnings(parsed, sorted(known), bars)]
    return warnings


def _bucket_bounds(backend: MetricsBackend, selector: str, moment: datetime) -> tuple[float, ...] | str:
    """The finite `le` values of a bucket selector, or why they could not be read."""
    try:
        result = backend.instant(le_query(selector), moment)
    except BackendError as exc:
        return f"cannot read the bucket bounds of {selector} to check the bars against them: {exc}"
    return parse_le_values(series.labels for series in result.series)
