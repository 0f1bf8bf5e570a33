"""`slocheck init` against a real Prometheus scraping the demo service and an exporter slocheck does not know."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from slocheck.__main__ import main
from slocheck.core.spec.loader import load_slo_files
from slocheck_demo.prometheus_server import PrometheusServer
from tests.demo.helpers import DemoClient, running
from tests.support.known_exporter import KnownExporter

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("cli_env")]


def _has(url: str, promql: str) -> bool:
    with urllib.request.urlopen(f"{url}/api/v1/query?{urllib.parse.urlencode({'query': promql})}", timeout=5) as r:
        return bool(json.load(r)["data"]["result"])


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Prometheus scraping the demo service (after some traffic, also LLM calls) and the known exporter."""
    exporter = KnownExporter().start()
    with running(DemoClient(tmp_path_factory.mktemp("service"))) as service:
        token = service.token()
        for _ in range(3):
            service.run_agent(token)
        targets = {"paracle-api": [f"127.0.0.1:{service.port}"], "known": [exporter.address]}
        server = PrometheusServer(tmp_path_factory.mktemp("prometheus"), targets).start()
        try:
            deadline = time.monotonic() + 30
            while not _has(server.url, 'count_over_time(up{job="paracle-api"}[1m]) >= 3'):
                assert time.monotonic() < deadline, f"no scrapes; see {server.workdir}"
                time.sleep(0.5)
            for _ in range(3):
                service.run_agent(token)
            time.sleep(2)
            yield server.url
        finally:
            server.stop()
            exporter.stop()


def test_init_writes_real_queries_for_the_demo_service_that_validate_online(prometheus: str, tmp_path: Path) -> None:
    out = tmp_path / "slo" / "api.yaml"
    assert main(["init", "--prometheus-url", prometheus, "--job", "paracle-api", "-o", str(out)]) == 0
    (slo_set,) = load_slo_files([out])
    names = [o.name for o in slo_set.objectives]
    assert {"http-p95-latency", "http-error-rate", "http-throughput", "db-pool-utilisation"} <= set(names)
    assert {"llm-p95-latency", "llm-error-rate", "llm-token-rate"} <= set(names)
    assert main(["validate", "--online", str(out), "--prometheus-url", prometheus]) == 0


def test_every_starter_bar_is_marked_for_the_user_to_set(prometheus: str, tmp_path: Path) -> None:
    out = tmp_path / "api.yaml"
    assert main(["init", "--prometheus-url", prometheus, "--job", "paracle-api", "-o", str(out)]) == 0
    bars = [line for line in out.read_text().splitlines() if line.strip().startswith("pass:")]
    assert bars
    assert all("# SET YOUR BAR:" in line for line in bars)


def test_the_status_label_of_the_request_counter_is_found(prometheus: str, tmp_path: Path) -> None:
    out = tmp_path / "api.yaml"
    assert main(["init", "--prometheus-url", prometheus, "--job", "paracle-api", "-o", str(out)]) == 0
    (slo_set,) = load_slo_files([out])
    error_rate = next(o for o in slo_set.objectives if o.name == "http-error-rate")
    assert 'status=~"5.."' in error_rate.indicator.query  # type: ignore[union-attr]


def test_a_service_with_nothing_recognised_is_said_plainly_and_no_file_is_written(
    prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "known.yaml"
    assert main(["init", "--prometheus-url", prometheus, "--job", "known", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert 'found no metrics slocheck recognises for job "known"' in err
    assert not out.exists()


def test_an_existing_file_is_kept_unless_force_is_given(
    prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "api.yaml"
    out.write_text("mine\n")
    assert main(["init", "--prometheus-url", prometheus, "--job", "paracle-api", "-o", str(out)]) == 2
    assert out.read_text() == "mine\n"
    assert "pass --force" in capsys.readouterr().err
