"""Report sections about the load itself: throughput, latency, errors and the per-endpoint table.

Client side comes from the client statistics (ClientStats.to_dict(), or Locust's CSV) and the Locust history;
server side from the context document (Prometheus). Each value says where it came from.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from slocheck.core.units import Kind
from slocheck.report.charts import Line, line_chart
from slocheck.report.context_doc import entry, window_value
from slocheck.report.html_fmt import (
    NO_DATA,
    charts,
    count,
    esc,
    fmt,
    kpi,
    kpis,
    note,
    number,
    percent,
    section,
    subsection,
    table,
)
from slocheck.report.html_inputs import HistoryPoint

Context = Mapping[str, Any] | None
Client = Mapping[str, Any] | None
LATENCY_STATS = ("p50", "p90", "p95", "p99", "p99.9", "avg", "max")
# Endpoint status colour: by failure ratio.
AMBER_FAIL_RATIO, RED_FAIL_RATIO = 0.0, 0.01
_STATUS_RE = re.compile(r"\b([45])\d\d\b")
_TIMEOUT_RE = re.compile(r"time(d)?[ -]?out", re.IGNORECASE)


def per_interval_rates(history: Sequence[HistoryPoint]) -> list[tuple[float, float, float]]:
    """(t, requests/s, failures/s) over each interval between history rows, from the running totals."""
    rates = []
    previous: HistoryPoint | None = None
    for point in history:
        if point.total_requests is None or point.total_failures is None:
            continue
        if previous is not None and point.timestamp > previous.timestamp:
            seconds = point.timestamp - previous.timestamp
            done = point.total_requests - (previous.total_requests or 0.0)
            failed = point.total_failures - (previous.total_failures or 0.0)
            rates.append((point.timestamp, done / seconds, failed / seconds))
        if previous is None or point.timestamp > previous.timestamp:
            previous = point
    return rates


def throughput_numbers(client: Client, history: Sequence[HistoryPoint]) -> dict[str, float | None]:
    aggregated = (client or {}).get("aggregated") or {}
    rates = [r for _, r, _ in per_interval_rates(history)]
    total = number(aggregated.get("requests"))
    if total is None and history and history[-1].total_requests is not None:
        total = history[-1].total_requests
    return {
        "total": total,
        "average": number(aggregated.get("rps")),
        "peak": max(rates) if rates else None,
        "sustained": statistics.median(rates) if rates else None,
    }


def _context_lines(context: Context, id: str, label_keys: Sequence[str] = ()) -> list[Line]:
    found = entry(context, id)
    if found is None:
        return []
    lines = []
    for series in found.get("series", []):
        labels = series.get("labels") or {}
        label = " ".join(str(labels.get(k, "")) for k in label_keys) or found.get("title", id)
        lines.append(Line(label, [(float(t), v) for t, v in series.get("points", [])]))
    return lines


def _entry_note(context: Context, id: str) -> str:
    raw = ((context or {}).get("entries") or {}).get(id) or {}
    return str(raw.get("note") or "")


def throughput_section(client: Client, history: Sequence[HistoryPoint], context: Context, origin: float | None) -> str:
    numbers = throughput_numbers(client, history)
    server = [v for _, v in _sum_window(context, "http_requests_by_status_window")]
    cards = kpis([
        kpi("Total requests", count(numbers["total"]), "client side"),
        kpi("Average", fmt(numbers["average"], Kind.RATE), "requests / window"),
        kpi("Peak", fmt(numbers["peak"], Kind.RATE), "busiest history interval"),
        kpi("Sustained", fmt(numbers["sustained"], Kind.RATE), "median of history intervals"),
        kpi("Server requests", count(sum(server) if server else None), "Prometheus, whole window"),
    ])  # fmt: skip
    users = [Line("users", [(p.timestamp, p.users) for p in history])]
    rps = [Line("client requests/s", [(t, r) for t, r, _ in per_interval_rates(history)])]
    figures = [
        line_chart("Users", users, Kind.NUMBER, origin=origin, note="Locust history"),
        line_chart("Requests/s (client)", rps, Kind.RATE, origin=origin, note="per history interval"),
        line_chart("Requests/s by status class (server)", _context_lines(context, "http_rps_by_status",
                   ("status_class",)), Kind.RATE, origin=origin, note=_entry_note(context, "http_rps_by_status")),
        line_chart("Requests in flight (server)", _context_lines(context, "http_in_flight"), Kind.NUMBER,
                   origin=origin, note=_entry_note(context, "http_in_flight")),
    ]  # fmt: skip
    lead = "Peak and sustained are per interval of Locust's history (about one second); average is over the window."
    return section("throughput", "Throughput", cards + charts(figures), lead)


def _sum_window(context: Context, id: str) -> list[tuple[dict[str, str], float]]:
    return window_value(context, id)


def _server_latency(context: Context) -> dict[str, float | None]:
    values: dict[str, float | None] = {}
    for stat in LATENCY_STATS:
        found = window_value(context, f"http_latency_{stat}_window")
        values[stat] = found[0][1] if found else None
    return values


def latency_section(client: Client, history: Sequence[HistoryPoint], context: Context, origin: float | None) -> str:
    aggregated = (client or {}).get("aggregated") or {}
    server = _server_latency(context)
    rows = [
        ["client (Locust, every request)", *(fmt(aggregated.get(s), Kind.DURATION) for s in LATENCY_STATS)],
        ["server (Prometheus histogram)", *(fmt(server[s], Kind.DURATION) for s in LATENCY_STATS)],
    ]
    if any(f"scheduled_{s}" in aggregated for s in LATENCY_STATS):  # arrival-rate runs: coordinated omission shown
        scheduled = [fmt(aggregated.get(f"scheduled_{s}"), Kind.DURATION) for s in LATENCY_STATS]
        rows.insert(1, ["client, from the scheduled start (open model)", *scheduled])
    client_lines = [Line(name, [(p.timestamp, getattr(p, name)) for p in history]) for name in ("p50", "p95", "p99")]
    server_lines = [
        Line(stat, line.points)
        for stat in ("p50", "p90", "p95", "p99")
        for line in _context_lines(context, f"http_latency_{stat}")
    ]
    figures = [
        line_chart("Client latency", client_lines, Kind.DURATION, origin=origin, note="Locust, rolling ~10 s"),
        line_chart("Server latency", server_lines, Kind.DURATION, origin=origin,
                   note=_entry_note(context, "http_latency_p95") or "histogram_quantile over the rate window"),
    ]  # fmt: skip
    body = table(["", *LATENCY_STATS], rows, numeric_from=1) + note(
        "Server max is not measurable from a histogram; server percentiles are bucket interpolations."
    )
    return section("latency", "Latency", body + charts(figures))


def classify_failure(error: str) -> str:
    """4xx, 5xx, timeout or other, from a failure message's text."""
    if _TIMEOUT_RE.search(error):
        return "timeout"
    match = _STATUS_RE.search(error)
    return f"{match.group(1)}xx" if match else "other"


def failure_classes(client: Client) -> dict[str, int]:
    classes = {"4xx": 0, "5xx": 0, "timeout": 0, "other": 0}
    for failure in (client or {}).get("failures") or []:
        classes[classify_failure(str(failure.get("error", "")))] += int(failure.get("occurrences") or 0)
    return classes


def server_ratio(by_status: Mapping[str, float], status_class: str) -> float | None:
    """Share of one status class among the server's responses; 0 only when other classes have responses."""
    total = sum(by_status.values())
    return by_status.get(status_class, 0.0) / total if total else None


def _status_kpi(by_status: Mapping[str, float], status_class: str) -> str:
    label = f"Server {status_class}"
    if not by_status:
        return kpi(label, NO_DATA, "responses over the window")
    if status_class not in by_status:
        return kpi(label, "none", f"no {status_class} series in the window")
    return kpi(label, count(by_status[status_class]), "responses over the window")


def _error_cards(client: Client, context: Context) -> str:
    aggregated = (client or {}).get("aggregated") or {}
    by_status = {
        labels.get("status_class", "?"): v for labels, v in window_value(context, "http_requests_by_status_window")
    }
    failed = number(aggregated.get("failures"))
    timeouts = failure_classes(client).get("timeout") if client else None
    return kpis([
        kpi("Client failure ratio", percent(aggregated.get("fail_ratio")),
            f"{failed:,.0f} failed" if failed is not None else "client side"),
        kpi("Server 5xx ratio", percent(server_ratio(by_status, "5xx")), "Prometheus, whole window"),
        _status_kpi(by_status, "4xx"),
        _status_kpi(by_status, "5xx"),
        kpi("Client timeouts", count(timeouts), "from failure messages"),
    ])  # fmt: skip


def _failure_tables(client: Client) -> str:
    if not client:
        return note("No client statistics in this run's documents.")
    class_rows = [[esc(k), count(v)] for k, v in failure_classes(client).items()]
    failures = [
        [esc(f.get("method", "")), esc(f.get("name", "")), f"<code>{esc(f.get('error', ''))}</code>",
         count(f.get("occurrences"))]
        for f in client.get("failures") or []
    ]  # fmt: skip
    why = "Classified from the failure messages: an HTTP status 4xx/5xx or a timeout named in the text."
    return subsection("Client failures by kind", table(["kind", "failures"], class_rows, numeric_from=1), why) + (
        subsection(
            "Top failures",
            table(["method", "request", "error", "occurrences"], failures, numeric_from=3, empty="no failures"),
        )
    )


def errors_section(client: Client, history: Sequence[HistoryPoint], context: Context, origin: float | None) -> str:
    fail_lines = [Line("client failures/s", [(t, f) for t, _, f in per_interval_rates(history)])]
    figures = [
        line_chart("Failures/s (client)", fail_lines, Kind.RATE, origin=origin, note="per history interval"),
        line_chart("5xx ratio (server)", _context_lines(context, "http_error_ratio"), Kind.RATIO, origin=origin,
                   note=_entry_note(context, "http_error_ratio")),
    ]  # fmt: skip
    return section("errors", "Errors", _error_cards(client, context) + _failure_tables(client) + charts(figures))


def endpoint_status(fail_ratio: float | None) -> str:
    if fail_ratio is None:
        return "unknown"
    if fail_ratio > RED_FAIL_RATIO:
        return "bad"
    return "warn" if fail_ratio > AMBER_FAIL_RATIO else "ok"


def _endpoint_row(row: Mapping[str, Any]) -> list[str]:
    status = endpoint_status(number(row.get("fail_ratio")))
    return [
        f'<span class="dot {status}" title="{esc(status)}"></span>',
        esc(row.get("method", "")),
        f"<code>{esc(row.get('name', ''))}</code>",
        count(row.get("requests")),
        count(row.get("failures")),
        percent(row.get("fail_ratio")),
        fmt(row.get("avg"), Kind.DURATION),
        fmt(row.get("p95"), Kind.DURATION),
        fmt(row.get("p99"), Kind.DURATION),
        fmt(row.get("max"), Kind.DURATION),
        fmt(row.get("avg_size"), Kind.BYTES),
        fmt(row.get("rps"), Kind.RATE),
    ]


def endpoints_section(client: Client) -> str:
    if not client:
        return section("endpoints", "Endpoints", f"<p>{NO_DATA}: no client statistics in this run's documents.</p>")
    rows = [_endpoint_row(r) for r in client.get("endpoints") or []]
    if client.get("aggregated"):
        rows.append(_endpoint_row({**client["aggregated"], "method": "", "name": "all requests"}))
    headers = [
        "",
        "method",
        "request",
        "requests",
        "failures",
        "fail %",
        "avg",
        "p95",
        "p99",
        "max",
        "avg size",
        "req/s",
    ]
    source = (
        "Locust's CSV (percentiles rounded by Locust)"
        if client.get("source") == "locust_csv"
        else "slocheck's client statistics"
    )
    lead = f"From {source}. Dot: green no failures, amber up to 1 %, red above 1 % failed."
    return section("endpoints", "Endpoints", table(headers, rows, numeric_from=3, cls="endpoints"), lead)
