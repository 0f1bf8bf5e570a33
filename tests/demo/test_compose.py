"""docker-compose.yml and the configs it mounts: valid for Compose and Prometheus, pinned, bound to 127.0.0.1."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.paths import REPO_ROOT

COMPOSE = REPO_ROOT / "docker-compose.yml"


def binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (make test installs it: scripts/install-system-deps.sh)")
    return found


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def test_the_compose_file_is_valid_for_docker_compose() -> None:
    result = subprocess.run(
        [binary("docker-compose"), "-f", str(COMPOSE), "config", "-q"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")


def test_the_prometheus_config_is_valid_for_promtool() -> None:
    config = REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml"
    result = subprocess.run(
        [binary("promtool"), "check", "config", str(config)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_image_is_pinned_to_a_version(compose: dict[str, Any]) -> None:
    images = {name: service["image"] for name, service in compose["services"].items() if "build" not in service}
    unpinned = {name: image for name, image in images.items() if ":" not in image or image.endswith(":latest")}
    assert unpinned == {}


def test_every_published_port_is_bound_to_localhost(compose: dict[str, Any]) -> None:
    ports = [str(p) for service in compose["services"].values() for p in service.get("ports", [])]
    assert ports
    assert [p for p in ports if not p.startswith("127.0.0.1:")] == []


def test_the_stack_has_every_part_slocheck_measures(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) >= {
        "demo-service",
        "postgres",
        "postgres-exporter",
        "redis",
        "redis-exporter",
        "prometheus",
        "grafana",
        "loki",
        "jaeger",
    }


def test_the_demo_service_is_built_here_and_talks_to_the_stacks_datastores(compose: dict[str, Any]) -> None:
    service = compose["services"]["demo-service"]
    command = service["command"]
    assert service["build"]["dockerfile"] == "Dockerfile"
    assert command[:6] == ["slocheck", "demo-service", "--host", "0.0.0.0", "--port", "8000"]
    assert command[command.index("--database-url") + 1].startswith("postgresql://slocheck:slocheck@postgres:5432/")
    assert command[command.index("--redis-url") + 1] == "redis://redis:6379/0"


def test_prometheus_scrapes_the_demo_service_as_the_job_the_slo_files_name() -> None:
    config = yaml.safe_load((REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"))
    jobs = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    assert jobs["paracle-api"] == ["demo-service:8000"]
    assert jobs["postgres"] == ["postgres-exporter:9187"]
    assert jobs["redis"] == ["redis-exporter:9121"]


def test_every_file_the_stack_mounts_exists_in_the_repository(compose: dict[str, Any]) -> None:
    mounts = [str(v).split(":")[0] for service in compose["services"].values() for v in service.get("volumes", [])]
    local = [m for m in mounts if m.startswith("./")]
    assert local
    assert [m for m in local if not (REPO_ROOT / m).exists()] == []


def test_grafana_gets_the_three_data_sources_and_the_dashboards_directory(compose: dict[str, Any]) -> None:
    provisioning = REPO_ROOT / "deploy" / "grafana" / "provisioning"
    sources = yaml.safe_load((provisioning / "datasources" / "datasources.yaml").read_text(encoding="utf-8"))
    providers = yaml.safe_load((provisioning / "dashboards" / "slocheck.yaml").read_text(encoding="utf-8"))
    assert {s["type"]: s["url"] for s in sources["datasources"]} == {
        "prometheus": "http://prometheus:9090",
        "loki": "http://loki:3100",
        "jaeger": "http://jaeger:16686",
    }
    assert "./dashboards:/var/lib/grafana/dashboards:ro" in compose["services"]["grafana"]["volumes"]
    assert providers["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


def test_jaeger_accepts_otlp(compose: dict[str, Any]) -> None:
    jaeger = compose["services"]["jaeger"]
    assert jaeger["environment"]["COLLECTOR_OTLP_ENABLED"] == "true"
    assert {"127.0.0.1:4317:4317", "127.0.0.1:4318:4318"} <= set(jaeger["ports"])


def test_the_image_build_context_keeps_only_what_the_image_needs() -> None:
    ignored = set((REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".git", ".venv", "tests"} <= ignored
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY src ./src" in dockerfile
    assert "COPY demo/src ./demo/src" in dockerfile  # the demo image is built from the demo package
    assert Path(REPO_ROOT / "demo" / "src" / "slocheck_demo" / "service.py").exists()
