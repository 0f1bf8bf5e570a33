"""report/charts.py: inline SVG line charts that show gaps as gaps and nothing as "no data"."""

from __future__ import annotations

from slocheck.core.units import Kind
from slocheck.report.charts import Line, Threshold, clock, line_chart, value_ticks

from .htmlcheck import read_page


def test_a_missing_point_breaks_the_line_instead_of_bridging_it() -> None:
    svg = line_chart("x", [Line("a", [(0, 1.0), (1, 2.0), (2, None), (3, 2.0), (4, 1.0)])], Kind.NUMBER, origin=0)
    assert svg.count("<polyline") == 2
    assert read_page(svg).problems == []


def test_a_lone_point_is_drawn_as_a_dot() -> None:
    svg = line_chart("x", [Line("a", [(0, None), (1, 2.0), (2, None)])], Kind.NUMBER, origin=0)
    assert svg.count("<circle") == 1
    assert "<polyline" not in svg


def test_a_chart_without_a_finite_point_says_no_data() -> None:
    svg = line_chart("x", [Line("a", [(0, None), (1, float("nan"))])], Kind.NUMBER)
    assert "no data" in svg
    assert "<svg" not in svg


def test_a_threshold_within_reach_is_drawn_and_one_far_above_is_only_named() -> None:
    lines = [Line("p95", [(0, 0.2), (1, 0.3)])]
    svg = line_chart("x", lines, Kind.DURATION, thresholds=[Threshold("pass < 500ms", 0.5)])
    assert 'class="threshold"' in svg
    far = line_chart("x", lines, Kind.DURATION, thresholds=[Threshold("pass < 10s", 10.0)])
    assert 'class="threshold"' not in far
    assert "pass &lt; 10s (far above the data, not drawn)" in far


def test_labels_are_escaped() -> None:
    svg = line_chart("<b>", [Line('<i a="1">', [(0, 1.0), (1, 2.0)])], Kind.NUMBER)
    assert "<b>" not in svg
    assert '<i a="1">' not in svg
    assert read_page(svg).problems == []


def test_byte_ticks_are_round_in_powers_of_1024() -> None:
    ticks = value_ticks(0, 3 * 1024**2, Kind.BYTES)
    assert all(t % (512 * 1024) == 0 for t in ticks)
    assert ticks[-1] >= 3 * 1024**2


def test_elapsed_time_reads_as_minutes_and_seconds() -> None:
    assert clock(0) == "0:00"
    assert clock(75) == "1:15"
    assert clock(3725) == "1:02:05"


def test_more_series_than_colours_are_counted_not_dropped_silently() -> None:
    lines = [Line(f"s{i}", [(0, float(i)), (1, float(i))]) for i in range(12)]
    svg = line_chart("x", lines, Kind.NUMBER)
    assert "+3 more series not drawn" in svg
