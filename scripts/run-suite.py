"""Run the whole pytest suite as a few pytest processes at once (what `make test` does).

Most of the suite waits: on load runs, settle waits, servers starting, subprocesses. pytest-xdist cannot run it
(the root conftest imports Locust, whose gevent monkey-patching breaks xdist's worker threads), so this splits the
tests into shards of about equal recorded duration with pytest-split (`tests/.test_durations`, refreshed with
`--store-durations`) and runs one ordinary pytest process per shard. Each shard starts its own servers on free
ports. Tests marked `exclusive` (they compare timings to 1 %, which a machine busy with the other shards would
blur) run afterwards, alone. The exit status is the worst process'; one that collected no tests (pytest's 5) fails
the suite.

    python scripts/run-suite.py [--shards N] [pytest arguments...]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DURATIONS = ROOT / "tests" / ".test_durations"
LOGS = ROOT / ".pytest-shards"
NO_TESTS = 5
SUMMARY = re.compile(r"^=+ (.* in [\d.]+s.*) =+$")


def default_shards() -> int:
    """One more shard than cores: the shards mostly wait, so a 2-core machine keeps 3 busy."""
    return max(2, min(4, (os.cpu_count() or 1) + 1))


def shard_command(shards: int, group: int, extra: list[str]) -> list[str]:
    return [
        sys.executable, "-m", "pytest", "-m", "not exclusive", "--splits", str(shards), "--group", str(group),
        "--durations-path", str(DURATIONS), "--splitting-algorithm", "least_duration", "-p", "no:cacheprovider",
        *extra,
    ]  # fmt: skip


def exclusive_command(extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", "-m", "exclusive", "-p", "no:cacheprovider", *extra]


def summary_line(log: Path) -> str:
    lines = [SUMMARY.match(line.strip()) for line in log.read_text(errors="replace").splitlines()]
    found = [m.group(1) for m in lines if m]
    return found[-1] if found else "no summary line (see the log)"


def run(shards: int, extra: list[str]) -> int:
    started = time.monotonic()
    code = run_shards(shards, extra)
    print(f"\n{'#' * 30} tests marked exclusive, alone {'#' * 30}", flush=True)
    alone = subprocess.run(exclusive_command(extra), cwd=ROOT, check=False).returncode
    print(f"run-suite: whole suite in {time.monotonic() - started:.0f}s; shards exit {code}, exclusive exit {alone}")
    if alone == NO_TESTS:
        print("run-suite: no test is marked exclusive: failing (pytest exit 5 is never a success)", file=sys.stderr)
        return 1
    return max(code, alone)


def run_shards(shards: int, extra: list[str]) -> int:
    LOGS.mkdir(exist_ok=True)
    started = time.monotonic()
    processes = []
    for group in range(1, shards + 1):
        log = LOGS / f"shard-{group}.log"
        with log.open("wb") as out:
            command = shard_command(shards, group, extra)
            processes.append((group, log, subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)))
    print(f"run-suite: {shards} pytest shards running, logs in {LOGS.relative_to(ROOT)}/", flush=True)
    try:
        codes = {group: process.wait() for group, _, process in processes}
    except KeyboardInterrupt:
        for _, _, process in processes:
            process.terminate()
        for _, _, process in processes:
            process.wait()
        return 130
    for group, log, _ in processes:  # each shard's whole output, one after the other
        print(f"\n{'#' * 30} shard {group} of {shards} (exit {codes[group]}) {'#' * 30}", flush=True)
        sys.stdout.write(log.read_text(errors="replace"))
    print(f"\nrun-suite: {shards} shards in {time.monotonic() - started:.0f}s", flush=True)
    for group, log, _ in processes:
        print(f"  shard {group}: exit {codes[group]}: {summary_line(log)}", flush=True)
    if any(code == NO_TESTS for code in codes.values()):
        print("run-suite: a shard ran no tests: failing (pytest exit 5 is never a success)", file=sys.stderr)
        return 1
    return max(codes.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", type=int, default=int(os.environ.get("TEST_SHARDS") or default_shards()))
    known, extra = parser.parse_known_args()
    if known.shards < 1:
        parser.error("--shards must be at least 1")
    # A shell starts a background job (`make test &`) with SIGINT ignored, and children inherit that: the tests
    # that Ctrl-C a slocheck process would then wait for an interrupt that never comes. A handler is not inherited
    # across exec, so the shards start with SIGINT at its default.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return run(known.shards, extra)


if __name__ == "__main__":
    sys.exit(main())
