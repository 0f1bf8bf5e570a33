"""No false PASS: when every backend answers with nothing — a Prometheus scraping nothing, an empty Loki and
Jaeger, a scenario that sends no request — every objective is NO_DATA and the run ends INCONCLUSIVE (exit 3).
Each objective below would pass if "nothing" were read as zero."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from slocheck_demo.prometheus_server import PrometheusServer
from tests.support.command import IDLE_USER, Finished, only_run_dir, read_json, slocheck, write_config, write_slo
from tests.support.counting_server import CountingServer
from tests.support.fake_jaeger import FakeJaeger
from tests.support.fake_loki import FakeLoki

pytestmark = pytest.mark.integration
EMPTY_BACKEND_OBJECTIVES = """\
    - name: server-error-rate
      indicator: {prometheus: {query: 'sum(rate(http_requests_total{status=~"5.."}[$__range]))'}}
      pass: "< 1/s"
    - name: server-p95
      indicator:
        prometheus:
          query: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[$__range])))
      pass: "< 500ms"
    - name: error-log-lines
      indicator: {loki: {count: '{app="api"} |= "ERROR"'}}
      pass: "<= 10"
    - name: error-logs-metric
      indicator: {loki: {query: 'sum(count_over_time({app="api"} |= "ERROR" [$__range]))'}}
      pass: "<= 10"
    - name: trace-error-ratio
      indicator: {jaeger: {service: api, stat: error_ratio, min_traces: 1}}
      pass: "< 1%"
    - name: trace-p99
      indicator: {jaeger: {service: api, stat: p99, min_traces: 1}}
      pass: "< 5s"
    - name: client-failure-ratio
      indicator: {locust: {stat: fail_ratio}}
      pass: "< 1%"
    - name: client-p95
      indicator: {locust: {stat: p95}}
      pass: "< 500ms"
"""
JAEGER_COUNT = """\
    - name: error-traces
      indicator: {jaeger: {service: api, attributes: {error: true}, stat: count}}
      pass: "<= 10"
"""


@dataclass(frozen=True)
class Empty:
    prometheus: str
    loki: str
    jaeger: str
    target: str


@pytest.fixture
def empty_backends(work: Path) -> Iterator[Empty]:
    prometheus = PrometheusServer(work / "prometheus", {}).start()
    loki, jaeger = FakeLoki(auth_enabled=False).start(), FakeJaeger().start()
    try:
        with CountingServer(delay=0.0) as target:
            yield Empty(prometheus.url, loki.url, jaeger.url, target.url)
    finally:
        loki.stop()
        jaeger.stop()
        prometheus.stop()


def _run(work: Path, backends: Empty, objectives: str) -> tuple[Finished, dict[str, Any]]:
    slo = write_slo(work / "slo.yaml", objectives)
    finished = slocheck(
        ["run", str(slo), "--scenario", str(IDLE_USER), "--host", backends.target, "--prometheus-url",
         backends.prometheus, "--loki-url", backends.loki, "--jaeger-url", backends.jaeger, "--config",
         str(write_config(work / "c.yaml")), "--out", str(work / "runs"), "--users", "2", "--spawn-rate", "10",
         "--duration", "3s", "--settle", "1s"],
        work,
    )  # fmt: skip
    return finished, read_json(only_run_dir(work / "runs") / "result.json")


def test_a_run_where_every_backend_answers_nothing_is_inconclusive_with_every_objective_no_data(
    work: Path, empty_backends: Empty
) -> None:
    finished, result = _run(work, empty_backends, EMPTY_BACKEND_OBJECTIVES)
    outcomes = {o["name"]: o["outcome"] for o in result["objectives"]}
    assert finished.code == 3, finished.output
    assert result["verdict"] == "INCONCLUSIVE"
    assert outcomes == dict.fromkeys(outcomes, "NO_DATA")
    assert len(outcomes) == 8
    assert result["client"]["aggregated"]["requests"] == 0


def test_a_trace_count_from_a_jaeger_without_any_trace_of_the_service_is_not_a_pass(
    work: Path, empty_backends: Empty
) -> None:
    finished, result = _run(work, empty_backends, JAEGER_COUNT)
    (objective,) = result["objectives"]
    assert objective["outcome"] == "NO_DATA", objective
    assert finished.code == 3
