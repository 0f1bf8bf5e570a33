"""`slocheck report RUN_DIR`: every format re-rendered from the stored run, with the network switched off."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

from slocheck.__main__ import main
from slocheck.report.json_report import render_json
from slocheck.report.junit import render_junit
from slocheck.report.markdown import render_markdown
from tests.support.paths import BASELINE

from .htmlcheck import read_page


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test: re-rendering needs no backend."""

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("slocheck report tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("SLOCHECK_PROMETHEUS_URL", "http://127.0.0.1:9")


def document(run_dir: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((run_dir / "result.json").read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize(
    ("format", "name", "render"),
    [("md", "report.md", render_markdown), ("junit", "report.xml", render_junit), ("json", "report.json", render_json)],
)
def test_each_format_is_rendered_from_result_json_by_the_existing_renderer(
    run_dir: Path, format: str, name: str, render: Any
) -> None:
    assert main(["report", str(run_dir), "--format", format]) == 0
    assert (run_dir / name).read_text(encoding="utf-8") == render(document(run_dir))


def test_html_is_the_default_format(run_dir: Path) -> None:
    assert main(["report", str(run_dir)]) == 0
    page = read_page((run_dir / "report.html").read_text(encoding="utf-8"))
    assert page.problems == []
    assert "objectives" in page.headings


def test_a_baseline_run_adds_the_comparison(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "compare.html"
    assert main(["report", str(run_dir), "--baseline", str(BASELINE), "-o", str(out)]) == 0
    baseline_id = document(BASELINE)["run"]["id"]
    assert baseline_id in read_page(out.read_text(encoding="utf-8")).text["baseline"]


def test_dash_writes_to_stdout(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(run_dir), "--format", "md", "-o", "-"]) == 0
    assert capsys.readouterr().out == render_markdown(document(run_dir))
    assert not (run_dir / "report.md").exists()


def test_a_directory_without_result_json_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: {tmp_path}: no result.json here; pass a run directory (e.g. .slocheck/runs/<id>)"


def test_a_baseline_with_another_format_than_html_is_refused(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(run_dir), "--format", "md", "--baseline", str(BASELINE)]) == 2
    assert "html report only" in capsys.readouterr().err


def test_a_run_with_only_result_json_still_renders(tmp_path: Path, run_dir: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copyfile(run_dir / "result.json", bare / "result.json")
    assert main(["report", str(bare)]) == 0
    page = read_page((bare / "report.html").read_text(encoding="utf-8"))
    assert page.problems == []
    assert "no data" in page.text["resources"]
