"""The HTML report in a real headless Chromium (Debian's `chromium`): it loads with no console errors, no failed
resource, and renders to a non-trivial PNG."""

from __future__ import annotations

import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

from .cdp import CHROMIUM_FLAGS, chromium_binary, load_page

pytestmark = pytest.mark.skipif(
    chromium_binary() is None, reason="chromium is not installed (apt-get install -y --no-install-recommends chromium)"
)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def distinct_bytes(data: bytes) -> int:
    """How varied the decoded pixel data is: a blank page has a handful of values, a report hundreds."""
    chunks, offset = [], 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if kind == b"IDAT":
            chunks.append(data[offset + 8 : offset + 8 + length])
        offset += 12 + length
    return len(set(zlib.decompress(b"".join(chunks))))


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory, report_html: str) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(report_html, encoding="utf-8")
    return path


def test_the_report_renders_to_a_png_with_the_command_line_screenshot(report_file: Path, tmp_path: Path) -> None:
    binary = chromium_binary()
    assert binary is not None
    png = tmp_path / "report.png"
    with tempfile.TemporaryDirectory(prefix="slocheck-chromium-") as profile:
        argv = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={png}",
                "--window-size=1280,4000", report_file.as_uri()]  # fmt: skip
        subprocess.run(argv, check=True, capture_output=True, timeout=120)
    data = png.read_bytes()
    assert png_size(data) == (1280, 4000)
    assert len(data) > 100_000
    assert distinct_bytes(data) > 200


def test_the_report_loads_with_no_console_error_and_no_failed_resource(report_file: Path) -> None:
    page = load_page(report_file)
    assert page.problems == []
    assert page.console == []
    assert png_size(page.png)[0] == 1280


def test_the_console_check_does_catch_errors_and_failed_resources(tmp_path: Path) -> None:
    """The check above is only worth something if it sees problems when there are some."""
    broken = tmp_path / "broken.html"
    broken.write_text('<!DOCTYPE html><img src="missing.png"><script>console.error("boom")</script>', encoding="utf-8")
    problems = load_page(broken, 400, 300).problems
    assert any("console.error: boom" in p for p in problems)
    assert any("missing.png" in p for p in problems)
