"""The Loki adapter's pure parsers, on the responses recorded from a real Loki 2.8.11."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from slocheck.core.errors import QueryError
from slocheck.sources.loki import loki_time, parse_error, parse_instant_body, parse_range_body
from tests.support.fake_loki import FIXTURES


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def test_an_instant_metric_answer_becomes_one_series_per_label_set() -> None:
    result = parse_instant_body(recorded("query_instant_metric.json"))

    assert {(s.labels["level"], s.value) for s in result.series} == {("error", 6.0), ("info", 24.0)}


def test_an_instant_answer_without_labels_is_one_series_with_empty_labels() -> None:
    result = parse_instant_body(recorded("query_instant_scalar.json"))

    assert [(dict(s.labels), s.value) for s in result.series] == [({}, 0.02)]


def test_a_range_metric_answer_keeps_every_point_of_every_series() -> None:
    result = parse_range_body(recorded("query_range_metric.json"))

    by_level = {labels["level"]: [v for _, v in points] for labels, points in result.series}
    assert by_level == {"error": [1.0, 3.0, 4.0, 6.0, 5.0], "info": [4.0, 9.0, 16.0, 21.0, 20.0]}


def test_range_points_carry_their_unix_seconds() -> None:
    result = parse_range_body(recorded("query_range_error_ratio.json"))

    labels, points = result.series[0]
    assert labels == {}
    assert points[0] == (1795390995.0, 0.2)
    assert points[3][1] == pytest.approx(0.2222222222222222)


def test_a_log_stream_answer_is_rejected_with_a_hint_to_count_the_lines() -> None:
    with pytest.raises(QueryError) as raised:
        parse_range_body(recorded("query_range_logs.json"))

    assert str(raised.value).startswith("Loki: the query returns log lines, not a number; count them with count:")


def test_a_matrix_from_an_instant_query_is_rejected_with_a_hint() -> None:
    with pytest.raises(QueryError, match="range vector"):
        parse_instant_body(recorded("query_range_metric.json"))


def test_an_answer_that_is_not_a_loki_result_is_a_query_error() -> None:
    with pytest.raises(QueryError, match="is this Loki"):
        parse_instant_body({"status": "error"})


def test_a_plain_text_error_body_is_shown_as_loki_wrote_it() -> None:
    text = (FIXTURES / "query_range_bad_logql.txt").read_text()

    assert parse_error(400, text) == "parse error at line 1, col 47: syntax error: unexpected $end"


def test_a_multi_line_error_body_becomes_one_line() -> None:
    assert parse_error(504, "request timed out,\n  decrease the duration\n") == (
        "HTTP 504: request timed out, decrease the duration"
    )


def test_loki_times_are_unix_nanoseconds() -> None:
    assert loki_time(datetime(2026, 11, 23, 10, 0, 0, 123456, tzinfo=UTC)) == "1795428000123456000"
