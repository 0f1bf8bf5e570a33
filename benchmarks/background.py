"""How busy the rest of the machine was while a section ran: CPU used by processes that are not the benchmark's
own (other people's test suites on a shared machine disturb every number here; the report says how much)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

_TICKS = os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds() -> float:
    """CPU seconds spent busy by all cores since boot (user, nice, system, irq, softirq, steal)."""
    fields = Path("/proc/stat").read_text(encoding="ascii").splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _TICKS


def _own_seconds() -> float:
    """CPU seconds of this process, its reaped children and its live descendants."""
    times = os.times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in psutil.Process().children(recursive=True):
        try:
            cpu = child.cpu_times()
            total += cpu.user + cpu.system
        except psutil.Error:
            continue
    return total


@dataclass(frozen=True)
class Snapshot:
    at: float
    busy: float
    own: float


def snapshot() -> Snapshot:
    return Snapshot(time.monotonic(), _machine_busy_seconds(), _own_seconds())


def other_cpu_percent(since: Snapshot) -> float:
    """Average CPU other processes used since `since`, in % of the whole machine (all cores)."""
    now = snapshot()
    elapsed = now.at - since.at
    if elapsed <= 0:
        return 0.0
    other = (now.busy - since.busy) - (now.own - since.own)
    return max(0.0, other) / elapsed / (os.cpu_count() or 1) * 100.0
