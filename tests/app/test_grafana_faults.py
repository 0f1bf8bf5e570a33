"""Grafana is optional: down means a warning and the run goes on, unless --require-grafana (exit 3, no load)."""

from __future__ import annotations

from pathlib import Path

from tests.support.command import (
    LOCUST_OBJECTIVES,
    QUICK_USER,
    only_run_dir,
    read_json,
    run_dirs,
    slocheck,
    write_config,
    write_slo,
)
from tests.support.counting_server import CountingServer
from tests.support.env import clean_env
from tests.support.fake_grafana import FakeGrafana
from tests.support.net import closed_port


def _run_args(work: Path, host: str, grafana_url: str, *extra: str) -> list[str]:
    slo = write_slo(work / "slo.yaml", LOCUST_OBJECTIVES)
    return [
        "run", str(slo), "--scenario", str(QUICK_USER), "--host", host, "--grafana-url", grafana_url,
        "--config", str(write_config(work / "c.yaml")), "--out", str(work / "runs"), "--users", "2",
        "--spawn-rate", "10", "--duration", "3s", "--settle", "1s", *extra,
    ]  # fmt: skip


def test_grafana_down_gives_one_warning_and_the_run_goes_on(target: CountingServer, work: Path) -> None:
    down = f"http://127.0.0.1:{closed_port()}"
    result = slocheck(_run_args(work, target.url, down), work)
    warnings = [line for line in result.stderr.splitlines() if "Grafana" in line]
    assert result.code == 0, result.output
    assert len(warnings) == 1
    assert warnings[0].startswith("warning: Grafana annotations are off for this run: ")
    assert "Connection refused" in warnings[0]
    assert target.total() > 0
    assert read_json(only_run_dir(work / "runs") / "result.json")["verdict"] == "PASS"


def test_grafana_down_with_require_grafana_exits_3_before_any_load(target: CountingServer, work: Path) -> None:
    down = f"http://127.0.0.1:{closed_port()}"
    result = slocheck(_run_args(work, target.url, down, "--require-grafana"), work)
    assert result.code == 3, result.output
    assert target.total() == 0
    assert run_dirs(work / "runs") == []
    (line,) = result.error_lines()
    assert line.startswith("error: Grafana: ")
    assert "Connection refused" in line
    assert line.endswith("(--require-grafana: nothing was run)")
    assert "Traceback" not in result.output


def test_grafana_refusing_the_token_with_require_grafana_exits_3_before_any_load(
    target: CountingServer, grafana: FakeGrafana, work: Path
) -> None:
    wrong = "glsa_sk-test-PLANTED-wrong-token-0000000000"
    env = clean_env(SLOCHECK_GRAFANA_TOKEN=wrong)
    result = slocheck(_run_args(work, target.url, grafana.url, "--require-grafana"), work, env)
    assert result.code == 3, result.output
    assert target.total() == 0
    assert grafana.annotations == {}
    (line,) = result.error_lines()
    assert "401" in line
    assert line.endswith("(--require-grafana: nothing was run)")
    assert wrong not in result.output
