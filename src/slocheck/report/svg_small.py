"""Small inline SVG figures: a trend sparkline with its bars, and overlaid CDFs of two runs. No script, no URL."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from slocheck.core.units import Kind, format_value

RUN_COLOURS = ("#64748b", "#2563eb")  # run A (baseline) grey, run B blue


def sparkline(
    values: Sequence[float | None],
    kind: Kind,
    *,
    bars: Sequence[float] = (),
    marked: int | None = None,
    labels: Sequence[str] = (),
    width: int = 220,
    height: int = 46,
) -> str:
    """Values oldest → newest; dashed lines at the bars; a ring around `marked` (the baseline run)."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if not finite:
        return '<span class="muted small">no data</span>'
    scale = finite + [b for b in bars if math.isfinite(b) and b <= 3 * max(finite)]
    low, high = min(scale), max(scale)
    span = high - low or abs(high) or 1.0
    step = (width - 12) / max(1, len(values) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return 6 + i * step, height - 6 - (v - low) / span * (height - 12)

    parts = [f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    for bar in bars:
        if low <= bar <= high:
            y = xy(0, bar)[1]
            parts.append(f'<line x1="0" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#15803d" stroke-dasharray="3 3">'
                         f"<title>bar {escape(format_value(bar, kind))}</title></line>")  # fmt: skip
    points = [xy(i, v) for i, v in enumerate(values) if v is not None and math.isfinite(v)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    parts.append(f'<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="{path}"/>')
    for i, v in enumerate(values):
        if v is None or not math.isfinite(v):
            continue
        x, y = xy(i, v)
        label = labels[i] if i < len(labels) else ""
        ring = ' stroke="#ea580c" stroke-width="2" r="4"' if i == marked else ' r="2"'
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}"{ring} fill="#2563eb">'
                     f"<title>{escape(label)} {escape(format_value(v, kind))}</title></circle>")  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def cdf_chart(title: str, curves: Sequence[tuple[str, Sequence[Sequence[float]]]], width: int = 460,
              height: int = 220) -> str:  # fmt: skip
    """Cumulative share of requests (0–1) against latency on a log axis, one line per run."""
    xs = [p[0] for _, curve in curves for p in curve if p[0] > 0]
    if not xs:
        return f'<figure class="chart"><figcaption>{escape(title)}</figcaption><p class="muted">no data</p></figure>'
    low, high = math.log10(min(xs)), math.log10(max(xs))
    span = high - low or 1.0
    left, bottom = 56, 28

    def xy(x: float, y: float) -> tuple[float, float]:
        lx = math.log10(max(x, min(xs)))
        return left + (lx - low) / span * (width - left - 10), 8 + (1 - y) * (height - bottom - 8)

    parts = [f'<figure class="chart"><figcaption>{escape(title)}</figcaption>'
             f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']  # fmt: skip
    for share in (0.5, 0.9, 0.99):
        y = xy(min(xs), share)[1]
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
                     f'<text x="4" y="{y + 4:.1f}" font-size="10">p{share * 100:g}</text>')  # fmt: skip
    for exponent in range(math.floor(low), math.ceil(high) + 1):
        x = xy(10.0**exponent, 0)[0]
        if left <= x <= width:
            parts.append(f'<text x="{x:.1f}" y="{height - 8}" font-size="10" text-anchor="middle">'
                         f"{escape(format_value(10.0**exponent, Kind.DURATION))}</text>")  # fmt: skip
    for (name, curve), colour in zip(curves, RUN_COLOURS, strict=False):
        path = " ".join(f"{a:.1f},{b:.1f}" for a, b in (xy(p[0], p[1]) for p in curve if p[0] > 0))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{path}">'
                     f"<title>{escape(name)}</title></polyline>")  # fmt: skip
    legend = " ".join(
        f'<span style="color:{c}">■ {escape(n)}</span>' for (n, _), c in zip(curves, RUN_COLOURS, strict=False)
    )
    parts.append(f'</svg><p class="small">{legend}</p></figure>')
    return "".join(parts)
