"""`evaluate` interrupted by SIGINT while measuring says so and writes what was measured, flagged interrupted."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.support.command import read_json, start, wait_for, write_config, write_slo
from tests.support.fake_prometheus import INSTANT, FakePrometheus

SLOW_OBJECTIVE = """\
    - name: error-ratio
      indicator: {prometheus: {query: 'demo:error_ratio:rate1m'}}
      pass: "< 10%"
"""


def test_sigint_while_measuring_writes_the_evidence_flagged_interrupted_and_exits_130(work: Path) -> None:
    slo = write_slo(work / "slo.yaml", SLOW_OBJECTIVE)
    config = write_config(work / "slocheck.yaml", {"prometheus": {"timeout": "60s", "retry_budget": "60s"}})
    with FakePrometheus() as prometheus:
        prometheus.delay(INSTANT, 60)  # the query hangs: the interrupt must not wait for it
        args = [
            "evaluate", str(slo), "--last", "5m", "--prometheus-url", prometheus.url, "--config", str(config),
            "--json", "result.json", "--html", "report.html",
        ]  # fmt: skip
        process = start(args, work)
        try:
            wait_for(lambda: prometheus.seen(INSTANT), "the query to reach Prometheus", process=process)
            interrupted_at = time.monotonic()
            process.send_signal(signal.SIGINT)
            stdout, stderr = process.communicate(timeout=30)
            took = time.monotonic() - interrupted_at
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert process.returncode == 130, stdout + stderr
    assert took < 10
    assert "interrupted while measuring: the evidence holds what was measured" in stderr
    document = read_json(work / "result.json")
    assert document["run"] == {"interrupted": True}
    assert document["exit_code"] == 130
    assert document["objectives"][0]["outcome"] == "ERROR"
    assert "Interrupted" in (work / "report.html").read_text()
    assert "Traceback" not in stdout + stderr
