"""Deadlines end to end: a query against a trickling Prometheus ends at its deadline, measuring as a whole has
one (`measure_deadline`), and Ctrl-C while an answer trickles in ends `slocheck run` at once with the evidence
written."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from slocheck.app.measure import Sources, measure_all
from slocheck.config.settings import DEFAULT_MAX_BODY, BackendSettings, load_settings
from slocheck.core.model import MeasurementStatus, PrometheusIndicator
from slocheck.sources.prometheus import PrometheusBackend
from tests.support.builders import WINDOW, objective
from tests.support.command import (
    LOCUST_OBJECTIVES,
    QUICK_USER,
    RECORDED_OBJECTIVE,
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
from tests.support.env import clean_env
from tests.support.fake_prometheus import ANY_PATH, INSTANT, FakePrometheus, trickle

EXIT_INTERRUPTED = 130


def test_evaluate_against_a_trickling_prometheus_ends_at_the_deadline_with_an_error(
    fake_prometheus: FakePrometheus, work: Path
) -> None:
    fake_prometheus.misbehave(ANY_PATH, trickle(1.0))  # a byte a second: every read is within the timeout
    slo = write_slo(work / "slo.yaml", RECORDED_OBJECTIVE)
    config = write_config(work / "c.yaml", {"prometheus": {"timeout": "2s", "retry_budget": "2s"}})
    began = time.monotonic()
    finished = slocheck(
        ["evaluate", str(slo), "--last", "5m", "--prometheus-url", fake_prometheus.url, "--config", str(config),
         "--json", str(work / "result.json")],
        work, timeout=60,
    )  # fmt: skip
    assert time.monotonic() - began < 30, "the deadline did not hold"
    assert finished.code == 3, finished.output
    (objective_result,) = read_json(work / "result.json")["objectives"]
    assert objective_result["outcome"] == "ERROR"
    assert f"{fake_prometheus.url} did not answer within 2s (gave up after" in objective_result["reason"]


def test_measuring_as_a_whole_stops_at_measure_deadline_and_the_rest_are_errors(
    fake_prometheus: FakePrometheus,
) -> None:
    fake_prometheus.delay(INSTANT, 60)
    backend = PrometheusBackend(BackendSettings(url=fake_prometheus.url, timeout=60, retry_budget=0))
    target = objective("slow", "< 1", indicator=PrometheusIndicator("demo:error_ratio:rate1m"))
    began = time.monotonic()
    try:
        measured = measure_all([target], WINDOW, Sources(prometheus=backend, deadline=1.0))
    finally:
        fake_prometheus.released.set()
        backend.close()
    assert time.monotonic() - began < 5
    measurement = measured[target.key]
    assert measurement.status is MeasurementStatus.ERROR
    assert "took longer than measure_deadline (1s)" in measurement.reason


def test_max_body_and_measure_deadline_are_read_from_the_config_with_units(tmp_path: Path) -> None:
    config = tmp_path / "slocheck.yaml"
    config.write_text("measure_deadline: 2m\nbackends:\n  loki: {max_body: 8MiB}\n", encoding="utf-8")
    settings = load_settings(config, environ={})
    assert settings.measure_deadline == 120
    assert settings.backends.loki.max_body == 8 << 20
    assert settings.backends.prometheus.max_body == DEFAULT_MAX_BODY == 64 << 20


def test_ctrl_c_while_an_answer_trickles_in_ends_the_run_at_once_with_the_evidence(
    fake_prometheus: FakePrometheus, target: CountingServer, work: Path
) -> None:
    slo = write_slo(work / "slo.yaml", RECORDED_OBJECTIVE + LOCUST_OBJECTIVES)
    config = write_config(work / "c.yaml", {"prometheus": {"timeout": "120s", "retry_budget": "1s"}})
    out = work / "runs"
    args = [
        "run", str(slo), "--scenario", str(QUICK_USER), "--host", target.url, "--prometheus-url",
        fake_prometheus.url, "--config", str(config), "--out", str(out), "--users", "2", "--spawn-rate", "100",
        "--duration", "2s", "--settle", "1s",
    ]  # fmt: skip
    process = start(args, work, clean_env())
    try:
        wait_for(lambda: (run_record(out) or {}).get("status") == "load", "the load", process=process)
        fake_prometheus.misbehave(ANY_PATH, trickle(1.0))  # every query from now on trickles for minutes
        wait_for(lambda: (run_record(out) or {}).get("status") == "measure", "measuring", process=process)
        wait_for(lambda: len(fake_prometheus.seen(INSTANT)) > 0, "the measurement's query", process=process)
        time.sleep(1.0)
        began = time.monotonic()
        process.send_signal(signal.SIGINT)
        try:
            stdout, stderr = process.communicate(timeout=10)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError("slocheck still running 10s after SIGINT") from exc
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
        fake_prometheus.released.set()
    assert time.monotonic() - began < 5
    assert process.returncode == EXIT_INTERRUPTED, stdout + stderr
    (run_dir,) = run_dirs(out)
    record, result = read_json(run_dir / "run.json"), read_json(run_dir / "result.json")
    assert (record["status"], record["interrupted"]) == ("done", True)
    outcomes = {o["name"]: o["outcome"] for o in result["objectives"]}
    assert outcomes["error-ratio"] == "ERROR"  # cut short: never a pass
    assert outcomes["client-requests"] == "PASS"  # what was measured is kept
