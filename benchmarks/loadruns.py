"""One load run of the benchmark scenario: plain `locust --headless` or `slocheck run`, as a subprocess
(optionally pinned with `taskset`), with the achieved request rate read from the tool's own output files."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.servers import ROOT, Nginx, OtlpSink, pinned

SCENARIO = ROOT / "benchmarks" / "scenarios" / "fast_static.py"
BIN = Path(sys.executable).parent
OTEL_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED")


@dataclass(frozen=True)
class Load:
    """What every variant of a comparison runs: users, spawn rate and duration, on `cpus`."""

    users: int
    seconds: float
    cpus: str | None = "0"
    target_cpus: str | None = "1"

    @property
    def spawn_rate(self) -> int:
        return max(self.users * 10, 1)  # every user within 0.1 s

    def describe(self) -> dict[str, object]:
        return {
            "users": self.users,
            "seconds": self.seconds,
            "spawn_rate": self.spawn_rate,
            "generator_cpus": self.cpus,
            "target_cpus": self.target_cpus,
        }


@dataclass
class LoadRun:
    variant: str
    rps: float
    requests: int
    failures: int
    window_seconds: float
    wall_seconds: float
    target_cpu_seconds: float = 0.0
    generator_cpu_percent: float | None = None
    spans_received: int | None = None
    extra: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class LoadRunError(RuntimeError):
    pass


def _env(otlp: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OTEL_VARIABLES}
    env["PYTHONUNBUFFERED"] = "1"
    if otlp is not None:
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp
    return env


Watch = Callable[[int], None]


def _run(
    argv: list[str],
    log: Path,
    timeout: float,
    otlp: str | None = None,
    ok: tuple[int, ...] = (0,),
    watch: Watch | None = None,
) -> float:
    """Run to the end (killing it after `timeout`); `watch(pid)` runs in this thread while it runs."""
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, env=_env(otlp), cwd=ROOT, start_new_session=True
        )
        try:
            if watch is not None:
                watch(process.pid)
            code = process.wait(timeout=max(timeout - (time.monotonic() - started), 1.0))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise LoadRunError(f"{argv[0]} did not finish within {timeout:g}s; see {log}") from None
        except BaseException:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
    if code not in ok:
        raise LoadRunError(f"{' '.join(argv[:4])}… exited with {code}; see {log}")
    return time.monotonic() - started


def run_locust(load: Load, nginx: Nginx, workdir: Path, variant: str = "locust") -> LoadRun:
    """`locust --headless` with the scenario; the rate is Locust's own (`Requests/s` of its CSV)."""
    workdir.mkdir(parents=True, exist_ok=True)
    prefix = workdir / "locust"
    argv = [
        str(BIN / "locust"),
        "-f",
        str(SCENARIO),
        "--headless",
        "--only-summary",
        "-u",
        str(load.users),
        "-r",
        str(load.spawn_rate),
        "-t",
        f"{load.seconds:g}s",
        "--host",
        nginx.url,
        "--csv",
        str(prefix),
    ]
    before = nginx.cpu_seconds()
    wall = _run(pinned(argv, load.cpus), workdir / "locust.log", load.seconds + 120)
    target = nginx.cpu_seconds() - before
    with (workdir / "locust_stats.csv").open(encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    requests = int(row["Request Count"])
    rps = float(row["Requests/s"])
    return LoadRun(variant, rps, requests, int(row["Failure Count"]), requests / rps if rps else 0.0, wall, target)


def run_slocheck(
    load: Load,
    nginx: Nginx,
    workdir: Path,
    slo_file: Path,
    *,
    variant: str = "slocheck",
    workers: int = 0,
    trace_sample: float | None = None,
    sink: OtlpSink | None = None,
    watch: Watch | None = None,
    executable: Path | None = None,
    extra_args: tuple[str, ...] = (),
) -> LoadRun:
    """`slocheck run` with the scenario and a locust-only SLO file; the rate is from its result.json.
    `executable`: another `slocheck` to run (e.g. a wrapper around a candidate build), default this venv's.
    `extra_args` (e.g. `--rate 3000/s`) are appended; an open-model run records its schedule in `extra`
    (`scheduled`, `started`, `dropped`, `achieved_rate`, `schedule_seconds`)."""
    workdir.mkdir(parents=True, exist_ok=True)
    argv = [
        str(executable or BIN / "slocheck"),
        "run",
        str(slo_file),
        "--scenario",
        str(SCENARIO),
        "--host",
        nginx.url,
        "--duration",
        f"{load.seconds:g}s",
        "--workers",
        str(workers),
        "--out",
        str(workdir / "runs"),
    ]
    if "--rate" not in extra_args:  # the open model excludes --users/--spawn-rate
        argv += ["--users", str(load.users), "--spawn-rate", str(load.spawn_rate)]
    argv += extra_args
    if trace_sample is not None:
        argv += ["--trace", "--trace-sample", f"{trace_sample:g}"]
    spans_before = sink.counts()["spans"] if sink is not None else 0
    before = nginx.cpu_seconds()
    otlp = sink.endpoint if sink is not None and trace_sample is not None else None
    wall = _run(pinned(argv, load.cpus), workdir / "slocheck.log", load.seconds + 180, otlp, (0, 1), watch)
    target = nginx.cpu_seconds() - before
    run_dir = max((workdir / "runs").iterdir(), key=lambda p: p.stat().st_mtime)
    result = json.loads((run_dir / "result.json").read_text(encoding="utf-8"))
    record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    aggregated = result["client"]["aggregated"]
    cpu = ((record.get("load") or {}).get("generator_cpu") or {}).get("peak_percent")
    spans = sink.counts()["spans"] - spans_before if sink is not None and trace_sample is not None else None
    arrivals = result["client"].get("arrivals") or {}
    return LoadRun(
        variant,
        float(aggregated["rps"] or 0.0),
        int(aggregated["requests"]),
        int(aggregated["failures"]),
        float(result["client"]["window_seconds"]),
        wall,
        target,
        float(cpu) if cpu is not None else None,
        spans,
        {key: float(value) for key, value in arrivals.items() if isinstance(value, int | float)},
    )
