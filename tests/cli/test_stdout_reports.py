"""`-` means stdout for every report option, as for `--json -`: never a file named `-`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.command import (
    LOCUST_OBJECTIVES,
    QUICK_USER,
    RECORDED_OBJECTIVE,
    only_run_dir,
    slocheck,
    write_config,
    write_slo,
)
from tests.support.counting_server import CountingServer
from tests.support.fake_prometheus import FakePrometheus


def _args(work: Path, prometheus: FakePrometheus, *extra: str) -> list[str]:
    slo = write_slo(work / "slo.yaml", RECORDED_OBJECTIVE)
    config = write_config(work / "slocheck.yaml")
    return ["evaluate", str(slo), "--last", "5m", "--prometheus-url", prometheus.url, "--config", str(config), *extra]


@pytest.mark.parametrize(
    ("option", "start"), [("--html", "<!doctype html>"), ("--markdown", "## "), ("--junit", "<?xml")]
)
def test_a_report_asked_for_as_dash_goes_to_stdout_and_the_table_to_stderr(
    fake_prometheus: FakePrometheus, work: Path, option: str, start: str
) -> None:
    result = slocheck(_args(work, fake_prometheus, option, "-"), work)
    assert result.code == 0, result.output
    assert result.stdout.lower().startswith(start.lower())
    assert "verdict: PASS" in result.stderr
    assert not (work / "-").exists()


def test_two_reports_on_stdout_are_refused_before_measuring(fake_prometheus: FakePrometheus, work: Path) -> None:
    result = slocheck(_args(work, fake_prometheus, "--json", "-", "--html", "-"), work)
    assert result.code == 2
    assert result.error_lines() == [
        "error: --json - and --html -: only one report can go to stdout; give the others a file name"
    ]
    assert fake_prometheus.seen("/api/v1/query") == []


def test_run_html_dash_writes_the_full_report_to_stdout(target: CountingServer, work: Path) -> None:
    slo = write_slo(work / "slo.yaml", LOCUST_OBJECTIVES)
    args = [
        "run", str(slo), "--scenario", str(QUICK_USER), "--host", target.url, "--users", "2", "--spawn-rate", "10",
        "--duration", "2s", "--settle", "0.1s", "--out", str(work / "runs"), "--html", "-",
    ]  # fmt: skip
    result = slocheck(args, work)
    assert result.code == 0, result.output
    assert result.stdout.lower().startswith("<!doctype html>")
    assert result.stdout == (only_run_dir(work / "runs") / "report.html").read_text()
    assert "verdict: PASS" in result.stderr
    assert not (work / "-").exists()
