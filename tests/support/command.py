"""Driving the real `slocheck` command in a subprocess, and reading what it left behind."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import yaml

from tests.support.env import clean_env
from tests.support.paths import DATA_DIR

DATA = DATA_DIR / "scenarios"
QUICK_USER = DATA / "quick_user.py"
FAILING_USER = DATA / "failing_user.py"
IDLE_USER = DATA / "idle_user.py"
BAD = DATA / "bad"

# Objectives every run can measure from Locust alone: no backend involved.
LOCUST_OBJECTIVES = """\
    - name: client-failure-ratio
      indicator: {locust: {stat: fail_ratio}}
      pass: "< 1%"
    - name: client-requests
      indicator: {locust: {stat: count}}
      pass: "> 0"
"""
# The fake Prometheus answers every instant query with the recorded demo:error_ratio:rate1m (4.6 %).
RECORDED_OBJECTIVE = """\
    - name: error-ratio
      indicator: {prometheus: {query: 'demo:error_ratio:rate1m'}}
      pass: "< 10%"
"""
# Backends that give up fast: a fault test waits for the retry budget, so keep it short.
FAST_BACKENDS = {
    "prometheus": {"timeout": "2s", "retry_budget": "3s"},
    "grafana": {"timeout": "1s", "retry_budget": "1s"},
    "loki": {"timeout": "2s", "retry_budget": "2s"},
    "jaeger": {"timeout": "2s", "retry_budget": "2s"},
}


@dataclass(frozen=True)
class Finished:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("error: ")]


def start(args: Iterable[str], cwd: Path, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "slocheck", *args],
        cwd=cwd,
        env=dict(env or clean_env()),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def slocheck(args: Iterable[str], cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 120) -> Finished:
    process = start(args, cwd, env)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return Finished(process.returncode, stdout, stderr)


def write_slo(path: Path, objectives: str, name: str = "faults") -> Path:
    header = f"apiVersion: slocheck/v1\nkind: SLOSet\nmetadata: {{name: {name}}}\nspec:\n  service: faults\n"
    path.write_text(header + "  objectives:\n" + objectives, encoding="utf-8")
    return path


def write_config(path: Path, backends: Mapping[str, Mapping[str, Any]] | None = None, **top: Any) -> Path:
    merged = {name: dict(values) for name, values in FAST_BACKENDS.items()}
    for name, values in (backends or {}).items():
        merged.setdefault(name, {}).update(values)
    path.write_text(yaml.safe_dump({"backends": merged, **top}, sort_keys=False), encoding="utf-8")
    return path


def run_dirs(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if p.is_dir()) if out.is_dir() else []


def only_run_dir(out: Path) -> Path:
    dirs = run_dirs(out)
    assert len(dirs) == 1, f"expected one run directory under {out}, found {dirs}"
    return dirs[0]


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def run_record(out: Path) -> dict[str, Any] | None:
    """run.json of the only run under `out`, or None while there is none (it is replaced atomically)."""
    dirs = run_dirs(out)
    if not dirs or not (dirs[0] / "run.json").exists():
        return None
    record: dict[str, Any] = read_json(dirs[0] / "run.json")
    return record


def wait_for(condition: Callable[[], object], what: str, timeout: float = 60, process: Any = None) -> None:
    """Poll until `condition()` is true; fail naming `what` (and the process' output if it ended first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"slocheck exited with {process.returncode} before {what}:\n{out}\n{err}")
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")


def descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def still_running(processes: Iterable[psutil.Process]) -> list[int]:
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process.pid)
        except psutil.NoSuchProcess:
            continue
    return alive


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())
