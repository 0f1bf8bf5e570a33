"""Grafana units and threshold steps from an objective's pass/warn bars. Pure.

Values in slocheck are base units (seconds, bytes, ratios, per second); these Grafana units display exactly
those, so thresholds keep their base-unit values: `< 500ms` is a step at 0.5 with unit `s`, `< 0.1%` a step at
0.001 with unit `percentunit`.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from slocheck.core.model import Bar
from slocheck.core.units import Kind

GRAFANA_UNITS: dict[Kind, str] = {
    Kind.DURATION: "s",
    Kind.BYTES: "bytes",
    Kind.RATIO: "percentunit",
    Kind.RATE: "reqps",
    Kind.NUMBER: "short",
}
PASS_COLOR, WARN_COLOR, FAIL_COLOR = "green", "yellow", "red"


def grafana_unit(kind: Kind) -> str:
    return GRAFANA_UNITS[kind]


def _probe(low: float | None, high: float | None) -> float:
    """A value inside [low, high) to ask the bars about."""
    if low is None and high is not None:
        return high - max(1.0, abs(high))
    if high is None and low is not None:
        return low + max(1.0, abs(low))
    assert low is not None
    assert high is not None
    return (low + high) / 2


def threshold_steps(pass_bar: Bar, warn_bar: Bar | None) -> list[dict[str, Any]]:
    """Grafana's absolute steps (a value ≥ a step's value takes its colour): green where the pass bar holds,
    yellow where only the warn bar does, red elsewhere. `< 500ms` / `< 800ms` → green, yellow at 0.5, red at 0.8;
    `>= 1000/s` → red, green at 1000."""
    bars = [pass_bar] + ([warn_bar] if warn_bar is not None else [])
    bounds = sorted({c.threshold for bar in bars for c in bar.conditions if math.isfinite(c.threshold)})

    def color(value: float) -> str:
        if pass_bar.holds(value):
            return PASS_COLOR
        if warn_bar is not None and warn_bar.holds(value):
            return WARN_COLOR
        return FAIL_COLOR

    if not bounds:
        return [{"color": color(0.0), "value": None}]
    edges: list[float | None] = [None, *bounds, None]
    steps: list[dict[str, Any]] = []
    for low, high in itertools.pairwise(edges):
        shade = color(_probe(low, high))
        if not steps or steps[-1]["color"] != shade:
            steps.append({"color": shade, "value": low})
    return steps
