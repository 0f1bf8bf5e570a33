"""`evaluate` against a Prometheus answering +Inf (sum(up) / sum(up * 0)): never a PASS."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.command import read_json, slocheck, write_config, write_slo
from tests.support.fake_prometheus import FakePrometheus

PLUS_INF = json.dumps(
    {"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [1.7e9, "+Inf"]}]}}
).encode()


def test_a_division_by_zero_meeting_a_success_bar_is_inconclusive_not_pass(work: Path) -> None:
    slo = write_slo(
        work / "slo.yaml",
        """\
    - name: availability
      indicator: {prometheus: {query: 'sum(up) / sum(up * 0)'}}
      pass: ">= 99.9%"
""",
    )
    with FakePrometheus(instant_body=PLUS_INF) as prometheus:
        args = ["evaluate", str(slo), "--last", "5m", "--prometheus-url", prometheus.url, "--json", "out.json"]
        result = slocheck([*args, "--config", str(write_config(work / "slocheck.yaml"))], work)
    assert result.code == 3, result.output
    (objective,) = read_json(work / "out.json")["objectives"]
    assert objective["outcome"] == "NO_DATA"
    assert "infinite value (division by zero?)" in objective["reason"]
    assert "infinite value (division by zero?)" in result.stdout
