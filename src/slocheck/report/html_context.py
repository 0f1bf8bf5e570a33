"""Report sections from the context document (Prometheus): resources and LLM traffic, plus the list of every
context query with what it returned."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slocheck.core.units import Kind
from slocheck.report.charts import Line, Threshold, line_chart
from slocheck.report.context_doc import entry, finite_points, window_value
from slocheck.report.html_fmt import (
    NO_DATA,
    badge,
    charts,
    count,
    esc,
    fmt,
    labels_html,
    note,
    percent,
    query_html,
    section,
    series_summary,
    subsection,
    table,
)

Context = Mapping[str, Any] | None
Labels = Mapping[str, Any]


def _entries(context: Context) -> Mapping[str, Any]:
    return (context or {}).get("entries") or {}


def _status_note(context: Context, id: str) -> str:
    """Why an entry has nothing to show, or "" when it has data."""
    raw = _entries(context).get(id)
    if raw is None:
        return "not collected (no context.json for this run)" if not context else "not collected"
    return "" if raw.get("status") == "ok" else str(raw.get("note") or raw.get("status"))


def _lines(context: Context, id: str, keys: Sequence[str] = ()) -> list[Line]:
    found = entry(context, id)
    if found is None:
        return []
    lines = []
    for series in found.get("series", []):
        labels = series.get("labels") or {}
        label = " ".join(str(labels.get(k, "")) for k in keys).strip() or str(found.get("title", id))
        lines.append(Line(label, [(float(t), v) for t, v in series.get("points", [])]))
    return lines


def _limit(context: Context, id: str) -> float | None:
    found = entry(context, id)
    values = [v for s in (found or {}).get("series", []) for _, v in finite_points(s)]
    return max(values) if values else None


def _summary_rows(context: Context, id: str, kind: Kind, limit: float | None = None) -> list[list[str]]:
    found = entry(context, id)
    rows = []
    for series in (found or {}).get("series", []):
        stats = series_summary(finite_points(series))
        peak = stats["peak"]
        share = percent(peak / limit) if peak is not None and limit else NO_DATA
        rows.append([labels_html(series.get("labels")), fmt(stats["first"], kind), fmt(peak, kind),
                     fmt(stats["last"], kind), fmt(stats["mean"], kind), fmt(limit, kind), share])  # fmt: skip
    return rows


SUMMARY_HEADERS = ["series", "start", "peak", "end", "mean", "limit", "peak of limit"]


def _resource(context: Context, title: str, used: str, limit_id: str | None, kind: Kind, origin: float | None,
              keys: Sequence[str] = ()) -> tuple[str, str]:  # fmt: skip
    """(table block, chart) for one resource; "no data" with the reason when the query had nothing."""
    limit = _limit(context, limit_id) if limit_id else None
    missing = _status_note(context, used)
    if missing:
        return subsection(title, f'<p>{NO_DATA} <span class="muted small">— {esc(missing)}</span></p>'), ""
    rows = _summary_rows(context, used, kind, limit if limit else None)
    headers = SUMMARY_HEADERS if limit_id else SUMMARY_HEADERS[:5]
    if not limit_id:
        rows = [row[:5] for row in rows]
    limit_note = ""
    if limit_id and limit is None:
        limit_note = f"limit: no data ({_status_note(context, limit_id)})"
    elif limit_id and limit == 0:
        limit_note = "limit is 0 (unlimited)"
    thresholds = [Threshold(f"limit {fmt_plain(limit, kind)}", limit, "limit")] if limit else []
    chart = line_chart(title, _lines(context, used, keys), kind, origin=origin, thresholds=thresholds)
    return subsection(title, table(headers, rows, numeric_from=1), limit_note), chart


def fmt_plain(value: float | None, kind: Kind) -> str:
    from slocheck.core.units import format_value

    return "no data" if value is None else format_value(value, kind)


def _db_total(context: Context) -> str:
    found = entry(context, "db_connections")
    if found is None:
        return ""
    totals: dict[float, float] = {}
    for series in found.get("series", []):
        for t, v in finite_points(series):
            totals[t] = totals.get(t, 0.0) + v
    limit = _limit(context, "db_max_connections")
    if not totals:
        return ""
    peak = max(totals.values())
    share = f" = {fmt_plain(peak / limit, Kind.RATIO)} of max_connections {limit:g}" if limit else ""
    return note(f"All databases together: peak {peak:g} connections{share}.")


def resources_section(context: Context, origin: float | None) -> str:
    blocks = [
        _resource(context, "PostgreSQL connections vs max_connections", "db_connections", "db_max_connections",
                  Kind.NUMBER, origin, ("datname",)),
        _resource(context, "Application DB pool in use vs pool size", "pool_in_use", "pool_max", Kind.NUMBER, origin),
        _resource(context, "Redis memory vs maxmemory", "redis_memory_used", "redis_memory_max", Kind.BYTES, origin,
                  ("instance",)),
        _resource(context, "Process CPU (cores)", "process_cpu", None, Kind.NUMBER, origin, ("job",)),
        _resource(context, "Process resident memory", "process_memory", None, Kind.BYTES, origin, ("job",)),
    ]  # fmt: skip
    tables = blocks[0][0] + _db_total(context) + "".join(b[0] for b in blocks[1:])
    lead = "From Prometheus over the run window (exporters and the service's own metrics), where present."
    return section("resources", "Resources", tables + charts(b[1] for b in blocks), lead)


def _by_model(values: list[tuple[dict[str, str], float]]) -> dict[tuple[str, str], float]:
    return {(labels.get("provider", ""), labels.get("model", "")): v for labels, v in values}


def _tokens(context: Context) -> dict[tuple[str, str], dict[str, float]]:
    tokens: dict[tuple[str, str], dict[str, float]] = {}
    for labels, v in window_value(context, "llm_tokens_window"):
        tokens.setdefault((labels.get("provider", ""), labels.get("model", "")), {})[labels.get("type", "?")] = v
    return tokens


def _mean_rates(context: Context, id: str) -> dict[tuple[str, str], float | None]:
    found = entry(context, id)
    means: dict[tuple[str, str], float | None] = {}
    for series in (found or {}).get("series", []):
        labels = series.get("labels") or {}
        means[(labels.get("provider", ""), labels.get("model", ""))] = series_summary(finite_points(series))["mean"]
    return means


def llm_section(context: Context, origin: float | None) -> str:
    requests = _by_model(window_value(context, "llm_requests_window"))
    errors = _by_model(window_value(context, "llm_errors_window"))
    p95 = _by_model(window_value(context, "llm_p95_window"))
    tokens, rates = _tokens(context), _mean_rates(context, "llm_rps")
    models = sorted(set(requests) | set(errors) | set(p95) | set(tokens) | set(rates))
    rows = []
    for key in models:
        sent, failed = requests.get(key), errors.get(key)
        used = tokens.get(key, {})
        rows.append([esc(key[0]), esc(key[1]), count(sent), fmt(rates.get(key), Kind.RATE),
                     fmt(p95.get(key), Kind.DURATION), count(failed),
                     percent(failed / sent if sent and failed is not None else None),
                     count(used.get("prompt")), count(used.get("completion"))])  # fmt: skip
    headers = ["provider", "model", "requests", "avg req/s", "p95", "errors", "error %", "prompt tokens",
               "completion tokens"]  # fmt: skip
    missing = _status_note(context, "llm_requests_window")
    body = table(headers, rows, numeric_from=2) + (note(f"No LLM data: {missing}") if missing else "")
    keys = ("provider", "model")
    figures = [
        line_chart("LLM requests/s", _lines(context, "llm_rps", keys), Kind.RATE, origin=origin),
        line_chart("LLM p95 latency", _lines(context, "llm_p95", keys), Kind.DURATION, origin=origin),
        line_chart("LLM tokens/s", _lines(context, "llm_tokens_rate", ("model", "type")), Kind.RATE, origin=origin),
    ]
    lead = "Per provider and model, from the service's llm_* metrics; counts are increase() over the window."
    return section("llm", "LLM providers and models", body + charts(figures), lead)


def queries_section(context: Context) -> str:
    if not context:
        body = note("No context.json for this run: the report shows the objectives and the client side only.")
        return section("queries", "Context queries", body)
    rows = []
    for id, raw in _entries(context).items():
        status = {"ok": "PASS", "no_data": "NO_DATA", "error": "ERROR"}.get(str(raw.get("status")), "NO_DATA")
        shown = f"{len(raw.get('series') or [])} series" if raw.get("status") == "ok" else esc(raw.get("note", ""))
        rows.append([f"<code>{esc(id)}</code>", esc(raw.get("title", "")), query_html(str(raw.get("query", ""))),
                     f"{badge(status).replace('>PASS<', '>data<')} {shown}"])  # fmt: skip
    lead = (
        f"Every Prometheus query behind the sections above, over the run window (step "
        f"{context.get('step_seconds')} s, rate window {context.get('rate_window')}, job {context.get('job')})."
    )
    return section("queries", "Context queries", table(["id", "what", "query", "result"], rows, cls="queries"), lead)
