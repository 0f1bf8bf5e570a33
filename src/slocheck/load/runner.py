"""Drive a load run with Locust as a library: in this process, or a master with local and/or remote workers.

    outcome = run_load(LoadPlan(scenario=Path("scenarios/smoke.py"), profile=profile, host="http://127.0.0.1:8000"))

The run follows the profile's LoadTestShape (or the scenario's own shape), reports progress about once a second,
and stops when the shape ends, on SIGINT/SIGTERM (within ~10 s, marked interrupted), or when every worker died
(marked failed). Whatever happens, no worker process is left behind and Locust's global event hooks are restored.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import UTC, datetime
from types import FrameType
from typing import Any

import gevent
import locust
from locust.env import Environment
from locust.runners import STATE_STOPPED, STATE_STOPPING

from slocheck.core.errors import LoadError
from slocheck.load.arrivals import ArrivalExecutor, open_user_classes, profile_to_wire
from slocheck.load.csvfiles import CsvFiles
from slocheck.load.distributed import LocalWorkers, MasterLink
from slocheck.load.environment import default_options, listeners_restored
from slocheck.load.lifecycle import class_hosts, close_user_clients, restore_hosts, signals_handled
from slocheck.load.monitor import CpuMonitor
from slocheck.load.plan import LoadOutcome, LoadPlan, check_host, new_run_id
from slocheck.load.progress import Progress, ProgressCallback, RecentWindow
from slocheck.load.scenario import Scenario, load_scenario
from slocheck.load.shapes import StageCallback, StageChange, shape_for
from slocheck.load.stats import ClientStats
from slocheck.load.supervision import WorkerWatch, bind_master, start_workers

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2
SAMPLE_SECONDS = 1.0
INTERRUPT_STOP_TIMEOUT = 5.0
STOP_MARGIN = 3.0
FINALS_TIMEOUT = 5.0


class _Interrupted(Exception):
    """SIGINT/SIGTERM before the load started."""


def _now() -> datetime:
    return datetime.now(UTC)


def _target_host(plan: LoadPlan, scenario: Scenario) -> str:
    if plan.host:
        return check_host(plan.host)
    missing = [u.__name__ for u in scenario.user_classes if not getattr(u, "host", None)]
    if missing:
        raise LoadError(
            f"{plan.scenario}: no target host for {', '.join(missing)}; pass --host URL or set `host` on the User class"
        )
    return ", ".join(sorted(scenario.hosts))


class _Run:
    """The state of one run; `run_load` calls setup → drive → teardown → outcome."""

    def __init__(
        self,
        plan: LoadPlan,
        scenario: Scenario,
        host: str,
        on_progress: ProgressCallback | None,
        on_stage: StageCallback | None,
    ) -> None:
        self.plan, self.scenario, self.host = plan, scenario, host
        self.run_id = plan.run_id or new_run_id()
        self.on_progress, self.on_stage = on_progress, on_stage
        self.stats = ClientStats()
        self.stage_changes: list[StageChange] = []
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self.failure = ""
        self.aborted = ""
        self.interrupts = 0
        self.achieved_users = 0
        self.cpu = CpuMonitor()
        self.recent = RecentWindow()
        self.workers = LocalWorkers()
        self.link: MasterLink | None = None
        self.env: Any = None
        self.runner: Any = None
        self.tracer: Any = None
        self.csv: CsvFiles | None = None
        self.started_at: datetime | None = None
        self.started_mono = 0.0
        self.stopped_at: datetime | None = None
        self.watch: WorkerWatch | None = None  # a master's workers
        self.users: set[Any] = set()
        self.class_hosts = class_hosts(scenario.user_classes)
        self.executor: ArrivalExecutor | None = None
        if plan.profile.is_open and scenario.shape_class is None and not plan.distributed:
            self.executor = ArrivalExecutor(plan.profile, self.stats)
        self.stats.open_model = plan.profile.is_open and scenario.shape_class is None

    # --- setup -------------------------------------------------------------------------------------------------

    def setup(self) -> None:
        self.env = self._environment()
        if self.plan.distributed:
            self._setup_master()
        else:
            self.runner = self.env.create_local_runner()
            self.env.events.request.add_listener(self.stats.on_request)
            self.tracer = self._tracer()
            if self.executor is not None:
                self.env.events.request.add_listener(self.executor.on_request)
                self.env.events.spawning_complete.add_listener(self._start_arrivals)
        self.env.events.test_stop.add_listener(self._on_test_stop)
        self.env.events.init.fire(environment=self.env, runner=self.runner, web_ui=None)
        self.cpu.watch("master" if self.plan.distributed else "local", os.getpid())
        self._start_csv()
        if self.plan.distributed:
            assert self.link is not None
            self.watch = WorkerWatch(self.runner, self.link, self.workers, self.plan.expect_workers, self.warnings)
            self._start_workers()

    def _environment(self) -> Any:
        try:
            users = list(self.scenario.user_classes)
            return Environment(
                user_classes=open_user_classes(tuple(users), self.executor) if self.executor else users,
                shape_class=shape_for(
                    self.plan.profile,
                    self.scenario.shape_class,
                    self.plan.scenario,
                    self._open_finished,
                    self._on_stage,
                    self.notes,
                ),
                events=locust.events,
                host=self.host if self.plan.host else None,
                stop_timeout=self.plan.stop_timeout,
                locustfile=str(self.scenario.path),
                parsed_options=default_options(),
            )
        except ValueError as exc:
            raise LoadError(f"{self.plan.scenario}: {exc}") from None

    def _tracer(self) -> Any:
        if not self.plan.tracing:
            return None
        from slocheck.load.tracing import RequestTracer

        return RequestTracer(self._trace_settings()).install()

    def _trace_settings(self) -> Any:
        from slocheck.load.tracing import TraceSettings

        return TraceSettings(self.run_id, self.plan.trace_sample, self.plan.otlp_endpoint)

    def _setup_master(self) -> None:
        self.runner = bind_master(self.env, self.plan)
        trace = self._trace_settings().to_wire() if self.plan.tracing else None
        users = [u.__name__ for u in self.scenario.user_classes]
        config = {"run_id": self.run_id, "trace": trace, "arrivals": None}
        if self.stats.open_model:
            config["arrivals"] = profile_to_wire(self.plan.profile, self.plan.workers + self.plan.expect_workers)
        self.link = MasterLink(self.runner, self.stats, config, users)

    def _start_workers(self) -> None:
        assert self.link is not None
        start_workers(
            self.plan, self.runner, self.link, self.workers, self.scenario.path, self.cpu, self._check_startup
        )

    def _check_startup(self) -> None:
        if self.interrupts:
            raise _Interrupted
        for worker in self.workers.newly_dead():
            code = worker.process.returncode
            raise LoadError(
                f"local worker {worker.number} exited with code {code} before connecting: "
                f"{worker.log_tail() or 'no output'}"
            )

    def _start_csv(self) -> None:
        if self.plan.out_dir is not None:
            self.csv = CsvFiles.start(self.env, self.plan.out_dir)

    # --- events ------------------------------------------------------------------------------------------------

    def _on_stage(self, change: StageChange) -> None:
        self.stage_changes.append(change)
        if self.on_stage is not None:
            self.on_stage(change)

    def _start_arrivals(self, **_kwargs: object) -> None:
        """The schedule starts once the pool of users is up, so no iteration is dropped for want of a spawn."""
        if self.executor is not None and not self.executor.started_mono:
            self.executor.start(int(self.runner.user_count))

    def _open_finished(self) -> bool:
        if self.link is not None:
            return bool(self.link.arrivals_finished())
        return self.executor is not None and self.executor.finished

    def _on_test_stop(self, **_kwargs: object) -> None:
        self.stopped_at = _now()

    def on_signal(self, signum: int, _frame: FrameType | None) -> None:
        """Only counts: the main loop reacts (no locks or I/O inside a signal handler)."""
        self.interrupts += 1

    # --- the run -----------------------------------------------------------------------------------------------

    def drive(self) -> None:
        self.started_at, self.started_mono = _now(), time.monotonic()
        self.runner.start_shape()
        next_sample = 0.0
        next_check = time.monotonic() + self.plan.abort_every
        while not self._finished():
            gevent.sleep(POLL_SECONDS)
            self._watch_workers()
            if time.monotonic() >= next_sample:
                next_sample = time.monotonic() + SAMPLE_SECONDS
                self._sample()
            if self.plan.abort_check is not None and time.monotonic() >= next_check:
                next_check = time.monotonic() + self.plan.abort_every
                self._check_abort()
        self._stop()

    def _check_abort(self) -> None:
        """A failing check never stops the load; only a reason it returns does."""
        assert self.plan.abort_check is not None
        assert self.started_at is not None
        try:
            reason = self.plan.abort_check(self.stats, self.started_at)
        except Exception as exc:
            logger.warning("the live abort check failed: %s: %s", type(exc).__name__, exc)
            return
        if reason:
            logger.warning("%s: stopping the load", reason)
            self.aborted = reason

    def _finished(self) -> bool:
        """Interrupted, failed, or stopped: a master counts as stopped once every live worker reported so."""
        if self.interrupts or self.failure or self.aborted or self.runner.state == STATE_STOPPED:
            return True
        return bool(self.runner.state == STATE_STOPPING and self._workers_stopped())

    def _watch_workers(self) -> None:
        if self.watch is not None:
            self.failure = self.watch.check() or self.failure

    def _track_users(self) -> None:
        """Remember local User instances so their HTTP connections can be closed after the run."""
        if not self.plan.distributed:
            self.users.update(g.args[0] for g in list(self.runner.user_greenlets) if g.args)

    def _sample(self, stopping: bool = False) -> None:
        self.stats.snapshot_interval(time.monotonic() - self.started_mono)
        self._track_users()
        users = int(self.runner.user_count)
        self.achieved_users = max(self.achieved_users, users)
        remote = {}
        if self.plan.distributed:
            local = {w.pid for w in self.workers.workers}
            remote = {
                f"worker {n.id}": n.cpu_usage
                for n in self.runner.clients.values()
                if self.link and self.link.hello.get(n.id, {}).get("pid") not in local
            }
        self.cpu.sample(remote)
        if self.on_progress is not None:
            self.on_progress(self._progress(users, stopping))

    def _progress(self, users: int, stopping: bool) -> Progress:
        rps, fail_ratio, p95 = self.recent.update(time.monotonic(), self.stats)
        planned = self.plan.profile.duration if self.scenario.shape_class is None else None
        workers = self.runner.worker_count if self.plan.distributed else None
        stage = self.stage_changes[-1].index if self.stage_changes else None
        return Progress(
            time.monotonic() - self.started_mono,
            planned,
            users,
            int(self.runner.target_user_count),
            self.stats.count,
            self.stats.total.failures,
            rps,
            fail_ratio,
            p95,
            stage,
            workers,
            stopping,
        )

    def _stop(self) -> None:
        assert self.env is not None
        if self.interrupts:
            logger.warning("interrupted: stopping the load (signal again to stop at once)")
            self.env.stop_timeout = min(self.env.stop_timeout, INTERRUPT_STOP_TIMEOUT)
        self._sample(stopping=True)
        if self.runner.state != STATE_STOPPED:
            self._stop_users()
        if self.watch is not None:
            self.watch.wait_for_finals(FINALS_TIMEOUT)

    def _stop_users(self) -> None:
        """runner.stop(), bounded: a second signal or the deadline kills what is still running."""
        assert self.env is not None
        deadline = time.monotonic() + self.env.stop_timeout + STOP_MARGIN
        stopper = gevent.spawn(self.runner.stop)
        while not stopper.dead and not self._workers_stopped() and time.monotonic() < deadline and self.interrupts < 2:
            stopper.join(timeout=POLL_SECONDS)
        if stopper.dead:
            return
        stopper.kill(block=False)
        if not self._workers_stopped():
            self.warnings.append("the users did not stop in time and were killed")
            self.runner.user_greenlets.kill(block=False)
            self.workers.terminate(grace=1.0)

    def _workers_stopped(self) -> bool:
        return self.watch is not None and self.watch.stopped()

    # --- teardown and outcome ----------------------------------------------------------------------------------

    def teardown(self) -> None:
        steps = (
            self._stop_arrivals,
            self._close_csv,
            self._quit_runner,
            self._stop_workers,
            self._close_clients,
            self._close_tracer,
            self._restore_hosts,
        )
        for step in steps:
            try:
                step()
            except Exception as exc:
                logger.warning("cleaning up the load run: %s: %s", type(exc).__name__, exc)

    def _stop_arrivals(self) -> None:
        if self.executor is not None:
            self.executor.stop()

    def _close_csv(self) -> None:
        if self.csv is not None:
            self.csv.finish()

    def _quit_runner(self) -> None:
        if self.runner is None or self.env is None:
            return
        self.env.events.quitting.fire(environment=self.env, reverse=True)
        if self.link is not None:
            self.link.send_quit()
        self.runner.quit()

    def _stop_workers(self) -> None:
        self.workers.terminate(grace=2.0)

    def _close_clients(self) -> None:
        close_user_clients(self.users)
        self.users.clear()

    def _restore_hosts(self) -> None:
        restore_hosts(self.class_hosts)

    def _close_tracer(self) -> None:
        if self.tracer is not None:
            self.tracer.close()

    def outcome(self) -> LoadOutcome:
        start = self.started_at or _now()
        end = self._end(start)
        self.stats.window_seconds = (end - start).total_seconds()
        if self.started_at is not None:  # the requests that finished (or were reported) after the last sample
            self.stats.snapshot_interval(time.monotonic() - self.started_mono)
        self._final_warnings()
        profile = self.plan.profile.name if self.scenario.shape_class is None else self.scenario.shape_class.__name__
        exceptions = self.runner.exceptions.values() if self.runner is not None else ()
        ranked = sorted(exceptions, key=lambda e: -int(e["count"]))[:10]
        return LoadOutcome(
            self.run_id,
            self.scenario.path,
            profile,
            self.host,
            start,
            end,
            self.interrupts > 0,
            bool(self.failure),
            self.failure,
            self.stats,
            tuple(self.stage_changes),
            tuple(self.warnings),
            tuple(self.notes),
            self.cpu.result(),
            self._requested_users(),
            self.achieved_users,
            self.plan.workers + self.plan.expect_workers,
            self.plan.out_dir / "locust" if self.csv is not None and self.plan.out_dir else None,
            tuple(f"{e['count']}× {e['msg']}" for e in ranked),
            self.env.process_exit_code if self.env is not None else None,
            self.aborted,
        )

    def _end(self, start: datetime) -> datetime:
        end = self.stopped_at or _now()
        if self.link is not None and self.link.finals:
            end = datetime.fromtimestamp(max(self.link.finals.values()), UTC)
        return max(end, start)

    def _requested_users(self) -> int:
        if self.scenario.shape_class is None:
            return self.plan.profile.peak_users
        return max((c.users for c in self.stage_changes), default=0)

    def _final_warnings(self) -> None:
        requested = self._requested_users()
        if requested and self.achieved_users < requested and not self.interrupts and not self.failure:
            self.warnings.append(f"only {self.achieved_users} of {requested} requested users were running at the peak")
        for process in self.cpu.result().saturated():
            self.warnings.append(
                f"load generator {process.label} reached {process.peak_percent:.0f}% CPU; client-side "
                "latencies may be inflated (add workers)"
            )
        if self.env is not None and self.env.process_exit_code:
            self.warnings.append(f"the scenario set the exit code to {self.env.process_exit_code}")


def run_load(
    plan: LoadPlan, *, on_progress: ProgressCallback | None = None, on_stage: StageCallback | None = None
) -> LoadOutcome:
    """Run the plan's scenario with its profile against its host; LoadError (one line) when it cannot run."""
    plan.validate()
    scenario = load_scenario(plan.scenario)
    run = _Run(plan, scenario, _target_host(plan, scenario), on_progress, on_stage)
    with listeners_restored(), signals_handled(run.on_signal):
        try:
            run.setup()
            run.drive()
        except _Interrupted:
            logger.warning("interrupted before the load started")
        finally:
            run.teardown()
            run.workers.kill()
    return run.outcome()
