"""The Jaeger adapter's pure parsers, on Jaeger's own fixtures (with their caveats: repeated span IDs)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from slocheck.sources.jaeger_traces import (
    JaegerAnswerError,
    is_no_traces_found,
    otlp_attributes,
    parse_v1_trace,
    parse_v1_traces,
    parse_v3_traces,
    v1_error_message,
    v3_error_message,
)
from tests.support.recorded import JAEGER

FIXTURES = JAEGER


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def test_an_api_v3_answer_gives_its_trace_with_the_span_kind_and_error_status() -> None:
    [trace] = parse_v3_traces(recorded("jaeger_apiv3_find_traces.json"))

    [span] = trace.spans
    assert (trace.trace_id, span.span_id, span.name) == (
        "00000000000000000000000000000001",
        "0000000000000002",
        "foobar",
    )
    assert span.kind == "server"
    assert span.error is True


def test_an_api_v3_span_takes_its_service_from_the_resource_and_times_from_nanosecond_strings() -> None:
    body = {"result": {"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]},
        "scopeSpans": [{"spans": [{"traceId": "AB", "spanId": "01", "parentSpanId": "", "name": "GET /x", "kind": 2,
                                   "startTimeUnixNano": "1000", "endTimeUnixNano": "251000", "status": {}}]}],
    }]}}  # fmt: skip

    [trace] = parse_v3_traces(body)

    span = trace.spans[0]
    assert (span.service, span.trace_id, span.parent_id, span.duration_ns, span.error) == (
        "api",
        "ab",
        None,
        250000,
        False,
    )


def test_otlp_attribute_values_become_text() -> None:
    items = [
        {"key": "s", "value": {"stringValue": "x"}},
        {"key": "i", "value": {"intValue": "200"}},
        {"key": "b", "value": {"boolValue": True}},
        {"key": "d", "value": {"doubleValue": 0.5}},
    ]

    assert otlp_attributes(items) == {"s": "x", "i": "200", "b": "true", "d": "0.5"}


def test_a_span_with_otel_status_code_error_attribute_is_an_error() -> None:
    body = {"result": {"resourceSpans": [{"resource": {}, "scopeSpans": [{"spans": [{
        "traceId": "01", "spanId": "02", "name": "x", "attributes": [
            {"key": "otel.status_code", "value": {"stringValue": "ERROR"}}]}]}]}]}}  # fmt: skip

    assert parse_v3_traces(body)[0].spans[0].error is True


def test_an_answer_without_a_result_is_not_a_jaeger_answer() -> None:
    with pytest.raises(JaegerAnswerError):
        parse_v3_traces({"data": []})


def test_the_v1_envelope_gives_its_trace_once_although_the_fixture_repeats_the_span() -> None:
    [trace] = parse_v1_traces(recorded("jaeger_v1_structured_response.json"))

    assert trace.trace_id == "83a9efd15c1c98a977e0711cc93ee28b"
    [span] = trace.spans
    assert (span.service, span.kind, span.duration_ns) == ("telemetrygen", "server", 123_000)
    assert span.parent_id == "909541b92cf05311"


def test_a_v1_error_tag_true_as_a_bool_makes_the_span_an_error() -> None:
    spans = parse_v1_trace(recorded("jaeger_v1_trace_ui_01.json"))

    errors = [(s.name, s.service) for s in spans if s.error]
    assert errors == [("some-operation", "service-x")]


def test_v1_spans_that_share_a_span_id_but_differ_are_both_kept() -> None:
    spans = parse_v1_trace(recorded("jaeger_v1_trace_ui_01.json"))

    assert [s.name for s in spans if s.span_id == "0000000000000002"] == ["test-general-conversion", "some-operation"]


def test_a_v1_parent_is_the_child_of_reference_within_the_same_trace() -> None:
    spans = {s.span_id: s for s in parse_v1_trace(recorded("jaeger_v1_trace_ui_01.json"))}

    assert spans["0000000000000004"].parent_id == "0000000000000002"  # not the reference to trace 00ff


def test_a_legacy_error_tag_holding_the_string_true_makes_the_span_an_error() -> None:
    trace = recorded("jaeger_v1_trace_ui_01.json")
    for span in trace["spans"]:
        span["tags"] = [{"key": "error", "type": "bool", "value": "true"}] if span["spanID"].endswith("5") else []

    assert [s.span_id for s in parse_v1_trace(trace) if s.error] == ["0000000000000005"]


def test_v1_tags_of_every_type_become_text_attributes() -> None:
    spans = parse_v1_trace(recorded("jaeger_v1_trace_ui_01.json"))

    tags = next(s.attributes for s in spans if s.name == "some-operation" and s.service == "service-x")
    assert (tags["peer.ipv4"], tags["temperature"], tags["error"]) == ("23456", "72.5", "true")


def test_an_api_v3_empty_search_is_recognised_by_its_message() -> None:
    assert is_no_traces_found('{"error":{"httpCode":404,"message":"No traces found"}}\n')


def test_a_router_404_is_not_an_empty_search() -> None:
    assert not is_no_traces_found("404 page not found\n")


def test_an_api_v3_error_body_gives_its_message() -> None:
    body = '{"error":{"httpCode":400,"message":"query.start_time_min and query.start_time_max are required"}}\n'

    assert v3_error_message(body) == "query.start_time_min and query.start_time_max are required"


def test_a_v1_error_envelope_gives_its_messages() -> None:
    body = (
        '{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":400,"msg":"parameter \'service\' is required"}]}'
    )

    assert v1_error_message(body) == "parameter 'service' is required"
