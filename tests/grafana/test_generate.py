"""`slocheck dashboards generate`: a dashboard Grafana imports, one panel per Prometheus objective, and the
repository's own dashboards held to the same checks (schema, layout, variables, PromQL a real Prometheus parses)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slocheck.__main__ import main
from slocheck.core.model import PrometheusIndicator
from slocheck.core.spec.loader import load_slo_files
from slocheck.grafana.dashboards.generate import dashboard_uid, generate_dashboard
from tests.support.fake_grafana import FakeGrafana
from tests.support.paths import REPO_ROOT

from .dashboard_checks import problems

SLO_FILES = [REPO_ROOT / "slo" / "demo.yaml", REPO_ROOT / "slo" / "api-sla.yaml"]
REPO_DASHBOARDS = sorted((REPO_ROOT / "dashboards").glob("*.json"))
Capture = pytest.CaptureFixture[str]


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return generate_dashboard(load_slo_files(SLO_FILES))


def panels(dashboard: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["title"]: p for p in dashboard["panels"] if p["type"] != "row"}


def test_the_generated_dashboard_has_schema_version_39_or_later(generated: dict[str, Any]) -> None:
    assert generated["schemaVersion"] >= 39


def test_the_generated_dashboard_passes_the_dashboard_checks(generated: dict[str, Any]) -> None:
    assert problems(generated) == []


def test_there_is_one_time_series_panel_per_prometheus_objective(generated: dict[str, Any]) -> None:
    objectives = [
        o.name for s in load_slo_files(SLO_FILES) for o in s.objectives if isinstance(o.indicator, PrometheusIndicator)
    ]
    plotted = [p["title"] for p in generated["panels"] if p["type"] != "row"]
    assert plotted == objectives
    assert len(plotted) == 15
    assert {p["type"] for p in generated["panels"]} == {"row", "timeseries"}


def test_locust_objectives_get_no_panel(generated: dict[str, Any]) -> None:
    assert not {"client-p95-latency", "client-failure-ratio"} & set(panels(generated))


def test_each_slo_set_gets_a_row(generated: dict[str, Any]) -> None:
    assert [p["title"] for p in generated["panels"] if p["type"] == "row"] == [
        "demo (paracle-api)",
        "api-sla (paracle-api)",
    ]


@pytest.mark.parametrize(
    ("panel", "unit", "steps"),
    [
        ("api-p95-latency", "s", [("green", None), ("yellow", 0.5), ("red", 0.8)]),
        ("api-error-rate", "percentunit", [("green", None), ("red", 0.01)]),
        ("error-rate", "percentunit", [("green", None), ("red", 0.001)]),
        ("api-throughput", "reqps", [("red", None), ("green", 5.0)]),
        ("throughput", "reqps", [("red", None), ("green", 1000.0)]),
        ("redis-memory", "bytes", [("green", None), ("red", 256 * 1024.0**2)]),
        ("db-connections-vs-max", "percentunit", [("green", None), ("red", 0.8)]),
    ],
)
def test_pass_and_warn_bars_become_thresholds_in_grafana_units(
    generated: dict[str, Any], panel: str, unit: str, steps: list[tuple[str, float | None]]
) -> None:
    defaults = panels(generated)[panel]["fieldConfig"]["defaults"]
    assert defaults["unit"] == unit
    assert [(s["color"], s["value"]) for s in defaults["thresholds"]["steps"]] == steps
    assert defaults["custom"]["thresholdsStyle"] == {"mode": "dashed"}


def test_window_queries_are_plotted_per_interval(generated: dict[str, Any]) -> None:
    by_title = panels(generated)
    assert by_title["p95-latency"]["targets"][0]["expr"] == (
        'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="paracle-api"}'
        "[$__rate_interval])))"
    )
    assert by_title["redis-memory"]["targets"][0]["expr"] == "max_over_time(redis_memory_used_bytes[$__interval])"
    assert by_title["db-connections-vs-max"]["targets"][0]["expr"].startswith(
        'max_over_time(sum(pg_stat_activity_count{datname="slocheck_demo"})[$__interval:1s])'
    )
    assert not any("$__range" in p["targets"][0]["expr"] for p in by_title.values())


def test_every_panel_queries_the_datasource_variable(generated: dict[str, Any]) -> None:
    (variable,) = [v for v in generated["templating"]["list"] if v["type"] == "datasource"]
    assert (variable["name"], variable["query"]) == ("datasource", "prometheus")
    refs = [p["datasource"] for p in panels(generated).values()] + [
        t["datasource"] for p in panels(generated).values() for t in p["targets"]
    ]
    assert all(ref == {"type": "prometheus", "uid": "${datasource}"} for ref in refs)


def test_run_annotations_come_from_the_slocheck_tag(generated: dict[str, Any]) -> None:
    queries = [a["target"] for a in generated["annotations"]["list"] if "target" in a]
    assert {"type": "tags", "tags": ["slocheck"], "limit": 100, "matchAny": False} in queries


def test_the_dashboard_links_to_the_other_slocheck_dashboards(generated: dict[str, Any]) -> None:
    assert generated["links"][0]["type"] == "dashboards"
    assert generated["links"][0]["tags"] == ["slocheck"]


def test_the_uid_is_stable_and_within_grafanas_40_characters() -> None:
    sets = load_slo_files(SLO_FILES)
    assert dashboard_uid(sets) == "slocheck-api-sla-demo"
    long_named = [type(s)(name="x" * 60, service=s.service, objectives=s.objectives, source=s.source) for s in sets[:1]]
    assert len(dashboard_uid(long_named)) == 40
    assert dashboard_uid(long_named) == dashboard_uid(long_named)


def test_generate_writes_the_file_and_says_what_it_wrote(clean_env: Path, capsys: Capture) -> None:
    code = main(["dashboards", "generate", *map(str, SLO_FILES), "-o", "slo-dashboard.json"])
    written = json.loads((clean_env / "slo-dashboard.json").read_text(encoding="utf-8"))
    assert code == 0
    assert written["uid"] == "slocheck-api-sla-demo"
    assert capsys.readouterr().err == (
        'dashboard "SLOs: demo, api-sla" (uid slocheck-api-sla-demo): 15 panel(s) → slo-dashboard.json\n'
    )


def test_generate_to_stdout_prints_only_the_json(clean_env: Path, capsys: Capture) -> None:
    assert main(["dashboards", "generate", str(SLO_FILES[1]), "-o", "-", "--title", "API SLA", "--uid", "api-sla"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["title"], document["uid"]) == ("API SLA", "api-sla")


def test_slo_files_without_prometheus_objectives_are_invalid_input(clean_env: Path, capsys: Capture) -> None:
    (clean_env / "client.yaml").write_text(
        "apiVersion: slocheck/v1\nkind: SLOSet\nmetadata: {name: client}\nspec:\n  service: x\n  objectives:\n"
        '    - name: p95\n      indicator: {locust: {stat: p95}}\n      pass: "< 1s"\n',
        encoding="utf-8",
    )
    assert main(["dashboards", "generate", "client.yaml", "-o", "out.json"]) == 2
    assert "nothing Grafana could plot" in capsys.readouterr().err
    assert not (clean_env / "out.json").exists()


def test_the_generated_dashboard_provisions_into_grafana_and_then_is_unchanged(
    grafana_env: FakeGrafana, clean_env: Path, capsys: Capture
) -> None:
    main(["dashboards", "generate", *map(str, SLO_FILES), "-o", "slo.json"])
    assert main(["dashboards", "provision", "slo.json", "--folder", "SLOs"]) == 0
    assert main(["dashboards", "provision", "slo.json", "--folder", "SLOs"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("created ")
    assert out[2].startswith("unchanged ")
    assert grafana_env.dashboards["slocheck-api-sla-demo"].model["schemaVersion"] == 39


@pytest.mark.parametrize("path", REPO_DASHBOARDS, ids=lambda p: p.name)
def test_the_repository_dashboards_pass_the_dashboard_checks(path: Path) -> None:
    assert problems(json.loads(path.read_text(encoding="utf-8"))) == []


def test_the_overview_dashboard_covers_what_an_sre_looks_at_first() -> None:
    overview = json.loads((REPO_ROOT / "dashboards" / "slocheck-overview.json").read_text(encoding="utf-8"))
    queries = " ".join(t["expr"] for p in overview["panels"] for t in p.get("targets", []))
    for metric in (
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "pg_stat_activity_count",
        "pg_settings_max_connections",
        "db_pool_max_connections",
        "redis_memory_used_bytes",
        "llm_request_duration_seconds_bucket",
        "llm_tokens_total",
        "llm_errors_total",
    ):
        assert metric in queries
    assert any(p["type"] == "annolist" and p["options"]["tags"] == ["slocheck"] for p in overview["panels"])


# --- every query parses in a real Prometheus, after Grafana's variable interpolation -------------------------

GRAFANA_VALUES = {
    "__rate_interval": "1m",
    "__interval": "15s",
    "__range": "5m",
    "__range_s": "300",
    "__from": "1700000000",
    "__to": "1700000300",
    "job": "paracle-api",
    "provider": ".*",
    "model": ".*",
}
_VARIABLE_RE = re.compile(r"\$\{([A-Za-z0-9_]+)(?::[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(expr: str) -> str:
    return _VARIABLE_RE.sub(lambda m: GRAFANA_VALUES[m.group(1) or m.group(2)], expr)


def all_queries() -> list[tuple[str, str]]:
    documents = [(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in REPO_DASHBOARDS]
    documents.append(("generated", generate_dashboard(load_slo_files(SLO_FILES))))
    return [
        (f"{name}: {panel['title']} {target['refId']}", target["expr"])
        for name, document in documents
        for panel in document["panels"]
        for target in panel.get("targets", [])
    ]


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from slocheck_demo.prometheus_server import PrometheusServer

    server = PrometheusServer(tmp_path_factory.mktemp("prometheus"), {}).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.mark.integration
def test_every_dashboard_query_parses_in_a_real_prometheus(prometheus: str) -> None:
    rejected = []
    for where, expr in all_queries():
        url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": interpolate(expr), "time": "1700000300"})
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                assert json.load(response)["status"] == "success"
        except urllib.error.HTTPError as exc:
            rejected.append(f"{where}: {json.load(exc)['error']}")
    assert rejected == []


def test_loki_objectives_get_a_panel_on_the_loki_datasource_variable(clean_env: Path) -> None:
    (clean_env / "logs.yaml").write_text(
        "apiVersion: slocheck/v1\nkind: SLOSet\nmetadata: {name: logs}\nspec:\n  service: paracle-api\n"
        "  objectives:\n    - name: error-logs\n"
        '      indicator: {loki: {query: \'sum(count_over_time({app="paracle-api"} |= "ERROR" [$__range]))\'}}\n'
        '      pass: "<= 10"\n',
        encoding="utf-8",
    )
    dashboard = generate_dashboard(load_slo_files([clean_env / "logs.yaml"]))
    panel = panels(dashboard)["error-logs"]
    assert panel["datasource"] == {"type": "loki", "uid": "${loki_datasource}"}
    assert panel["targets"][0]["expr"] == 'sum(count_over_time({app="paracle-api"} |= "ERROR" [$__interval]))'
    assert panel["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"] == {"mode": "off"}
    assert [v["name"] for v in dashboard["templating"]["list"]] == ["loki_datasource", "run"]
    assert problems(dashboard) == []
