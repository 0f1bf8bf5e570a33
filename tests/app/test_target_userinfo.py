"""`run --host http://user:password@host`: the credentials reach the target, and nowhere else."""

from __future__ import annotations

import base64
from pathlib import Path

from tests.support.command import LOCUST_OBJECTIVES, QUICK_USER, only_run_dir, slocheck, write_slo
from tests.support.counting_server import CountingServer

PASSWORD = "s3cret-target-pw"


def test_the_target_url_is_shown_without_its_user_and_password_everywhere(target: CountingServer, work: Path) -> None:
    host = target.url.replace("http://", f"http://tester:{PASSWORD}@")
    slo = write_slo(work / "slo.yaml", LOCUST_OBJECTIVES)
    reports = ["--json", "r.json", "--junit", "r.xml", "--markdown", "r.md", "--html", "r.html"]
    args = [
        "run", str(slo), "--scenario", str(QUICK_USER), "--host", host, "--users", "2", "--spawn-rate", "10",
        "--duration", "2s", "--settle", "0.1s", "--out", str(work / "runs"), *reports,
    ]  # fmt: skip
    result = slocheck(args, work)
    assert result.code == 0, result.output
    assert f"load on {target.url}" in result.output
    encoded = base64.b64encode(f"tester:{PASSWORD}".encode()).decode()
    files = [p for p in [*only_run_dir(work / "runs").rglob("*"), *work.glob("r.*")] if p.is_file()]
    leaking = [
        p.name for p in files if PASSWORD in p.read_text(errors="replace") or encoded in p.read_text(errors="replace")
    ]
    assert leaking == []
    assert PASSWORD not in result.output
    with target.lock:
        sent = [h.get("authorization") for h in target.headers]
    assert f"Basic {encoded}" in sent  # still used to reach the target
