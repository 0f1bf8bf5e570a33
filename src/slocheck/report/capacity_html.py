"""The HTML report of `slocheck capacity`: the capacity curve (arrival rate vs p95 and error ratio) and the steps.

Pure: renders the capacity result document (result.json). Every number drawn is one the steps measured; a step
without a value draws no bar ("no data" in the table), never a zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slocheck.core.units import Kind
from slocheck.report.html_fmt import esc, fmt, number, percent

WIDTH, HEIGHT, PAD = 720, 260, 40
STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
    "td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}th{text-align:left}"
    ".held{fill:#3a8f4b}.broke{fill:#c0392b}.err{fill:#e6a23c}.cap{stroke:#333;stroke-dasharray:4 3}"
)


def _bars(steps: Sequence[Mapping[str, Any]], capacity: float | None) -> str:
    """One bar per step: height = client p95 (left), a thin bar = error ratio (share of the height)."""
    ordered = sorted(steps, key=lambda s: float(s["rate"]))
    p95s = [number((s.get("client") or {}).get("aggregated", {}).get("p95")) for s in ordered]
    top = max((p for p in p95s if p is not None), default=0.0) or 1.0
    slot = (WIDTH - 2 * PAD) / max(len(ordered), 1)
    parts = []
    for i, (step, p95) in enumerate(zip(ordered, p95s, strict=True)):
        x = PAD + i * slot
        label = f"{float(step['rate']):g}/s"
        if p95 is not None:
            h = (HEIGHT - 2 * PAD) * p95 / top
            cls = "held" if step.get("held") else "broke"
            title = f"{esc(label)}: p95 {fmt(p95, Kind.DURATION)}"
            parts.append(
                f'<rect class="{cls}" x="{x + 4:.1f}" y="{HEIGHT - PAD - h:.1f}" width="{slot * 0.6:.1f}" '
                f'height="{h:.1f}"><title>{title}</title></rect>'
            )
        ratio = number((step.get("client") or {}).get("aggregated", {}).get("fail_ratio"))
        if ratio is not None:
            h = (HEIGHT - 2 * PAD) * ratio
            parts.append(
                f'<rect class="err" x="{x + 4 + slot * 0.62:.1f}" y="{HEIGHT - PAD - h:.1f}" width="{slot * 0.15:.1f}" '
                f'height="{h:.1f}"><title>{esc(label)}: errors {percent(ratio)}</title></rect>'
            )
        parts.append(f'<text x="{x + 4:.1f}" y="{HEIGHT - PAD + 14}" font-size="11">{esc(label)}</text>')
        if capacity is not None and float(step["rate"]) == capacity:
            mark = x + slot * 0.8
            parts.append(f'<line class="cap" x1="{mark:.1f}" x2="{mark:.1f}" y1="{PAD}" y2="{HEIGHT - PAD}"/>')
    legend = f"p95 (max {fmt(top, Kind.DURATION)}); errors (orange, 0–100 %); dashed: capacity"
    axis = f'<text x="4" y="{PAD - 8}" font-size="11">{legend}</text>'
    return f'<svg width="{WIDTH}" height="{HEIGHT}" role="img">{axis}{"".join(parts)}</svg>'


def _rows(steps: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for step in steps:
        aggregated = (step.get("client") or {}).get("aggregated") or {}
        arrivals = (step.get("client") or {}).get("arrivals") or {}
        cells = (
            f"{float(step['rate']):g}/s",
            fmt(arrivals.get("achieved_rate"), Kind.RATE),
            fmt(arrivals.get("dropped")),
            fmt(aggregated.get("p95"), Kind.DURATION),
            fmt(aggregated.get("scheduled_p99"), Kind.DURATION),
            percent(aggregated.get("fail_ratio")),
            "held" if step.get("held") else "BROKE",
            esc("; ".join(step.get("broken_by") or [])),
        )
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "".join(rows)


def render_capacity_html(document: Mapping[str, Any]) -> str:
    steps = list(document.get("steps") or [])
    capacity = number(document.get("capacity"))
    broken = number(document.get("first_broken"))
    headline = f"Capacity: {fmt(capacity, Kind.RATE)}" if capacity is not None else "Capacity: below the first step"
    if broken is not None:
        headline += f"; first broken at {fmt(broken, Kind.RATE)} by {esc('; '.join(document.get('broken_by') or []))}"
    heads = ("rate", "achieved", "dropped", "p95", "p99 from schedule", "errors", "step", "broken by")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>slocheck capacity</title><style>{STYLE}</style>"
        f"</head><body><h1>{headline}</h1>{_bars(steps, capacity)}"
        f"<table><tr>{''.join(f'<th>{h}</th>' for h in heads)}</tr>{_rows(steps)}</table></body></html>"
    )
