"""SIGINT and SIGTERM in every phase of `slocheck run`: exit 130, the Grafana region closed, run.json (and
result.json when it exists) consistent and saying the run was interrupted, and no process left behind.

Each test drives the real command in a subprocess and sends the signal once the phase is reached, watched from
outside: the fake Prometheus holding a request of that phase, or run.json's `status`.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.command import (
    LOCUST_OBJECTIVES,
    QUICK_USER,
    RECORDED_OBJECTIVE,
    descendants,
    read_json,
    run_dirs,
    run_record,
    start,
    still_running,
    wait_for,
    write_config,
    write_slo,
)
from tests.support.counting_server import CountingServer
from tests.support.env import clean_env
from tests.support.fake_grafana import TOKEN, FakeGrafana
from tests.support.fake_prometheus import FORMAT, INSTANT, RANGE, FakePrometheus

EXIT_INTERRUPTED = 130
# docs/load.md: the load stops within 10 s of Ctrl-C/SIGTERM; the rest (partial measurement) must be as prompt.
EXIT_WITHIN_SECONDS = 12


@dataclass(frozen=True)
class Phase:
    name: str
    extra: tuple[str, ...]
    reached: Callable[[Path, FakePrometheus, CountingServer], bool]
    slow_path: str | None = None
    then_wait: float = 0.0
    expect_run_dir: bool = True


def _status(out: Path) -> str | None:
    record = run_record(out)
    return None if record is None else str(record.get("status"))


PHASES = [
    Phase(
        "preflight",
        (),
        lambda out, fake, target: bool(fake.seen(FORMAT)),
        slow_path=FORMAT,
        expect_run_dir=False,
    ),
    Phase(
        "spawning",
        ("--users", "40", "--spawn-rate", "2", "--duration", "60s"),
        lambda out, fake, target: _status(out) == "load" and target.total() > 0,
        then_wait=1.0,
    ),
    Phase(
        "steady load",
        ("--users", "2", "--spawn-rate", "100", "--duration", "60s", "--workers", "1"),
        lambda out, fake, target: _status(out) == "load" and target.total() > 20,
        then_wait=1.0,
    ),
    Phase(
        "settle wait",
        ("--settle", "30s"),
        lambda out, fake, target: _status(out) == "settle",
        then_wait=0.5,
    ),
    Phase(
        "measuring",
        (),
        lambda out, fake, target: _status(out) == "measure" and bool(fake.seen(INSTANT)),
        slow_path=INSTANT,
    ),
    Phase(
        "reporting",
        (),
        lambda out, fake, target: bool(fake.seen(RANGE)),
        slow_path=RANGE,
    ),
]
CASES = [
    pytest.param(phase, signum, id=f"{signum.name}-{phase.name.replace(' ', '-')}")
    for phase in PHASES
    for signum in (signal.SIGINT, signal.SIGTERM)
]


def _run_args(work: Path, host: str, prometheus_url: str, grafana_url: str, phase: Phase) -> list[str]:
    slo = write_slo(work / "slo.yaml", RECORDED_OBJECTIVE + LOCUST_OBJECTIVES)
    # A long per-request timeout: the slow request of the phase must still be in flight when the signal comes.
    config = write_config(work / "c.yaml", {"prometheus": {"timeout": "120s", "retry_budget": "1s"}})
    base = {
        "--users": "2", "--spawn-rate": "100", "--duration": "2s", "--settle": "1s", "--workers": "0",
    }  # fmt: skip
    for flag, value in zip(phase.extra[::2], phase.extra[1::2], strict=True):
        base[flag] = value
    options = [item for pair in base.items() for item in pair]
    return [
        "run", str(slo), "--scenario", str(QUICK_USER), "--host", host, "--prometheus-url", prometheus_url,
        "--grafana-url", grafana_url, "--config", str(config), "--out", str(work / "runs"), *options,
    ]  # fmt: skip


def _region_annotations(grafana: FakeGrafana) -> list[dict[str, object]]:
    return [a for a in grafana.annotations.values() if not any(str(t).startswith("stage:") for t in a["tags"])]


@pytest.mark.parametrize(("phase", "signum"), CASES)
def test_a_signal_in_each_phase_exits_130_with_the_annotation_closed_consistent_artifacts_and_no_orphans(
    phase: Phase,
    signum: signal.Signals,
    work: Path,
    target: CountingServer,
    fake_prometheus: FakePrometheus,
    grafana: FakeGrafana,
) -> None:
    if phase.slow_path:
        fake_prometheus.delay(phase.slow_path, 60)
    out = work / "runs"
    env = clean_env(SLOCHECK_GRAFANA_TOKEN=TOKEN)
    process = start(_run_args(work, target.url, fake_prometheus.url, grafana.url, phase), work, env)
    try:
        wait_for(lambda: phase.reached(out, fake_prometheus, target), f"the {phase.name} phase", process=process)
        time.sleep(phase.then_wait)
        family = descendants(process.pid)
        process.send_signal(signum)
        try:
            stdout, stderr = process.communicate(timeout=EXIT_WITHIN_SECONDS)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"still running {EXIT_WITHIN_SECONDS}s after {signum.name}") from exc
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
        fake_prometheus.released.set()
    assert process.returncode == EXIT_INTERRUPTED, stdout + stderr
    assert "Traceback" not in stdout + stderr
    assert still_running(family) == []
    regions = _region_annotations(grafana)
    if not phase.expect_run_dir:
        assert run_dirs(out) == []
        assert regions == []
        return
    (run_dir,) = run_dirs(out)
    record = read_json(run_dir / "run.json")
    result = read_json(run_dir / "result.json")  # the partial window is measured and evaluated
    outcomes = {o["name"]: o["outcome"] for o in result["objectives"]}
    assert (record["status"], record["interrupted"], record["exit_code"]) == ("done", True, EXIT_INTERRUPTED)
    assert (result["run"]["interrupted"], result["exit_code"]) == (True, EXIT_INTERRUPTED)
    # Whatever Prometheus answered before the signal is evidence; the query the signal cut short is never a pass.
    assert outcomes["error-ratio"] == ("ERROR" if phase.name == "measuring" else "PASS")
    (region,) = regions
    assert region["timeEnd"] > region["time"], "the run's region annotation was left open"
