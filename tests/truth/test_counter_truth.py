"""Ground truth for counters: a fresh demo service with lazily created series (every series is born during the
run), scraped every second by a real Prometheus, driven by `slocheck run`. The exact `count` indicator must
equal Locust's request count and the service's own counter total; the `increase()` form must carry the
born-in-window warning."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from slocheck_demo.prometheus_server import PrometheusServer
from tests.demo.helpers import DemoClient, running

ROOT = Path(__file__).resolve().parents[2]
SLO = """\
apiVersion: slocheck/v1
kind: SLOSet
metadata: {name: truth}
spec:
  service: paracle-api
  objectives:
    - name: exact
      indicator: {prometheus: {count: 'http_requests_total{job="paracle-api"}'}}
      pass: ">= 1"
    - name: exact-rate
      indicator: {prometheus: {rate: 'http_requests_total{job="paracle-api"}'}}
      pass: ">= 0.1/s"
    - name: errors
      indicator:
        prometheus: {ratio: {bad: 'http_requests_total{job="paracle-api",status=~"5.."}',
                             total: 'http_requests_total{job="paracle-api"}'}}
      pass: "< 1%"
    - name: increase
      indicator: {prometheus: {query: 'sum(increase(http_requests_total{job="paracle-api"}[$__range]))'}}
      pass: ">= 1"
    - name: client
      indicator: {locust: {stat: count}}
      pass: ">= 1"
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], str, float]:
    """One 8 s run on a fresh --lazy-series service: (result document, stderr+stdout, service counter total)."""
    work = tmp_path_factory.mktemp("truth")
    with running(DemoClient(work, ["--lazy-series"])) as service:
        prometheus = PrometheusServer(work / "prometheus", {"paracle-api": [f"127.0.0.1:{service.port}"]}).start()
        try:
            slo = work / "slo.yaml"
            slo.write_text(SLO, encoding="utf-8")
            scenario = str(ROOT / "scenarios" / "agent_platform.py")
            argv = [sys.executable, "-m", "slocheck", "run", str(slo), "--scenario", scenario,
                    "--host", service.url, "--duration", "8s", "--users", "4", "--prometheus-url", prometheus.url,
                    "--out", str(work / "runs"), "--json", str(work / "result.json")]  # fmt: skip
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
            done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)
            argv = [sys.executable, "-m", "slocheck", "validate", "--online", str(slo),
                    "--prometheus-url", prometheus.url]  # fmt: skip
            validated = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, check=False)
            with urllib.request.urlopen(f"{service.url}/metrics", timeout=10) as response:
                metrics = response.read().decode()
        finally:
            prometheus.stop()
    total = sum(float(line.split()[-1]) for line in metrics.splitlines() if line.startswith("http_requests_total{"))
    document = json.loads((work / "result.json").read_text(encoding="utf-8"))
    (run_json,) = (work / "runs").glob("*/run.json")
    document["run_json"] = json.loads(run_json.read_text(encoding="utf-8"))
    document["validate_online"] = {"code": validated.returncode, "stderr": validated.stderr}
    return document, done.stdout + done.stderr, total


def values(document: dict[str, object]) -> dict[str, float]:
    objectives = document["objectives"]
    assert isinstance(objectives, list)
    return {o["name"]: o["value"] for o in objectives}


def test_the_exact_count_equals_the_client_count_and_the_service_counter(
    run: tuple[dict[str, object], str, float],
) -> None:
    document, _, service_total = run
    measured = values(document)
    assert measured["client"] > 0
    assert measured["exact"] == measured["client"] == service_total


def test_the_exact_rate_is_the_count_over_the_window(run: tuple[dict[str, object], str, float]) -> None:
    document, _, _ = run
    measured = values(document)
    (exact,) = [o for o in document["objectives"] if o["name"] == "exact"]  # type: ignore[attr-defined]
    assert measured["exact-rate"] == pytest.approx(measured["exact"] / exact["details"]["window_seconds"])


def test_no_error_happened_so_the_error_ratio_is_exactly_zero(run: tuple[dict[str, object], str, float]) -> None:
    assert values(run[0])["errors"] == 0.0


def test_every_series_was_born_in_the_run_and_the_evidence_says_so(run: tuple[dict[str, object], str, float]) -> None:
    (exact,) = [o for o in run[0]["objectives"] if o["name"] == "exact"]  # type: ignore[attr-defined]
    assert exact["details"]["born_in_window"]
    assert len(exact["details"]["born_in_window"]) == exact["details"]["series"]


def test_the_increase_form_is_low_and_says_why(run: tuple[dict[str, object], str, float]) -> None:
    document, output, _ = run
    measured = values(document)
    assert measured["increase"] < measured["exact"]
    assert "warning: truth/increase:" in output
    assert "born inside the window" in output


def test_the_settle_wait_was_measured_and_ended_by_a_scrape_after_the_window(
    run: tuple[dict[str, object], str, float],
) -> None:
    settle = run[0]["run_json"]["settle"]  # type: ignore[index]
    assert settle["expired"] is False
    assert "has a scrape after the window end" in settle["reason"]
    assert settle["seconds"] <= settle["bound_seconds"]


def test_validate_online_warns_that_the_increase_form_will_miss_series_born_in_a_run(
    run: tuple[dict[str, object], str, float],
) -> None:
    validated = run[0]["validate_online"]
    assert isinstance(validated, dict)
    assert validated["code"] == 0
    (warning,) = [line for line in validated["stderr"].splitlines() if "first appeared" in line]
    assert warning.startswith("warning: truth/increase: ")
    assert "increase() will miss the first values of series born during a run" in warning
