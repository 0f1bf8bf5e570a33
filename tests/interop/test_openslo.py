"""OpenSLO v1/v1alpha → slocheck objectives; what cannot map is listed per field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from slocheck.core.spec.schema import SLOSetModel
from slocheck.interop.openslo import convert_openslo

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _load(relative: str) -> list[object]:
    return list(yaml.safe_load_all((FIXTURES / relative).read_text()))


def _prom(query: str, ref: str | None = None) -> dict[str, Any]:
    source: dict[str, Any] = {"spec": {"query": query}}
    if ref:
        source["metricSourceRef"] = ref
    else:
        source["type"] = "Prometheus"
    return {"metricSource": source}


def _slo(indicator: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"service": "web", "budgetingMethod": "Occurrences",
                            "objectives": [{"displayName": "Good", "target": 0.995}]}  # fmt: skip
    if indicator is not None:
        body["indicator"] = {"metadata": {"name": "web-sli"}, "spec": indicator}
    body.update(spec)
    return {"apiVersion": "openslo/v1", "kind": "SLO", "metadata": {"name": "web-slo"}, "spec": body}


def _single(documents: list[object]) -> dict[str, Any]:
    result = convert_openslo(documents, "t.yaml")
    assert len(result.documents) == 1, [str(n) for n in result.notes]
    (objective,) = result.documents[0]["spec"]["objectives"]
    SLOSetModel.model_validate(result.documents[0])
    return objective  # type: ignore[no-any-return]


def test_counter_ratio_of_plain_sums_becomes_increase_over_the_run_window() -> None:
    ratio = {"counter": True, "good": _prom('sum(http_requests{code=~"2.."})'), "total": _prom("sum(http_requests)")}
    objective = _single([_slo({"ratioMetric": ratio})])
    assert objective["indicator"]["prometheus"]["query"] == (
        'sum(increase(http_requests{code=~"2.."}[$__range]))\n/\nsum(increase(http_requests[$__range]))'
    )
    assert objective["pass"] == ">= 99.5%"


def test_gauge_ratio_sums_the_values_over_the_run_window() -> None:
    ratio = {"counter": False, "good": _prom("good_now"), "total": _prom("total_now")}
    query = _single([_slo({"ratioMetric": ratio})])["indicator"]["prometheus"]["query"]
    assert query == "sum(sum_over_time((good_now)[$__range:]))\n/\nsum(sum_over_time((total_now)[$__range:]))"


def test_bad_over_total_is_one_minus_the_bad_share() -> None:
    ratio = {"counter": True, "bad": _prom('errors_total{code="500"}'), "total": _prom("requests_total")}
    query = _single([_slo({"ratioMetric": ratio})])["indicator"]["prometheus"]["query"]
    assert query.startswith('1 - (\n(sum(increase(errors_total{code="500"}[$__range])) or vector(0))')


def test_raw_failure_ratio_is_averaged_over_the_run_and_inverted() -> None:
    ratio = {"rawType": "failure", "raw": _prom("error_ratio")}
    query = _single([_slo({"ratioMetric": ratio})])["indicator"]["prometheus"]["query"]
    assert query == "1 - avg_over_time((error_ratio)[$__range:])"


def test_threshold_metric_is_judged_as_the_share_of_evaluations_meeting_op_value() -> None:
    slo = _slo({"thresholdMetric": _prom("latency_seconds")},
               objectives=[{"op": "lte", "value": 0.5, "target": 0.99}])  # fmt: skip
    objective = _single([slo])
    assert objective["indicator"]["prometheus"]["query"] == "avg_over_time(((latency_seconds) <= bool 0.5)[$__range:])"
    assert objective["pass"] == ">= 99%"


def test_referenced_sli_and_datasource_in_other_documents_are_resolved() -> None:
    slo = _slo(indicatorRef="web-ratio", objectives=[{"targetPercent": 99.9}])
    sli = {"apiVersion": "openslo/v1", "kind": "SLI", "metadata": {"name": "web-ratio"},
           "spec": {"ratioMetric": {"counter": True, "good": _prom("ok_total", ref="prom"),
                                    "total": _prom("all_total", ref="prom")}}}  # fmt: skip
    source = {"apiVersion": "openslo/v1", "kind": "DataSource", "metadata": {"name": "prom"},
              "spec": {"type": "Prometheus", "connectionDetails": {"url": "http://prom:9090"}}}  # fmt: skip
    objective = _single([source, sli, slo])
    assert objective["indicator"]["prometheus"]["query"].startswith("sum(increase(ok_total[$__range]))")
    assert objective["pass"] == ">= 99.9%"


def test_an_sli_reference_that_is_not_imported_is_refused_with_what_to_do() -> None:
    result = convert_openslo([_slo(indicatorRef="missing")], "t.yaml")
    assert result.documents == []
    assert "spec.indicatorRef: not imported" in str(result.notes[0])
    assert "pass the file that defines it" in str(result.notes[0])


def test_published_type_any_examples_are_refused_field_by_field() -> None:
    result = convert_openslo(_load("openslo/ratio-timeslices.yaml"), "ratio-timeslices.yaml")
    notes = [str(n) for n in result.notes]
    assert result.documents == []
    assert any("ratioMetric.good.metricSource.type: not imported: type Any" in n for n in notes)
    assert any("ratioMetric.total.metricSource.type: not imported: type Any" in n for n in notes)
    assert any("spec.budgetingMethod: not imported: RatioTimeslices" in n for n in notes)
    assert any("spec.objectives[0].timeSliceWindow: not imported" in n for n in notes)


def test_threshold_type_any_example_names_the_threshold_source() -> None:
    result = convert_openslo(_load("openslo/occurences-slo.yaml"), "occurences-slo.yaml")
    assert result.documents == []
    refused = [str(n) for n in result.notes if not n.imported]
    assert refused == [
        "occurences-slo.yaml: SLO search-slo (document 1): spec.indicator.spec.thresholdMetric.metricSource.type: "
        "not imported: type Any is not a source slocheck can query (only Prometheus maps)"
    ]


def test_oslo_list_form_with_timeslices_refuses_the_slo_and_skips_services() -> None:
    result = convert_openslo(_load("openslo/oslo-validate-v1.yaml"), "v1.yaml")
    notes = [str(n) for n in result.notes]
    assert result.documents == []
    assert any("spec.budgetingMethod: not imported: Timeslices" in n for n in notes)
    assert sum("kind Service" in n for n in notes) == 2


def test_sloth_v1alpha_ratio_metrics_replace_the_window_template() -> None:
    result = convert_openslo(_load("sloth/openslo-kubernetes-apiserver.yml"), "k.yml")
    objectives = [o for d in result.documents for o in d["spec"]["objectives"]]
    assert len(objectives) == 3
    assert all("{{" not in o["indicator"]["prometheus"]["query"] for o in objectives)
    assert [o["pass"] for o in objectives] == [">= 99.9%", ">= 99%", ">= 99.9%"]
    assert any("spec.timeWindows: not applicable" in str(n) for n in result.notes)


def test_v1alpha_threshold_indicator_imports_and_timeslice_ratio_is_refused() -> None:
    result = convert_openslo(_load("openslo/oslo-validate-v1alpha.yaml"), "v1alpha.yaml")
    assert [d["metadata"]["name"] for d in result.documents] == ["my-amazing-slo"]
    (objective,) = result.documents[0]["spec"]["objectives"]
    assert "> bool 2000)[$__range:])" in objective["indicator"]["prometheus"]["query"]
    assert any("SLO ratio (document 3): spec.budgetingMethod: not imported" in str(n) for n in result.notes)


def test_alert_policies_are_reported_as_not_applicable() -> None:
    slo = _slo({"thresholdMetric": _prom("x")}, objectives=[{"op": "lt", "value": 1, "target": 0.9}],
               alertPolicies=["page"])  # fmt: skip
    result = convert_openslo([slo], "t.yaml")
    assert result.documents
    assert any("spec.alertPolicies: not applicable" in str(n) for n in result.notes)


def test_composite_slo_imports_each_objective_with_its_own_indicator() -> None:
    objectives = [
        {"displayName": "Search", "target": 0.99, "indicator": {"metadata": {"name": "search"},
         "spec": {"ratioMetric": {"counter": True, "good": _prom("search_ok_total"), "total": _prom("search_total")}}}},
        {"displayName": "Checkout", "target": 0.999, "indicator": {"metadata": {"name": "checkout"},
         "spec": {"ratioMetric": {"counter": True, "good": _prom("co_ok_total"), "total": _prom("co_total")}}}},
    ]  # fmt: skip
    result = convert_openslo([_slo(objectives=objectives)], "t.yaml")
    imported = result.documents[0]["spec"]["objectives"]
    assert [o["name"] for o in imported] == ["search", "checkout"]
    assert "search_ok_total" in imported[0]["indicator"]["prometheus"]["query"]
    assert imported[1]["pass"] == ">= 99.9%"


def test_datasource_connection_details_never_reach_the_output() -> None:
    slo = _slo(indicatorRef="ratio")
    ratio = {"good": _prom("ok_total", ref="p"), "total": _prom("all_total", ref="p")}
    sli = {"apiVersion": "openslo/v1", "kind": "SLI", "metadata": {"name": "ratio"}, "spec": {"ratioMetric": ratio}}
    source = {"apiVersion": "openslo/v1", "kind": "DataSource", "metadata": {"name": "p"},
              "spec": {"type": "Prometheus", "connectionDetails": {"token": "s3cr3t-token"}}}  # fmt: skip
    result = convert_openslo([slo, sli, source], "t.yaml")
    assert result.documents
    assert "s3cr3t-token" not in repr(result.documents) + repr(result.notes)


def test_a_document_of_another_format_is_named_not_imported() -> None:
    result = convert_openslo([{"apiVersion": "slocheck/v1", "kind": "SLOSet"}], "t.yaml")
    assert result.documents == []
    assert "apiVersion: not imported: 'slocheck/v1' is not openslo/v1 or v1alpha" in str(result.notes[0])
