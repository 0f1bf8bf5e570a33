"""JUnit XML and Markdown renderers, against golden files (regenerate with SLOCHECK_UPDATE_GOLDEN=1)."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from slocheck.report.junit import render_junit
from slocheck.report.markdown import render_markdown

from .test_json_report import sample_document

GOLDEN_DIR = Path(__file__).parent / "golden"


def _golden(name: str, text: str) -> str:
    path = GOLDEN_DIR / name
    if os.environ.get("SLOCHECK_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


@pytest.fixture
def document() -> dict[str, Any]:
    return sample_document()


def test_junit_matches_the_golden_file(document: dict[str, Any]) -> None:
    text = render_junit(document)
    assert text == _golden("junit.xml", text)


def test_markdown_matches_the_golden_file(document: dict[str, Any]) -> None:
    text = render_markdown(document)
    assert text == _golden("report.md", text)


def test_junit_has_a_suite_per_slo_set_and_a_case_per_objective(document: dict[str, Any]) -> None:
    root = ET.fromstring(render_junit(document))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == sorted({o["slo_set"] for o in document["objectives"]})
    assert int(root.get("tests", "0")) == len(document["objectives"]) == len(root.findall(".//testcase"))


def test_a_failed_objective_is_a_junit_failure_and_no_data_an_error(document: dict[str, Any]) -> None:
    root = ET.fromstring(render_junit(document))
    by_name = {case.get("name"): case for case in root.iter("testcase")}
    for objective in document["objectives"]:
        case = by_name[objective["name"]]
        expected = {"FAIL": "failure", "INCONCLUSIVE": "error"}.get(objective["counts_as"])
        if not objective["blocking"] and objective["counts_as"] != "PASS":
            expected = "skipped"
        present = {child.tag for child in case} - {"system-out"}
        assert present == ({expected} if expected else set()), objective["name"]


def test_markdown_has_one_row_per_objective_and_the_verdict(document: dict[str, Any]) -> None:
    text = render_markdown(document)
    assert f"**{document['verdict']}**" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) == len(document["objectives"])


def test_markdown_says_how_long_the_run_settled_and_why(document: dict[str, Any]) -> None:
    settle = {"seconds": 1.25, "bound_seconds": 3.0, "reason": "caught up"}
    document["run"] = {**(document.get("run") or {}), "settle": settle}
    assert "Settle wait: 1.2 s of at most 3 s: caught up" in render_markdown(document)


def test_markdown_warns_when_the_settle_bound_expired(document: dict[str, Any]) -> None:
    settle = {"seconds": 3.0, "bound_seconds": 3.0, "reason": "the 3s bound expired before …", "expired": True}
    document["run"] = {**(document.get("run") or {}), "settle": settle}
    assert "**Settle warning**: the 3s bound expired before …" in render_markdown(document)


def test_an_interrupted_run_is_headed_interrupted_never_with_a_pass_tick(document: dict[str, Any]) -> None:
    document |= {"verdict": "PASS", "exit_code": 130, "run": {**(document.get("run") or {}), "interrupted": True}}
    heading = render_markdown(document).splitlines()[0]
    assert heading == "## ⏹️ slocheck verdict: **INTERRUPTED** (exit 130), PASS over the partial window"
