"""Ground truth from a target that logs every response itself (tests/truth/target.py): `slocheck run` against a
real Prometheus must reproduce the target's own count, error ratio and latency percentiles."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from slocheck_demo.processes import ManagedProcess, free_port, http_ok
from slocheck_demo.prometheus_server import PrometheusServer

# Client percentiles within 1 % of the target's own: a CPU shared with other tests would add its delays.
pytestmark = pytest.mark.exclusive
HERE = Path(__file__).resolve().parent
FAIL_EVERY = 7
SLO = """\
apiVersion: slocheck/v1
kind: SLOSet
metadata: {name: target}
spec:
  service: truth
  objectives:
    - name: exact
      indicator: {prometheus: {count: 'truth_requests_total{job="truth"}'}}
      pass: ">= 1"
    - name: errors
      indicator:
        prometheus: {ratio: {bad: 'truth_requests_total{job="truth",status="500"}',
                             total: 'truth_requests_total{job="truth"}'}}
      pass: "< 50%"
    - name: server-p95
      indicator:
        prometheus:
          query: >-
            histogram_quantile(0.95, sum by (le)
            (rate(truth_request_duration_seconds_bucket{job="truth"}[$__range])))
      pass: "< 10s"
    - {name: client-count, indicator: {locust: {stat: count}}, pass: ">= 1"}
    - {name: client-fail, indicator: {locust: {stat: fail_ratio}}, pass: "< 50%"}
    - {name: client-p50, indicator: {locust: {stat: p50}}, pass: "< 10s"}
    - {name: client-p95, indicator: {locust: {stat: p95}}, pass: "< 10s"}
    - {name: client-p99, indicator: {locust: {stat: p99}}, pass: "< 10s"}
"""


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@pytest.fixture(scope="module")
def truth(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(slocheck's result values by objective name, the target's own log lines)."""
    work = tmp_path_factory.mktemp("target")
    port, log = free_port(), work / "target.log"
    argv = [sys.executable, str(HERE / "target.py"), "--port", str(port), "--log", str(log),
            "--fail-every", str(FAIL_EVERY)]  # fmt: skip
    with ManagedProcess("truth-target", argv, work / "target.out") as target:
        target.wait_ready(lambda: http_ok(f"http://127.0.0.1:{port}/health"), 30)
        prometheus = PrometheusServer(work / "prometheus", {"truth": [f"127.0.0.1:{port}"]}).start()
        try:
            slo = work / "slo.yaml"
            slo.write_text(SLO, encoding="utf-8")
            argv = [sys.executable, "-m", "slocheck", "run", str(slo), "--scenario", str(HERE / "locustfile_truth.py"),
                    "--host", f"http://127.0.0.1:{port}", "--duration", "8s", "--users", "30", "--spawn-rate", "30",
                    "--prometheus-url", prometheus.url, "--out", str(work / "runs"),
                    "--json", str(work / "result.json")]  # fmt: skip
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
            done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)
            assert (work / "result.json").exists(), done.stdout + done.stderr
        finally:
            prometheus.stop()
    document = json.loads((work / "result.json").read_text(encoding="utf-8"))
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return {o["name"]: o["value"] for o in document["objectives"]}, lines


def test_client_count_and_exact_server_count_equal_the_target_log(truth: tuple[dict[str, Any], list[Any]]) -> None:
    values, lines = truth
    assert len(lines) > 50
    assert values["client-count"] == values["exact"] == len(lines)


def test_the_error_ratio_is_exact_when_every_nth_request_fails(truth: tuple[dict[str, Any], list[Any]]) -> None:
    values, lines = truth
    failures = sum(1 for line in lines if line["status"] == 500)
    assert failures == len(lines) // FAIL_EVERY
    assert values["errors"] == failures / len(lines)
    assert values["client-fail"] == failures / len(lines)


@pytest.mark.parametrize(("name", "q"), [("client-p50", 0.50), ("client-p95", 0.95), ("client-p99", 0.99)])
def test_client_percentiles_are_within_one_percent_of_the_target_log(
    truth: tuple[dict[str, Any], list[Any]], name: str, q: float
) -> None:
    values, lines = truth
    exact = nearest_rank([line["seconds"] for line in lines], q)
    assert values[name] == pytest.approx(exact, rel=0.01)


def test_server_p95_lies_in_the_bucket_that_holds_the_true_p95(truth: tuple[dict[str, Any], list[Any]]) -> None:
    from tests.truth.target import BUCKETS

    values, lines = truth
    exact = nearest_rank([line["seconds"] for line in lines], 0.95)
    upper = min(b for b in BUCKETS if b >= exact)
    lower = max((b for b in BUCKETS if b < exact), default=0.0)
    assert lower <= values["server-p95"] <= upper
