"""The per-interval client histograms (load/timeline.py): snapshots of cumulative histograms, bounded in size."""

from __future__ import annotations

import pytest

from slocheck.load.histogram import LogHistogram
from slocheck.load.stats import ClientStats
from slocheck.load.timeline import Slot, Timeline


def test_each_interval_holds_only_the_requests_that_finished_in_it() -> None:
    stats = ClientStats()
    stats.record("GET", "/a", 0.1, 0, None)
    stats.record("GET", "/a", 0.1, 0, None)
    stats.snapshot_interval(1.0)
    stats.record("GET", "/a", 0.3, 0, None)
    stats.record("GET", "/b", 0.2, 0, None)
    stats.snapshot_interval(2.0)
    first, second = stats.timeline.slots
    assert (first.start, first.end, first.endpoints[("GET", "/a")].count) == (0.0, 1.0, 2)
    assert second.endpoints[("GET", "/a")].count == 1
    assert second.endpoints[("GET", "/a")].quantile(0.5) == pytest.approx(0.3, rel=0.005)  # a bucket's value
    assert second.endpoints[("GET", "/b")].count == 1


def test_failed_requests_are_left_out_of_the_intervals() -> None:
    stats = ClientStats()
    stats.record("GET", "/a", 0.001, 0, "ConnectionRefusedError")
    stats.snapshot_interval(1.0)
    assert stats.timeline.slots[0].endpoints == {}


def test_a_snapshot_without_time_passing_adds_no_interval() -> None:
    timeline = Timeline()
    timeline.snapshot(1.0, {})
    timeline.snapshot(1.0, {})
    assert len(timeline.slots) == 1


def test_more_intervals_than_the_limit_are_merged_in_pairs_keeping_every_request() -> None:
    timeline = Timeline(max_slots=4)
    cumulative = LogHistogram()
    for second in range(1, 6):
        cumulative.add(0.1 * second)
        timeline.snapshot(float(second), {("GET", "/a"): cumulative})
    assert [(s.start, s.end) for s in timeline.slots] == [(0.0, 2.0), (2.0, 4.0), (4.0, 5.0)]
    assert sum(s.endpoints[("GET", "/a")].count for s in timeline.slots) == 5


def test_intervals_survive_the_wire_form() -> None:
    timeline = Timeline()
    timeline.snapshot(1.5, {("POST", "/run"): LogHistogram.of([0.2, 0.4])})
    (back,) = Timeline.from_wire(timeline.to_wire())
    assert isinstance(back, Slot)
    assert (back.start, back.end, back.endpoints[("POST", "/run")].count) == (0.0, 1.5, 2)


def test_merged_intervals_keep_the_median_of_their_requests() -> None:
    cumulative = LogHistogram()
    timeline = Timeline()
    for second, values in enumerate(([0.001], [0.005, 0.005], [0.006]), start=1):
        for value in values:
            cumulative.add(value)
        timeline.snapshot(float(second), {("GET", "/a"): cumulative})
    merged = LogHistogram()
    for slot in Timeline.from_wire(timeline.to_wire()):
        merged.merge(slot.endpoints[("GET", "/a")])
    assert merged.quantile(0.5) == pytest.approx(0.005, rel=0.005)  # not clamped to the first interval's max
