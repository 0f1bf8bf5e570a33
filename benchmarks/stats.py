"""Small pure helpers for the benchmark numbers: medians, ranges, and the steady-state ratio of two request
counters sampled at the same instants."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence

WARMUP_SECONDS = 2.0
END_MARGIN_SECONDS = 1.0
MIN_STEADY_SECONDS = 2.0


def median(values: Iterable[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return statistics.median(finite) if finite else math.nan


def spread(values: Iterable[float]) -> tuple[float, float]:
    finite = [v for v in values if math.isfinite(v)]
    return (min(finite), max(finite)) if finite else (math.nan, math.nan)


def _both_running(samples: Sequence[tuple[float, int, int]]) -> list[int]:
    """Indices i whose interval (i-1, i] saw requests on both counters (each poll adds one request itself)."""
    return [
        i
        for i in range(1, len(samples))
        if samples[i][1] - samples[i - 1][1] > 1 and samples[i][2] - samples[i - 1][2] > 1
    ]


def steady_ratio(samples: Sequence[tuple[float, int, int]]) -> dict[str, float]:
    """`(time, base count, other count)` samples → the rates over the seconds both loads were running, after a
    WARMUP_SECONDS warm-up and before an END_MARGIN_SECONDS margin, and `ratio` = other / base (NaN when the
    overlap is too short to say)."""
    running = _both_running(samples)
    invalid = {"ratio": math.nan, "seconds": 0.0, "base_rps": math.nan, "other_rps": math.nan}
    if not running:
        return invalid
    start = samples[running[0] - 1][0] + WARMUP_SECONDS
    end = samples[running[-1]][0] - END_MARGIN_SECONDS
    inside = [i for i in range(running[0] - 1, running[-1] + 1) if start <= samples[i][0] <= end]
    if len(inside) < 2:
        return invalid
    first, last = inside[0], inside[-1]
    seconds = samples[last][0] - samples[first][0]
    if seconds < MIN_STEADY_SECONDS:
        return invalid
    polls = last - first  # one request per poll on each counter
    base = (samples[last][1] - samples[first][1] - polls) / seconds
    other = (samples[last][2] - samples[first][2] - polls) / seconds
    return {"ratio": other / base if base > 0 else math.nan, "seconds": seconds, "base_rps": base, "other_rps": other}


def balanced_ratio(pairs: Sequence[Mapping[str, object]]) -> float:
    """The side-by-side ratio with the start-order bias cancelled: the geometric mean of the median ratio of the
    repetitions where the base side started later and of those where the other side did. With one order only
    (a quick run), that order's median."""
    by_order: dict[str, list[float]] = {}
    for pair in pairs:
        ratio = pair.get("ratio")
        if isinstance(ratio, int | float) and math.isfinite(ratio):
            by_order.setdefault(str(pair.get("late", "other")), []).append(float(ratio))
    medians = [median(values) for values in by_order.values()]
    if not medians:
        return math.nan
    return math.prod(medians) ** (1 / len(medians))
