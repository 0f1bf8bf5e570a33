"""Reading a context document (context.json, collected by `slocheck.app.context`): pure helpers for the report."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def entry(context: Mapping[str, Any] | None, id: str) -> Mapping[str, Any] | None:
    """The entry `id` when it has data, else None."""
    if not context:
        return None
    found = (context.get("entries") or {}).get(id)
    return found if found and found.get("status") == "ok" else None


def finite_points(series: Mapping[str, Any]) -> list[tuple[float, float]]:
    return [(float(t), float(v)) for t, v in series.get("points", []) if v is not None and math.isfinite(v)]


def window_value(context: Mapping[str, Any] | None, id: str) -> list[tuple[dict[str, str], float]]:
    """The single value per series of a `window` entry (labels, value); [] when there is none."""
    found = entry(context, id)
    if found is None:
        return []
    values = []
    for series in found.get("series", []):
        points = finite_points(series)
        if points:
            values.append((dict(series.get("labels", {})), points[-1][1]))
    return values
