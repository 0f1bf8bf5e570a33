"""Fixtures for the report tests: the real demo runs in data/ (see make_data.py), copied so tests may edit them."""

from __future__ import annotations

import json
import shutil
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from slocheck.app.report_inputs import load_report_inputs
from slocheck.demo.prometheus_server import PrometheusServer
from slocheck.report.html import render_html
from tests.report.context_exporter import CONTEXT_JOB, context_exporter
from tests.support.paths import BASELINE, RUN


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A copy of the stored FAIL run (5 % injected server errors)."""
    target = tmp_path / "run"
    shutil.copytree(RUN, target)
    return target


@pytest.fixture(scope="session")
def report_html() -> str:
    """The HTML report of the stored run, compared with the stored baseline."""
    return render_html(load_report_inputs(RUN, BASELINE))


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
