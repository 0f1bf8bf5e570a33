"""The demo service's logs (pushed to a fake Loki) and traces (exported to an OTLP/HTTP receiver), end to end."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from slocheck_demo.service_app import create_app
from slocheck_demo.service_logs import LOGS
from slocheck_demo.service_options import ServiceOptions
from tests.demo.helpers import DemoClient, running, value
from tests.support.fake_loki import TENANT, FakeLoki, Line
from tests.support.otlp_receiver import OtlpReceiver, ReceivedSpan

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"
SERVER, CLIENT, ERROR = 2, 3, 2


def wait_for_lines(loki: FakeLoki, count: int, timeout: float = 10.0) -> list[Line]:
    deadline = time.monotonic() + timeout
    while len(loki.tenant_lines(TENANT)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return loki.tenant_lines(TENANT)


def access_lines(lines: list[Line]) -> list[dict[str, object]]:
    return [parsed for line in lines if (parsed := json.loads(line.text))["msg"] == "request"]


@pytest.fixture
def logged(tmp_path: Path, fake_loki: FakeLoki, clean_env: Path) -> Iterator[DemoClient]:
    args = ["--loki-url", fake_loki.url, "--loki-tenant", TENANT, "--error-rate", "0"]
    with running(DemoClient(tmp_path, args)) as client:
        yield client


def test_every_answered_request_is_a_json_line_in_loki_labelled_app_and_level(
    logged: DemoClient, fake_loki: FakeLoki
) -> None:
    token = logged.token()
    logged.request("GET", "/api/v1/agents", token=token)

    lines = [line for line in wait_for_lines(fake_loki, 3) if json.loads(line.text)["msg"] == "request"]

    assert {tuple(sorted(line.labels.items())) for line in lines} == {(("app", "paracle-api"), ("level", "info"))}
    routes = [(entry["method"], entry["route"], entry["status"]) for entry in access_lines(lines)]
    assert routes == [("POST", "/api/v1/auth/token", 200), ("GET", "/api/v1/agents", 200)]


def test_log_lines_are_pushed_with_string_nanosecond_timestamps(logged: DemoClient, fake_loki: FakeLoki) -> None:
    logged.token()

    wait_for_lines(fake_loki, 2)

    pushes = [r for r in fake_loki.requests if r[1] == "/loki/api/v1/push"]
    assert pushes  # the fake answers a number as timestamp with 400 and stores nothing
    assert all(abs(line.ts_ns - time.time_ns()) < 60 * 10**9 for line in fake_loki.tenant_lines(TENANT))


def test_a_failed_request_is_also_an_error_line(tmp_path: Path, fake_loki: FakeLoki, clean_env: Path) -> None:
    args = ["--loki-url", fake_loki.url, "--loki-tenant", TENANT, "--error-rate", "1"]
    with running(DemoClient(tmp_path, args)) as client:
        client.request("GET", "/api/v1/agents")

        lines = wait_for_lines(fake_loki, 3)

    errors = [json.loads(line.text) for line in lines if line.labels["level"] == "error"]
    assert [e["msg"] for e in errors] == ["request failed method=GET endpoint=/api/v1/agents status=500"]


def test_with_loki_down_requests_still_succeed_and_dropped_batches_are_counted(
    tmp_path: Path, closed_url: str, clean_env: Path
) -> None:
    with running(DemoClient(tmp_path, ["--loki-url", closed_url])) as client:
        assert client.request("POST", "/api/v1/auth/token", {"username": "a", "password": "b"}).status == 200
        deadline = time.monotonic() + 10
        while (value(client.metrics(), "loki_push_batches_total", result="dropped") or 0) < 1:
            assert time.monotonic() < deadline, "no dropped batch was counted"
            time.sleep(0.2)

        metrics = client.metrics()

    assert (value(metrics, "loki_dropped_lines_total", reason="push_failed") or 0) >= 1
    assert value(metrics, "loki_push_batches_total", result="sent") == 0


def test_without_loki_url_or_otlp_endpoint_nothing_is_installed(clean_env: Path) -> None:
    app = create_app(ServiceOptions())

    assert LOGS not in app
    # limit_capacity is always there and inert without --max-concurrency; no log or trace middleware
    assert [m.__name__ for m in app.middlewares] == [
        "observe",
        "json_errors",
        "limit_capacity",
        "inject_faults",
        "authenticate",
    ]


@pytest.fixture
def traced_spans(tmp_path: Path, otlp_receiver: OtlpReceiver, clean_env: Path) -> list[ReceivedSpan]:
    """One agent run called with slocheck-load's headers; the spans the service exported for it."""
    with running(DemoClient(tmp_path, ["--otlp-endpoint", otlp_receiver.url])) as client:
        token = client.token()
        body = json.dumps({"agent_id": "coder", "task": "add", "model": "openai/gpt-4o-mini"}).encode()
        request = urllib.request.Request(f"{client.url}/api/v1/agents/run", body, method="POST")
        for name, header in {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                             "traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01",
                             "baggage": "slocheck.run_id=run-42"}.items():  # fmt: skip
            request.add_header(name, header)
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
    # Stopping the service flushes its batch processor.
    return [s for s in otlp_receiver.wait_for(lambda spans: len(spans) >= 6) if s.trace_id == TRACE_ID]


def server_span(spans: list[ReceivedSpan]) -> ReceivedSpan:
    [server] = [s for s in spans if s.kind == SERVER]
    return server


def test_the_server_span_continues_the_callers_trace(traced_spans: list[ReceivedSpan]) -> None:
    server = server_span(traced_spans)

    assert (server.service, server.name, server.parent_id) == ("paracle-api", "POST /api/v1/agents/run", CALLER_SPAN)
    assert server.attributes["http.route"] == "/api/v1/agents/run"
    assert server.attributes["http.response.status_code"] == 200


def test_the_server_span_carries_the_run_id_from_the_baggage(traced_spans: list[ReceivedSpan]) -> None:
    assert server_span(traced_spans).attributes["slocheck.run_id"] == "run-42"


def test_database_and_cache_calls_are_client_spans_below_the_server_span(traced_spans: list[ReceivedSpan]) -> None:
    server = server_span(traced_spans)

    children = {(s.name, s.kind) for s in traced_spans if s.parent_id == server.span_id}

    assert {("SELECT agents", CLIENT), ("INSERT runs", CLIENT), ("GET", CLIENT)} <= children


def test_the_llm_call_is_a_span_with_gen_ai_attributes(traced_spans: list[ReceivedSpan]) -> None:
    [llm] = [s for s in traced_spans if s.name == "chat gpt-4o-mini"]

    assert llm.parent_id == server_span(traced_spans).span_id
    assert {k: llm.attributes[k] for k in ("gen_ai.system", "gen_ai.request.model", "gen_ai.operation.name")} == {
        "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.operation.name": "chat",
    }  # fmt: skip
    assert int(llm.attributes["gen_ai.usage.input_tokens"]) > 0  # type: ignore[call-overload]
    assert int(llm.attributes["gen_ai.usage.output_tokens"]) > 0  # type: ignore[call-overload]


def test_a_failed_llm_call_and_its_request_are_error_spans(
    tmp_path: Path, otlp_receiver: OtlpReceiver, clean_env: Path
) -> None:
    with running(DemoClient(tmp_path, ["--otlp-endpoint", otlp_receiver.url, "--llm-error-rate", "1"])) as client:
        reply = client.run_agent(client.token())
    assert reply.status in (429, 502, 504)

    spans = otlp_receiver.wait_for(lambda found: any(s.name.startswith("chat ") for s in found))

    [llm] = [s for s in spans if s.name.startswith("chat ")]
    assert llm.status_code == ERROR
    assert llm.attributes["error.type"] in ("rate_limit", "server_error", "timeout")


def test_metrics_and_health_requests_are_not_traced(
    tmp_path: Path, otlp_receiver: OtlpReceiver, clean_env: Path
) -> None:
    with running(DemoClient(tmp_path, ["--otlp-endpoint", otlp_receiver.url])) as client:
        client.metrics()
        client.token()

    spans = otlp_receiver.wait_for(lambda found: any(s.kind == SERVER for s in found))

    assert [s.name for s in spans if s.kind == SERVER] == ["POST /api/v1/auth/token"]
