"""Ground truth for traces: the demo service exports a server span for every request over OTLP to a fake Jaeger
(real HTTP: OTLP in, Jaeger's query APIs out); the `jaeger: {stat: count}` objective of a `slocheck run` must equal
the server spans exported with a start inside the run window, and Locust's count."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.demo.helpers import DemoClient, running
from tests.support.otlp_jaeger import OtlpJaeger

ROOT = Path(__file__).resolve().parents[2]
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
            slo = work / "slo.yaml"
            slo.write_text(SLO, encoding="utf-8")
            argv = [sys.executable, "-m", "slocheck", "run", str(slo),
                    "--scenario", str(ROOT / "scenarios" / "agent_platform.py"), "--host", service.url,
                    "--duration", "6s", "--users", "4", "--jaeger-url", jaeger.url,
                    "--out", str(work / "runs"), "--json", str(work / "result.json")]  # fmt: skip
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
            done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)
            assert (work / "result.json").exists(), done.stdout + done.stderr
        (run_json,) = (work / "runs").glob("*/run.json")
        record = json.loads(run_json.read_text(encoding="utf-8"))
        start, end = (datetime.fromisoformat(record[k]).timestamp() * 1e9 for k in ("window_start", "window_end"))
        servers = [s for s in jaeger.exported_spans() if s.service == "paracle-api" and s.kind == SERVER]
        inside = sum(1 for span in servers if start <= span.start_ns <= end)
    finally:
        jaeger.stop()
    document = json.loads((work / "result.json").read_text(encoding="utf-8"))
    return {o["name"]: o["value"] for o in document["objectives"]}, inside


def test_the_jaeger_count_equals_the_server_spans_exported_and_the_client_count(
    exported: tuple[dict[str, Any], int],
) -> None:
    values, inside = exported
    assert inside > 0
    assert values["server-spans"] == inside == values["client-count"]
