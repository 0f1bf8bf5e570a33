"""Ground truth for logs: the demo service pushes one access line per request to a (fake, real-HTTP) Loki; the
`loki: {count: …}` objective of a `slocheck run` must equal the lines pushed in the window and Locust's count."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.demo.helpers import DemoClient, running
from tests.support.fake_loki import FakeLoki

ROOT = Path(__file__).resolve().parents[2]
TENANT = "truth"
SLO = """\
apiVersion: slocheck/v1
kind: SLOSet
metadata: {name: logs}
spec:
  service: paracle-api
  objectives:
    - name: access-lines
      indicator: {loki: {count: '{app="paracle-api"} |= "\\"msg\\":\\"request\\""'}}
      pass: ">= 1"
    - {name: client-count, indicator: {locust: {stat: count}}, pass: ">= 1"}
"""


@pytest.fixture(scope="module")
def pushed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], int]:
    """(slocheck's values by objective, access lines the service pushed inside the run window)."""
    work = tmp_path_factory.mktemp("logs")
    loki = FakeLoki().start()
    try:
        with running(DemoClient(work, ["--loki-url", loki.url, "--loki-tenant", TENANT])) as service:
            slo = work / "slo.yaml"
            slo.write_text(SLO, encoding="utf-8")
            argv = [sys.executable, "-m", "slocheck", "run", str(slo),
                    "--scenario", str(ROOT / "scenarios" / "agent_platform.py"), "--host", service.url,
                    "--duration", "6s", "--users", "4", "--loki-url", loki.url, "--loki-tenant", TENANT,
                    "--out", str(work / "runs"), "--json", str(work / "result.json")]  # fmt: skip
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
            done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)
            assert (work / "result.json").exists(), done.stdout + done.stderr
        (run_json,) = (work / "runs").glob("*/run.json")
        record = json.loads(run_json.read_text(encoding="utf-8"))
        start, end = (datetime.fromisoformat(record[k]).timestamp() * 1e9 for k in ("window_start", "window_end"))
        lines = [line for line in loki.tenant_lines(TENANT) if json.loads(line.text)["msg"] == "request"]
        inside = sum(1 for line in lines if start < line.ts_ns <= end)
    finally:
        loki.stop()
    document = json.loads((work / "result.json").read_text(encoding="utf-8"))
    return {o["name"]: o["value"] for o in document["objectives"]}, inside


def test_the_loki_count_equals_the_access_lines_pushed_and_the_client_count(pushed: tuple[dict[str, Any], int]) -> None:
    values, inside = pushed
    assert inside > 0
    assert values["access-lines"] == inside == values["client-count"]
