"""Load-driver benchmarks: efficiency against plain Locust, the cost of tracing, and scaling with workers.

Two measurements of each comparison, because this machine's speed drifts (a virtual machine; other processes):

- **one after the other** (`sequential`): each variant alone, the generator pinned to core 0 and nginx to
  core 1, interleaved repetitions in a rotating order. Gives the absolute req/s per generator core, from each
  tool's own statistics (Locust's `--csv`, slocheck's result.json).
- **side by side** (`side_by_side`): both variants at the same time on the *same* generator core, each against its
  own nginx (both on core 1). Each process gets half the core for the same seconds, so the ratio of their request
  rates is the inverse ratio of their CPU cost per request, free of the drift. The rates are nginx's own request
  counters (`stub_status`) read at the same instants, over the seconds both loads were running (minus a warm-up).
  The process started later keeps ~1 % more of a shared core, so half the repetitions start one side 3 s later and
  half the other (`stats.balanced_ratio` combines the two orders; a single repetition cannot be balanced).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from benchmarks.loadruns import Load, LoadRun, run_locust, run_slocheck
from benchmarks.servers import Nginx, OtlpSink
from benchmarks.stats import steady_ratio

POLL_SECONDS = 0.25
LATE_SECONDS = 2.0


@dataclass(frozen=True)
class Variant:
    name: str
    tool: str = "slocheck"  # or "locust"
    workers: int = 0
    trace_sample: float | None = None
    executable: Path | None = None  # another `slocheck` (a candidate build); default this venv's


LOCUST = Variant("locust --headless", "locust")
SLOCHECK = Variant("slocheck run")
TRACE_ALL = Variant("slocheck run --trace", trace_sample=1.0)
TRACE_TENTH = Variant("slocheck run --trace --trace-sample 0.1", trace_sample=0.1)
TWO_WORKERS = Variant("slocheck run --workers 2", workers=2)


@dataclass
class Context:
    slo_file: Path
    workdir: Path
    sink: OtlpSink | None = None
    counter: int = 0

    def next_dir(self, variant: Variant) -> Path:
        self.counter += 1
        slug = "".join(c if c.isalnum() else "-" for c in variant.name)[:40]
        return self.workdir / f"{self.counter:03d}-{slug}"


def run_variant(variant: Variant, load: Load, nginx: Nginx, context: Context) -> LoadRun:
    workdir = context.next_dir(variant)
    if variant.tool == "locust":
        return run_locust(load, nginx, workdir, variant.name)
    return run_slocheck(
        load,
        nginx,
        workdir,
        context.slo_file,
        variant=variant.name,
        workers=variant.workers,
        trace_sample=variant.trace_sample,
        sink=context.sink if variant.trace_sample is not None else None,
        executable=variant.executable,
    )


T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")


def rotated(items: Sequence[T], by: int) -> list[T]:
    shift = by % len(items)
    return [*items[shift:], *items[:shift]]


def run_both(poll: Callable[[threading.Event], S], base: Callable[[], R], other: Callable[[], R]) -> tuple[R, R, S]:
    """Both sides at once, with `poll` sampling until both have ended: (base's result, other's, the samples)."""
    done = threading.Event()
    with ThreadPoolExecutor(3) as pool:
        poller = pool.submit(poll, done)
        runs = [pool.submit(base), pool.submit(other)]
        try:
            first, second = runs[0].result(), runs[1].result()
        finally:
            done.set()
        return first, second, poller.result()


def _poll(nginxes: tuple[Nginx, Nginx], done: threading.Event) -> list[tuple[float, int, int]]:
    samples = []
    while not done.is_set():
        now = time.monotonic()
        samples.append((now, nginxes[0].requests(), nginxes[1].requests()))
        done.wait(POLL_SECONDS)
    return samples


def _started_after(delay: float, variant: Variant, load: Load, nginx: Nginx, context: Context) -> LoadRun:
    time.sleep(delay)
    return run_variant(variant, load, nginx, context)


def side_by_side(
    pair: tuple[Variant, Variant],
    load: Load,
    nginxes: tuple[Nginx, Nginx],
    context: Context,
    late: int = 1,
) -> dict[str, object]:
    """`pair[1]`'s request rate over `pair[0]`'s, both running at once on the same core.

    `late` (0 or 1) is the side started LATE_SECONDS after the other: on a shared core the process that starts
    later keeps about 1 % more of it for the whole run (a control pair of two identical Locust runs shows it), so
    repetitions alternate it and the report combines both orders. The late side also uses the other nginx.
    """
    delays = (LATE_SECONDS, 0.0) if late == 0 else (0.0, LATE_SECONDS)
    targets = (nginxes[1], nginxes[0]) if late == 0 else nginxes
    base, other, samples = run_both(
        lambda done: _poll(targets, done),
        lambda: _started_after(delays[0], pair[0], load, targets[0], context),
        lambda: _started_after(delays[1], pair[1], load, targets[1], context),
    )
    return {
        "base": base.to_dict(),
        "other": other.to_dict(),
        "late": "base" if late == 0 else "other",
        **steady_ratio(samples),
    }


PAIRS: dict[str, tuple[Variant, Variant]] = {
    "control": (LOCUST, LOCUST),
    "efficiency": (LOCUST, SLOCHECK),
    "trace_tenth": (SLOCHECK, TRACE_TENTH),
    "trace_all": (SLOCHECK, TRACE_ALL),
}
SEQUENTIAL = (LOCUST, SLOCHECK, TRACE_TENTH, TRACE_ALL)


def run_driver(
    load: Load, repetitions: int, workdir: Path, slo_file: Path, say: Callable[[str], None]
) -> dict[str, object]:
    """Every repetition: each side-by-side pair, then each variant alone; orders rotate between repetitions.
    Side by side runs an even number of repetitions (at least `repetitions`, unless 1), half with each side started
    later."""
    side: dict[str, list[dict[str, object]]] = {key: [] for key in PAIRS}
    rounds: list[list[dict[str, object]]] = []
    keys = list(PAIRS)
    with (
        Nginx(workdir / "nginx-a", load.target_cpus) as nginx_a,
        Nginx(workdir / "nginx-b", load.target_cpus) as nginx_b,
        OtlpSink(workdir, load.target_cpus) as sink,
    ):
        context = Context(slo_file, workdir, sink)
        paired = repetitions if repetitions == 1 else repetitions + repetitions % 2
        for repetition in range(paired):
            shift = repetition % len(keys)
            for key in [*keys[shift:], *keys[:shift]]:
                pair = PAIRS[key]
                result = side_by_side(pair, load, (nginx_a, nginx_b), context, late=1 - repetition % 2)
                side[key].append(result)
                say(
                    f"  {repetition + 1}/{paired} side by side, {pair[1].name} / {pair[0].name}: "
                    f"{result['ratio']:.3f} over {result['seconds']:.1f} s ({result['late']} started later)"
                )
            if repetition >= repetitions:
                continue
            runs = []
            for variant in rotated(SEQUENTIAL, repetition):
                run = run_variant(variant, load, nginx_a, context)
                say(f"  {repetition + 1}/{repetitions} alone, {variant.name}: {run.rps:,.0f} req/s")
                runs.append(run.to_dict())
            rounds.append(runs)
    return {"load": load.describe(), "side_by_side": side, "sequential": rounds}


def run_scaling(
    load: Load, repetitions: int, workdir: Path, slo_file: Path, say: Callable[[str], None]
) -> dict[str, object]:
    """One process against two worker processes, nothing pinned (nginx shares the cores)."""
    rounds = []
    with Nginx(workdir / "nginx", None) as nginx:
        context = Context(slo_file, workdir)
        for repetition in range(repetitions):
            runs = []
            for variant in rotated((SLOCHECK, TWO_WORKERS), repetition):
                run = run_variant(variant, load, nginx, context)
                say(f"  {repetition + 1}/{repetitions} {variant.name}: {run.rps:,.0f} req/s")
                runs.append(run.to_dict())
            rounds.append(runs)
    return {"load": load.describe(), "sequential": rounds}
