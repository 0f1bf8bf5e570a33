"""Pure parts of generated panels: per-interval queries, Grafana units and threshold steps."""

from __future__ import annotations

import pytest

from slocheck.core.model import Bar
from slocheck.core.spec.schema import parse_bar
from slocheck.core.units import Kind
from slocheck.grafana.dashboards.queries import per_interval_query, sums_over_window
from slocheck.grafana.dashboards.thresholds import grafana_unit, threshold_steps


def bar(text: str | list[str]) -> Bar:
    return Bar(parse_bar(text))


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("rate(x[$__range])", "rate(x[$__rate_interval])"),
        ("sum(increase(x[${__range}]))", "sum(increase(x[$__rate_interval]))"),
        (
            "histogram_quantile(0.9, sum by (le) (rate(h_bucket[$__range])))",
            "histogram_quantile(0.9, sum by (le) (rate(h_bucket[$__rate_interval])))",
        ),
        ("max_over_time(redis_memory_used_bytes[$__range])", "max_over_time(redis_memory_used_bytes[$__interval])"),
        ("max_over_time(sum(x)[$__range:1s])", "max_over_time(sum(x)[$__interval:1s])"),
        ("rate(x[$__interval])", "rate(x[$__interval])"),
        ("x offset $__range", "x offset $__range"),
        ("sum(x) / $__range_s", "sum(x) / $__range_s"),
        ("x @ $__end", "x @ ${__to:date:seconds}"),
        ("x @ $__start", "x @ ${__from:date:seconds}"),
    ],
)
def test_window_built_ins_become_grafanas_per_interval_ones(template: str, expected: str) -> None:
    assert per_interval_query(template, {}) == expected


def test_a_bracket_inside_a_label_value_does_not_confuse_the_rewrite() -> None:
    template = 'max_over_time(x{path="/a(b[c"}[$__range]) + rate(y{q=")"}[$__range])'
    assert per_interval_query(template, {}) == (
        'max_over_time(x{path="/a(b[c"}[$__interval]) + rate(y{q=")"}[$__rate_interval])'
    )


def test_variables_are_substituted_escaped_in_the_same_pass() -> None:
    template = 'rate(x{job="${job}"}[$__range])'
    assert per_interval_query(template, {"job": 'a"b$__range'}) == 'rate(x{job="a\\"b$__range"}[$__rate_interval])'


def test_logql_windows_become_the_plain_interval() -> None:
    assert per_interval_query('sum(rate({app="api"} |= "ERROR" [$__range]))', {}, language="logql") == (
        'sum(rate({app="api"} |= "ERROR" [$__interval]))'
    )


@pytest.mark.parametrize(
    ("template", "sums"),
    [
        ("sum(increase(errors_total[$__range]))", True),
        ('sum(count_over_time({app="x"}[$__range]))', True),
        ("sum(rate(errors_total[$__range]))", False),
        ("max_over_time(x[$__range])", False),
    ],
)
def test_queries_that_add_up_over_the_window_are_recognised(template: str, sums: bool) -> None:
    assert sums_over_window(template) is sums


@pytest.mark.parametrize(
    ("kind", "unit"),
    [
        (Kind.DURATION, "s"),
        (Kind.BYTES, "bytes"),
        (Kind.RATIO, "percentunit"),
        (Kind.RATE, "reqps"),
        (Kind.NUMBER, "short"),
    ],
)
def test_each_kind_has_the_grafana_unit_of_its_base_unit(kind: Kind, unit: str) -> None:
    assert grafana_unit(kind) == unit


def test_an_upper_bound_with_a_warn_bar_is_green_yellow_red() -> None:
    assert threshold_steps(bar("< 500ms"), bar("< 800ms")) == [
        {"color": "green", "value": None},
        {"color": "yellow", "value": 0.5},
        {"color": "red", "value": 0.8},
    ]


def test_a_lower_bound_is_red_below_and_green_from_the_bar_up() -> None:
    assert threshold_steps(bar(">= 1000/s"), bar(">= 800/s")) == [
        {"color": "red", "value": None},
        {"color": "yellow", "value": 800.0},
        {"color": "green", "value": 1000.0},
    ]


def test_percent_and_size_bars_keep_their_base_unit_values() -> None:
    assert threshold_steps(bar("< 0.1%"), None) == [{"color": "green", "value": None}, {"color": "red", "value": 0.001}]
    assert threshold_steps(bar("< 12GiB"), None)[1] == {"color": "red", "value": 12 * 1024.0**3}


def test_a_range_bar_is_green_only_inside_it() -> None:
    assert threshold_steps(bar(["> 1", "< 5"]), None) == [
        {"color": "red", "value": None},
        {"color": "green", "value": 1.0},
        {"color": "red", "value": 5.0},
    ]
