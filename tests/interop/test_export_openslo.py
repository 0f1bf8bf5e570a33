"""slocheck objectives → OpenSLO v1 threshold SLOs; what has no OpenSLO form is reported."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from slocheck.core.spec.loader import load_slo_files
from slocheck.interop.export_openslo import export_openslo
from slocheck.interop.openslo import convert_openslo

SLO = """\
apiVersion: slocheck/v1
kind: SLOSet
metadata: {name: api}
spec:
  service: api
  vars: {job: api}
  objectives:
    - name: p95
      indicator: {prometheus: {query: 'histogram_quantile(0.95, sum by (le) (rate(h_bucket{job="${job}"}[$__range])))'}}
      pass: "< 500ms"
    - name: rps
      indicator: {locust: {stat: rps}}
      pass: ">= 10/s"
"""


def _sets(tmp_path: Path) -> list[object]:
    path = tmp_path / "api.yaml"
    path.write_text(SLO)
    return list(load_slo_files([path]))


def test_a_prometheus_objective_becomes_a_threshold_slo_with_base_unit_value(tmp_path: Path) -> None:
    result = export_openslo(_sets(tmp_path), Decimal("0.99"), "5m")  # type: ignore[arg-type]
    source, slo = result.documents
    assert source["kind"] == "DataSource"
    assert source["spec"]["type"] == "Prometheus"
    metric = slo["spec"]["indicator"]["spec"]["thresholdMetric"]["metricSource"]
    assert metric["spec"]["query"] == 'histogram_quantile(0.95, sum by (le) (rate(h_bucket{job="api"}[5m])))'
    assert slo["spec"]["objectives"] == [{"displayName": "< 500ms", "op": "lt", "value": 0.5, "target": 0.99}]


def test_a_locust_objective_is_reported_not_exported(tmp_path: Path) -> None:
    result = export_openslo(_sets(tmp_path), Decimal("0.99"), "5m")  # type: ignore[arg-type]
    assert [str(n) for n in result.notes] == [
        f"{tmp_path / 'api.yaml'}: api/rps: not imported: "
        "a locust indicator; OpenSLO export covers Prometheus objectives"
    ]


def test_exported_documents_import_back_into_an_objective_on_the_same_query(tmp_path: Path) -> None:
    exported = export_openslo(_sets(tmp_path), Decimal("0.99"), "5m")  # type: ignore[arg-type]
    back = convert_openslo(list(exported.documents), "exported.yaml")
    (objective,) = back.documents[0]["spec"]["objectives"]
    assert 'rate(h_bucket{job="api"}[5m])' in objective["indicator"]["prometheus"]["query"]
    assert objective["pass"] == ">= 99%"
