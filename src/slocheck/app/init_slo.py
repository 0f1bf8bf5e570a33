"""`slocheck init`: ask Prometheus what a service exposes, keep the starter objectives whose queries answer, and
write them as an SLO file with the bars left for the user to set."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from slocheck.core.errors import InteropError, QueryError
from slocheck.core.model import Window
from slocheck.core.spec.templating import escape_label_value, render
from slocheck.core.starter import Candidate, Discovered, relevant_metrics, starter_objectives
from slocheck.sources.prometheus import PrometheusBackend

# The window each starter query is tried on: recent enough to show the service is scraped now.
LOOKBACK = timedelta(minutes=5)
RECOGNISED = "HTTP request counters or duration histograms, database pool, Redis (redis_exporter) or LLM metrics"


@dataclass(frozen=True)
class Kept:
    candidate: Candidate
    series: int  # how many series the query returned
    numbers: int  # how many of them had a number (NaN: no traffic in the lookback, e.g. 0/0)


@dataclass(frozen=True)
class Starter:
    kept: list[Kept]
    dropped: list[tuple[Candidate, str]]


def discover(backend: PrometheusBackend, job: str | None) -> Discovered:
    match = f'{{job="{escape_label_value(job)}"}}' if job else None
    names = frozenset(backend.metric_names(match))
    types = backend.metadata() if names else {}
    series = {}
    for metric in relevant_metrics(names):
        selector = f'{metric}{{job="{escape_label_value(job)}"}}' if job else metric
        series[metric] = backend.series(selector)
    return Discovered(names, types, series)


def build_starter(backend: PrometheusBackend, job: str | None, now: datetime) -> Starter:
    """Starter objectives checked online over the last LOOKBACK: those that return data are kept."""
    found = discover(backend, job)
    candidates = starter_objectives(found, 'job="${job}"' if job else "")
    window = Window(now - LOOKBACK, now)
    variables = {"job": job} if job else {}
    kept: list[Kept] = []
    dropped: list[tuple[Candidate, str]] = []
    for candidate in candidates:
        try:
            result = backend.instant(render(candidate.query, variables, window), now)
        except QueryError as exc:
            if "refused the credentials" in exc.detail:
                raise
            dropped.append((candidate, f"Prometheus rejected the query: {exc.detail}"))
            continue
        if result.series:
            numbers = sum(1 for s in result.series if not math.isnan(s.value))
            kept.append(Kept(candidate, len(result.series), numbers))
        else:
            dropped.append((candidate, f"its query returned no series in the last {_minutes()}"))
    if not kept:
        where = f' for job "{job}"' if job else ""
        detail = f" ({len(dropped)} recognised but without data)" if dropped else ""
        raise InteropError(
            f"{backend.shown_url}: found no metrics slocheck recognises{where}{detail}: it looks for {RECOGNISED}; "
            "write the objectives by hand (docs/slo-file.md)"
        )
    return Starter(kept, dropped)


def _minutes() -> str:
    return f"{int(LOOKBACK.total_seconds() // 60)}m"


def render_starter(name: str, service: str, job: str | None, url: str, starter: Starter) -> str:
    """The SLO file text: every kept objective with its starter bar marked as one to set."""
    lines = [
        f"# Starter SLO file written by `slocheck init` from what {url} exposes{f' for job {job}' if job else ''}.",
        "# Every query below answered with data when it was written. The bars are NOT your SLOs: each is a",
        "# placeholder marked SET YOUR BAR — replace it with what you promise, then `slocheck validate --online`.",
    ]
    for candidate, reason in starter.dropped:
        lines.append(f"# Left out {candidate.name}: {reason}.")
    lines += ["apiVersion: slocheck/v1", "kind: SLOSet", "metadata:", f"  name: {json.dumps(name)}", "spec:"]
    lines.append(f"  service: {json.dumps(service)}")
    if job:
        lines += ["  vars:", f"    job: {json.dumps(job)}"]
    lines.append("  objectives:")
    family = ""
    for item in starter.kept:
        if item.candidate.family != family:
            family = item.candidate.family
            lines.append(f"    # {family}")
        lines += _objective_lines(item)
    return "\n".join(lines) + "\n"


def _objective_lines(item: Kept) -> list[str]:
    candidate = item.candidate
    per_series = f" ({item.series} series: each is judged on its own)" if item.series > 1 else ""
    lines = []
    if item.numbers == 0:
        lines.append(f"    # NaN in the last {_minutes()} (no traffic?): it has a value once there is load")
    lines += [
        f"    - name: {candidate.name}",
        f"      description: {json.dumps(candidate.description + per_series)}",
        "      indicator:",
        "        prometheus:",
        "          query: |-",
    ]
    lines += [f"            {line}" for line in candidate.query.splitlines()]
    lines.append(f"      pass: {json.dumps(candidate.bar)}  # SET YOUR BAR: {candidate.why}")
    return lines
