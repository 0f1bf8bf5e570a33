"""A dead target never passes: latency and rps are over successful requests, and a run without one success is
INCONCLUSIVE; failures that no objective judges are said on the console, in result.json and in the report."""

from __future__ import annotations

from pathlib import Path

from tests.support.command import QUICK_USER, only_run_dir, read_json, slocheck, write_slo
from tests.support.counting_server import CountingServer
from tests.support.net import closed_port

HALF_FAILING_USER = Path(__file__).with_name("data") / "half_failing_user.py"
CLIENT_ONLY = """\
    - name: client-p95
      indicator: {locust: {stat: p95}}
      pass: "< 500ms"
    - name: client-rps
      indicator: {locust: {stat: rps}}
      pass: "> 1/s"
"""


def _run(work: Path, host: str, scenario: Path) -> list[str]:
    slo = write_slo(work / "p95only.yaml", CLIENT_ONLY)
    return [
        "run", str(slo), "--scenario", str(scenario), "--host", host, "--users", "2", "--spawn-rate", "10",
        "--duration", "3s", "--settle", "0.1s", "--out", str(work / "runs"),
    ]  # fmt: skip


def test_a_target_refusing_every_connection_does_not_pass_client_latency_and_rps(work: Path) -> None:
    result = slocheck(_run(work, f"http://127.0.0.1:{closed_port()}", QUICK_USER), work)
    assert result.code == 3, result.output
    document = read_json(only_run_dir(work / "runs") / "result.json")
    assert document["verdict"] == "INCONCLUSIVE"
    assert {o["outcome"] for o in document["objectives"]} == {"NO_DATA"}
    assert document["objectives"][0]["reason"].startswith("no data: no request succeeded (")
    assert any("a run in which no request succeeded never passes" in note for note in document["notes"])
    assert "warning: no request succeeded" in result.stdout


def test_failed_requests_that_no_objective_judges_are_said_everywhere(target: CountingServer, work: Path) -> None:
    result = slocheck(_run(work, target.url, HALF_FAILING_USER), work)
    assert result.code == 0, result.output
    run_dir = only_run_dir(work / "runs")
    (note,) = read_json(run_dir / "result.json")["notes"]
    assert "requests failed" in note
    assert "no blocking objective judges client failures" in note
    assert f"warning: {note}" in result.stdout
    assert "no blocking objective judges client failures" in (run_dir / "report.md").read_text()
    assert "no blocking objective judges client failures" in (run_dir / "report.html").read_text()
