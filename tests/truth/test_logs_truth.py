"""Ground truth for logs: the demo service pushes one access line per request to a (fake, real-HTTP) Loki; the
`loki: {count: …}` objective of a `slocheck run` must equal the lines pushed in the window and Locust's count."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.demo.helpers import DemoClient, running
from tests.support.fake_loki import FakeLoki
from tests.truth.runs import run_agent_platform

TENANT = "truth"
SLO = """\
apiVersion: slocheck/v1
kind: SLOSet
metadata: {name: logs}
spec:
  service: paracle-api
  objectives:
    - name: access-lines
      indicator: {loki: {count: '{app="paracle-api"} |= "\\"msg\\":\\"request\\""'}}
      pass: ">= 1"
    - {name: client-count, indicator: {locust: {stat: count}}, pass: ">= 1"}
"""


@pytest.fixture(scope="module")
def pushed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], int]:
    """(slocheck's values by objective, access lines the service pushed inside the run window)."""
    work = tmp_path_factory.mktemp("logs")
    loki = FakeLoki().start()
    try:
        with running(DemoClient(work, ["--loki-url", loki.url, "--loki-tenant", TENANT])) as service:
            values, start, end = run_agent_platform(work, SLO, service.url, "--loki-url", loki.url,
                                                    "--loki-tenant", TENANT)  # fmt: skip
        lines = [line for line in loki.tenant_lines(TENANT) if json.loads(line.text)["msg"] == "request"]
        inside = sum(1 for line in lines if start < line.ts_ns <= end)
    finally:
        loki.stop()
    return values, inside


def test_the_loki_count_equals_the_access_lines_pushed_and_the_client_count(pushed: tuple[dict[str, Any], int]) -> None:
    values, inside = pushed
    assert inside > 0
    assert values["access-lines"] == inside == values["client-count"]
