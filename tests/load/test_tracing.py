import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

import gzip
import re
from pathlib import Path
from typing import Any

import pytest
from locust.clients import HttpSession
from locust.contrib.fasthttp import FastHttpSession
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from slocheck.load.otlp import SpanRecord, encode
from slocheck.load.plan import LoadPlan
from slocheck.load.profiles import Profile, Stage
from slocheck.load.runner import run_load
from slocheck.load.tracing import RequestTracer, TraceSettings
from tests.load.marks import LOAD_WARNINGS
from tests.support.counting_server import CountingServer

pytestmark = LOAD_WARNINGS
SHORT = Profile("t", (Stage(1.5, 2, 10.0),))
TRACEPARENT = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")


def load_headers(server: CountingServer) -> list[dict[str, str]]:
    return [h for h in server.headers if "x-protobuf" not in h.get("content-type", "")]


def exported_spans(server: CountingServer) -> list[tuple[dict[str, str], dict[str, str]]]:
    """(resource attributes, span attributes) of every span the server received over OTLP/HTTP."""
    spans = []
    for body in server.trace_exports:
        request = ExportTraceServiceRequest()
        request.ParseFromString(gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body)
        for resource_spans in request.resource_spans:
            resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope in resource_spans.scope_spans:
                spans += [(resource, {a.key: a.value.string_value for a in s.attributes}) for s in scope.spans]
    return spans


@pytest.mark.parametrize("scenario", ["paced_locustfile.py", "fasthttp_locustfile.py"])
def test_with_tracing_every_request_carries_traceparent_and_the_run_id_baggage(
    server: CountingServer, data_dir: Path, scenario: str
) -> None:
    plan = LoadPlan(data_dir / scenario, SHORT, host=server.url, trace=True, otlp_endpoint=server.url, run_id="r-7")
    outcome = run_load(plan)

    headers = load_headers(server)
    assert len(headers) == outcome.stats.count > 0
    assert all(TRACEPARENT.match(h.get("traceparent", "")) for h in headers)
    assert all(h.get("baggage") == "slocheck.run_id=r-7" for h in headers)


def test_with_tracing_client_spans_are_exported_over_otlp_http(server: CountingServer, data_dir: Path) -> None:
    plan = LoadPlan(
        data_dir / "paced_locustfile.py", SHORT, host=server.url, trace=True, otlp_endpoint=server.url, run_id="r-8"
    )
    outcome = run_load(plan)

    spans = exported_spans(server)
    assert len(spans) == outcome.stats.count
    assert {r["service.name"] for r, _ in spans} == {"slocheck-load"}
    assert {a["slocheck.run_id"] for _, a in spans} == {"r-8"}
    assert {a["locust.request.name"] for _, a in spans} == {"/ok", "/fail"}


def test_a_zero_sample_ratio_propagates_unsampled_and_exports_nothing(server: CountingServer, data_dir: Path) -> None:
    plan = LoadPlan(
        data_dir / "paced_locustfile.py", SHORT, host=server.url, trace=True, trace_sample=0.0, otlp_endpoint=server.url
    )
    run_load(plan)

    flags = {int(h["traceparent"].rsplit("-", 1)[1], 16) for h in load_headers(server)}
    assert flags
    assert all(f & 1 == 0 for f in flags)
    assert not server.trace_exports


def test_without_tracing_no_hook_is_installed(
    server: CountingServer, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    originals = (HttpSession.request, FastHttpSession.request)
    seen: list[object] = []
    run_load(
        LoadPlan(data_dir / "paced_locustfile.py", SHORT, host=server.url),
        on_progress=lambda _p: seen.append((HttpSession.request, FastHttpSession.request)),
    )

    assert set(seen) == {originals}
    assert not any("traceparent" in h for h in load_headers(server))


def test_workers_trace_with_the_masters_run_id(server: CountingServer, data_dir: Path) -> None:
    plan = LoadPlan(
        data_dir / "paced_locustfile.py",
        SHORT,
        host=server.url,
        workers=1,
        trace=True,
        otlp_endpoint=server.url,
        run_id="r-9",
    )
    outcome = run_load(plan)

    assert {h.get("baggage") for h in load_headers(server)} == {"slocheck.run_id=r-9"}
    assert len(exported_spans(server)) == outcome.stats.count > 0


def decoded_spans(server: CountingServer) -> list[Span]:
    spans: list[Span] = []
    for body in server.trace_exports:
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        spans += [s for r in request.resource_spans for scope in r.scope_spans for s in scope.spans]
    return spans


def test_sampled_requests_export_the_span_their_traceparent_names_and_only_they_carry_baggage(
    server: CountingServer, data_dir: Path
) -> None:
    plan = LoadPlan(
        data_dir / "paced_locustfile.py",
        SHORT,
        host=server.url,
        trace=True,
        trace_sample=0.5,
        otlp_endpoint=server.url,
        run_id="r-10",
    )
    run_load(plan)

    parents = [h["traceparent"].split("-") for h in load_headers(server)]
    sampled = {(t, s) for _v, t, s, flags in parents if flags == "01"}
    spans = decoded_spans(server)
    assert 0 < len(sampled) < len(parents)
    assert {(s.trace_id.hex(), s.span_id.hex()) for s in spans} == sampled
    assert all((h.get("baggage") is not None) == h["traceparent"].endswith("-01") for h in load_headers(server))
    assert all(s.kind == Span.SPAN_KIND_CLIENT and s.end_time_unix_nano >= s.start_time_unix_nano for s in spans)


def test_an_exported_span_carries_the_request_attributes_and_an_error_status() -> None:
    record = SpanRecord(7, 9, 1_000, 2_000, "get", "/fail", "http://t/fail", 503, None)
    request = ExportTraceServiceRequest()
    request.ParseFromString(encode([record], {"service.name": "slocheck-load", "slocheck.run_id": "r-1"}, "r-1"))

    resource = request.resource_spans[0]
    span = resource.scope_spans[0].spans[0]
    attributes = {a.key: a.value for a in span.attributes}
    assert {a.key: a.value.string_value for a in resource.resource.attributes}["slocheck.run_id"] == "r-1"
    assert resource.scope_spans[0].scope.name == "slocheck.load"
    assert (int.from_bytes(span.trace_id, "big"), int.from_bytes(span.span_id, "big"), span.name) == (7, 9, "GET /fail")
    assert {k: v.string_value for k, v in attributes.items() if k != "http.response.status_code"} == {
        "http.request.method": "GET",
        "url.full": "http://t/fail",
        "locust.request.name": "/fail",
        "slocheck.run_id": "r-1",
    }
    assert attributes["http.response.status_code"].int_value == 503
    assert (span.status.code, span.status.message) == (Status.STATUS_CODE_ERROR, "HTTP 503")


def _raising(exc: BaseException) -> Any:
    def original(session: object, method: str, url: str, *args: object, **kwargs: object) -> object:
        raise exc

    return original


def test_a_request_cancelled_by_the_stop_leaves_no_span_since_locust_does_not_count_it() -> None:
    """A user killed mid-request at the end of the load exported a span Locust never counted (68 spans, 67
    requests in CI)."""
    import gevent

    tracer = RequestTracer(TraceSettings("r", 1.0), export=lambda body: None)
    with pytest.raises(gevent.GreenletExit):
        tracer.traced(_raising(gevent.GreenletExit()), None, object(), "GET", "/x", (), {})
    with pytest.raises(ConnectionError):
        tracer.traced(_raising(ConnectionError("refused")), None, object(), "GET", "/y", (), {})

    assert [(r.url, r.error) for r in tracer.batches.pending] == [("/y", "ConnectionError")]
