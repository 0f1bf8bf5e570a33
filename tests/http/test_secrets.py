"""Tokens come from the environment (or `${ENV}` in the config) and are never written anywhere: not to the
console, run.json, result.json, the reports, the Locust files, Grafana annotations or error messages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from slocheck_demo.stack import StackUrls
from tests.support.command import (
    RECORDED_OBJECTIVE,
    files_under,
    only_run_dir,
    read_json,
    slocheck,
    write_config,
    write_slo,
)
from tests.support.env import clean_env
from tests.support.fake_grafana import FakeGrafana
from tests.support.fake_prometheus import FORMAT, INSTANT, FakePrometheus
from tests.support.net import closed_port

ROOT = Path(__file__).resolve().parents[2]
MARK = b"PLANTED"  # in every planted secret: finding it anywhere, even cut short, is a leak
PROMETHEUS_TOKEN = "sk-test-PLANTED-prometheus-7f3a9c2e1b4d"
GRAFANA_TOKEN = "glsa_sk-test-PLANTED-grafana-4d8e6b0a5c19"
WRONG_TOKEN = "sk-test-PLANTED-wrong-token-0a1b2c3d4e5f"


def leaks(data: bytes | str) -> bool:
    return MARK in (data.encode() if isinstance(data, str) else data)


@pytest.fixture
def planted_grafana() -> Iterator[FakeGrafana]:
    with FakeGrafana(token=GRAFANA_TOKEN) as server:
        yield server


@pytest.mark.integration
def test_a_full_run_with_planted_tokens_writes_them_into_no_artifact(
    demo_stack: StackUrls, planted_grafana: FakeGrafana, work: Path
) -> None:
    reports = work / "reports"
    summary = work / "step-summary.md"
    # The Grafana token through `${ENV}` in the config, the Prometheus token through SLOCHECK_PROMETHEUS_TOKEN.
    config = write_config(work / "slocheck.yaml", {"grafana": {"token": "${CI_GRAFANA_TOKEN}"}})
    env = clean_env(
        SLOCHECK_PROMETHEUS_TOKEN=PROMETHEUS_TOKEN, CI_GRAFANA_TOKEN=GRAFANA_TOKEN, GITHUB_STEP_SUMMARY=str(summary)
    )
    finished = slocheck(
        ["run", str(ROOT / "slo" / "demo.yaml"), "--scenario", str(ROOT / "scenarios" / "agent_platform.py"),
         "--host", demo_stack.service, "--prometheus-url", demo_stack.prometheus, "--grafana-url",
         planted_grafana.url, "--config", str(config), "--out", str(work / "runs"), "--users", "5",
         "--spawn-rate", "10", "--duration", "6s", "--settle", "2s", "--json", str(reports / "result.json"),
         "--junit", str(reports / "junit.xml"), "--markdown", str(reports / "report.md"), "--html",
         str(reports / "report.html")],
        work,
        env,
    )  # fmt: skip
    run_dir = only_run_dir(work / "runs")
    # The run really happened, and really used the Grafana token.
    assert finished.code in (0, 1, 3), finished.output
    assert read_json(run_dir / "run.json")["status"] == "done"
    assert any(r.headers.get("authorization") == f"Bearer {GRAFANA_TOKEN}" for r in planted_grafana.writes())
    artifacts = files_under(work)
    assert {"run.json", "result.json", "context.json", "report.html", "locust_stats.csv"} <= {
        p.name for p in files_under(run_dir)
    }
    written = {reports / "result.json", reports / "junit.xml", reports / "report.md", reports / "report.html",
               summary, config}  # fmt: skip
    assert written <= set(artifacts)
    assert [str(p) for p in artifacts if leaks(p.read_bytes())] == []
    assert not leaks(finished.stdout)
    assert not leaks(finished.stderr)
    assert not [a for a in planted_grafana.annotations.values() if leaks(str(a))]


def _validate_and_evaluate(work: Path, url: str, token: str) -> tuple[list[str], str]:
    """The outputs of `validate --online` and `evaluate` with SLOCHECK_PROMETHEUS_TOKEN=token."""
    slo = write_slo(work / "slo.yaml", RECORDED_OBJECTIVE)
    env = clean_env(SLOCHECK_PROMETHEUS_TOKEN=token)
    config = str(write_config(work / "c.yaml"))
    validate = slocheck(["validate", "--online", str(slo), "--prometheus-url", url, "--config", config], work, env)
    evaluate = slocheck(["evaluate", str(slo), "--last", "5m", "--prometheus-url", url, "--config", config,
                         "--json", str(work / "result.json")], work, env)  # fmt: skip
    assert validate.code == 2, validate.output  # the online check counts a refused query as invalid input
    assert evaluate.code == 3, evaluate.output
    return [validate.output, evaluate.output], (work / "result.json").read_text()


def test_a_401_from_prometheus_is_reported_without_the_token(work: Path) -> None:
    with FakePrometheus(token="the-right-token") as prometheus:
        outputs, result = _validate_and_evaluate(work, prometheus.url, WRONG_TOKEN)
        sent = {r.headers.get("authorization") for r in prometheus.seen(FORMAT) + prometheus.seen(INSTANT)}
    assert sent == {f"Bearer {WRONG_TOKEN}"}  # the planted token really was used
    assert all("401" in output and "check the token" in output for output in outputs)
    assert not any(leaks(output) for output in outputs)
    assert not leaks(result)


def test_a_401_body_quoting_the_rejected_token_is_reported_without_it(work: Path) -> None:
    with FakePrometheus(token="the-right-token", echo_auth=True) as prometheus:
        outputs, result = _validate_and_evaluate(work, prometheus.url, WRONG_TOKEN)
    assert not any(leaks(output) for output in outputs)
    assert not leaks(result)


@pytest.mark.parametrize("backend", ["prometheus", "loki", "jaeger"])
def test_a_password_inside_a_backend_url_never_appears_in_messages_or_results(backend: str, work: Path) -> None:
    objectives = {
        "prometheus": RECORDED_OBJECTIVE,
        "loki": "    - name: logs\n      indicator: {loki: {query: 'sum(count_over_time({app=\"a\"}[$__range]))'}}\n"
        '      pass: "<= 10"\n',
        "jaeger": "    - name: traces\n      indicator: {jaeger: {service: api, stat: p99, min_traces: 1}}\n"
        '      pass: "< 5s"\n',
    }
    slo = write_slo(work / "slo.yaml", objectives[backend])
    url = f"http://reader:sk-test-PLANTED-url-password@127.0.0.1:{closed_port()}"
    config = write_config(work / "c.yaml", {backend: {"retry_budget": "1s"}})
    finished = slocheck(
        ["evaluate", str(slo), "--last", "5m", f"--{backend}-url", url, "--config", str(config),
         "--json", str(work / "result.json")],
        work,
    )  # fmt: skip
    assert finished.code == 3, finished.output
    assert "cannot reach" in finished.output
    assert not leaks(finished.output)
    assert not leaks((work / "result.json").read_bytes())
