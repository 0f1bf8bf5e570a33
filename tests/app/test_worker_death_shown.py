"""A worker that dies during the run is said on the console and in the Markdown and HTML verdict sections."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psutil

from slocheck.report.markdown import render_markdown
from tests.support.command import (
    LOCUST_OBJECTIVES,
    QUICK_USER,
    descendants,
    only_run_dir,
    run_record,
    start,
    wait_for,
    write_slo,
)
from tests.support.counting_server import CountingServer

WARNING = "local worker 1 (pid 4242) exited with code -9 during the run; continuing with 1 local workers"


def _worker_pids(pid: int) -> list[int]:
    found = []
    for child in descendants(pid):
        try:
            if "slocheck.load.worker" in " ".join(child.cmdline()):
                found.append(child.pid)
        except psutil.Error:
            continue
    return found


def test_the_markdown_verdict_section_shows_load_warnings() -> None:
    document = {
        "verdict": "PASS",
        "exit_code": 0,
        "window": {"start": "a", "end": "b", "seconds": 5.0},
        "summary": {"PASS": 1},
        "run": {"id": "r1", "profile": "smoke", "host": "http://h", "load": {"warnings": [WARNING]}},
        "notes": [],
        "objectives": [],
    }
    assert f"**Load warning**: {WARNING}" in render_markdown(document).splitlines()


def _loading(pids: list[int], port: int) -> int:
    """How many of `pids` hold a connection to the target (their users are sending requests)."""
    busy = 0
    for pid in pids:
        try:
            connections = psutil.Process(pid).net_connections(kind="tcp")
        except psutil.Error:
            continue
        busy += any(c.raddr and c.raddr.port == port for c in connections)
    return busy


def test_a_worker_killed_mid_run_is_printed_and_in_the_reports(target: CountingServer, work: Path) -> None:
    slo = write_slo(work / "slo.yaml", LOCUST_OBJECTIVES)
    out = work / "runs"
    args = [
        "run", str(slo), "--scenario", str(QUICK_USER), "--host", target.url, "--out", str(out), "--users", "2",
        "--spawn-rate", "10", "--duration", "7s", "--settle", "0.1s", "--workers", "2",
    ]  # fmt: skip
    process = start(args, work)
    try:
        wait_for(lambda: len(_worker_pids(process.pid)) == 2, "two worker processes", process=process)
        wait_for(lambda: (run_record(out) or {}).get("status") == "load", "the load to start", process=process)
        # Killed only once both workers drive load: a slow machine can take seconds for a worker to connect.
        wait_for(lambda: _loading(_worker_pids(process.pid), target.port) == 2, "both workers' load", process=process)
        victim = _worker_pids(process.pid)[0]
        os.kill(victim, signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stdout + stderr
    said = f"(pid {victim}) exited with code -9 during the run"
    assert any(line.startswith("warning: ") and said in line for line in stderr.splitlines()), stderr
    run_dir = only_run_dir(out)
    assert said in (run_dir / "report.md").read_text()
    assert said in (run_dir / "report.html").read_text()
