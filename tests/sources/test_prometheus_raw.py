"""sources/prometheus.py: raw samples of a range selector, and the targets' last scrape, from recorded JSON."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from slocheck.core.errors import QueryError
from slocheck.sources.prometheus import parse_raw_samples, parse_targets, raw_samples_query

MATRIX = [
    {"metric": {"__name__": "http_requests_total", "status": "200"}, "values": [[1764365398.0, "3"], [1764365399, "5"]]}
]
TARGETS = {
    "activeTargets": [
        {"labels": {"job": "api", "instance": "127.0.0.1:1"}, "lastScrape": "2026-11-28T21:35:55.74732857Z",
         "health": "up"},
        {"labels": {"job": "api", "instance": "127.0.0.1:2"}, "lastScrape": "0001-01-01T00:00:00Z",
         "health": "unknown"},
    ]
}  # fmt: skip


def test_the_range_selector_spans_the_window_in_milliseconds() -> None:
    start, end = datetime(2026, 11, 28, 12, 0, tzinfo=UTC), datetime(2026, 11, 28, 12, 0, 30, 500000, tzinfo=UTC)
    assert raw_samples_query(' x_total{job="a"} ', start, end) == 'x_total{job="a"}[30500ms]'


def test_a_matrix_becomes_labelled_points() -> None:
    ((labels, points),) = parse_raw_samples(MATRIX).series
    assert labels["status"] == "200"
    assert points == ((1764365398.0, 3.0), (1764365399.0, 5.0))


def test_an_instant_vector_is_not_raw_samples() -> None:
    with pytest.raises(QueryError, match="expected raw samples"):
        parse_raw_samples([{"metric": {}, "value": [1.0, "1"]}])


def test_targets_carry_their_last_scrape_and_never_scraped_is_none() -> None:
    first, second = parse_targets(TARGETS)
    assert (first.job, first.instance) == ("api", "127.0.0.1:1")
    assert first.last_scrape == datetime(2026, 11, 28, 21, 35, 55, 747328, tzinfo=UTC)
    assert second.last_scrape is None
