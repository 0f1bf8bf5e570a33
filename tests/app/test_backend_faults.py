"""Prometheus faults: down before the run, down during the load, too slow, and briefly failing then back."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from slocheck_demo.prometheus_server import PrometheusServer
from tests.support.command import (
    LOCUST_OBJECTIVES,
    QUICK_USER,
    RECORDED_OBJECTIVE,
    only_run_dir,
    read_json,
    run_dirs,
    run_record,
    slocheck,
    start,
    wait_for,
    write_config,
    write_slo,
)
from tests.support.counting_server import CountingServer
from tests.support.fake_prometheus import INSTANT, RECORDED_VALUE, FakePrometheus
from tests.support.known_exporter import KnownExporter
from tests.support.net import closed_port

KNOWN_OBJECTIVE = """\
    - name: fast-latency
      indicator: {prometheus: {query: 'max_over_time(slocheck_test_latency_seconds{endpoint="/fast"}[$__range])'}}
      pass: "< 500ms"
"""
RETRY_BUDGET_SECONDS = 3  # FAST_BACKENDS in helpers


def _run_args(slo: Path, host: str, prometheus_url: str, config: Path, out: Path, *extra: str) -> list[str]:
    return [
        "run", str(slo), "--scenario", str(QUICK_USER), "--host", host, "--prometheus-url", prometheus_url,
        "--config", str(config), "--out", str(out), "--users", "2", "--spawn-rate", "10", "--duration", "6s",
        "--settle", "1s", *extra,
    ]  # fmt: skip


def _objective(result: dict[str, object], name: str) -> dict[str, object]:
    objectives = result["objectives"]
    assert isinstance(objectives, list)
    found: dict[str, object] = next(o for o in objectives if o["name"] == name)
    return found


def test_prometheus_down_before_the_run_fails_preflight_with_exit_3_and_sends_no_request(
    target: CountingServer, work: Path
) -> None:
    slo = write_slo(work / "slo.yaml", RECORDED_OBJECTIVE + LOCUST_OBJECTIVES)
    down = f"http://127.0.0.1:{closed_port()}"
    result = slocheck(_run_args(slo, target.url, down, write_config(work / "c.yaml"), work / "runs"), work)
    assert result.code == 3, result.output
    assert target.total() == 0
    assert run_dirs(work / "runs") == []
    (line,) = result.error_lines()
    assert line.startswith(f"error: Prometheus: cannot reach {down}: Connection refused (gave up after ")
    assert line.endswith(f" in {RETRY_BUDGET_SECONDS}s)")
    assert "Traceback" not in result.output


@dataclass(frozen=True)
class DeadPrometheusRun:
    code: int
    output: str
    run_dir: Path
    target_requests: int
    seconds_after_load: float


@pytest.fixture(scope="module")
def prometheus_died_during_the_load(
    known_exporter: KnownExporter, tmp_path_factory: pytest.TempPathFactory
) -> DeadPrometheusRun:
    """One run with a real Prometheus that is stopped 2 s into the load (shared by the tests that read it)."""
    work = tmp_path_factory.mktemp("prometheus-dies")
    server = PrometheusServer(work / "prometheus", {"known": [known_exporter.address]}).start()
    out = work / "runs"
    slo = write_slo(work / "slo.yaml", KNOWN_OBJECTIVE + LOCUST_OBJECTIVES)
    try:
        with CountingServer(delay=0.0) as target:
            process = start(_run_args(slo, target.url, server.url, write_config(work / "c.yaml"), out), work)
            wait_for(lambda: (run_record(out) or {}).get("status") == "load", "the load to start", process=process)
            time.sleep(2)
            server.stop()
            wait_for(lambda: (run_record(out) or {}).get("status") != "load", "the load to end", process=process)
            load_ended = time.monotonic()
            stdout, stderr = process.communicate(timeout=300)
            after_load = time.monotonic() - load_ended
            served = target.total()
    finally:
        server.stop()
    return DeadPrometheusRun(process.returncode, stdout + stderr, only_run_dir(out), served, after_load)


@pytest.mark.integration
def test_prometheus_going_down_during_the_load_ends_inconclusive_with_the_error_after_the_retry_budget(
    prometheus_died_during_the_load: DeadPrometheusRun,
) -> None:
    run = prometheus_died_during_the_load
    result = read_json(run.run_dir / "result.json")
    latency = _objective(result, "fast-latency")
    assert run.code == 3, run.output
    assert result["verdict"] == "INCONCLUSIVE"
    assert latency["outcome"] == "ERROR"
    assert "cannot reach" in str(latency["reason"])
    assert "gave up after" in str(latency["reason"])
    assert f"in {RETRY_BUDGET_SECONDS}s)" in str(latency["reason"])


@pytest.mark.integration
def test_prometheus_going_down_during_the_load_keeps_the_locust_results(
    prometheus_died_during_the_load: DeadPrometheusRun,
) -> None:
    run = prometheus_died_during_the_load
    result = read_json(run.run_dir / "result.json")
    assert _objective(result, "client-failure-ratio")["outcome"] == "PASS"
    requests = result["client"]["aggregated"]["requests"]
    assert 0 < requests <= run.target_requests
    with (run.run_dir / "locust_stats.csv").open(newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    assert int(rows["Aggregated"]["Request Count"]) == requests
    record = read_json(run.run_dir / "run.json")
    assert (record["status"], record["exit_code"], record["interrupted"]) == ("done", 3, False)


@pytest.mark.integration
def test_prometheus_going_down_during_the_load_costs_the_run_a_bounded_time_after_the_load(
    prometheus_died_during_the_load: DeadPrometheusRun,
) -> None:
    run = prometheus_died_during_the_load
    assert run.code == 3, run.output
    # settle (1 s) + measurement (one retry budget: queries run concurrently) + report context (one more budget
    # at most, once Prometheus is known to be down) + a generous margin for process start-up and the reports.
    assert run.seconds_after_load < 1 + 2 * RETRY_BUDGET_SECONDS + 8


def _evaluate(work: Path, url: str, config: Path) -> tuple[int, dict[str, object], float, str]:
    slo = write_slo(work / "slo.yaml", RECORDED_OBJECTIVE)
    began = time.monotonic()
    finished = slocheck(
        ["evaluate", str(slo), "--last", "5m", "--prometheus-url", url, "--config", str(config), "--json",
         str(work / "result.json")],
        work,
    )  # fmt: skip
    elapsed = time.monotonic() - began
    return finished.code, read_json(work / "result.json"), elapsed, finished.output


def test_a_prometheus_slower_than_the_timeout_is_an_error_within_a_bounded_time(
    fake_prometheus: FakePrometheus, work: Path
) -> None:
    fake_prometheus.delay(INSTANT, 60)
    config = write_config(work / "c.yaml", {"prometheus": {"timeout": "1s", "retry_budget": "2s"}})
    code, result, elapsed, output = _evaluate(work, fake_prometheus.url, config)
    objective = _objective(result, "error-ratio")
    assert code == 3, output
    assert result["verdict"] == "INCONCLUSIVE"
    assert objective["outcome"] == "ERROR"
    assert "did not answer within 1s" in str(objective["reason"])  # a timeout, not "cannot reach"
    assert "in 2s)" in str(objective["reason"])
    assert elapsed < 20  # 60 s if the timeout were not applied


@pytest.mark.parametrize("status", [503, 429])
def test_a_prometheus_that_answers_an_overload_status_twice_then_recovers_is_retried_and_measured(
    fake_prometheus: FakePrometheus, work: Path, status: int
) -> None:
    fake_prometheus.fail_next(INSTANT, [status, status])
    config = write_config(work / "c.yaml", {"prometheus": {"retry_budget": "20s"}})
    code, result, _, output = _evaluate(work, fake_prometheus.url, config)
    objective = _objective(result, "error-ratio")
    assert code == 0, output
    assert objective["outcome"] == "PASS"
    assert objective["value"] == pytest.approx(RECORDED_VALUE)
    assert len(fake_prometheus.seen(INSTANT)) == 3
