"""An output location that cannot be written is a one-line error (exit 2) before any load."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.command import LOCUST_OBJECTIVES, QUICK_USER, only_run_dir, slocheck, write_slo
from tests.support.counting_server import CountingServer


def _run_args(work: Path, host: str, *extra: str) -> list[str]:
    slo = write_slo(work / "slo.yaml", LOCUST_OBJECTIVES)
    return [
        "run", str(slo), "--scenario", str(QUICK_USER), "--host", host, "--users", "2", "--spawn-rate", "10",
        "--duration", "3s", "--settle", "1s", *extra,
    ]  # fmt: skip


def test_an_output_directory_under_a_regular_file_is_a_one_line_error_before_any_load(
    target: CountingServer, work: Path
) -> None:
    blocker = work / "file.txt"
    blocker.write_text("a file, not a directory\n")
    runs = blocker / "runs"
    result = slocheck(_run_args(work, target.url, "--out", str(runs)), work)
    assert result.code == 2, result.output
    assert result.error_lines() == [
        f"error: output directory {runs}: cannot write there (Not a directory); choose another path"
    ]
    assert target.total() == 0
    assert "Traceback" not in result.output


def test_a_json_report_path_under_a_regular_file_is_a_one_line_error_before_any_load(
    target: CountingServer, work: Path
) -> None:
    blocker = work / "file.txt"
    blocker.write_text("a file, not a directory\n")
    report = blocker / "result.json"
    result = slocheck(_run_args(work, target.url, "--out", str(work / "runs"), "--json", str(report)), work)
    assert result.code == 2, result.output
    (line,) = result.error_lines()
    assert line.startswith(f"error: --json {blocker}: cannot write there (Not a directory)")
    assert target.total() == 0
    assert not (work / "runs").exists() or not any((work / "runs").iterdir())


def test_an_output_root_that_is_a_regular_file_is_a_one_line_error_before_any_load(
    target: CountingServer, work: Path
) -> None:
    blocker = work / "file.txt"
    blocker.write_text("a file, not a directory\n")
    result = slocheck(_run_args(work, target.url, "--out", str(blocker)), work)
    assert result.code == 2, result.output
    (line,) = result.error_lines()
    assert line.startswith(f"error: output directory {blocker}: cannot write there")
    assert target.total() == 0
    assert "internal error" not in result.output


@pytest.fixture
def full_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs filled to the last byte (needs root with CAP_SYS_ADMIN, as in CI containers here)."""
    mountpoint = tmp_path / "full"
    mountpoint.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mountpoint)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        (mountpoint / "runs").mkdir()
        with contextlib.suppress(OSError), (mountpoint / "filler").open("wb") as filler:
            while True:
                filler.write(b"x" * 4096)
                filler.flush()
                os.fsync(filler.fileno())
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True, check=False)


def test_a_full_disk_under_the_output_directory_is_a_one_line_error_before_any_load(
    target: CountingServer, work: Path, full_filesystem: Path
) -> None:
    runs = full_filesystem / "runs"
    result = slocheck(_run_args(work, target.url, "--out", str(runs)), work)
    assert result.code == 2, result.output
    assert result.error_lines() == [
        f"error: output directory {runs}: cannot write there (No space left on device); choose another path"
    ]
    assert target.total() == 0
    assert list(runs.iterdir()) == []


def test_a_report_asked_for_elsewhere_is_also_kept_in_the_run_directory(target: CountingServer, work: Path) -> None:
    reports = work / "reports"
    result = slocheck(_run_args(work, target.url, "--out", str(work / "runs"), "--report-dir", str(reports)), work)
    assert result.code == 0, result.output
    assert {"result.json", "junit.xml", "report.md"} <= {p.name for p in reports.iterdir()}
    assert {"result.json", "junit.xml", "report.md", "report.html"} <= {
        p.name for p in only_run_dir(work / "runs").iterdir()
    }
