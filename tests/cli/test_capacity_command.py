"""`slocheck capacity` end to end against a real HTTP server: the steps, result.json and the --require gate."""

import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from slocheck.__main__ import main
from tests.support.counting_server import CountingServer

DATA = Path(__file__).parents[1] / "load" / "data"
SLO = """\
apiVersion: slocheck/v1
kind: SLOSet
metadata:
  name: cap
spec:
  service: api
  objectives:
    - name: p95
      indicator:
        locust: {stat: p95}
      pass: "< 1s"
"""

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture
def server() -> Iterator[CountingServer]:
    with CountingServer(delay=0.0) as running:
        yield running


def capacity(server: CountingServer, tmp_path: Path, require: str, *extra: str) -> int:
    slo = tmp_path / "slo.yaml"
    slo.write_text(SLO, encoding="utf-8")
    argv = ["capacity", str(slo), "--scenario", str(DATA / "iteration_locustfile.py"), "--host", server.url]
    argv += ["--start", "10/s", "--max", "20/s", "--step", "10/s", "--hold", "1s", "--require", require]
    return main([*argv, "--out", str(tmp_path / "runs"), *extra])


def test_every_step_holding_meets_a_lower_requirement_and_records_every_step(
    server: CountingServer, tmp_path: Path
) -> None:
    assert capacity(server, tmp_path, "15/s") == 0

    (result,) = (tmp_path / "runs").glob("capacity-*/result.json")
    document = json.loads(result.read_text(encoding="utf-8"))
    assert [s["rate"] for s in document["steps"]] == [10, 20]
    assert [s["client"]["arrivals"]["scheduled"] for s in document["steps"]] == [10, 20]
    assert document["capacity"] == 20
    assert document["first_broken"] is None
    html = (result.parent / "report.html").read_text(encoding="utf-8")
    assert "Capacity: 20" in html
    assert html.count('class="held"') == 2  # one p95 bar per step


def test_a_requirement_above_the_capacity_found_exits_1(server: CountingServer, tmp_path: Path) -> None:
    assert capacity(server, tmp_path, "100/s") == 1


def test_local_workers_share_each_steps_schedule_exactly(server: CountingServer, tmp_path: Path) -> None:
    assert capacity(server, tmp_path, "15/s", "--workers", "2") == 0

    (result,) = (tmp_path / "runs").glob("capacity-*/result.json")
    document = json.loads(result.read_text(encoding="utf-8"))
    assert [s["client"]["arrivals"]["scheduled"] for s in document["steps"]] == [10, 20]
    assert [s["client"]["aggregated"]["requests"] for s in document["steps"]] == [10, 20]
    assert [s["workers"] for s in document["steps"]] == [2, 2]
