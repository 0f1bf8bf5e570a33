"""The system under test failing: down, answering errors, or a load generator worker dying mid-run."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import psutil

from tests.support.command import (
    FAILING_USER,
    LOCUST_OBJECTIVES,
    QUICK_USER,
    descendants,
    only_run_dir,
    read_json,
    run_record,
    slocheck,
    start,
    still_running,
    wait_for,
    write_slo,
)
from tests.support.counting_server import CountingServer
from tests.support.net import closed_port


def _run_args(work: Path, scenario: Path, host: str, *extra: str) -> list[str]:
    slo = write_slo(work / "slo.yaml", LOCUST_OBJECTIVES)
    return [
        "run", str(slo), "--scenario", str(scenario), "--host", host, "--out", str(work / "runs"),
        "--users", "2", "--spawn-rate", "10", "--duration", "3s", "--settle", "1s", *extra,
    ]  # fmt: skip


def _objective(result: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(o for o in result["objectives"] if o["name"] == name)
    return found


def test_a_target_that_is_down_fails_the_run_with_the_connection_errors_as_evidence(work: Path) -> None:
    down = f"http://127.0.0.1:{closed_port()}"
    finished = slocheck(_run_args(work, QUICK_USER, down), work)
    result = read_json(only_run_dir(work / "runs") / "result.json")
    ratio = _objective(result, "client-failure-ratio")
    aggregated = result["client"]["aggregated"]
    assert finished.code == 1, finished.output
    assert result["verdict"] == "FAIL"
    assert (ratio["outcome"], ratio["value"]) == ("FAIL", 1.0)
    assert aggregated["requests"] > 0
    assert aggregated["failures"] == aggregated["requests"]
    assert any("Connection refused" in str(f) or "ConnectionRefused" in str(f) for f in result["client"]["failures"])
    assert "Traceback" not in finished.output


def test_a_target_failing_every_request_fails_the_run_with_the_http_errors_as_evidence(
    target: CountingServer, work: Path
) -> None:
    finished = slocheck(_run_args(work, FAILING_USER, target.url), work)
    result = read_json(only_run_dir(work / "runs") / "result.json")
    ratio = _objective(result, "client-failure-ratio")
    aggregated = result["client"]["aggregated"]
    assert finished.code == 1, finished.output
    assert (ratio["outcome"], ratio["value"]) == ("FAIL", 1.0)
    assert aggregated["failures"] == aggregated["requests"] > 0
    assert any("500" in str(f) for f in result["client"]["failures"])
    assert target.total() >= aggregated["requests"]


def _worker_pids(pid: int) -> list[int]:
    found = []
    for child in descendants(pid):
        try:
            if "slocheck.load.worker" in " ".join(child.cmdline()):
                found.append(child.pid)
        except psutil.Error:
            continue
    return found


def test_a_worker_killed_mid_run_is_a_warning_in_run_json_and_the_run_goes_on_with_the_other(
    target: CountingServer, work: Path
) -> None:
    args = _run_args(work, QUICK_USER, target.url, "--workers", "2")
    args[args.index("--duration") + 1] = "8s"
    out = work / "runs"
    process = start(args, work)
    try:
        wait_for(lambda: len(_worker_pids(process.pid)) == 2, "two worker processes", process=process)
        wait_for(lambda: (run_record(out) or {}).get("status") == "load", "the load to start", process=process)
        children = descendants(process.pid)
        time.sleep(3)
        victim = _worker_pids(process.pid)[0]
        served_before_kill = target.total()
        os.kill(victim, signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    record = read_json(only_run_dir(out) / "run.json")
    result = read_json(only_run_dir(out) / "result.json")
    warnings = record["load"]["warnings"]
    assert process.returncode == 0, stdout + stderr
    assert record["status"] == "done"
    assert record["load"]["failed"] is False
    assert any(f"(pid {victim}) exited with code -9 during the run" in w for w in warnings), warnings
    assert target.total() > served_before_kill  # the surviving worker kept the load going
    assert result["client"]["aggregated"]["requests"] > 0
    assert still_running(children) == []
