"""`slocheck run` end to end: real Locust against the demo service, real Prometheus, Redis and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import psutil
import pytest

from slocheck.__main__ import main
from slocheck_demo.stack import StackUrls
from tests.support.fake_grafana import TOKEN as GRAFANA_TOKEN
from tests.support.fake_grafana import FakeGrafana
from tests.support.paths import REPO_ROOT as ROOT

# Locust never closes a stopped user's last response socket; the garbage collector frees it later with a
# ResourceWarning that is Locust's, not slocheck's (see tests/load/marks.py).
pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::ResourceWarning")]
DEMO_SLO = ROOT / "slo" / "demo.yaml"
SCENARIO = ROOT / "scenarios" / "agent_platform.py"


def _run_args(urls: StackUrls, out: Path, *extra: str) -> list[str]:
    return [
        "run", str(DEMO_SLO), "--scenario", str(SCENARIO), "--host", urls.service,
        "--prometheus-url", urls.prometheus, "--profile", "smoke", "--users", "10", "--duration", "12s",
        "--out", str(out), *extra,
    ]  # fmt: skip


def _only_run_dir(out: Path) -> Path:
    (run_dir,) = out.iterdir()
    return run_dir


def _requests_served(service_url: str) -> float:
    """The demo service's own count of API requests (its /metrics), to prove whether load was sent."""
    with urllib.request.urlopen(f"{service_url}/metrics", timeout=5) as response:
        text = response.read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("http_requests_total{") and "/api/v1/agents" in line
    )


def test_a_smoke_run_passes_with_a_real_value_for_every_objective(demo_stack: StackUrls, tmp_path: Path) -> None:
    code = main(_run_args(demo_stack, tmp_path))
    run_dir = _only_run_dir(tmp_path)
    result = json.loads((run_dir / "result.json").read_text())
    no_value = [o["key"] for o in result["objectives"] if o["outcome"] in ("NO_DATA", "ERROR")]
    assert no_value == []
    assert (code, result["verdict"]) == (0, "PASS")


def test_a_run_leaves_every_artifact_in_its_run_directory(demo_stack: StackUrls, tmp_path: Path) -> None:
    main(_run_args(demo_stack, tmp_path))
    run_dir = _only_run_dir(tmp_path)
    names = {p.name for p in run_dir.iterdir()}
    assert {"run.json", "result.json", "junit.xml", "report.md", "locust_stats.csv", "slo"} <= names
    record = json.loads((run_dir / "run.json").read_text())
    assert record["status"] == "done"
    assert record["window_start"] < record["window_end"]


def test_injected_latency_fails_the_latency_objectives(slow_demo_stack: StackUrls, tmp_path: Path) -> None:
    code = main(_run_args(slow_demo_stack, tmp_path))
    result = json.loads((_only_run_dir(tmp_path) / "result.json").read_text())
    failed = {o["name"] for o in result["objectives"] if o["outcome"] == "FAIL"}
    assert code == 1
    assert {"api-p95-latency", "client-p95-latency"} <= failed


def test_two_local_worker_processes_drive_the_load_and_merge_client_stats(
    demo_stack: StackUrls, tmp_path: Path
) -> None:
    code = main(_run_args(demo_stack, tmp_path, "--workers", "2"))
    result = json.loads((_only_run_dir(tmp_path) / "result.json").read_text())
    client = {o["name"]: o for o in result["objectives"] if o["backend"] == "locust"}
    assert code == 0
    assert client["client-p95-latency"]["outcome"] == "PASS"
    assert client["client-p95-latency"]["sample_size"] > 0


def test_a_scenario_with_a_syntax_error_exits_2_before_any_request(
    demo_stack: StackUrls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("from locust import HttpUser\nclass U(HttpUser:\n    pass\n")
    before = _requests_served(demo_stack.service)
    args = _run_args(demo_stack, tmp_path / "out")
    args[args.index("--scenario") + 1] = str(broken)
    code = main(args)
    assert code == 2
    assert "broken.py" in capsys.readouterr().err
    assert _requests_served(demo_stack.service) == before
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_sigint_mid_run_exits_130_with_a_partial_flagged_window_and_no_orphans(
    demo_stack: StackUrls, tmp_path: Path
) -> None:
    args = _run_args(demo_stack, tmp_path, "--workers", "2")
    args[args.index("--duration") + 1] = "60s"
    process = subprocess.Popen(
        [sys.executable, "-m", "slocheck", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    children = _wait_for_workers(process.pid, count=2)
    time.sleep(3)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    result = json.loads((_only_run_dir(tmp_path) / "result.json").read_text())
    assert process.returncode == 130, output.decode()[-2000:]
    assert result["run"]["interrupted"] is True
    assert result["window"]["seconds"] < 60
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]


def _wait_for_workers(pid: int, count: int, timeout: float = 60) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = psutil.Process(pid).children(recursive=True)
        if len(children) >= count:
            return children
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} worker processes appeared")


def test_a_run_is_a_closed_grafana_region_tagged_with_its_verdict(
    demo_stack: StackUrls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeGrafana() as grafana:
        monkeypatch.setenv("SLOCHECK_GRAFANA_TOKEN", GRAFANA_TOKEN)
        code = main(_run_args(demo_stack, tmp_path, "--grafana-url", grafana.url, "--require-grafana"))
        record = json.loads((_only_run_dir(tmp_path) / "run.json").read_text())
        annotation = grafana.annotations[record["grafana_annotation_id"]]
    tags = set(annotation["tags"])
    assert code == 0
    assert {"slocheck", f"run:{record['id']}", "scenario:agent_platform", "profile:smoke", "verdict:pass"} <= tags
    assert annotation["time"] < annotation["timeEnd"]
    window_end_ms = datetime.fromisoformat(record["window_end"]).timestamp() * 1000
    assert abs(annotation["timeEnd"] - window_end_ms) <= 1  # the region closes exactly at the load window's end
