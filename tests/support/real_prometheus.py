"""Fixtures (a plugin of the root conftest.py), real servers: a Prometheus (Debian's binary) scraping a known
exporter."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from slocheck_demo.prometheus_server import PrometheusServer
from tests.support.known_exporter import KnownExporter

# Seconds of 1 s scrapes collected before tests query, so every window they use has data.
WARMUP_SECONDS = 6


def _query(url: str, promql: str) -> list[dict[str, object]]:
    params = urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(f"{url}/api/v1/query?{params}", timeout=5) as response:
        result: list[dict[str, object]] = json.load(response)["data"]["result"]
        return result


@pytest.fixture(scope="session")
def known_exporter() -> Iterator[KnownExporter]:
    exporter = KnownExporter().start()
    yield exporter
    exporter.stop()


@pytest.fixture(scope="session")
def prometheus(tmp_path_factory: pytest.TempPathFactory, known_exporter: KnownExporter) -> Iterator[str]:
    """A real Prometheus that has scraped the known exporter for WARMUP_SECONDS."""
    server = PrometheusServer(tmp_path_factory.mktemp("prometheus"), {"known": [known_exporter.address]}).start()
    try:
        deadline = time.monotonic() + 30
        while not _query(server.url, f'count_over_time(up{{job="known"}}[1m]) >= {WARMUP_SECONDS}'):
            if time.monotonic() > deadline:
                raise RuntimeError(f"Prometheus did not collect {WARMUP_SECONDS} scrapes; see {server.workdir}")
            time.sleep(0.5)
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def slo_file(tmp_path: Path) -> Callable[..., Path]:
    """Write an SLO file with the given objectives (YAML text) and return its path."""

    def write(objectives: str, name: str = "known") -> Path:
        path = tmp_path / f"{name}.yaml"
        header = f"apiVersion: slocheck/v1\nkind: SLOSet\nmetadata: {{name: {name}}}\nspec:\n  service: known\n"
        path.write_text(header + "  objectives:\n" + objectives, encoding="utf-8")
        return path

    return write
