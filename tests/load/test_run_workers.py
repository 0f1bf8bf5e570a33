import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

import contextlib
import os
import signal
import sys
from pathlib import Path

import psutil

from slocheck.load.distributed import SpawnedProcess
from slocheck.load.plan import LoadPlan
from slocheck.load.profiles import Profile, Stage
from slocheck.load.progress import Progress
from slocheck.load.runner import run_load
from tests.load.marks import LOAD_WARNINGS
from tests.support.counting_server import CountingServer
from tests.support.net import closed_port

pytestmark = LOAD_WARNINGS


def worker_processes() -> list[psutil.Process]:
    """This test process's Locust worker children (other suites' servers may be children too)."""
    workers = []
    for child in psutil.Process().children(recursive=True):
        try:
            if "slocheck.load.worker" in " ".join(child.cmdline()):
                workers.append(child)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return workers


def test_two_local_workers_send_merged_statistics_that_match_the_server(
    server: CountingServer, data_dir: Path, tmp_path: Path
) -> None:
    plan = LoadPlan(
        data_dir / "paced_locustfile.py",
        Profile("t", (Stage(3.0, 4, 10.0),)),
        host=server.url,
        workers=2,
        out_dir=tmp_path,
        run_id="r-workers",
    )
    outcome = run_load(plan)

    assert outcome.stats.count == server.total() > 50
    assert outcome.stats.total.failures == server.counts[("GET", "/fail")] > 0
    assert {(e.method, e.name) for e in outcome.stats.entries.values()} == {("GET", "/ok"), ("GET", "/fail")}
    assert outcome.workers == 2
    assert not outcome.failed
    assert not outcome.warnings
    assert outcome.achieved_users == 4
    assert {p.label for p in outcome.cpu.processes} == {"master", "worker-1", "worker-2"}
    assert sorted(p.name for p in (tmp_path / "workers").iterdir()) == ["worker-1.log", "worker-2.log"]
    assert not worker_processes()


class WorkerKiller:
    """An on_progress callback that SIGKILLs `count` worker processes once the load is running."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.killed: list[int] = []

    def __call__(self, progress: Progress) -> None:
        if self.killed or progress.elapsed < 1.0 or progress.users < progress.target_users:
            return
        for child in worker_processes()[: self.count]:
            child.kill()
            self.killed.append(child.pid)


def test_a_worker_dying_mid_run_is_a_warning_and_the_load_goes_on(server: CountingServer, data_dir: Path) -> None:
    killer = WorkerKiller(1)
    plan = LoadPlan(data_dir / "paced_locustfile.py", Profile("t", (Stage(3.0, 4, 10.0),)), host=server.url, workers=2)
    outcome = run_load(plan, on_progress=killer)

    assert len(killer.killed) == 1
    assert not outcome.failed
    assert any(w.startswith("local worker") and "exited with code -9 during the run" in w for w in outcome.warnings)
    assert 0 < outcome.stats.count <= server.total()
    assert not worker_processes()


def test_every_worker_dying_fails_the_run(server: CountingServer, data_dir: Path) -> None:
    killer = WorkerKiller(2)
    plan = LoadPlan(data_dir / "paced_locustfile.py", Profile("t", (Stage(30.0, 4, 10.0),)), host=server.url, workers=2)
    outcome = run_load(plan, on_progress=killer)

    assert outcome.failed
    assert "every worker died" in outcome.failure
    assert outcome.window.seconds < 10
    assert not worker_processes()


def test_a_remote_worker_started_with_the_worker_command_joins_the_master(
    server: CountingServer, data_dir: Path, tmp_path: Path
) -> None:
    port = closed_port()
    scenario = data_dir / "paced_locustfile.py"
    command = [
        sys.executable,
        "-m",
        "slocheck.load.worker",
        "--master-host",
        "127.0.0.1",
        "--master-port",
        str(port),
        "--scenario",
        str(scenario),
    ]
    worker = SpawnedProcess(command, tmp_path / "remote-worker.log")
    try:
        plan = LoadPlan(
            scenario,
            Profile("t", (Stage(2.0, 2, 10.0),)),
            host=server.url,
            expect_workers=1,
            master_bind_host="127.0.0.1",
            master_bind_port=port,
            stop_timeout=1.0,
            worker_timeout=30.0,
        )
        outcome = run_load(plan)
        assert worker.wait(timeout=10) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        with contextlib.suppress(TimeoutError):
            worker.wait(timeout=5)
    assert outcome.stats.count == server.total() > 0
    assert not outcome.warnings
