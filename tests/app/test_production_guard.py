"""The production guard: a --host matching a `protected_hosts` pattern (default `*prod*`) gets no load unless
--allow-production; the refusal is exit 2 with one line naming the pattern, before anything else happens."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.command import (
    LOCUST_OBJECTIVES,
    QUICK_USER,
    only_run_dir,
    read_json,
    run_dirs,
    slocheck,
    write_config,
)
from tests.support.command import write_slo as _write_slo
from tests.support.counting_server import CountingServer
from tests.support.env import clean_env
from tests.support.fake_grafana import TOKEN, FakeGrafana


def _run_args(work: Path, host: str, *extra: str) -> list[str]:
    slo = _write_slo(work / "slo.yaml", LOCUST_OBJECTIVES)
    return [
        "run", str(slo), "--scenario", str(QUICK_USER), "--host", host, "--out", str(work / "runs"),
        "--users", "2", "--spawn-rate", "10", "--duration", "3s", "--settle", "1s", *extra,
    ]  # fmt: skip


def _refusal(host: str, pattern: str) -> str:
    return (
        f'error: refusing to send load to {host}: its host matches the protected_hosts pattern "{pattern}"; '
        "pass --allow-production if this is intended, or change protected_hosts in slocheck.yaml"
    )


@pytest.mark.parametrize("host", ["http://api.prod.example.com", "https://API.Production.example.com:8443/v1"])
def test_a_host_matching_the_default_pattern_is_refused_before_anything_happens(
    host: str, grafana: FakeGrafana, work: Path
) -> None:
    env = clean_env(SLOCHECK_GRAFANA_TOKEN=TOKEN)
    result = slocheck(_run_args(work, host, "--grafana-url", grafana.url), work, env)
    assert result.code == 2, result.output
    assert result.error_lines() == [_refusal(host, "*prod*")]
    assert "Traceback" not in result.output
    assert run_dirs(work / "runs") == []
    assert grafana.requests == []


def test_a_host_matching_a_configured_pattern_is_refused_without_a_request(target: CountingServer, work: Path) -> None:
    config = write_config(work / "c.yaml", protected_hosts=["127.0.0.*"])
    result = slocheck(_run_args(work, target.url, "--config", str(config)), work)
    assert result.code == 2, result.output
    assert result.error_lines() == [_refusal(target.url, "127.0.0.*")]
    assert target.total() == 0


def test_allow_production_lets_the_load_reach_a_protected_host(target: CountingServer, work: Path) -> None:
    config = write_config(work / "c.yaml", protected_hosts=["127.0.0.*"])
    result = slocheck(_run_args(work, target.url, "--config", str(config), "--allow-production"), work)
    assert result.code == 0, result.output
    assert target.total() > 0
    assert read_json(only_run_dir(work / "runs") / "result.json")["verdict"] == "PASS"
