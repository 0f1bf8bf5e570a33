"""backends/prometheus.py pure parsers, on responses recorded from a real Prometheus 2.42."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slocheck.core.errors import QueryError
from slocheck.core.model import SeriesValue
from slocheck.sources.prometheus import (
    MAX_POINTS_PER_SERIES,
    parse_error_body,
    parse_instant_result,
    parse_range_result,
    range_step,
)
from tests.support.recorded import PROMETHEUS


@pytest.fixture
def prometheus_dir() -> Path:
    return PROMETHEUS


def data_result(path: Path) -> Any:
    envelope = json.loads(path.read_text(encoding="utf-8"))
    assert envelope["status"] == "success"
    return envelope["data"]["result"]


def test_a_recorded_vector_becomes_one_series_with_its_labels(prometheus_dir: Path) -> None:
    result = parse_instant_result(data_result(prometheus_dir / "query_recording_rule.json"))
    assert result.series == (SeriesValue({"__name__": "demo:error_ratio:rate1m"}, 0.04608501118568232),)


def test_a_scalar_result_becomes_one_series_without_labels() -> None:
    # The documented scalar shape (Prometheus HTTP API docs): `[<unix time>, "<value>"]`.
    assert parse_instant_result([1700000000, "0.99"]).series == (SeriesValue({}, 0.99),)


def test_a_scalar_with_a_fractional_timestamp_is_still_a_scalar() -> None:
    assert parse_instant_result([1795389925.748, "1"]).series == (SeriesValue({}, 1.0),)


def test_an_empty_vector_has_no_series() -> None:
    assert parse_instant_result([]).series == ()


@pytest.mark.parametrize("text", ["NaN", "+Inf", "-Inf"])
def test_sample_strings_nan_and_inf_become_floats(text: str) -> None:
    (series,) = parse_instant_result([{"metric": {}, "value": [1, text]}]).series
    assert math.isnan(series.value) if text == "NaN" else series.value == float(text)


def test_a_matrix_given_to_the_instant_parser_asks_to_wrap_the_range_vector(prometheus_dir: Path) -> None:
    with pytest.raises(QueryError, match=r"returns a range vector; wrap it, e\.g\. max_over_time"):
        parse_instant_result(data_result(prometheus_dir / "query_range_p99.json"))


def test_a_result_that_is_not_a_list_is_rejected() -> None:
    with pytest.raises(QueryError, match="unexpected result shape dict"):
        parse_instant_result({"resultType": "vector"})


def test_a_recorded_matrix_becomes_labelled_points(prometheus_dir: Path) -> None:
    result = parse_range_result(data_result(prometheus_dir / "query_range_error_ratio.json"))
    ((labels, points),) = result.series
    assert labels == {}
    assert points == (
        (1795389905.0, 0.04884318766066838),
        (1795389910.0, 0.04337899543378996),
        (1795389915.0, 0.041379310344827586),
        (1795389920.0, 0.049255441008018326),
        (1795389925.0, 0.05568181818181818),
    )


def test_a_recorded_latency_matrix_keeps_every_sample(prometheus_dir: Path) -> None:
    ((_, points),) = parse_range_result(data_result(prometheus_dir / "query_range_p99.json")).series
    assert [v for _, v in points] == pytest.approx([0.1770625, 0.2062, 0.217375, 0.20635, 0.215263157894737])


def test_a_range_result_that_is_not_a_list_is_rejected() -> None:
    with pytest.raises(QueryError, match="unexpected result shape"):
        parse_range_result("nope")


def test_the_recorded_bad_promql_error_keeps_prometheus_own_words(prometheus_dir: Path) -> None:
    message = parse_error_body(400, (prometheus_dir / "query_bad_promql.json").read_bytes())
    assert "parse error: unclosed left parenthesis" in message
    assert "bad_data" in message
    assert message == '400 bad_data: invalid parameter "query": 1:33: parse error: unclosed left parenthesis'


def test_a_non_json_error_body_is_quoted_with_the_status() -> None:
    assert parse_error_body(502, b"<html>Bad Gateway</html>\n") == "HTTP 502: <html>Bad Gateway</html>"


def test_a_long_non_json_error_body_is_cut_to_300_characters() -> None:
    assert parse_error_body(500, b"x" * 1000) == "HTTP 500: " + "x" * 300


def test_an_empty_error_body_says_so() -> None:
    assert parse_error_body(503, b"") == "HTTP 503: (empty body)"


def test_json_without_an_error_field_is_quoted_raw() -> None:
    assert parse_error_body(500, b'{"message": "oops"}') == 'HTTP 500: {"message": "oops"}'


def test_an_error_body_with_invalid_utf8_does_not_crash() -> None:
    assert parse_error_body(500, b"\xff\xfe bad").startswith("HTTP 500: ")


def test_range_step_keeps_a_step_that_fits() -> None:
    assert range_step(300, 15) == 15


def test_range_step_defaults_to_one_second_for_short_windows() -> None:
    assert range_step(300, None) == 1


def test_range_step_is_raised_for_a_month_at_one_second() -> None:
    assert range_step(30 * 86400, 1) == math.ceil(30 * 86400 / MAX_POINTS_PER_SERIES)


@given(st.floats(min_value=1, max_value=10 * 365 * 86400), st.one_of(st.none(), st.floats(0.001, 86400)))
def test_range_step_never_asks_for_more_than_eleven_thousand_points(window: float, wanted: float | None) -> None:
    step = range_step(window, wanted)
    assert step >= 1
    assert window / step <= MAX_POINTS_PER_SERIES
    if wanted is not None:
        assert step >= wanted
