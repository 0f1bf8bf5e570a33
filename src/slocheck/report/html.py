"""The HTML report: one self-contained file (inline CSS and SVG, no script, no URL to fetch) that opens offline.

Pure: `render_html(ReportInputs)` turns documents (result.json, run.json, context.json, the Locust history and
client statistics, optionally a baseline result) into one HTML string. Every number on the page is a value
from those documents; anything missing reads "no data", never 0. Sections: verdict and run facts, objectives
with evidence, baseline comparison, throughput, latency, errors, endpoints, resources, LLM, bottleneck hints,
objectives over time, and the context queries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from slocheck.core.units import Kind, UnitError, parse_quantity
from slocheck.report.charts import Line, Threshold, line_chart
from slocheck.report.context_doc import entry, window_value
from slocheck.report.hints import GENERATOR_CPU_PERCENT, Hint, compute_hints, generator_cpu_percent
from slocheck.report.html_context import llm_section, queries_section, resources_section
from slocheck.report.html_fmt import charts, count, esc, fmt, kpi, kpis, note, number, percent, section
from slocheck.report.html_inputs import ReportInputs, client_of
from slocheck.report.html_load import endpoints_section, errors_section, latency_section, throughput_section
from slocheck.report.html_sections import baseline_section, headline, objectives_section, verdict_section
from slocheck.report.html_trend import trend_section

NAV = (
    ("verdict", "Verdict"),
    ("objectives", "Objectives"),
    ("baseline", "Baseline"),
    ("trend", "Trend"),
    ("throughput", "Throughput"),
    ("latency", "Latency"),
    ("errors", "Errors"),
    ("endpoints", "Endpoints"),
    ("resources", "Resources"),
    ("llm", "LLM"),
    ("hints", "Hints"),
    ("over-time", "Objectives over time"),
    ("queries", "Queries"),
)
_CONDITION_RE = re.compile(r"^\s*(<=|>=|==|!=|<|>)\s*(.+?)\s*$")


def stylesheet() -> str:
    return resources.files("slocheck.report").joinpath("templates/report.css").read_text(encoding="utf-8")


def bar_thresholds(bar: str | None, style: str) -> list[Threshold]:
    """Threshold lines for a bar such as "< 500ms and >= 1MiB"; conditions that do not parse are skipped."""
    lines = []
    for condition in (bar or "").split(" and "):
        match = _CONDITION_RE.match(condition)
        if not match or match.group(2).startswith(("+", "-")):  # a relative bar has no fixed level to draw
            continue
        try:
            value, _kind = parse_quantity(match.group(2))
        except UnitError:
            continue
        lines.append(Threshold(f"{style} {condition.strip()}", value, style))
    return lines


def hints_section(hints: Sequence[Hint], inputs: ReportInputs) -> str:
    missing = [
        what
        for what, present in (
            ("context.json (resources, server-side bursts, memory growth)", inputs.context),
            ("the Locust history (client-side bursts)", inputs.history),
            ("run.json load facts (generator CPU)", generator_cpu_percent(inputs.run_facts) is not None),
        )
        if not present
    ]
    cards = "".join(
        f'<article class="hint {esc(h.kind)}"><h3>{esc(h.title)}</h3><p>{esc(h.detail)}</p>'
        f'<p class="small muted">from: {"; ".join(f"<code>{esc(s)}</code>" for s in h.sources)}</p></article>'
        for h in hints
    )
    body = cards or note("No bottleneck pattern found in the data that was available.", "ok-note")
    if missing:
        body += note("Not checked, for want of data: " + ", ".join(missing) + ".")
    lead = (
        "Patterns in this run's data that often explain a slow or failing run: a resource at ≥ 80 % of its limit, "
        "memory that keeps growing, error bursts that line up with latency spikes, a saturated load generator "
        f"(≥ {GENERATOR_CPU_PERCENT:.0f} % CPU). Leads to follow, not verdicts."
    )
    return section("hints", "Bottleneck hints", body, lead)


def over_time_section(document: Mapping[str, Any], context: Mapping[str, Any] | None, origin: float | None) -> str:
    figures = []
    for objective in document.get("objectives") or []:
        found = entry(context, f"objective:{objective.get('key')}")
        if found is None:
            continue
        kind = _kind(objective.get("unit"))
        lines = [
            Line(_labels_text(s.get("labels") or {}), [(float(t), v) for t, v in s.get("points", [])])
            for s in found.get("series", [])
        ]
        thresholds = bar_thresholds(objective.get("pass"), "pass") + bar_thresholds(objective.get("warn"), "warn")
        reduce = (objective.get("details") or {}).get("reduce_over_time")
        figures.append(
            line_chart(str(objective.get("key")), lines, kind, origin=origin, thresholds=thresholds,
                       note=f"range query, reduced by {reduce}" if reduce else "range query")
        )  # fmt: skip
    body = charts(figures) or note(
        "No range objectives in this run (objectives with `range:`), or no context.json with their points."
    )
    return section("over-time", "Objectives over time", body, "Each range objective's series with its bars.")


def _kind(unit: Any) -> Kind:
    try:
        return Kind(str(unit))
    except ValueError:
        return Kind.NUMBER


def _labels_text(labels: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}" if labels else "value"


def _origin(inputs: ReportInputs) -> float | None:
    """The window start as unix seconds: the zero of every chart's time axis."""
    from datetime import datetime

    start = (inputs.document.get("window") or {}).get("start")
    try:
        return datetime.fromisoformat(str(start)).timestamp()
    except ValueError:
        return inputs.history[0].timestamp if inputs.history else None


def _nav() -> str:
    links = "".join(f'<a href="#{id}">{esc(title)}</a>' for id, title in NAV)
    return f'<nav class="toc">{links}</nav>'


def _header(document: Mapping[str, Any], run: Mapping[str, Any]) -> str:
    verdict = headline(document, run)
    title = f"Load test report · {run.get('id') or 'slocheck evaluate'}"
    scenario = run.get("scenario") or ""
    sub = " · ".join(str(x) for x in (scenario, run.get("profile"), (document.get("window") or {}).get("start")) if x)
    return (
        f'<header class="top v-{esc(verdict.lower())}"><div><h1>{esc(title)}</h1>'
        f'<p class="sub">{esc(sub)}</p></div><div class="verdict-pill">{esc(verdict)}</div></header>'
    )


def _footer(inputs: ReportInputs) -> str:
    tool = inputs.document.get("tool") or {}
    files = ", ".join(sorted(inputs.sources)) or "result document"
    return (
        f"<footer>Generated by slocheck {esc(tool.get('version', ''))} from {esc(files)}; result written "
        f"{esc(inputs.document.get('generated_at', ''))}. Every value on this page comes from those documents.</footer>"
    )


def open_model_kpis(client: Mapping[str, Any] | None) -> list[str]:
    """Arrival-rate runs: the achieved rate, dropped iterations, and p99 from the scheduled start vs send time."""
    arrivals = (client or {}).get("arrivals") or {}
    if not arrivals:
        return []
    aggregated = (client or {}).get("aggregated") or {}
    scheduled = f"{number(arrivals.get('scheduled')) or 0:,.0f} scheduled"
    send_p99 = f"send time: {fmt(aggregated.get('p99'), Kind.DURATION)}"
    return [
        kpi("Achieved rate", fmt(arrivals.get("achieved_rate"), Kind.RATE), scheduled),
        kpi("Dropped", count(arrivals.get("dropped")), "iterations with no free user"),
        kpi("p99 from schedule", fmt(aggregated.get("scheduled_p99"), Kind.DURATION), send_p99),
    ]


def glance(client: Mapping[str, Any] | None, context: Mapping[str, Any] | None, hints: Sequence[Hint]) -> str:
    """Headline numbers for the top of the report."""
    aggregated = (client or {}).get("aggregated") or {}
    server_p95 = window_value(context, "http_latency_p95_window")
    return kpis([
        *open_model_kpis(client),
        kpi("Requests", count(aggregated.get("requests")), "client side"),
        kpi("Throughput", fmt(aggregated.get("rps"), Kind.RATE), "average over the window"),
        kpi("Client p95", fmt(aggregated.get("p95"), Kind.DURATION), "every request"),
        kpi("Server p95", fmt(server_p95[0][1] if server_p95 else None, Kind.DURATION), "Prometheus histogram"),
        kpi("Failures", percent(aggregated.get("fail_ratio")), "client side"),
        kpi("Hints", f'<a href="#hints">{len(hints)}</a>', "bottleneck patterns"),
    ])  # fmt: skip


def render_html(inputs: ReportInputs) -> str:
    document, run, context = inputs.document, inputs.run_facts, inputs.context
    client = inputs.client or client_of(document)
    hints = compute_hints(context, run, inputs.history)
    cpu = generator_cpu_percent(run)
    unreliable = cpu is not None and cpu >= GENERATOR_CPU_PERCENT
    origin = _origin(inputs)
    baseline_client = inputs.baseline_client or client_of(inputs.baseline)
    sections = [
        verdict_section(document, run, unreliable, glance(client, context, hints)),
        objectives_section(document, unreliable),
        baseline_section(document, inputs.baseline, client, baseline_client),
        trend_section(document, inputs.trend),
        throughput_section(client, inputs.history, context, origin),
        latency_section(client, inputs.history, context, origin),
        errors_section(client, inputs.history, context, origin),
        endpoints_section(client),
        resources_section(context, origin),
        llm_section(context, origin),
        hints_section(hints, inputs),
        over_time_section(document, context, origin),
        queries_section(context),
    ]
    title = f"slocheck {document.get('verdict', '')} · {run.get('id') or 'evaluation'}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{stylesheet()}</style></head><body>"
        f"{_header(document, run)}{_nav()}<main>{''.join(sections)}</main>{_footer(inputs)}</body></html>\n"
    )
