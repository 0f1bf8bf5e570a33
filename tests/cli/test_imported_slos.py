"""SLOs imported from Sloth and OpenSLO judge the same SLI on a real Prometheus (known exporter: 1% errors)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slocheck.__main__ import main

pytestmark = pytest.mark.integration

SLOTH = """\
version: "prometheus/v1"
service: "known"
slos:
  - name: "availability"
    objective: {objective}
    sli:
      events:
        error_query: sum(rate(slocheck_test_requests_total{{status=~"5.."}}[{{{{.window}}}}]))
        total_query: sum(rate(slocheck_test_requests_total[{{{{.window}}}}]))
"""

OPENSLO = """\
apiVersion: openslo/v1
kind: SLO
metadata: {{name: known-availability}}
spec:
  service: known
  budgetingMethod: Occurrences
  indicator:
    metadata: {{name: known-good}}
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource: {{type: Prometheus, spec: {{query: 'sum(slocheck_test_requests_total{{status="200"}})'}}}}
        total: {{metricSource: {{type: Prometheus, spec: {{query: 'sum(slocheck_test_requests_total)'}}}}}}
  objectives:
    - target: {target}
"""


def _import_and_evaluate(prometheus: str, tmp_path: Path, kind: str, text: str) -> tuple[int, dict[str, object]]:
    source, out, result = tmp_path / "in.yaml", tmp_path / "slo.yaml", tmp_path / "result.json"
    source.write_text(text)
    assert main(["import", kind, str(source), "-o", str(out)]) == 0
    # 20s, not 5s: a machine busy enough to miss a scrape or two still leaves the rate two samples
    code = main(["evaluate", str(out), "--last", "20s", "--prometheus-url", prometheus, "--json", str(result)])
    return code, json.loads(result.read_text())


def test_imported_sloth_objective_passes_when_the_error_ratio_is_inside_the_budget(
    prometheus: str, tmp_path: Path
) -> None:
    code, document = _import_and_evaluate(prometheus, tmp_path, "sloth", SLOTH.format(objective=98))
    assert (code, document["verdict"]) == (0, "PASS")
    assert document["objectives"][0]["value"] == pytest.approx(0.01, rel=0.05)  # type: ignore[index]


def test_imported_sloth_objective_fails_when_the_error_ratio_exceeds_the_budget(
    prometheus: str, tmp_path: Path
) -> None:
    code, document = _import_and_evaluate(prometheus, tmp_path, "sloth", SLOTH.format(objective=99.9))
    assert (code, document["verdict"]) == (1, "FAIL")


def test_imported_openslo_counter_ratio_measures_the_good_share_over_the_window(
    prometheus: str, tmp_path: Path
) -> None:
    code, document = _import_and_evaluate(prometheus, tmp_path, "openslo", OPENSLO.format(target=0.995))
    assert (code, document["verdict"]) == (1, "FAIL")
    assert document["objectives"][0]["value"] == pytest.approx(0.99, rel=0.01)  # type: ignore[index]
