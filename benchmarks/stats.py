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


def _both_running(samples: Sequence[Sequence[float]]) -> list[int]:
    """Indices i whose interval (i-1, i] saw requests on both counters (each poll adds one request itself)."""
    return [
        i
        for i in range(1, len(samples))
        if samples[i][1] - samples[i - 1][1] > 1 and samples[i][2] - samples[i - 1][2] > 1
    ]


def steady_window(samples: Sequence[Sequence[float]]) -> tuple[int, int] | None:
    """The first and last sample of the seconds both counters (`sample[1]`, `sample[2]`) were rising, after a
    WARMUP_SECONDS warm-up and before an END_MARGIN_SECONDS margin; None when that is under MIN_STEADY_SECONDS."""
    running = _both_running(samples)
    if not running:
        return None
    start = samples[running[0] - 1][0] + WARMUP_SECONDS
    end = samples[running[-1]][0] - END_MARGIN_SECONDS
    inside = [i for i in range(running[0] - 1, running[-1] + 1) if start <= samples[i][0] <= end]
    if len(inside) < 2 or samples[inside[-1]][0] - samples[inside[0]][0] < MIN_STEADY_SECONDS:
        return None
    return inside[0], inside[-1]


def steady_ratio(samples: Sequence[Sequence[float]]) -> dict[str, float]:
    """`(time, base count, other count)` samples → the rates over the seconds both loads were running, after a
    WARMUP_SECONDS warm-up and before an END_MARGIN_SECONDS margin, and `ratio` = other / base (NaN when the
    overlap is too short to say)."""
    window = steady_window(samples)
    if window is None:
        return {"ratio": math.nan, "seconds": 0.0, "base_rps": math.nan, "other_rps": math.nan}
    first, last = window
    seconds = samples[last][0] - samples[first][0]
    polls = last - first  # one request per poll on each counter
    base = (samples[last][1] - samples[first][1] - polls) / seconds
    other = (samples[last][2] - samples[first][2] - polls) / seconds
    return {"ratio": other / base if base > 0 else math.nan, "seconds": seconds, "base_rps": base, "other_rps": other}


def steady_cpu_per_request(samples: Sequence[Sequence[float]]) -> dict[str, float]:
    """`(time, base count, other count, base CPU s, other CPU s)` samples → each side's CPU microseconds per
    request over the steady window of `steady_window`, and `ratio` = other / base (NaN when too short)."""
    window = steady_window(samples)
    invalid = {"ratio": math.nan, "seconds": 0.0, "base_cpu_us": math.nan, "other_cpu_us": math.nan}
    if window is None:
        return invalid
    first, last = window
    polls = last - first
    per_request = []
    for counter, cpu in ((1, 3), (2, 4)):
        requests = samples[last][counter] - samples[first][counter] - polls
        seconds = samples[last][cpu] - samples[first][cpu]
        per_request.append(seconds / requests * 1e6 if requests > 0 else math.nan)
    base, other = per_request
    ratio = other / base if base > 0 else math.nan
    return {"ratio": ratio, "seconds": samples[last][0] - samples[first][0], "base_cpu_us": base, "other_cpu_us": other}


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
