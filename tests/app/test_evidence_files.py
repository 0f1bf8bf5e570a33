"""Evidence files never damage what is at the path: devices and FIFOs are written in place, symlinks followed,
modes kept; a file that cannot be written is named, and the verdict's exit code wins unless it was a pass."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from slocheck.app.files import write_atomic
from slocheck.core.errors import OutputError
from tests.support.command import RECORDED_OBJECTIVE, slocheck, write_config, write_slo
from tests.support.fake_prometheus import FakePrometheus

FAILING_OBJECTIVE = """\
    - name: error-ratio
      indicator: {prometheus: {query: 'demo:error_ratio:rate1m'}}
      pass: "< 1%"
"""


def _evaluate(work: Path, prometheus: FakePrometheus, objectives: str, *extra: str) -> list[str]:
    slo = write_slo(work / "slo.yaml", objectives)
    config = write_config(work / "slocheck.yaml")
    return ["evaluate", str(slo), "--last", "5m", "--prometheus-url", prometheus.url, "--config", str(config), *extra]


def _device(path: Path, minor: int) -> Path:
    """A character device like /dev/null (minor 3) or /dev/full (minor 7), made where the test can throw it away."""
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    return path


def test_a_symlink_is_followed_and_its_target_written_the_link_stays(tmp_path: Path) -> None:
    target = tmp_path / "target.xml"
    target.write_text("old\n")
    link = tmp_path / "link.xml"
    link.symlink_to(target.name)
    write_atomic(link, "new\n")
    assert link.is_symlink()
    assert os.readlink(link) == "target.xml"
    assert target.read_text() == "new\n"


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "made.json")
    write_atomic(link, "{}\n")
    assert link.is_symlink()
    assert (tmp_path / "made.json").read_text() == "{}\n"


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_text("old\n")
    path.chmod(0o640)
    write_atomic(path, "new\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_text() == "new\n"


def test_a_new_file_gets_the_mode_the_umask_allows(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        write_atomic(tmp_path / "result.json", "{}\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "result.json").stat().st_mode) == 0o640


def test_a_device_is_written_in_place_never_replaced(tmp_path: Path) -> None:
    null = _device(tmp_path / "mynull", 3)
    write_atomic(null, "<testsuites/>\n")
    assert stat.S_ISCHR(null.stat().st_mode)


def test_a_device_that_cannot_take_the_bytes_is_an_error_naming_the_file(tmp_path: Path) -> None:
    full = _device(tmp_path / "myfull", 7)
    with pytest.raises(OutputError, match=rf"^cannot write {full}: No space left on device$"):
        write_atomic(full, "x" * 100)
    assert stat.S_ISCHR(full.stat().st_mode)


def test_evaluate_writes_a_device_in_place_and_follows_a_symlink(fake_prometheus: FakePrometheus, work: Path) -> None:
    null = _device(work / "mynull", 3)
    target = work / "target.json"
    (work / "link.json").symlink_to(target.name)
    args = _evaluate(work, fake_prometheus, RECORDED_OBJECTIVE, "--junit", str(null), "--json", "link.json")
    result = slocheck(args, work)
    assert result.code == 0, result.output
    assert stat.S_ISCHR(null.stat().st_mode)
    assert (work / "link.json").is_symlink()
    assert '"verdict": "PASS"' in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # the umask of the test process (022)


def test_a_pass_whose_evidence_cannot_be_written_exits_3_naming_the_file(
    fake_prometheus: FakePrometheus, work: Path
) -> None:
    full = _device(work / "myfull", 7)
    result = slocheck(_evaluate(work, fake_prometheus, RECORDED_OBJECTIVE, "--html", str(full)), work)
    assert result.code == 3, result.output
    assert "verdict: PASS" in result.stdout
    assert result.error_lines() == [
        f"error: cannot write {full}: No space left on device",
        "error: the evidence is incomplete (1 file(s) not written); exit 3: the gate never passes without it",
    ]
    assert "internal error" not in result.output


def test_a_fail_whose_evidence_cannot_be_written_keeps_exit_1(fake_prometheus: FakePrometheus, work: Path) -> None:
    full = _device(work / "myfull", 7)
    report = work / "result.json"
    args = _evaluate(work, fake_prometheus, FAILING_OBJECTIVE, "--html", str(full), "--json", str(report))
    result = slocheck(args, work)
    assert result.code == 1, result.output
    assert f"error: cannot write {full}: No space left on device" in result.error_lines()
    assert '"verdict": "FAIL"' in report.read_text()  # the other files are still written
