"""TLS towards Prometheus: verified by default with a clear error, --ca-bundle for an internal CA, --insecure as
an explicit opt-out, and neither silently overridden by a CA bundle set in the environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import certifi
import pytest

from tests.support.command import (
    LOCUST_OBJECTIVES,
    QUICK_USER,
    RECORDED_OBJECTIVE,
    Finished,
    read_json,
    run_dirs,
    slocheck,
    write_config,
    write_slo,
)
from tests.support.counting_server import CountingServer
from tests.support.env import clean_env
from tests.support.fake_prometheus import FakePrometheus


@pytest.fixture
def https_prometheus(certificate: tuple[str, str]) -> Iterator[FakePrometheus]:
    with FakePrometheus(tls=certificate) as server:
        yield server


def _evaluate(work: Path, url: str, *extra: str, env: dict[str, str] | None = None) -> tuple[Finished, Path]:
    slo = write_slo(work / "slo.yaml", RECORDED_OBJECTIVE)
    out = work / "result.json"
    finished = slocheck(["evaluate", str(slo), "--last", "5m", "--prometheus-url", url, "--json", str(out),
                         "--config", str(write_config(work / "c.yaml")), *extra], work, env)  # fmt: skip
    return finished, out


def test_an_untrusted_certificate_is_an_error_naming_the_fix_and_no_request_is_made(
    https_prometheus: FakePrometheus, work: Path
) -> None:
    finished, out = _evaluate(work, https_prometheus.url)
    (objective,) = read_json(out)["objectives"]
    assert finished.code == 3, finished.output
    assert objective["outcome"] == "ERROR"
    reason = objective["reason"]
    assert reason.startswith(f"error: Prometheus: TLS error talking to {https_prometheus.url}: ")
    assert "certificate verify failed" in reason
    assert reason.endswith("pass --ca-bundle or --insecure")
    assert https_prometheus.requests == []


def test_a_run_against_an_untrusted_certificate_stops_before_any_load(
    https_prometheus: FakePrometheus, target: CountingServer, work: Path
) -> None:
    slo = write_slo(work / "slo.yaml", RECORDED_OBJECTIVE + LOCUST_OBJECTIVES)
    finished = slocheck(
        ["run", str(slo), "--scenario", str(QUICK_USER), "--host", target.url, "--prometheus-url",
         https_prometheus.url, "--out", str(work / "runs"), "--duration", "3s", "--settle", "1s"],
        work,
    )  # fmt: skip
    (line,) = finished.error_lines()
    assert finished.code == 2, finished.output
    assert "TLS error" in line
    assert "certificate verify failed" in line
    assert target.total() == 0
    assert run_dirs(work / "runs") == []


def test_the_ca_bundle_verifies_the_certificate(
    https_prometheus: FakePrometheus, certificate: tuple[str, str], work: Path
) -> None:
    finished, out = _evaluate(work, https_prometheus.url, "--ca-bundle", certificate[0])
    assert finished.code == 0, finished.output
    assert read_json(out)["verdict"] == "PASS"


def test_insecure_skips_verification_when_asked(https_prometheus: FakePrometheus, work: Path) -> None:
    finished, out = _evaluate(work, https_prometheus.url, "--insecure")
    assert finished.code == 0, finished.output
    assert read_json(out)["verdict"] == "PASS"


def test_insecure_prints_no_python_warning(https_prometheus: FakePrometheus, work: Path) -> None:
    finished, _ = _evaluate(work, https_prometheus.url, "--insecure")
    assert finished.code == 0, finished.output
    assert "InsecureRequestWarning" not in finished.stderr


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_a_ca_bundle_in_the_environment_does_not_override_the_ca_bundle_option(
    https_prometheus: FakePrometheus, certificate: tuple[str, str], work: Path, variable: str
) -> None:
    slo = write_slo(work / "slo.yaml", RECORDED_OBJECTIVE)
    finished = slocheck(
        ["validate", "--online", str(slo), "--prometheus-url", https_prometheus.url, "--ca-bundle", certificate[0]],
        work,
        clean_env(**{variable: certifi.where()}),
    )
    assert finished.code == 0, finished.output


def test_a_ca_bundle_in_the_environment_does_not_override_insecure(
    https_prometheus: FakePrometheus, work: Path
) -> None:
    slo = write_slo(work / "slo.yaml", RECORDED_OBJECTIVE)
    finished = slocheck(
        ["validate", "--online", str(slo), "--prometheus-url", https_prometheus.url, "--insecure"],
        work,
        clean_env(REQUESTS_CA_BUNDLE=certifi.where()),
    )
    assert finished.code == 0, finished.output
