"""Ground truth for traces: the demo service exports a server span for every request over OTLP to a fake Jaeger
(real HTTP: OTLP in, Jaeger's query APIs out); the `jaeger: {stat: count}` objective of a `slocheck run` must equal
the server spans exported with a start inside the run window, and Locust's count."""

from __future__ import annotations

from typing import Any

import pytest

from tests.demo.helpers import DemoClient, running
from tests.support.otlp_jaeger import OtlpJaeger
from tests.truth.runs import run_agent_platform

SERVER = 2  # OTLP SpanKind.SERVER
SLO = """\
apiVersion: slocheck/v1
kind: SLOSet
metadata: {name: traces}
spec:
  service: paracle-api
  objectives:
    - name: server-spans
      indicator: {jaeger: {service: paracle-api, span_kind: server, stat: count, min_traces: 1}}
      pass: ">= 1"
    - {name: client-count, indicator: {locust: {stat: count}}, pass: ">= 1"}
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], int]:
    """(slocheck's values by objective, server spans the service exported with a start inside the run window)."""
    work = tmp_path_factory.mktemp("traces")
    jaeger = OtlpJaeger().start()
    try:
        with running(DemoClient(work, ["--otlp-endpoint", jaeger.url])) as service:
            values, start, end = run_agent_platform(work, SLO, service.url, "--jaeger-url", jaeger.url)
        servers = [s for s in jaeger.exported_spans() if s.service == "paracle-api" and s.kind == SERVER]
        inside = sum(1 for span in servers if start <= span.start_ns <= end)
    finally:
        jaeger.stop()
    return values, inside


def test_the_jaeger_count_equals_the_server_spans_exported_and_the_client_count(
    exported: tuple[dict[str, Any], int],
) -> None:
    values, inside = exported
    assert inside > 0
    assert values["server-spans"] == inside == values["client-count"]
