"""`slocheck evaluate` judging a real Prometheus, a fake Loki and a fake Jaeger (real HTTP) in one verdict."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from slocheck.__main__ import main
from tests.support.fake_jaeger import FakeJaeger
from tests.support.fake_loki import TENANT, FakeLoki
from tests.support.traces import request_trace

pytestmark = pytest.mark.integration

# max_over_time: the known exporter answers from this test process, and a scrape missed while the process is busy
# marks the gauge stale at once (an instant selector then matches nothing; CI saw it once on a loaded machine).
MIXED = """\
    - name: latency-gauge
      indicator: {prometheus: {query: 'max(max_over_time(slocheck_test_latency_seconds[$__range]))'}}
      pass: "< 1s"
    - name: error-log-lines
      indicator: {loki: {count: '{app="paracle-api"} |= "ERROR"'}}
      pass: "<= 10"
    - name: agent-run-p95
      indicator: {jaeger: {service: paracle-api, operation: "POST /api/v1/agents/run", stat: p95}}
      pass: "< 2s"
    - name: trace-errors
      indicator: {jaeger: {service: paracle-api, span_kind: server, stat: error_ratio}}
      pass: "< 10%"
"""


@pytest.fixture
def observed(fake_loki: FakeLoki, fake_jaeger: FakeJaeger, monkeypatch: pytest.MonkeyPatch, clean_env: Path) -> None:
    """Thirty seconds of a service's logs (2 error lines) and traces (25, one failed, one slow)."""
    now = datetime.now(UTC)
    for second in range(30):
        level = "error" if second in (3, 17) else "info"
        at = int((now - timedelta(seconds=second + 1)).timestamp() * 1e9)
        fake_loki.add({"app": "paracle-api", "level": level}, at, f"{level.upper()} request {second}", TENANT)
    for number in range(1, 26):
        seconds = 1.5 if number == 25 else 0.1 + number / 100
        fake_jaeger.add(request_trace(number, now - timedelta(seconds=number), seconds, error=number == 7))
    monkeypatch.setenv("SLOCHECK_LOKI_URL", fake_loki.url)
    monkeypatch.setenv("SLOCHECK_LOKI_TENANT", TENANT)
    monkeypatch.setenv("SLOCHECK_JAEGER_URL", fake_jaeger.url)


def evaluate(slo: Path, prometheus: str, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "result.json"
    code = main(["evaluate", str(slo), "--last", "1m", "--prometheus-url", prometheus, "--json", str(out), *extra])
    return code, json.loads(out.read_text()) if out.exists() else {}


def by_name(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["name"]: o for o in document["objectives"]}


@pytest.mark.usefixtures("observed")
def test_prometheus_loki_and_jaeger_objectives_pass_in_one_verdict(
    prometheus: str, slo_file: Callable[..., Path], tmp_path: Path
) -> None:
    code, document = evaluate(slo_file(MIXED), prometheus, tmp_path)

    assert (code, document["verdict"]) == (0, "PASS")
    values = {name: o["value"] for name, o in by_name(document).items()}
    assert values["error-log-lines"] == 2
    assert values["latency-gauge"] == pytest.approx(0.7)
    assert values["trace-errors"] == pytest.approx(1 / 25)
    assert {o["backend"] for o in document["objectives"]} == {"prometheus", "loki", "jaeger"}


@pytest.mark.usefixtures("observed")
def test_result_json_carries_trace_exemplars_with_jaeger_links(
    prometheus: str, slo_file: Callable[..., Path], tmp_path: Path, fake_jaeger: FakeJaeger
) -> None:
    _, document = evaluate(slo_file(MIXED), prometheus, tmp_path)

    p95 = by_name(document)["agent-run-p95"]
    exemplars = p95["details"]["exemplars"]
    slowest = max(exemplars, key=lambda e: e["duration_seconds"])
    assert (slowest["trace_id"], slowest["duration_seconds"]) == (f"{25:032x}", 1.5)
    assert slowest["url"] == f"{fake_jaeger.url}/trace/{25:032x}"
    assert [e["trace_id"] for e in exemplars if e["error"]] == [f"{7:032x}"]
    assert p95["sample_size"] == 25


@pytest.mark.usefixtures("observed")
def test_an_old_jaeger_is_read_through_the_v1_api(
    prometheus: str, slo_file: Callable[..., Path], tmp_path: Path, fake_jaeger: FakeJaeger
) -> None:
    fake_jaeger.mode = "old"

    code, document = evaluate(slo_file(MIXED), prometheus, tmp_path)

    assert code == 0
    assert by_name(document)["agent-run-p95"]["details"]["api"] == "v1"


@pytest.mark.usefixtures("observed")
def test_too_few_traces_make_the_objective_no_data_and_the_verdict_inconclusive(
    prometheus: str, slo_file: Callable[..., Path], tmp_path: Path
) -> None:
    objectives = """\
    - name: agent-run-p95
      indicator: {jaeger: {service: paracle-api, operation: "POST /api/v1/agents/run", stat: p95, min_traces: 50}}
      pass: "< 2s"
"""

    code, document = evaluate(slo_file(objectives), prometheus, tmp_path)

    objective = by_name(document)["agent-run-p95"]
    assert (code, document["verdict"], objective["outcome"]) == (3, "INCONCLUSIVE", "NO_DATA")
    assert objective["reason"] == "no data: 25 matching trace(s) in the window, fewer than min_traces (50)"
    assert objective["sample_size"] == 25


def test_loki_and_jaeger_down_are_errors_that_name_the_backend(
    prometheus: str, slo_file: Callable[..., Path], tmp_path: Path, clean_env: Path, closed_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    config = tmp_path / "slocheck.yaml"
    budget = "retry_budget: 300ms, timeout: 1s"
    config.write_text(
        f"backends:\n  loki: {{url: {closed_url}, {budget}}}\n  jaeger: {{url: {closed_url}, {budget}}}\n"
    )

    code, document = evaluate(slo_file(MIXED), prometheus, tmp_path, "--config", str(config))

    objectives = by_name(document)
    assert (code, document["verdict"]) == (3, "INCONCLUSIVE")
    assert objectives["latency-gauge"]["outcome"] == "PASS"
    assert objectives["error-log-lines"]["outcome"] == "ERROR"
    assert objectives["error-log-lines"]["reason"].startswith(f"error: Loki: cannot reach {closed_url}")
    assert objectives["agent-run-p95"]["reason"].startswith(f"error: Jaeger: cannot reach {closed_url}")
    assert "Traceback" not in capsys.readouterr().err


def test_a_loki_objective_without_a_loki_url_is_invalid_configuration(
    prometheus: str, slo_file: Callable[..., Path], tmp_path: Path, clean_env: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    code, _ = evaluate(slo_file(MIXED), prometheus, tmp_path)

    assert code == 2
    assert capsys.readouterr().err.startswith(
        "error: these objectives query Loki but no URL is set: pass --loki-url, set SLOCHECK_LOKI_URL, "
        "or add backends.loki.url"
    )
