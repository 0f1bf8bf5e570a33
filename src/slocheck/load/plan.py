"""What `run_load` is asked to do (`LoadPlan`) and what it reports back (`LoadOutcome`)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from slocheck.core.errors import LoadError
from slocheck.core.model import Window
from slocheck.load.monitor import GeneratorCpu
from slocheck.load.profiles import Profile
from slocheck.load.shapes import StageChange
from slocheck.load.stats import ClientStats
from slocheck.load.trace_extra import tracing_reason

AbortCheck = Callable[[ClientStats, datetime], str | None]


@dataclass(frozen=True)
class LoadPlan:
    """One load run.

    workers: local worker OS processes under a master on 127.0.0.1 (0 = everything in this process).
    expect_workers: remote workers (other machines) to wait for; the master then listens on
        master_bind_host:master_bind_port. Local and remote workers can be combined.
    out_dir: where Locust's CSV files (locust_stats.csv, locust_stats_history.csv with every endpoint,
        locust_failures.csv, locust_exceptions.csv) and the local workers' logs are written.
    stop_timeout: seconds running users may take to finish their current task when the load stops
        (on Ctrl-C/SIGTERM at most 5 s).
    trace/trace_sample/otlp_endpoint: trace every request (see `tracing.py`); tracing is also on when
        OTEL_EXPORTER_OTLP_ENDPOINT is set.
    """

    scenario: Path
    profile: Profile
    host: str | None = None
    workers: int = 0
    expect_workers: int = 0
    master_bind_host: str = "*"
    master_bind_port: int = 5557
    out_dir: Path | None = None
    run_id: str = ""
    stop_timeout: float = 5.0
    trace: bool = False
    trace_sample: float = 1.0
    otlp_endpoint: str | None = None
    worker_timeout: float = 60.0
    # Abort on a clear failure: called every `abort_every` seconds during the load with the live client
    # statistics and the load's start; a non-empty reason stops the load (the outcome's `aborted`).
    abort_check: AbortCheck | None = None
    abort_every: float = 5.0

    @property
    def tracing(self) -> bool:
        """Tracing is on when asked for, or when an OTLP endpoint is configured in the environment."""
        return tracing_reason(self.trace) is not None

    @property
    def distributed(self) -> bool:
        return self.workers > 0 or self.expect_workers > 0

    def validate(self) -> None:
        checks = (
            (self.workers >= 0, f"--workers must be 0 or more (got {self.workers})"),
            (self.expect_workers >= 0, f"--expect-workers must be 0 or more (got {self.expect_workers})"),
            (0 <= self.master_bind_port <= 65535, f"--master-bind-port must be a port (got {self.master_bind_port})"),
            (self.stop_timeout >= 0, f"--stop-timeout must be 0 s or more (got {self.stop_timeout})"),
            (0.0 <= self.trace_sample <= 1.0, f"--trace-sample must be between 0 and 1 (got {self.trace_sample})"),
            (self.worker_timeout > 0, f"the worker timeout must be positive (got {self.worker_timeout})"),
        )
        for ok, message in checks:
            if not ok:
                raise LoadError(message)
        if self.host is not None:
            check_host(self.host)


def check_host(host: str) -> str:
    parts = urlsplit(host)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LoadError(f"--host {host!r}: expected a URL like http://127.0.0.1:8000")
    return host


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)


@dataclass(frozen=True)
class LoadOutcome:
    """What happened. `start`/`end` (UTC): from the first user spawned to the last user stopped.

    interrupted: stopped early by SIGINT/SIGTERM (the window is the partial one).
    failed/failure: the load could not go on (every worker died); the statistics are partial.
    warnings: worker problems, generator saturation, users not reached, scenario exit code.
    notes: informational (e.g. the scenario's own LoadTestShape drove the load instead of the profile).
    """

    run_id: str
    scenario: Path
    profile: str
    host: str
    start: datetime
    end: datetime
    interrupted: bool
    failed: bool
    failure: str
    stats: ClientStats
    stage_changes: tuple[StageChange, ...]
    warnings: tuple[str, ...]
    notes: tuple[str, ...]
    cpu: GeneratorCpu
    requested_users: int
    achieved_users: int
    workers: int
    csv_prefix: Path | None
    user_exceptions: tuple[str, ...]
    scenario_exit_code: int | None
    aborted: str = ""  # why the load was stopped early by an abort objective

    @property
    def window(self) -> Window:
        return Window(self.start, self.end)
