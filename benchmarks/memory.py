"""Memory over a long run at full speed: the resident set size of the `slocheck run` process, sampled every
second while it drives the benchmark scenario against nginx (generator on core 0, nginx on core 1)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import psutil

from benchmarks.loadruns import Load, run_slocheck
from benchmarks.servers import Nginx

SAMPLE_SECONDS = 1.0


def _sampler(nginx: Nginx, samples: list[dict[str, float]]) -> Callable[[int], None]:
    def watch(pid: int) -> None:
        started = time.monotonic()
        try:
            process = psutil.Process(pid)
            while process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                rss = process.memory_info().rss
                samples.append({"t": time.monotonic() - started, "rss": float(rss), "requests": nginx.requests()})
                time.sleep(SAMPLE_SECONDS)
        except psutil.Error:
            return

    return watch


def run(load: Load, workdir: Path, slo_file: Path, say: Callable[[str], None]) -> dict[str, object]:
    samples: list[dict[str, float]] = []
    with Nginx(workdir / "nginx", "1") as nginx:
        result = run_slocheck(load, nginx, workdir / "run", slo_file, watch=_sampler(nginx, samples))
    say(f"  {load.seconds:g} s at {result.rps:,.0f} req/s; peak RSS {max(s['rss'] for s in samples) / 2**20:.0f} MiB")
    return {"load": {"users": load.users, "seconds": load.seconds}, "run": result.to_dict(), "samples": samples}
