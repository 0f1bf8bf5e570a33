"""Exact event counts from counter samples: pure arithmetic over raw scrapes, no PromQL extrapolation.

`rate()`/`increase()` cannot count the first value of a series born inside the window (there is no earlier
sample) and extrapolate to the window edges. Here a series' events in a window are the counter's increase
between two scrapes that bracket the window:

- start: the last scrape at or before the window start; a series with no such scrape was born in the window
  and counts from 0;
- end: the first scrape at or after the window end (the scrape that follows the load); when Prometheus has
  none yet, the last scrape before the end, and the count says the end is not covered.

Counter resets (a value lower than the previous one) add the new value, as Prometheus does. The count is exact
for events inside [start, end]; events between the start bracket and the start, or between the end and the end
bracket (at most one scrape interval each side), are included too: that is the error bound, reported as
`start_gap_seconds` / `end_gap_seconds`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Points = Sequence[tuple[float, float]]


@dataclass(frozen=True)
class SeriesCount:
    """The events one counter series recorded in a window."""

    labels: Mapping[str, str]
    events: float
    born: bool  # no scrape at or before the window start: counted from 0
    start_at: float | None  # the scrape the count starts from (None when born)
    end_at: float  # the scrape the count ends at
    end_covered: bool  # that scrape is at or after the window end
    resets: int
    born_value: float = 0.0  # a born series' first scraped value: the events rate()/increase() cannot see


def count_series(labels: Mapping[str, str], points: Points, start: float, end: float) -> SeriesCount | None:
    """The events of one series in [start, end]; None when it has no scrape that could say anything."""
    ordered = sorted((t, v) for t, v in points if not math.isnan(v))
    before = [p for p in ordered if p[0] <= start]
    after_end = [p for p in ordered if p[0] >= end]
    end_point = after_end[0] if after_end else None
    inside = [p for p in ordered if start < p[0] < end]
    if end_point is None and not inside:
        if not before:
            return None
        end_point = before[-1]  # no scrape after the start: nothing happened that Prometheus saw
    elif end_point is None:
        end_point = inside[-1]
    born = not before
    lower = start if born else before[-1][0]
    used = [p for p in ordered if (p[0] > lower if born else p[0] >= lower) and p[0] <= end_point[0]]
    events, resets = (used[0][1], 0) if born else (0.0, 0)
    for (_, previous), (_, value) in itertools.pairwise(used):
        if value < previous:
            events += value
            resets += 1
        else:
            events += value - previous
    return SeriesCount(
        dict(labels),
        events,
        born,
        None if born else before[-1][0],
        end_point[0],
        end_point[0] >= end,
        resets,
        used[0][1] if born else 0.0,
    )


@dataclass(frozen=True)
class GroupCount:
    """The events of the series that share the `by` labels' values."""

    labels: Mapping[str, str]
    events: float
    series: tuple[SeriesCount, ...]


def group_counts(counts: Iterable[SeriesCount], by: Sequence[str]) -> tuple[GroupCount, ...]:
    """Sum series counts per value of the `by` labels (one group `{}` without `by`), in a stable order."""
    groups: dict[tuple[str, ...], list[SeriesCount]] = {}
    for count in counts:
        key = tuple(count.labels.get(label, "") for label in by)
        groups.setdefault(key, []).append(count)
    return tuple(
        GroupCount(dict(zip(by, key, strict=True)), math.fsum(c.events for c in members), tuple(members))
        for key, members in sorted(groups.items())
    )


def count_all(series: Iterable[tuple[Mapping[str, str], Points]], start: float, end: float) -> tuple[SeriesCount, ...]:
    """`count_series` over every series, dropping those with nothing to say."""
    counted = (count_series(labels, points, start, end) for labels, points in series)
    return tuple(c for c in counted if c is not None)


def bracket_gaps(counts: Sequence[SeriesCount], start: float, end: float) -> tuple[float, float]:
    """The widest distance from the window start back to a start scrape, and from the end to an end scrape:
    events in those gaps may be counted too (the error bound)."""
    starts = [start - c.start_at for c in counts if c.start_at is not None]
    ends = [c.end_at - end for c in counts if c.end_covered]
    return (max(starts, default=0.0), max(ends, default=0.0))


def counter_promql(form: str, selector: str, total: str | None, by: Sequence[str], range_: str) -> str:
    """The closest PromQL of a counter form, for charts only (it has rate()'s bias; the gate counts exactly)."""
    grouping = f" by ({', '.join(by)})" if by else ""
    function = "increase" if form == "count" else "rate"
    numerator = f"sum{grouping}({function}({selector.strip()}[{range_}]))"
    if form != "ratio" or total is None:
        return numerator
    return f"{numerator} / sum{grouping}(rate({total.strip()}[{range_}]))"
