"""How hard the load generator itself worked: CPU of the master/local process and of every worker.

A saturated generator delays its own requests and inflates client-side latencies, so the outcome records the
peak and average CPU % (per core, as `top` shows it) of each generator process, sampled once a second with
psutil for local processes; remote workers report theirs in Locust's heartbeats.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psutil  # type: ignore[import-untyped, unused-ignore]

SATURATION_PERCENT = 90.0
MIN_INTERVAL_SECONDS = 0.5  # psutil's percentage over a few milliseconds is noise (it can read 2,000 %)


@dataclass(frozen=True)
class ProcessCpu:
    label: str
    pid: int | None
    peak_percent: float
    avg_percent: float
    samples: int


@dataclass(frozen=True)
class GeneratorCpu:
    processes: tuple[ProcessCpu, ...] = ()

    @property
    def peak_percent(self) -> float:
        return max((p.peak_percent for p in self.processes), default=0.0)

    @property
    def avg_percent(self) -> float:
        """The busiest process's average (the one that limits the generator)."""
        return max((p.avg_percent for p in self.processes), default=0.0)

    def saturated(self) -> list[ProcessCpu]:
        return [p for p in self.processes if p.peak_percent >= SATURATION_PERCENT]


@dataclass
class _Series:
    pid: int | None
    peak: float = 0.0
    total: float = 0.0
    samples: int = 0

    def add(self, percent: float) -> None:
        self.peak = max(self.peak, percent)
        self.total += percent
        self.samples += 1


class CpuMonitor:
    def __init__(self) -> None:
        self._processes: dict[str, psutil.Process] = {}
        self._series: dict[str, _Series] = {}
        self._last = time.monotonic()

    def watch(self, label: str, pid: int) -> None:
        try:
            process = psutil.Process(pid)
            process.cpu_percent(None)  # the first call only starts the measurement
        except psutil.Error:
            return
        self._processes[label] = process
        self._series.setdefault(label, _Series(pid))
        self._last = time.monotonic()

    def sample(self, remote: dict[str, float] | None = None) -> None:
        """One sample per process; ignored when the previous one is less than MIN_INTERVAL_SECONDS old."""
        now = time.monotonic()
        if now - self._last < MIN_INTERVAL_SECONDS:
            return
        self._last = now
        for label, process in list(self._processes.items()):
            try:
                self._series[label].add(process.cpu_percent(None))
            except psutil.Error:
                del self._processes[label]
        for label, percent in (remote or {}).items():
            self._series.setdefault(label, _Series(None)).add(float(percent))

    def result(self) -> GeneratorCpu:
        return GeneratorCpu(
            tuple(
                ProcessCpu(label, s.pid, s.peak, s.total / s.samples if s.samples else 0.0, s.samples)
                for label, s in self._series.items()
            )
        )
