"""slo/logs-traces.yaml judged on what the demo service really emitted: its logs pushed to a fake Loki, its
spans exported over OTLP and stored in a fake Jaeger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slocheck.__main__ import main
from tests.demo.helpers import DemoClient, running
from tests.support.fake_jaeger import FakeJaeger, FakeSpan
from tests.support.fake_loki import TENANT, FakeLoki
from tests.support.otlp_receiver import OtlpReceiver, ReceivedSpan

pytestmark = pytest.mark.integration

SLO_FILE = Path(__file__).resolve().parents[2] / "slo" / "logs-traces.yaml"
KINDS = {1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


def stored(span: ReceivedSpan) -> FakeSpan:
    """What Jaeger keeps of an exported span."""
    return FakeSpan(span.trace_id, span.span_id, span.parent_id or None, span.service, span.name,
                    KINDS.get(span.kind, "internal"), span.start_ns, span.end_ns - span.start_ns,
                    span.status_code == 2, dict(span.attributes))  # fmt: skip


def test_the_demo_services_logs_and_traces_pass_the_shipped_slo_file(
    tmp_path: Path, fake_loki: FakeLoki, fake_jaeger: FakeJaeger, otlp_receiver: OtlpReceiver, clean_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    args = ["--loki-url", fake_loki.url, "--loki-tenant", TENANT, "--otlp-endpoint", otlp_receiver.url]
    with running(DemoClient(tmp_path, args)) as client:
        token = client.token()
        for _ in range(25):
            assert client.run_agent(token).status == 200
        for _ in range(30):
            assert client.request("GET", "/api/v1/agents", token=token).status == 200
    spans = otlp_receiver.wait_for(lambda found: sum(s.kind == 2 for s in found) >= 56)
    for trace_id in {s.trace_id for s in spans}:
        fake_jaeger.add([stored(s) for s in spans if s.trace_id == trace_id])
    monkeypatch.setenv("SLOCHECK_LOKI_URL", fake_loki.url)
    monkeypatch.setenv("SLOCHECK_LOKI_TENANT", TENANT)
    monkeypatch.setenv("SLOCHECK_JAEGER_URL", fake_jaeger.url)
    out = tmp_path / "result.json"

    code = main(["evaluate", str(SLO_FILE), "--last", "2m", "--json", str(out)])

    document = json.loads(out.read_text())
    outcomes = {o["name"]: o["outcome"] for o in document["objectives"]}
    assert outcomes == {
        "error-log-lines": "PASS", "exception-log-lines": "PASS", "agent-run-p95-traces": "PASS",
        "trace-error-ratio": "PASS", "llm-call-p99-traces": "PASS", "run-agent-p99-own-traces": "ERROR",
    }  # fmt: skip
    assert (code, document["verdict"]) == (0, "PASS")
