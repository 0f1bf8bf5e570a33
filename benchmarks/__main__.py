"""`make bench`: run every benchmark and write BENCHMARKS.md (see docs/performance.md).

    .venv/bin/python -m benchmarks                       full run (~30 min on 2 cores), writes BENCHMARKS.md
    BENCH_QUICK=1 .venv/bin/python -m benchmarks         smoke of every section (~3 min), written to a temp dir
    .venv/bin/python -m benchmarks --render FILE.json    re-render BENCHMARKS.md from saved results

Environment: BENCH_QUICK, BENCH_REPS, BENCH_LOAD_SECONDS, BENCH_USERS, BENCH_MEMORY_DURATION (e.g. 10m),
BENCH_SECTIONS (comma-separated subset of: costs, accuracy, driver, arrivals, scaling, verdict, memory, master),
BENCH_OUTPUT, BENCH_WORKDIR. Only a full run of every section writes BENCHMARKS.md and benchmarks/results.json by
default.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import arrivals, background, driver, memory, verdict
from benchmarks.loadruns import Load
from benchmarks.machine import machine_facts
from benchmarks.report import render
from benchmarks.servers import ROOT
from benchmarks.slofiles import CLIENT_ONLY, write_yaml

SECTIONS = ("costs", "accuracy", "driver", "arrivals", "scaling", "verdict", "memory", "master")
DEFAULT_OUTPUT = ROOT / "BENCHMARKS.md"
DEFAULT_RESULTS = ROOT / "benchmarks" / "results.json"


@dataclass(frozen=True)
class Config:
    quick: bool
    repetitions: int
    load_seconds: float
    users: int
    memory_seconds: float
    accuracy_samples: int
    verdict_sizes: tuple[int, ...]
    verdict_services: int
    verdict_data_seconds: int
    sections: tuple[str, ...]
    output: Path | None
    workdir: Path | None


FULL = Config(False, 5, 15.0, 64, 600.0, 200_000, (10, 100, 1000), 50, 3600, SECTIONS, None, None)
QUICK = Config(True, 1, 10.0, 64, 20.0, 20_000, (10, 100, 1000), 20, 900, SECTIONS, None, None)


def _seconds(text: str) -> float:
    from slocheck.core.units import parse_duration

    try:
        return float(text)
    except ValueError:
        return parse_duration(text)


def config_from_env(env: Mapping[str, str]) -> Config:
    """The full configuration, or the quick one with BENCH_QUICK=1, with BENCH_* overrides."""
    config = QUICK if env.get("BENCH_QUICK", "") not in ("", "0") else FULL
    sections = tuple(s.strip() for s in env.get("BENCH_SECTIONS", "").split(",") if s.strip()) or SECTIONS
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise SystemExit(f"BENCH_SECTIONS: unknown {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    return replace(
        config,
        repetitions=int(env.get("BENCH_REPS", config.repetitions)),
        load_seconds=_seconds(env.get("BENCH_LOAD_SECONDS", str(config.load_seconds))),
        users=int(env.get("BENCH_USERS", config.users)),
        memory_seconds=_seconds(env.get("BENCH_MEMORY_DURATION", str(config.memory_seconds))),
        sections=sections,
        output=Path(env["BENCH_OUTPUT"]) if env.get("BENCH_OUTPUT") else None,
        workdir=Path(env["BENCH_WORKDIR"]) if env.get("BENCH_WORKDIR") else None,
    )


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _json_subprocess(module: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", module, *args], capture_output=True, text=True, cwd=ROOT, timeout=1800, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed: {done.stderr.strip()[-800:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _sections(config: Config, workdir: Path) -> dict[str, Callable[[], Mapping[str, Any]]]:
    slo = write_yaml(CLIENT_ONLY, workdir / "client-only.yaml")
    pinned = Load(config.users, config.load_seconds)
    free = Load(config.users, config.load_seconds, cpus=None, target_cpus=None)
    return {
        "costs": lambda: _json_subprocess("benchmarks.costs"),
        "master": lambda: _json_subprocess("benchmarks.master_merge"),
        "accuracy": lambda: _json_subprocess("benchmarks.accuracy", "--samples", str(config.accuracy_samples)),
        "driver": lambda: driver.run_driver(pinned, config.repetitions, workdir / "driver", slo, _say),
        "arrivals": lambda: arrivals.run(pinned, config.repetitions, workdir / "arrivals", slo, _say),
        "scaling": lambda: driver.run_scaling(free, config.repetitions, workdir / "scaling", slo, _say),
        "verdict": lambda: verdict.run(
            config.verdict_sizes,
            config.verdict_services,
            config.verdict_data_seconds,
            config.repetitions,
            workdir / "verdict",
            _say,
        ),
        "memory": lambda: memory.run(Load(config.users, config.memory_seconds), workdir / "memory", slo, _say),
    }


def run(config: Config, workdir: Path) -> dict[str, Any]:
    started = time.monotonic()
    whole = background.snapshot()
    results: dict[str, Any] = {"machine": machine_facts(), "errors": {}}
    sections = _sections(config, workdir)
    for name in config.sections:
        _say(f"{name}:")
        before = background.snapshot()
        try:
            section = dict(sections[name]())
        except Exception as exc:
            results["errors"][name] = f"{type(exc).__name__}: {exc}"
            _say(f"  failed: {results['errors'][name]}")
            continue
        section["background_cpu_percent"] = background.other_cpu_percent(before)
        results[name] = section
    results["meta"] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": config.quick,
        "repetitions": config.repetitions,
        "load_seconds": config.load_seconds,
        "users": config.users,
        "sections": list(config.sections),
        "total_seconds": time.monotonic() - started,
        "background_cpu_percent": background.other_cpu_percent(whole),
    }
    return results


def _targets(config: Config, workdir: Path) -> tuple[Path, Path]:
    """BENCHMARKS.md and results.json in the repository only for a full run of every section."""
    complete = not config.quick and config.sections == SECTIONS
    output = config.output or (DEFAULT_OUTPUT if complete else workdir / "BENCHMARKS.md")
    results = DEFAULT_RESULTS if complete and config.output is None else output.with_suffix(".json")
    return output, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--render", type=Path, help="re-render BENCHMARKS.md from a saved results.json")
    parser.add_argument("--output", type=Path, default=None, help="where to write (default BENCHMARKS.md)")
    options = parser.parse_args(argv)
    if options.render is not None:
        results = json.loads(options.render.read_text(encoding="utf-8"))
        target = options.output or DEFAULT_OUTPUT
        target.write_text(render(results), encoding="utf-8")
        _say(f"wrote {target}")
        return 0
    config = config_from_env(os.environ)
    workdir = config.workdir or Path(tempfile.mkdtemp(prefix="slocheck-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    mode = "quick" if config.quick else "full"
    _say(f"benchmarks ({mode}, {config.repetitions} repetitions, sections {', '.join(config.sections)}) in {workdir}")
    results = run(config, workdir)
    output, saved = _targets(config, workdir)
    saved.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    output.write_text(render(results), encoding="utf-8")
    _say(f"wrote {output} and {saved}")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
