"""What the HTML report is rendered from: documents and parsed rows, never a file or a backend.

`ReportInputs` holds documents only (dicts and parsed rows); `render_html` never touches a file or a backend.
`slocheck.app.report_inputs.load_report_inputs(run_dir)` is the one place that reads a run directory. The CSV
parsers here are pure functions of the file's text.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

RESULT_FILE = "result.json"
RUN_FILE = "run.json"
CONTEXT_FILE = "context.json"
HISTORY_FILE = "locust_stats_history.csv"
STATS_FILE = "locust_stats.csv"
FAILURES_FILE = "locust_failures.csv"
AGGREGATED = "Aggregated"
# Locust's CSV percentile columns, by the name slocheck uses (values in milliseconds).
CSV_PERCENTILES = {"p50": "50%", "p90": "90%", "p95": "95%", "p99": "99%", "p99.9": "99.9%"}


@dataclass(frozen=True)
class HistoryPoint:
    """One Aggregated row of locust_stats_history.csv, in base units. Locust's percentiles and Requests/s
    here are over its rolling window of the last ~10 s; counts are totals since the start."""

    timestamp: float
    users: float | None
    rps: float | None
    failures_per_s: float | None
    p50: float | None
    p95: float | None
    p99: float | None
    total_requests: float | None
    total_failures: float | None


@dataclass(frozen=True)
class ReportInputs:
    """Everything one report is made of. Only `document` is required."""

    document: Mapping[str, Any]
    run: Mapping[str, Any] | None = None
    context: Mapping[str, Any] | None = None
    history: Sequence[HistoryPoint] = ()
    client: Mapping[str, Any] | None = None
    baseline: Mapping[str, Any] | None = None
    baseline_client: Mapping[str, Any] | None = None
    trend: Sequence[Mapping[str, Any]] = ()  # earlier runs like this one, oldest first, this run last
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def run_facts(self) -> Mapping[str, Any]:
        """run.json when present, else the `run` section of the result document, else {}."""
        return self.run or self.document.get("run") or {}


def _number(text: str | None, scale: float = 1.0) -> float | None:
    if text is None or text.strip() in ("", "N/A"):
        return None
    try:
        value = float(text) * scale
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _percentile(text: str | None, scale: float | None) -> float | None:
    value = _number(text)
    return None if scale is None or value is None else value * scale


def parse_history(text: str) -> list[HistoryPoint]:
    """The Aggregated rows of locust_stats_history.csv (latencies ms → s)."""
    points = []
    for row in csv.DictReader(io.StringIO(text)):
        if row.get("Name") != AGGREGATED:
            continue
        timestamp = _number(row.get("Timestamp"))
        if timestamp is None:
            continue
        rps = _number(row.get("Requests/s"))
        # Locust writes 0 for its rolling percentiles while that window holds no requests yet: unknown, not 0 ms.
        scale = 1e-3 if rps else None
        points.append(
            HistoryPoint(
                timestamp=timestamp,
                users=_number(row.get("User Count")),
                rps=rps,
                failures_per_s=_number(row.get("Failures/s")),
                p50=_percentile(row.get("50%"), scale),
                p95=_percentile(row.get("95%"), scale),
                p99=_percentile(row.get("99%"), scale),
                total_requests=_number(row.get("Total Request Count")),
                total_failures=_number(row.get("Total Failure Count")),
            )
        )
    return points


def _csv_row(row: Mapping[str, str]) -> dict[str, Any]:
    requests = _number(row.get("Request Count")) or 0.0
    failures = _number(row.get("Failure Count")) or 0.0
    return {
        "method": row.get("Type") or "",
        "name": row.get("Name") or "",
        "requests": int(requests),
        "failures": int(failures),
        "fail_ratio": failures / requests if requests else None,
        "avg": _number(row.get("Average Response Time"), 1e-3),
        **{stat: _number(row.get(column), 1e-3) for stat, column in CSV_PERCENTILES.items()},
        "max": _number(row.get("Max Response Time"), 1e-3),
        "avg_size": _number(row.get("Average Content Size")),
        "rps": _number(row.get("Requests/s")),
    }


def client_from_csv(stats_text: str, failures_text: str | None) -> dict[str, Any] | None:
    """The client statistics in ClientStats.to_dict()'s shape, from Locust's own CSV files, for runs whose
    result document has no `client` section. Locust rounds these percentiles to two significant digits."""
    rows = [_csv_row(row) for row in csv.DictReader(io.StringIO(stats_text))]
    aggregated = next((r for r in rows if r["name"] == AGGREGATED and not r["method"]), None)
    if aggregated is None:
        return None
    failures = []
    for row in csv.DictReader(io.StringIO(failures_text or "")):
        count = _number(row.get("Occurrences"))
        failures.append(
            {"method": row.get("Method") or "", "name": row.get("Name") or "", "error": row.get("Error") or "",
             "occurrences": int(count or 0)}
        )  # fmt: skip
    failures.sort(key=lambda f: -int(f["occurrences"]))
    endpoints = [r for r in rows if r is not aggregated]
    return {"source": "locust_csv", "endpoints": endpoints, "aggregated": aggregated, "failures": failures}


def client_of(document: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The client statistics of a result document: top-level `client`, or `run.client`."""
    if not document:
        return None
    found = document.get("client") or (document.get("run") or {}).get("client")
    return found if isinstance(found, Mapping) else None
