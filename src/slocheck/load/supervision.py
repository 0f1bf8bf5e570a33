"""What a master knows about its workers during a run: which died, which stopped sending heartbeats, which have
stopped their users, and which never sent their final statistics. Every such event becomes a run warning; the
run fails only once no worker is left."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from locust.runners import STATE_RUNNING, STATE_SPAWNING

from slocheck.core.errors import LoadError
from slocheck.load.distributed import LocalWorkers, MasterLink
from slocheck.load.monitor import CpuMonitor
from slocheck.load.plan import LoadPlan


def bind_master(env: Any, plan: LoadPlan) -> Any:
    """Locust's master runner, listening on 127.0.0.1 for local workers only, else on --master-bind-host/port."""
    remote = plan.expect_workers > 0
    host = plan.master_bind_host if remote else "127.0.0.1"
    port = plan.master_bind_port if remote else 0
    try:
        return env.create_master_runner(master_bind_host=host, master_bind_port=port)
    except (SystemExit, Exception) as exc:
        raise LoadError(
            f"cannot listen for workers on {host}:{port} ({exc or 'address in use'}); choose another --master-bind-port"
        ) from None


def start_workers(
    plan: LoadPlan,
    runner: Any,
    link: MasterLink,
    workers: LocalWorkers,
    scenario: Path,
    cpu: CpuMonitor,
    check: Callable[[], None],
) -> None:
    """Start the plan's local worker processes (their CPU watched) and wait until every expected worker, local and
    remote, is ready; `check()` may raise meanwhile (a signal, a local worker that died)."""
    port = int(runner.server.port)
    bind = plan.master_bind_host if plan.expect_workers else "127.0.0.1"
    connect = "127.0.0.1" if bind in ("*", "0.0.0.0", "", "::") else bind
    if plan.workers:
        log_dir = plan.out_dir / "workers" if plan.out_dir else None
        workers.start(plan.workers, connect, port, scenario, log_dir)
        for worker in workers.workers:
            cpu.watch(f"worker-{worker.number}", worker.pid)
    expected = plan.workers + plan.expect_workers
    link.wait_for_workers(expected, plan.worker_timeout, check, f"{bind}:{port}")


class WorkerWatch:
    """The master's workers (local processes and remote ones), watched from the run's main loop."""

    def __init__(
        self, runner: Any, link: MasterLink, workers: LocalWorkers, expect_remote: int, warnings: list[str]
    ) -> None:
        self.runner, self.link, self.workers = runner, link, workers
        self.expect_remote = expect_remote
        self.warnings = warnings  # the run's own list: warnings are appended to it
        self.seen_missing: set[str] = set()

    def check(self) -> str:
        """Warn about workers that died or went missing since the last check; the failure when none is left."""
        for worker in self.workers.newly_dead():
            self.seen_missing.update(self.node_ids(worker.pid))
            self.warnings.append(
                f"local worker {worker.number} (pid {worker.pid}) exited with code {worker.process.returncode} "
                f"during the run ({worker.log_tail() or 'no output'}); continuing with {len(self.workers.alive())} "
                "local workers; its requests since its last report (up to ~3 s) are missing from the client statistics"
            )
        for node in self.runner.clients.missing:
            if node.id not in self.seen_missing:
                self.seen_missing.add(node.id)
                self.warnings.append(
                    f"worker {node.id} stopped sending heartbeats; continuing without it; its "
                    "requests since its last report (up to ~3 s) are missing from the statistics"
                )
        if self.runner.state in (STATE_SPAWNING, STATE_RUNNING):
            no_local = not self.workers.alive() and not self.expect_remote
            if no_local or self.runner.worker_count == 0:
                return "every worker died during the run; the statistics cover only part of the load"
        return ""

    def stopped(self) -> bool:
        """Every live worker has reported its users stopped (Locust's master may still wait for a dead one)."""
        return all(node in self.link.finals or not self.alive(node) for node in self.link.hello)

    def node_ids(self, pid: int) -> set[str]:
        return {node for node, data in self.link.hello.items() if data.get("pid") == pid}

    def alive(self, node_id: str) -> bool:
        pid = self.link.hello.get(node_id, {}).get("pid")
        for worker in self.workers.workers:
            if worker.pid == pid:
                return worker.process.poll() is None
        node = self.runner.clients.get(node_id)
        return node is not None and node.state != "missing"

    def wait_for_finals(self, timeout: float) -> None:
        """Wait for every worker's final statistics; warn about each live one that sent none."""
        late = self.link.wait_for_finals(list(self.link.hello), timeout, self.alive)
        for node_id in set(late) - self.seen_missing:
            self.warnings.append(
                f"worker {node_id} sent no final statistics; its last ~3 s of requests are missing from the client "
                "statistics"
            )
