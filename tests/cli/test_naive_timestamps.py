"""A `--from`/`--to` without a timezone is read as UTC, and the output says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.command import RECORDED_OBJECTIVE, read_json, slocheck, write_config, write_slo
from tests.support.fake_prometheus import FakePrometheus


def test_a_window_start_without_timezone_is_read_as_utc_and_said(fake_prometheus: FakePrometheus, work: Path) -> None:
    start = (datetime.now(UTC) - timedelta(minutes=10)).replace(microsecond=0, tzinfo=None).isoformat()
    slo = write_slo(work / "slo.yaml", RECORDED_OBJECTIVE)
    args = ["evaluate", str(slo), "--from", start, "--prometheus-url", fake_prometheus.url, "--json", "r.json"]
    result = slocheck([*args, "--config", str(write_config(work / "c.yaml"))], work)
    assert result.code == 0, result.output
    note = f'--from "{start}" has no timezone: read as UTC (add Z or +02:00 to say otherwise)'
    assert f"warning: {note}" in result.stdout
    document = read_json(work / "r.json")
    assert document["notes"] == [note]
    assert document["window"]["start"] == f"{start}+00:00"
