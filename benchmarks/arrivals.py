"""The open model (arrival rate) on one generator core: does it hold its rate, and what does it cost?

Every repetition, on the generator core (core 0; nginx on core 1):

1. **capacity**: closed-model `slocheck run` alone (the driver benchmark's scenario and users): its req/s is the
   closed-model capacity C of one core.
2. **hold**: `slocheck run --rate 0.9·C/s` alone, right after: achieved / target rate and dropped iterations from
   its result.json (`client.arrivals`). One iteration of the scenario is one request.
3. **cost**, side by side: closed-model `slocheck run` and `slocheck run --rate 0.45·C/s` with live abort checks
   (every objective `abort: {after: 2s, every: 1s}`, a pool of the same number of users) at the same time on the
   same core, each against its own nginx. Each process's CPU time (`/proc/PID/stat`) and its nginx's request
   counter are read at the same instants; CPU per iteration is compared over the seconds both ran (minus a
   warm-up), so a machine getting faster or slower between runs cancels out. The open side asks for less than
   its half of the core, so it is never starved; half the repetitions start it later, half the closed side.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.driver import LATE_SECONDS, POLL_SECONDS, run_both
from benchmarks.loadruns import Load, run_slocheck
from benchmarks.servers import Nginx
from benchmarks.slofiles import CLIENT_ONLY, write_yaml
from benchmarks.stats import steady_cpu_per_request

HOLD_SHARE = 0.9  # the rate held alone, as a share of the closed-model capacity
COST_SHARE = 0.45  # the open side's rate when sharing the core with the closed side
ABORT = {"after": "2s", "every": "1s"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def with_abort(document: dict[str, Any]) -> dict[str, Any]:
    """The SLO document with a live abort check on every objective."""
    spec = dict(document["spec"])
    spec["objectives"] = [{**objective, "abort": dict(ABORT)} for objective in spec["objectives"]]
    return {**document, "spec": spec}


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (all its threads); 0 when it is gone or not started."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rate_arg(rate: float) -> tuple[str, ...]:
    return ("--rate", f"{max(rate, 1.0):.0f}/s")


def _poll(nginxes: tuple[Nginx, Nginx], pids: list[int], done: threading.Event) -> list[tuple[float, ...]]:
    samples = []
    while not done.is_set():
        now = time.monotonic()
        counts = nginxes[0].requests(), nginxes[1].requests()
        cpu = [cpu_seconds(pid) if pid else 0.0 for pid in pids]
        samples.append((now, *counts, *cpu))
        done.wait(POLL_SECONDS)
    return samples


def cost_side_by_side(
    load: Load, nginxes: tuple[Nginx, Nginx], slo_files: tuple[Path, Path], rate: float, workdir: Path, late: int
) -> dict[str, Any]:
    """Closed `slocheck run` (base) and open `--rate` with abort checks (other) on one core at once."""
    pids = [0, 0]
    delays = (LATE_SECONDS, 0.0) if late == 0 else (0.0, LATE_SECONDS)

    def side(index: int) -> dict[str, object]:
        time.sleep(delays[index])

        def watch(pid: int) -> None:
            pids[index] = pid

        extra = () if index == 0 else (*rate_arg(rate), "--max-users", str(load.users))
        run = run_slocheck(
            load,
            nginxes[index],
            workdir / ("closed" if index == 0 else "open"),
            slo_files[index],
            variant="closed" if index == 0 else "open+abort",
            watch=watch,
            extra_args=extra,
        )
        return run.to_dict()

    base, other, samples = run_both(lambda done: _poll(nginxes, pids, done), lambda: side(0), lambda: side(1))
    return {
        "base": base,
        "other": other,
        "rate": rate,
        "late": "base" if late == 0 else "other",
        **steady_cpu_per_request(samples),
    }


def run(load: Load, repetitions: int, workdir: Path, slo_file: Path, say: Callable[[str], None]) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    aborting = write_yaml(with_abort(CLIENT_ONLY), workdir / "client-abort.yaml")
    rounds: list[dict[str, Any]] = []
    with (
        Nginx(workdir / "nginx-a", load.target_cpus) as nginx_a,
        Nginx(workdir / "nginx-b", load.target_cpus) as nginx_b,
    ):
        paired = repetitions if repetitions == 1 else repetitions + repetitions % 2
        for repetition in range(paired):
            step = workdir / f"{repetition + 1:02d}"
            closed = run_slocheck(load, nginx_a, step / "capacity", slo_file, variant="closed")
            target = HOLD_SHARE * closed.rps
            held = run_slocheck(load, nginx_a, step / "hold", slo_file, variant="open", extra_args=rate_arg(target))
            achieved = held.extra.get("achieved_rate", 0.0)
            say(
                f"  {repetition + 1}/{paired} capacity {closed.rps:,.0f} req/s; --rate {target:,.0f}/s achieved "
                f"{achieved:,.0f}/s, {held.extra.get('dropped', 0):.0f} dropped"
            )
            cost = cost_side_by_side(
                load,
                (nginx_a, nginx_b),
                (slo_file, aborting),
                COST_SHARE * closed.rps,
                step / "cost",
                late=1 - repetition % 2,
            )
            say(
                f"  {repetition + 1}/{paired} CPU per iteration: closed {cost['base_cpu_us']:.1f} µs, open + abort "
                f"{cost['other_cpu_us']:.1f} µs ({cost['ratio']:.3f}) over {cost['seconds']:.1f} s"
            )
            rounds.append({"capacity": closed.to_dict(), "target_rate": target, "hold": held.to_dict(), "cost": cost})
    return {
        "load": load.describe(),
        "hold_share": HOLD_SHARE,
        "cost_share": COST_SHARE,
        "abort": ABORT,
        "rounds": rounds,
    }
