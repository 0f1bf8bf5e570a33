"""A Locust worker process that reports slocheck's raw-timing statistics to its master.

    python -m slocheck.load.worker --master-host 127.0.0.1 --master-port 5557 --scenario scenarios/x.py
    slocheck worker ...            (the same, through the CLI)

The worker imports the scenario file unchanged, connects, says hello (see `distributed.py`), receives the run's
settings (run id, tracing), runs the users the master dispatches and sends its request histograms with every
Locust report plus a final one when its users stop. It exits when the master says quit, on SIGTERM/SIGINT, or
when the process that started it (`--parent-pid`) is gone.
"""

import locust  # noqa: I001 - first: gevent must patch before anything imports requests/urllib3

import argparse
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

import gevent
from locust.env import Environment
from locust.rpc import Message

from slocheck.core.errors import LoadError
from slocheck.load.arrivals import ArrivalExecutor, open_user_classes, profile_from_wire
from slocheck.load.distributed import ARRIVALS_DONE, CONFIG, FINAL, HELLO, WIRE_KEY
from slocheck.load.environment import default_options
from slocheck.load.scenario import Scenario, load_scenario
from slocheck.load.stats import ClientStats
from slocheck.load.trace_extra import tracing_installed

logger = logging.getLogger(__name__)
EXIT_OK = 0
EXIT_ERROR = 2


class _WorkerSession:
    """The listeners that connect a WorkerRunner to slocheck's statistics and settings."""

    def __init__(self, scenario: Scenario, runner: Any) -> None:
        self.scenario = scenario
        self.runner = runner
        self.stats = ClientStats()
        self.tracer: Any = None
        self.executor: ArrivalExecutor | None = None
        events = runner.environment.events
        events.request.add_listener(self.stats.on_request)
        events.report_to_master.add_listener(self._on_report)
        events.test_stop.add_listener(self._on_test_stop)
        runner.register_message(CONFIG, self._on_config)

    def hello(self) -> None:
        users = [u.__name__ for u in self.scenario.user_classes]
        hello = {"pid": os.getpid(), "users": users, "digest": self.scenario.digest, "can_trace": tracing_installed()}
        self.runner.send_message(HELLO, hello)

    def _on_report(self, client_id: str, data: dict[str, Any], **_kwargs: object) -> None:
        data[WIRE_KEY] = self.stats.drain()

    def _on_test_stop(self, environment: Any = None, **_kwargs: object) -> None:
        if self.executor is not None:
            self.executor.stop()
        self.runner.send_message(FINAL, {"stats": self.stats.drain()})

    def _on_config(self, environment: Any, msg: Message) -> None:
        arrivals = (msg.data or {}).get("arrivals")
        if arrivals and self.executor is None:
            self._open_model(arrivals)
        trace = (msg.data or {}).get("trace")
        if trace and self.tracer is None:
            from slocheck.load.tracing import RequestTracer, TraceSettings

            self.tracer = RequestTracer(TraceSettings.from_wire(trace)).install()

    def _open_model(self, arrivals: dict[str, Any]) -> None:
        """Arrival-rate run: this worker's users execute its share of the schedule (see `arrivals.py`)."""
        profile, index, count = profile_from_wire(arrivals)
        done = lambda: self.runner.send_message(ARRIVALS_DONE, {})  # noqa: E731
        executor = ArrivalExecutor(profile, self.stats, index, count, on_finished=done)
        self.executor = executor
        self.stats.open_model = True
        environment = self.runner.environment
        environment.user_classes = open_user_classes(self.scenario.user_classes, executor)
        environment.events.request.add_listener(executor.on_request)
        environment.events.spawning_complete.add_listener(self._start_arrivals)

    def _start_arrivals(self, **_kwargs: object) -> None:
        if self.executor is not None and not self.executor.started_mono:
            self.executor.start(int(self.runner.user_count))

    def close(self) -> None:
        if self.tracer is not None:
            self.tracer.close()
            self.tracer = None


def _watch_parent(parent_pid: int, runner: Any) -> None:
    """Quit when the master process that started this worker is gone (it was killed, not stopped)."""
    while True:
        gevent.sleep(1.0)
        if os.getppid() != parent_pid:
            logger.warning("the master process %d is gone; quitting", parent_pid)
            runner.quit()
            return


def run_worker(master_host: str, master_port: int, scenario: Path, *, parent_pid: int | None = None) -> int:
    """Run one worker until the master tells it to quit; returns the process exit code."""
    loaded = load_scenario(scenario)
    environment: Any = Environment(
        user_classes=list(loaded.user_classes),
        events=locust.events,
        locustfile=str(loaded.path),
        parsed_options=default_options(),
    )
    try:
        runner = environment.create_worker_runner(master_host, master_port)
    except (OSError, ConnectionError) as exc:
        raise LoadError(f"cannot connect to the master at {master_host}:{master_port}: {exc or 'timed out'}") from None
    session = _WorkerSession(loaded, runner)
    environment.events.init.fire(environment=environment, runner=runner, web_ui=None)
    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, runner.quit)
    if parent_pid is not None:
        runner.greenlet.spawn(_watch_parent, parent_pid, runner)
    session.hello()
    try:
        runner.greenlet.join()
    finally:
        environment.events.quitting.fire(environment=environment, reverse=True)
        session.close()
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="slocheck worker", description="Run a slocheck/Locust worker.")
    parser.add_argument("--master-host", default="127.0.0.1")
    parser.add_argument("--master-port", type=int, default=5557)
    parser.add_argument("--scenario", type=Path, required=True)
    parser.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--loglevel", default="INFO")
    return parser


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    from locust.log import setup_logging

    setup: Any = setup_logging
    setup(options.loglevel)
    try:
        return run_worker(options.master_host, options.master_port, options.scenario, parent_pid=options.parent_pid)
    except LoadError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
