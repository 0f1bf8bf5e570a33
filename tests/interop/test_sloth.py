"""Sloth prometheus/v1 specs → slocheck objectives judging the same error ratio over the run window."""

from __future__ import annotations

from pathlib import Path

import yaml

from slocheck.core.spec.schema import SLOSetModel
from slocheck.interop.sloth import convert_sloth

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sloth"


def _convert(name: str) -> tuple[list[dict[str, object]], list[str]]:
    path = FIXTURES / name
    result = convert_sloth(list(yaml.safe_load_all(path.read_text())), name)
    return result.documents, [str(n) for n in result.notes]


def _objectives(documents: list[dict[str, object]]) -> list[dict[str, object]]:
    return [o for d in documents for o in d["spec"]["objectives"]]  # type: ignore[index]


def test_events_sli_becomes_the_error_ratio_over_the_run_window_with_the_objective_as_bar() -> None:
    documents, _ = _convert("getting-started.yml")
    (objective,) = _objectives(documents)
    query = objective["indicator"]["prometheus"]["query"]  # type: ignore[index]
    assert "{{.window}}" not in query
    assert query.count("[$__range]") == 2
    assert 'code=~"(5..|429)"' in query.split("/")[0]
    assert objective["pass"] == "<= 0.1%"


def test_no_error_series_counts_as_zero_errors_not_missing_data() -> None:
    documents, _ = _convert("getting-started.yml")
    query = _objectives(documents)[0]["indicator"]["prometheus"]["query"]  # type: ignore[index]
    assert query.split("\n/\n")[0].endswith("or vector(0)))")


def test_raw_sli_keeps_the_error_ratio_query_with_the_run_window() -> None:
    documents, _ = _convert("raw-home-wifi.yml")
    (objective,) = _objectives(documents)
    assert (
        "sum_over_time(unifipoller_client_satisfaction_ratio[$__range])"
        in objective["indicator"]["prometheus"]["query"]
    )  # type: ignore[index]
    assert objective["pass"] == "<= 5%"


def test_subquery_windows_become_run_window_subqueries() -> None:
    documents, _ = _convert("home-wifi.yml")
    queries = [o["indicator"]["prometheus"]["query"] for o in _objectives(documents)]  # type: ignore[index]
    assert all("[$__range:]" in q for q in queries)
    assert [o["pass"] for o in _objectives(documents)] == ["<= 5%", "<= 0.1%"]


def test_alerting_is_reported_as_not_applicable_per_slo() -> None:
    _, notes = _convert("kubernetes-apiserver.yml")
    assert len([n for n in notes if ".alerting: not applicable" in n]) == 2


def test_plugin_sli_is_refused_with_the_field_and_the_reason() -> None:
    documents, notes = _convert("plugin-getting-started.yml")
    assert documents == []
    assert any("sli.plugin: not imported: plugin SLI getting_started_availability" in n for n in notes)


def test_every_published_example_converts_into_documents_slocheck_accepts() -> None:
    for name in (
        "getting-started.yml",
        "home-wifi.yml",
        "raw-home-wifi.yml",
        "kubernetes-apiserver.yml",
        "no-alerts.yml",
    ):
        documents, _ = _convert(name)
        assert documents, name
        for document in documents:
            SLOSetModel.model_validate(document)


def test_an_openslo_document_is_not_taken_for_a_sloth_spec_and_the_note_names_the_right_command() -> None:
    documents, notes = _convert("openslo-getting-started.yml")
    assert documents == []
    assert "slocheck import openslo" in notes[0]


def test_kubernetes_resource_form_reads_its_spec() -> None:
    resource = {
        "apiVersion": "sloth.slok.dev/v1",
        "kind": "PrometheusServiceLevel",
        "metadata": {"name": "x"},
        "spec": {"service": "api", "slos": [{"name": "avail", "objective": 99.5,
                 "sli": {"raw": {"error_ratio_query": "max(err_ratio[{{.window}}])"}}}]},
    }  # fmt: skip
    result = convert_sloth([resource], "k8s.yaml")
    (objective,) = result.documents[0]["spec"]["objectives"]
    assert objective["indicator"]["prometheus"]["query"] == "max(err_ratio[$__range])"
    assert objective["pass"] == "<= 0.5%"


def test_a_go_template_other_than_the_window_is_refused() -> None:
    spec = {"version": "prometheus/v1", "service": "api", "slos": [{"name": "a", "objective": 99,
            "sli": {"raw": {"error_ratio_query": "x[{{.window}}] * {{.factor}}"}}}]}  # fmt: skip
    result = convert_sloth([spec], "t.yaml")
    assert result.documents == []
    assert "templates besides .window" in str(result.notes[0])
