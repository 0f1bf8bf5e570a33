"""Master side of a distributed run: local worker processes, the handshake, and statistics from workers.

Messages between slocheck's master and its workers (on top of Locust's own):

- worker → master `slocheck_hello` {pid, users, digest}: sent once connected; the master answers with
  `slocheck_config` {run_id, trace} and counts the worker as ready only then (so tracing is set up before the
  first user spawns) and checks that the worker loaded the same User classes.
- worker → master `stats` (Locust's periodic report, every 3 s) carries `slocheck`: the worker's request
  histograms since its last report.
- worker → master `slocheck_final`: the rest of its histograms, sent when the worker's users have stopped.

Local workers are started in their own session (process group), so a Ctrl-C in the terminal reaches only the
master, which stops them in order; `LocalWorkers.kill()` kills every group on the way out, whatever happened.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gevent
from locust.rpc import Message

from slocheck.core.errors import LoadError
from slocheck.load.stats import ClientStats
from slocheck.load.trace_extra import INSTALL_HINT

logger = logging.getLogger(__name__)


class SpawnedProcess:
    """A worker process started with `posix_spawn`, so no Python code runs in the child before it execs.

    gevent's `subprocess.Popen` forks in Python, which runs every `os.register_at_fork` hook in the child;
    OpenTelemetry's BatchSpanProcessor (left by an earlier traced run in this process) starts a thread there and
    the child spins forever. gevent watches posix_spawn'ed children, so `os.waitpid` stays cooperative.
    """

    def __init__(self, argv: list[str], log_path: Path) -> None:
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, str(log_path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_DUP2, 1, 2),
        ]
        self.pid = os.posix_spawn(argv[0], argv, dict(os.environ), file_actions=actions, setsid=True)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere: gone, exit status unknown
                self.returncode = -1
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"process {self.pid} still running after {timeout:g} s")
            gevent.sleep(0.02)
        assert self.returncode is not None
        return self.returncode


HELLO = "slocheck_hello"
CONFIG = "slocheck_config"
FINAL = "slocheck_final"
WIRE_KEY = "slocheck"
ARRIVALS_DONE = "slocheck_arrivals_done"


@dataclass
class LocalWorker:
    number: int
    process: SpawnedProcess
    log_path: Path
    reported_dead: bool = False

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self) -> str:
        try:
            lines = [line.strip() for line in self.log_path.read_text(errors="replace").splitlines() if line.strip()]
        except OSError:
            return ""
        return lines[-1][:300] if lines else ""


@dataclass
class LocalWorkers:
    """N worker OS processes running `python -m slocheck.load.worker` against the local master."""

    workers: list[LocalWorker] = field(default_factory=list)
    log_dir: Path | None = None
    _temporary: bool = False

    def start(self, count: int, master_host: str, master_port: int, scenario: Path, log_dir: Path | None) -> None:
        if log_dir is None:
            self.log_dir, self._temporary = Path(tempfile.mkdtemp(prefix="slocheck-workers-")), True
        else:
            self.log_dir = log_dir
            log_dir.mkdir(parents=True, exist_ok=True)
        for number in range(1, count + 1):
            log_path = self.log_dir / f"worker-{number}.log"
            command = [
                sys.executable,
                "-m",
                "slocheck.load.worker",
                "--master-host",
                master_host,
                "--master-port",
                str(master_port),
                "--scenario",
                str(scenario),
                "--parent-pid",
                str(os.getpid()),
            ]
            self.workers.append(LocalWorker(number, SpawnedProcess(command, log_path), log_path))

    @property
    def pids(self) -> list[int]:
        return [w.pid for w in self.workers]

    def newly_dead(self) -> list[LocalWorker]:
        """Workers that exited since the last call."""
        dead = [w for w in self.workers if not w.reported_dead and w.process.poll() is not None]
        for worker in dead:
            worker.reported_dead = True
        return dead

    def alive(self) -> list[LocalWorker]:
        return [w for w in self.workers if w.process.poll() is None]

    def terminate(self, grace: float) -> None:
        """SIGTERM every worker's process group, then SIGKILL what is left after `grace` seconds."""
        _signal_groups(self.alive(), signal.SIGTERM)
        deadline = time.monotonic() + grace
        while self.alive() and time.monotonic() < deadline:
            gevent.sleep(0.05)
        self.kill()

    def kill(self) -> None:
        """SIGKILL every worker's process group and reap them (safe to call repeatedly)."""
        _signal_groups(self.workers, signal.SIGKILL)
        for worker in self.workers:
            try:
                worker.process.wait(timeout=5)
            except TimeoutError:
                logger.warning("worker %d (pid %d) did not exit after SIGKILL", worker.number, worker.pid)
        if self._temporary and self.log_dir is not None:
            shutil.rmtree(self.log_dir, ignore_errors=True)
            self._temporary = False


def _signal_groups(workers: list[LocalWorker], signum: int) -> None:
    for worker in workers:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(worker.pid, signum)


class MasterLink:
    """slocheck's messages on a Locust MasterRunner: handshake, config, and merged client statistics."""

    def __init__(self, runner: Any, stats: ClientStats, config: dict[str, Any], user_classes: list[str]) -> None:
        self.runner = runner
        self.stats = stats
        self.config = config
        self.user_classes = sorted(user_classes)
        self.hello: dict[str, dict[str, Any]] = {}
        self.finals: dict[str, float] = {}
        self.arrivals_done: set[str] = set()
        self.mismatch: str | None = None
        runner.register_message(HELLO, self._on_hello)
        runner.register_message(FINAL, self._on_final)
        runner.register_message(ARRIVALS_DONE, self._on_arrivals_done)
        runner.environment.events.worker_report.add_listener(self._on_report)

    def _on_hello(self, environment: Any, msg: Message) -> None:
        data = dict(msg.data or {})
        self.hello[msg.node_id] = data
        theirs = sorted(data.get("users", []))
        if theirs != self.user_classes:
            self.mismatch = (
                f"worker {msg.node_id} loaded different User classes ({', '.join(theirs) or 'none'}) "
                f"than the master ({', '.join(self.user_classes)}); run every worker with the same "
                "scenario file"
            )
        if self.config.get("trace") and data.get("can_trace") is False:
            self.mismatch = (
                f"worker {msg.node_id} cannot trace the load: OpenTelemetry is not installed there;"
                f" run `{INSTALL_HINT}` on that machine"
            )
        config = dict(self.config)
        if config.get("arrivals"):  # worker i of n runs the iterations k ≡ i (mod n)
            config["arrivals"] = {**config["arrivals"], "index": len(self.hello) - 1}
        self.runner.send_message(CONFIG, config, client_id=msg.node_id)

    def _on_final(self, environment: Any, msg: Message) -> None:
        self.stats.merge_wire(msg.data["stats"])
        self.finals[msg.node_id] = time.time()

    def _on_arrivals_done(self, environment: Any, msg: Message) -> None:
        self.arrivals_done.add(msg.node_id)

    def _on_report(self, client_id: str, data: dict[str, Any], **_kwargs: object) -> None:
        wire = data.get(WIRE_KEY)
        if wire:
            self.stats.merge_wire(wire)

    def arrivals_finished(self) -> bool:
        """Every worker that said hello has run its part of the arrival schedule (or is gone)."""
        live = {node.id for node in self.runner.clients.values() if node.state != "missing"}
        return bool(self.hello) and all(n in self.arrivals_done or n not in live for n in self.hello)

    def ready(self) -> list[str]:
        """Workers that are connected, idle, and have completed the handshake."""
        return [node.id for node in self.runner.clients.ready if node.id in self.hello]

    def wait_for_workers(self, expected: int, timeout: float, check: Callable[[], None], where: str) -> None:
        """Block until `expected` workers are ready; `check()` may raise (e.g. a local worker died)."""
        deadline = time.monotonic() + timeout
        while len(self.ready()) < expected:
            check()
            if self.mismatch:
                raise LoadError(self.mismatch)
            if time.monotonic() > deadline:
                raise LoadError(
                    f"only {len(self.ready())} of {expected} workers connected to the master at {where} within "
                    f"{timeout:g} s; start them with `slocheck worker --master-host HOST --master-port PORT "
                    "--scenario FILE`"
                )
            gevent.sleep(0.1)

    def wait_for_finals(self, worker_ids: list[str], timeout: float, alive: Callable[[str], bool]) -> list[str]:
        """Wait until every worker in `worker_ids` has sent its final statistics; return those that did not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            missing = [w for w in worker_ids if w not in self.finals and alive(w)]
            if not missing:
                break
            gevent.sleep(0.05)
        return [w for w in worker_ids if w not in self.finals]

    def send_quit(self) -> None:
        """Ask every worker that ever said hello to quit (also those between `stop` and `ready`)."""
        for node_id in self.hello:
            try:
                self.runner.server.send_to_client(Message("quit", None, node_id))  # type: ignore[no-untyped-call]
            except Exception as exc:
                logger.debug("could not send quit to %s: %s", node_id, exc)
