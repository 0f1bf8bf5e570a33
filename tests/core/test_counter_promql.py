"""counter_promql: the PromQL a dashboard charts for a counter form (the gate itself counts exactly)."""

from __future__ import annotations

from slocheck.core.counters import counter_promql


def test_count_charts_as_increase_and_rate_as_rate() -> None:
    assert counter_promql("count", "x_total", None, (), "$__range") == "sum(increase(x_total[$__range]))"
    assert counter_promql("rate", "x_total", None, (), "$__range") == "sum(rate(x_total[$__range]))"


def test_a_ratio_per_group_divides_two_grouped_rates() -> None:
    assert counter_promql("ratio", 'x{s="5"}', "x", ["route"], "$__range") == (
        'sum by (route)(rate(x{s="5"}[$__range])) / sum by (route)(rate(x[$__range]))'
    )
