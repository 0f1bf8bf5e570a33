"""The Jaeger adapter against a fake Jaeger over real HTTP: api_v3, the v1 fallback, slicing, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from slocheck.config.settings import JaegerSettings
from slocheck.core.errors import BackendUnavailable, QueryError
from slocheck.sources.jaeger import JaegerBackend
from slocheck.sources.jaeger_sample import TraceQuery
from tests.support.fake_jaeger import FakeJaeger
from tests.support.traces import AGENT_RUN, SERVICE, request_trace

END = datetime.now(UTC).replace(microsecond=0)
START = END - timedelta(minutes=10)
QUERY = TraceQuery(SERVICE, AGENT_RUN)


def backend(url: str, **options: int) -> JaegerBackend:
    return JaegerBackend(JaegerSettings(url=url, retry_budget=0.5, timeout=2), **options)


def spread(jaeger: FakeJaeger, count: int, *, run_id: str | None = None) -> None:
    """`count` traces evenly over the window, 100 ms to 100+count ms."""
    for number in range(count):
        at = START + (END - START) * (number + 0.5) / count
        jaeger.add(request_trace(number + 1, at, 0.1 + number / 1000, run_id=run_id))


def test_api_v3_is_asked_first_with_snake_case_parameters_and_a_trace_limit(fake_jaeger: FakeJaeger) -> None:
    spread(fake_jaeger, 3)

    backend(fake_jaeger.url).search(QUERY, START, END)

    [params] = fake_jaeger.searches("/api/v3/traces")
    assert params["query.service_name"] == SERVICE
    assert params["query.operation_name"] == AGENT_RUN
    assert params["query.num_traces"] == "500"
    assert params["query.start_time_min"].endswith("Z")
    assert fake_jaeger.searches("/api/traces") == []


def test_an_api_v3_search_returns_every_matching_trace(fake_jaeger: FakeJaeger) -> None:
    spread(fake_jaeger, 7)

    search = backend(fake_jaeger.url).search(QUERY, START, END)

    assert (len(search.traces), search.api, search.complete) == (7, "api_v3", True)


def test_no_traces_found_is_an_empty_sample_not_an_error(fake_jaeger: FakeJaeger) -> None:
    search = backend(fake_jaeger.url).search(QUERY, START, END)

    assert (search.traces, search.api) == ((), "api_v3")
    assert fake_jaeger.searches("/api/traces") == []


def test_an_old_jaeger_without_api_v3_is_searched_through_v1(fake_jaeger: FakeJaeger) -> None:
    fake_jaeger.mode = "old"
    spread(fake_jaeger, 4)

    search = backend(fake_jaeger.url).search(QUERY, START, END)

    assert (len(search.traces), search.api) == (4, "v1")
    [params] = fake_jaeger.searches("/api/traces")
    assert (params["service"], params["operation"], params["limit"]) == (SERVICE, AGENT_RUN, "500")
    assert int(params["start"]) == int(START.timestamp() * 1e6)


def test_v1_is_remembered_once_api_v3_was_found_missing(fake_jaeger: FakeJaeger) -> None:
    fake_jaeger.mode = "old"
    jaeger = backend(fake_jaeger.url)

    jaeger.search(QUERY, START, END)
    jaeger.search(TraceQuery(SERVICE), START, END)

    assert len(fake_jaeger.searches("/api/v3/traces")) == 1


def test_a_new_jaeger_without_the_v1_search_is_searched_through_api_v3(fake_jaeger: FakeJaeger) -> None:
    fake_jaeger.mode = "new"
    spread(fake_jaeger, 2)

    assert backend(fake_jaeger.url).search(QUERY, START, END).api == "api_v3"


def test_a_server_with_neither_search_is_a_query_error_that_says_so(fake_jaeger: FakeJaeger) -> None:
    fake_jaeger.mode = "none"

    with pytest.raises(QueryError) as raised:
        backend(fake_jaeger.url).search(QUERY, START, END)

    assert str(raised.value).startswith(f"Jaeger: {fake_jaeger.url} has neither api_v3 (/api/v3/traces) nor the v1")


def test_a_full_answer_makes_the_adapter_sample_the_window_slice_by_slice(fake_jaeger: FakeJaeger) -> None:
    spread(fake_jaeger, 60)

    search = backend(fake_jaeger.url, limit=20, slices=5).search(QUERY, START, END)

    searches = fake_jaeger.searches("/api/v3/traces")
    assert len(searches) == 1 + 5
    assert [s["query.start_time_min"] for s in searches[1:]] == sorted(s["query.start_time_min"] for s in searches[1:])
    assert (len(search.traces), search.slices, search.queries) == (60, 5, 6)
    assert search.complete is True  # each slice of 12 traces fits under the limit of 20


def test_slices_that_still_hit_the_limit_make_the_sample_incomplete(fake_jaeger: FakeJaeger) -> None:
    spread(fake_jaeger, 60)

    search = backend(fake_jaeger.url, limit=10, slices=3).search(QUERY, START, END)

    assert (len(search.traces), search.limited_slices, search.complete) == (30, 3, False)


def test_the_sample_of_a_sliced_search_spans_the_whole_window(fake_jaeger: FakeJaeger) -> None:
    spread(fake_jaeger, 60)

    search = backend(fake_jaeger.url, limit=10, slices=3).search(QUERY, START, END)

    starts = sorted(min(s.start_ns for s in t.spans) for t in search.traces)
    third = (END - START).total_seconds() / 3 * 1e9
    first_slice = int(START.timestamp() * 1e9) + third
    assert starts[0] < first_slice < starts[-1]


def test_a_run_search_asks_for_the_load_generators_spans_with_the_run_id(fake_jaeger: FakeJaeger) -> None:
    spread(fake_jaeger, 3, run_id="r-7")

    search = backend(fake_jaeger.url).search(TraceQuery(SERVICE, AGENT_RUN, run_id="r-7"), START, END)

    [params] = fake_jaeger.searches("/api/v3/traces")
    assert params["query.service_name"] == "slocheck-load"
    assert json.loads(params["query.attributes"]) == {"slocheck.run_id": "r-7"}
    assert "query.operation_name" not in params
    assert len(search.traces) == 3


def test_the_same_search_twice_is_fetched_once(fake_jaeger: FakeJaeger) -> None:
    jaeger = backend(fake_jaeger.url)

    jaeger.search(QUERY, START, END)
    jaeger.search(QUERY, START, END)

    assert len(fake_jaeger.searches("/api/v3/traces")) == 1


def test_a_bad_request_is_a_query_error_with_jaegers_message(fake_jaeger: FakeJaeger) -> None:
    with pytest.raises(QueryError) as raised:
        backend(fake_jaeger.url).search(QUERY, END, END.replace(year=1))

    assert str(raised.value).startswith("Jaeger: HTTP 400: malformed parameter")


def test_an_unreachable_jaeger_is_unavailable_and_named(closed_url: str) -> None:
    with pytest.raises(BackendUnavailable) as raised:
        backend(closed_url).search(QUERY, START, END)

    assert str(raised.value).startswith(f"Jaeger: cannot reach {closed_url}: Connection refused")


def test_trace_links_use_the_ui_url_when_one_is_set() -> None:
    jaeger = JaegerBackend(JaegerSettings(url="http://query:16686", ui_url="https://jaeger.example.com/"))

    assert jaeger.trace_url("abc") == "https://jaeger.example.com/trace/abc"


def test_trace_links_use_the_query_url_otherwise() -> None:
    assert JaegerBackend(JaegerSettings(url="http://query:16686")).trace_url("abc") == "http://query:16686/trace/abc"
