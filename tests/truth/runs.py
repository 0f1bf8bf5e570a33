"""One `slocheck run` of the demo scenario in a subprocess, for the ground-truth tests: its values and window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_agent_platform(work: Path, slo: str, host: str, *backend_args: str) -> tuple[dict[str, Any], float, float]:
    """(values by objective name, window start and end in ns) of a 6 s run of scenarios/agent_platform.py."""
    path = work / "slo.yaml"
    path.write_text(slo, encoding="utf-8")
    argv = [sys.executable, "-m", "slocheck", "run", str(path), "--scenario",
            str(ROOT / "scenarios" / "agent_platform.py"), "--host", host, "--duration", "6s", "--users", "4",
            *backend_args, "--out", str(work / "runs"), "--json", str(work / "result.json")]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert (work / "result.json").exists(), done.stdout + done.stderr
    (run_json,) = (work / "runs").glob("*/run.json")
    record = json.loads(run_json.read_text(encoding="utf-8"))
    start, end = (datetime.fromisoformat(record[k]).timestamp() * 1e9 for k in ("window_start", "window_end"))
    document = json.loads((work / "result.json").read_text(encoding="utf-8"))
    return {o["name"]: o["value"] for o in document["objectives"]}, start, end
