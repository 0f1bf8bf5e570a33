"""The OTLP/HTTP sender: the OpenTelemetry exporter environment variables for headers and compression."""

import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

import gzip

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from slocheck.core.errors import ConfigError
from slocheck.load.otlp import SpanBatches, SpanRecord, encode, exporter_options, parse_headers, post
from tests.support.counting_server import CountingServer

RECORD = SpanRecord(7, 9, 1_000, 2_000, "get", "/a", "http://t/a", 200, None)
RESOURCE = {"service.name": "slocheck-load", "slocheck.run_id": "r-1"}


def _sent(server: CountingServer) -> tuple[dict[str, str], ExportTraceServiceRequest]:
    headers = next(h for h in server.headers if "x-protobuf" in h.get("content-type", ""))
    body = server.trace_exports[-1]
    request = ExportTraceServiceRequest()
    request.ParseFromString(gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body)
    return headers, request


def test_headers_and_gzip_from_the_environment_reach_the_collector_and_the_spans_still_decode(
    server: CountingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", "api-key=s3cr%20t,x-tenant=team-a")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")
    post(f"{server.url}/v1/traces")(encode([RECORD], RESOURCE, "r-1"))

    headers, request = _sent(server)
    assert (headers["api-key"], headers["x-tenant"], headers["content-encoding"]) == ("s3cr t", "team-a", "gzip")
    assert server.trace_exports[-1][:2] == b"\x1f\x8b"
    span = request.resource_spans[0].scope_spans[0].spans[0]
    assert (int.from_bytes(span.trace_id, "big"), span.name) == (7, "GET /a")


def test_without_compression_the_body_is_plain_protobuf(server: CountingServer) -> None:
    post(f"{server.url}/v1/traces", {}, False)(encode([RECORD], RESOURCE, "r-1"))
    headers, request = _sent(server)
    assert "content-encoding" not in headers
    assert len(request.resource_spans[0].scope_spans[0].spans) == 1


def test_the_traces_variables_win_over_the_general_ones_as_a_whole() -> None:
    env = {
        "OTEL_EXPORTER_OTLP_HEADERS": "a=1,b=2",
        "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "c=3",
        "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
        "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION": "none",
    }
    assert exporter_options(env) == ({"c": "3"}, False)
    assert exporter_options({"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION": "GZIP"}) == ({}, True)
    assert exporter_options({}) == ({}, False)


def test_header_values_are_percent_decoded_and_blank_members_skipped() -> None:
    assert parse_headers("V", " Authorization = Basic%20dXNlcjpwYXNz , ,k=a%2Cb") == {
        "Authorization": "Basic dXNlcjpwYXNz",
        "k": "a,b",
    }


def test_a_header_without_a_value_is_refused_naming_the_variable() -> None:
    with pytest.raises(ConfigError, match=r'OTEL_EXPORTER_OTLP_TRACES_HEADERS: "token" is not key=value'):
        exporter_options({"OTEL_EXPORTER_OTLP_TRACES_HEADERS": "a=1,token"})


def test_an_unknown_compression_is_refused_naming_the_variable() -> None:
    with pytest.raises(ConfigError, match=r'OTEL_EXPORTER_OTLP_COMPRESSION: "zstd" is not a supported compression'):
        exporter_options({"OTEL_EXPORTER_OTLP_COMPRESSION": "zstd"})


def _record(name: str) -> SpanRecord:
    return SpanRecord(1, 1, 0, 1, "GET", name, "/x", 200, None)


def test_closing_while_a_batch_is_in_flight_sends_each_span_once() -> None:
    """The collector has the body before it answers: a close that cut the export short and sent the batch again
    counted every span of it twice (112 spans for 74 requests in CI)."""
    import gevent

    received: list[int] = []

    def slow_collector(body: bytes) -> None:
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        received.append(sum(len(s.spans) for r in request.resource_spans for s in r.scope_spans))
        gevent.sleep(0.3)  # answering

    batches = SpanBatches(slow_collector, {"service.name": "t"}, "r", interval=0.05)
    batches.start()
    batches.pending += [_record("/a"), _record("/b")]
    gevent.sleep(0.1)  # the loop's export is now waiting for the answer
    batches.pending.append(_record("/c"))
    batches.close()

    assert sum(received) == 3
