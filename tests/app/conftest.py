"""Fixtures for the application-layer tests: a real Prometheus scraping the context exporter."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from slocheck_demo.prometheus_server import PrometheusServer
from tests.support.context_exporter import CONTEXT_JOB, context_exporter

# Seconds of 1 s scrapes before the context is queried: the 6 s window plus its 4 s rate window, with margin.
WARMUP_SECONDS = 14


@pytest.fixture(scope="session")
def context_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prometheus scraping the context exporter every second, warmed up."""
    exporter = context_exporter().start()
    server = PrometheusServer(tmp_path_factory.mktemp("prometheus"), {CONTEXT_JOB: [exporter.address]}).start()
    try:
        deadline = time.monotonic() + 40
        query = urllib.parse.urlencode({"query": f'count_over_time(up{{job="{CONTEXT_JOB}"}}[1m]) >= {WARMUP_SECONDS}'})
        while True:
            with urllib.request.urlopen(f"{server.url}/api/v1/query?{query}", timeout=5) as response:
                if json.load(response)["data"]["result"]:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"Prometheus did not collect {WARMUP_SECONDS} scrapes; see {server.workdir}")
            time.sleep(0.5)
        yield server.url
    finally:
        server.stop()
        exporter.stop()
