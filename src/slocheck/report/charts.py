"""Line charts as inline SVG: no script, no font, no URL; readable on screen and on paper.

`line_chart` draws series of (unix seconds, value or None) against the time since `origin` (the run's start),
with optional horizontal threshold lines (an objective's pass/warn bar, a resource's limit). A None point
breaks the line: a gap is shown as a gap, never bridged or drawn as zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from slocheck.core.units import Kind, format_value

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 14, 30
PALETTE = ("#2563eb", "#ea580c", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#db2777", "#4b5563")
THRESHOLD_COLOURS = {"pass": "#15803d", "warn": "#b45309", "limit": "#b91c1c"}
MAX_LINES = len(PALETTE)
OFF_SCALE = 3.0
_TIME_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400)

Point = tuple[float, float | None]


@dataclass(frozen=True)
class Line:
    label: str
    points: Sequence[Point]


@dataclass(frozen=True)
class Threshold:
    label: str
    value: float
    style: str = "pass"  # pass | warn | limit


def nice_step(span: float, ticks: int = 4) -> float:
    """1, 2, 2.5 or 5 × 10^k, so that about `ticks` steps cover `span`."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / ticks
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def value_ticks(low: float, high: float, kind: Kind) -> list[float]:
    """Round tick values from `low` to at least `high`; bytes in powers of 1024."""
    scale = 1.0
    if kind is Kind.BYTES and high > 0:
        scale = 1024.0 ** max(0, math.floor(math.log(high, 1024)))
    step = nice_step((high - low) / scale) * scale
    start = math.floor(low / step) * step
    ticks = [start]
    while ticks[-1] < high - step * 1e-9:
        ticks.append(start + step * len(ticks))
    return ticks if len(ticks) > 1 else [start, start + step]


def time_ticks(span: float) -> list[float]:
    step = next((s for s in _TIME_STEPS if span / s <= 8), _TIME_STEPS[-1])
    return [i * step for i in range(int(span // step) + 1)]


def clock(seconds: float) -> str:
    """Elapsed time as m:ss, or h:mm:ss past an hour."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _segments(points: Sequence[Point]) -> list[list[tuple[float, float]]]:
    """Runs of finite points; None and NaN end a run."""
    runs: list[list[tuple[float, float]]] = [[]]
    for t, v in sorted(points, key=lambda p: p[0]):
        if v is None or not math.isfinite(v):
            runs.append([])
        else:
            runs[-1].append((t, v))
    return [run for run in runs if run]


@dataclass(frozen=True)
class _Frame:
    t0: float
    t1: float
    v0: float
    v1: float

    def x(self, t: float) -> float:
        span = self.t1 - self.t0 or 1.0
        return LEFT + (t - self.t0) / span * (WIDTH - LEFT - RIGHT)

    def y(self, v: float) -> float:
        span = self.v1 - self.v0 or 1.0
        return HEIGHT - BOTTOM - (v - self.v0) / span * (HEIGHT - TOP - BOTTOM)


def _frame(lines: Sequence[Line], thresholds: Sequence[Threshold], origin: float | None, kind: Kind) -> _Frame:
    finite = [(t, v) for line in lines for run in _segments(line.points) for t, v in run]
    times = [t for t, _ in finite]
    values = [v for _, v in finite] + [th.value for th in thresholds]
    t0 = origin if origin is not None else min(times)
    t1 = max(*times, t0 + 1.0)
    low, high = min(0.0, *values), max(values)
    ticks = value_ticks(low, high * 1.05 if high > 0 else high + 1.0, kind)
    return _Frame(t0, t1, ticks[0], ticks[-1])


def _axes(frame: _Frame, kind: Kind) -> list[str]:
    parts = []
    for v in value_ticks(frame.v0, frame.v1, kind):
        y = frame.y(v)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        label = escape(format_value(v, kind))
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    for s in time_ticks(frame.t1 - frame.t0):
        x = frame.x(frame.t0 + s)
        parts.append(
            f'<line class="axis" x1="{x:.1f}" x2="{x:.1f}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM + 4}"/>'
        )
        parts.append(f'<text class="tick" x="{x:.1f}" y="{HEIGHT - 10}" text-anchor="middle">{clock(s)}</text>')
    base = HEIGHT - BOTTOM
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"/>')
    return parts


def _paths(frame: _Frame, lines: Sequence[Line]) -> list[str]:
    parts = []
    for index, line in enumerate(lines):
        colour = PALETTE[index % len(PALETTE)]
        shapes = []
        for run in _segments(line.points):
            if len(run) == 1:
                t, v = run[0]
                shapes.append(f'<circle cx="{frame.x(t):.1f}" cy="{frame.y(v):.1f}" r="2.5" fill="{colour}"/>')
                continue
            coords = " ".join(f"{frame.x(t):.1f},{frame.y(v):.1f}" for t, v in run)
            shapes.append(f'<polyline class="series" points="{coords}" stroke="{colour}"/>')
        parts.append(f"<g><title>{escape(line.label)}</title>{''.join(shapes)}</g>")
    return parts


def _thresholds(frame: _Frame, thresholds: Sequence[Threshold]) -> list[str]:
    parts = []
    for th in thresholds:
        colour = THRESHOLD_COLOURS.get(th.style, THRESHOLD_COLOURS["limit"])
        y = frame.y(th.value)
        parts.append(
            f'<line class="threshold" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}"/>'
            f'<text class="threshold-label" x="{WIDTH - RIGHT - 4}" y="{y - 4:.1f}" text-anchor="end" '
            f'fill="{colour}">{escape(th.label)}</text>'
        )
    return parts


def _legend(lines: Sequence[Line], thresholds: Sequence[Threshold], off_scale: Sequence[Threshold], hidden: int) -> str:
    items = [
        f'<span class="key"><i style="background:{PALETTE[i % len(PALETTE)]}"></i>{escape(line.label)}</span>'
        for i, line in enumerate(lines)
    ]
    items += [
        f'<span class="key"><i class="dash" style="border-color:{THRESHOLD_COLOURS.get(th.style, "#b91c1c")}">'
        f"</i>{escape(th.label)}</span>"
        for th in thresholds
    ]
    items += [f'<span class="key muted">{escape(th.label)} (far above the data, not drawn)</span>' for th in off_scale]
    if hidden:
        items.append(f'<span class="key muted">+{hidden} more series not drawn (see the tables)</span>')
    return f'<div class="legend">{"".join(items)}</div>'


def line_chart(
    title: str,
    lines: Sequence[Line],
    kind: Kind,
    *,
    origin: float | None = None,
    thresholds: Sequence[Threshold] = (),
    note: str = "",
) -> str:
    """A <figure> with the chart, its legend and `note`; a "no data" figure when no line has a finite point."""
    drawn = [line for line in lines if _segments(line.points)][:MAX_LINES]
    hidden = len([line for line in lines if _segments(line.points)]) - len(drawn)
    caption = f"<figcaption><strong>{escape(title)}</strong>{f' — {escape(note)}' if note else ''}</figcaption>"
    if not drawn:
        return f'<figure class="chart">{caption}<p class="nodata">no data</p></figure>'
    peak = max(abs(v) for line in drawn for run in _segments(line.points) for _, v in run)
    # A bar far above the data would flatten it into the axis: name it in the legend instead of drawing it.
    shown = [th for th in thresholds if abs(th.value) <= OFF_SCALE * peak or peak == 0]
    off_scale = [th for th in thresholds if th not in shown]
    frame = _frame(drawn, shown, origin, kind)
    body = _axes(frame, kind) + _thresholds(frame, shown) + _paths(frame, drawn)
    svg = f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">{"".join(body)}</svg>'
    return f'<figure class="chart">{caption}{svg}{_legend(drawn, shown, off_scale, hidden)}</figure>'
