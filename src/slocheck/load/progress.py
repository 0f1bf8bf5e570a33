"""Live progress of a load run: a Rich panel on a terminal, a plain line every 10 s otherwise (CI logs).

`run_load(..., on_progress=callback)` calls `callback(Progress)` about once a second. `ProgressReporter` is the
default callback; use it as a context manager so the live panel is closed even when the run fails:

    with ProgressReporter() as progress:
        outcome = run_load(plan, on_progress=progress)
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table

from slocheck.core.units import Kind, format_value
from slocheck.load.histogram import LogHistogram
from slocheck.load.stats import ClientStats

RECENT_SECONDS = 10.0


@dataclass(frozen=True)
class Progress:
    """A snapshot of the run; `rps`, `fail_ratio` and `p95` cover the last ~10 s (NaN when no requests)."""

    elapsed: float
    planned: float | None
    users: int
    target_users: int
    requests: int
    failures: int
    rps: float
    fail_ratio: float
    p95: float
    stage: int | None = None
    workers: int | None = None
    stopping: bool = False

    @property
    def remaining(self) -> float | None:
        return None if self.planned is None else max(self.planned - self.elapsed, 0.0)


ProgressCallback = Callable[[Progress], None]


class RecentWindow:
    """Request rate, failure ratio and p95 over the last `seconds`, from snapshots of the aggregate."""

    def __init__(self, seconds: float = RECENT_SECONDS) -> None:
        self.seconds = seconds
        self._snapshots: deque[tuple[float, int, LogHistogram]] = deque()

    def update(self, now: float, stats: ClientStats) -> tuple[float, float, float]:
        total = stats.total
        self._snapshots.append((now, total.failures, total.times.copy()))
        while len(self._snapshots) > 2 and now - self._snapshots[1][0] >= self.seconds:
            self._snapshots.popleft()
        then, failures_then, times_then = self._snapshots[0]
        recent = total.times.minus(times_then)
        span = now - then
        rps = recent.count / span if span > 0 else math.nan
        fail_ratio = (total.failures - failures_then) / recent.count if recent.count else math.nan
        return rps, fail_ratio, recent.quantile(0.95)


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


def _maybe(value: float, kind: Kind) -> str:
    return "-" if math.isnan(value) else format_value(value, kind)


def describe(progress: Progress) -> str:
    """One plain line for logs."""
    parts = [
        f"elapsed {_clock(progress.elapsed)}",
        f"remaining {_clock(progress.remaining)}",
        f"users {progress.users}/{progress.target_users}",
        f"rps {_maybe(progress.rps, Kind.NUMBER)}",
        f"fail {_maybe(progress.fail_ratio, Kind.RATIO)}",
        f"p95 {_maybe(progress.p95, Kind.DURATION)}",
        f"requests {progress.requests} ({progress.failures} failed)",
    ]
    if progress.stage is not None:
        parts.append(f"stage {progress.stage}")
    if progress.workers is not None:
        parts.append(f"workers {progress.workers}")
    if progress.stopping:
        parts.append("stopping")
    return "load: " + ", ".join(parts)


def _table(progress: Progress) -> Table:
    table = Table(title="slocheck load", show_header=False, expand=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("elapsed / remaining", f"{_clock(progress.elapsed)} / {_clock(progress.remaining)}")
    table.add_row("users", f"{progress.users} / {progress.target_users}")
    table.add_row("requests/s (10 s)", _maybe(progress.rps, Kind.NUMBER))
    table.add_row("failures (10 s)", _maybe(progress.fail_ratio, Kind.RATIO))
    table.add_row("p95 (10 s)", _maybe(progress.p95, Kind.DURATION))
    table.add_row("requests", f"{progress.requests} ({progress.failures} failed)")
    if progress.stage is not None:
        table.add_row("stage", str(progress.stage))
    if progress.workers is not None:
        table.add_row("workers", str(progress.workers))
    if progress.stopping:
        table.add_row("state", "stopping…")
    return table


class ProgressReporter:
    """The default `on_progress`: Rich Live panel on a TTY, else a log line every `interval` seconds.

    Lines go to `stream`, or to the console's file (stderr by default).
    """

    def __init__(self, console: Console | None = None, *, interval: float = 10.0, stream: TextIO | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.interval = interval
        self.stream = stream
        self._live: Live | None = None
        self._last_line: float | None = None

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __call__(self, progress: Progress) -> None:
        if self.console.is_terminal:
            if self._live is None:
                self._live = Live(_table(progress), console=self.console, auto_refresh=False, transient=False)
                self._live.start()
            self._live.update(_table(progress), refresh=True)
            return
        if self._last_line is None or progress.elapsed - self._last_line >= self.interval or progress.stopping:
            self._last_line = progress.elapsed
            print(describe(progress), file=self.stream or self.console.file, flush=True)

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
