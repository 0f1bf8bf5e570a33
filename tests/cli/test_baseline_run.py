"""`slocheck run --baseline` end to end on the demo stack: history written, baseline picked, relative bar and judge
decided from real values of both runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slocheck.__main__ import main
from slocheck_demo.stack import StackUrls
from tests.support.paths import REPO_ROOT as ROOT

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::ResourceWarning")]
SCENARIO = ROOT / "scenarios" / "agent_platform.py"
SLO = """\
apiVersion: slocheck/v1
kind: SLOSet
metadata: {name: relative}
spec:
  service: paracle-api
  objectives:
    - name: server-p95
      indicator:
        prometheus:
          query: >-
            histogram_quantile(0.95, sum by (le)
            (rate(http_request_duration_seconds_bucket{job="paracle-api"}[$__range])))
      pass: ["< 2s", "<= +300%"]
    - name: client-p50
      indicator: {locust: {stat: p50}}
      pass: "< 2s"
      compare: {min_effect: 200%}
"""


def _run(urls: StackUrls, slo: Path, out: Path, *extra: str) -> int:
    return main([
        "run", str(slo), "--scenario", str(SCENARIO), "--host", urls.service, "--prometheus-url", urls.prometheus,
        "--profile", "smoke", "--users", "5", "--duration", "10s", "--out", str(out), *extra,
    ])  # fmt: skip


def test_a_second_run_is_judged_against_the_first(demo_stack: StackUrls, tmp_path: Path) -> None:
    slo = tmp_path / "relative.yaml"
    slo.write_text(SLO)
    out = tmp_path / "runs"
    assert _run(demo_stack, slo, out) == 3  # no baseline: the relative bar and the judge are NO_DATA
    (first,) = out.iterdir()
    assert json.loads((first / "history.json").read_text())["schema"] == "slocheck.history/v2"
    assert _run(demo_stack, slo, out, "--baseline", "last") == 0
    (second,) = [p for p in out.iterdir() if p != first]
    result = json.loads((second / "result.json").read_text())
    assert (result["baseline"]["id"], result["baseline"]["selected_by"]) == (first.name, "last")
    server, client = result["objectives"]
    assert server["series"][0]["change_display"].startswith("baseline ")
    assert client["judgement"]["n_baseline"] > 0
