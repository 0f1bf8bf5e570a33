"""Write the evidence files a run or an evaluation asked for (JSON, JUnit, Markdown)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slocheck.files import ensure_writable_file, write_atomic
from slocheck.report.html import render_html
from slocheck.report.html_inputs import ReportInputs
from slocheck.report.json_report import render_json
from slocheck.report.junit import render_junit
from slocheck.report.markdown import render_markdown


@dataclass(frozen=True)
class OutputPaths:
    json: str | None = None  # "-" = stdout
    junit: Path | None = None
    markdown: Path | None = None
    report_dir: Path | None = None
    html: Path | None = None  # only when asked for: a run directory gets the full report from the pipeline

    def files(self) -> dict[str, Path]:
        """Every file to write, by format; --report-dir adds the standard names."""
        chosen: dict[str, Path] = {}
        if self.report_dir is not None:
            chosen = {
                "json": self.report_dir / "result.json",
                "junit": self.report_dir / "junit.xml",
                "markdown": self.report_dir / "report.md",
            }
        if self.json and self.json != "-":
            chosen["json"] = Path(self.json)
        if self.junit is not None:
            chosen["junit"] = self.junit
        if self.markdown is not None:
            chosen["markdown"] = self.markdown
        if self.html is not None:
            chosen["html"] = self.html
        return chosen

    def check_writable(self) -> None:
        """Fail before any load or query when an output cannot be written."""
        for kind, path in self.files().items():
            ensure_writable_file(path, f"--{kind}" if kind != "json" or self.json else "--report-dir")


def _render_html(document: Mapping[str, Any]) -> str:
    """The report from the result document alone (evaluate has no Locust history or run context)."""
    return render_html(ReportInputs(document=document))


RENDERERS = {"json": render_json, "junit": render_junit, "markdown": render_markdown, "html": _render_html}


def write_outputs(document: Mapping[str, Any], paths: OutputPaths) -> list[Path]:
    written = []
    for kind, path in paths.files().items():
        write_atomic(path, RENDERERS[kind](document))
        written.append(path)
    if paths.json == "-":
        sys.stdout.write(render_json(document))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        # GitHub Actions shows this file on the run's page; append so other steps' summaries survive.
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(render_markdown(document) + "\n")
    return written
