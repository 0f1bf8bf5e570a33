"""What a master knows about its workers during a run: which died, which stopped sending heartbeats, which have
stopped their users, and which never sent their final statistics. Every such event becomes a run warning; the
run fails only once no worker is left."""

from __future__ import annotations

from typing import Any

from locust.runners import STATE_RUNNING, STATE_SPAWNING

from slocheck.load.distributed import LocalWorkers, MasterLink


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
