import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

import gzip
import re
from pathlib import Path

import pytest
from locust.clients import HttpSession
from locust.contrib.fasthttp import FastHttpSession
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from slocheck.load.plan import LoadPlan
from slocheck.load.profiles import Profile, Stage
from slocheck.load.runner import run_load
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
