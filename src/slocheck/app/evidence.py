"""Write the evidence files a run or an evaluation asked for (JSON, JUnit, Markdown)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slocheck.app.files import ensure_writable_file, write_atomic
from slocheck.core.errors import EXIT_FAIL, EXIT_INCONCLUSIVE, EXIT_INTERRUPTED, ConfigError, OutputError
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
    run_dir: Path | None = None  # a run's own directory always gets the standard names, whatever else is asked
    stdout_taken: bool = False  # something else (run's `--html -`) writes to stdout: the table goes to stderr

    def to_stdout(self) -> list[str]:
        """The formats asked for as `-` (stdout), e.g. `--json -` or `--html -`."""
        asked = {"json": self.json, "junit": self.junit, "markdown": self.markdown, "html": self.html}
        return [kind for kind, path in asked.items() if path is not None and str(path) == STDOUT]

    @property
    def stdout_busy(self) -> bool:
        return self.stdout_taken or bool(self.to_stdout())

    def files(self) -> list[tuple[str, Path, str]]:
        """Every (format, file, option that asked for it): the standard names in --report-dir and the run
        directory, then the explicit --json/--junit/--markdown/--html paths."""
        chosen: list[tuple[str, Path, str]] = []
        for directory, option in ((self.run_dir, "--out"), (self.report_dir, "--report-dir")):
            if directory is not None:
                chosen += [(kind, directory / name, option) for kind, name in STANDARD_NAMES.items()]
        explicit = {"json": Path(self.json) if self.json else None}
        explicit |= {"junit": self.junit, "markdown": self.markdown, "html": self.html}
        chosen += [(kind, path, f"--{kind}") for kind, path in explicit.items() if path and str(path) != STDOUT]
        unique: dict[Path, tuple[str, Path, str]] = {}
        for entry in chosen:
            unique.setdefault(entry[1], entry)
        return list(unique.values())

    def check_writable(self) -> None:
        """Fail before any load or query when an output cannot be written."""
        if len(self.to_stdout()) > 1:
            options = " and ".join(f"--{kind} -" for kind in self.to_stdout())
            raise ConfigError(f"{options}: only one report can go to stdout; give the others a file name")
        for _, path, option in self.files():
            ensure_writable_file(path, option)


STDOUT = "-"
STANDARD_NAMES = {"json": "result.json", "junit": "junit.xml", "markdown": "report.md"}


def _render_html(document: Mapping[str, Any]) -> str:
    """The report from the result document alone (evaluate has no Locust history or run context)."""
    return render_html(ReportInputs(document=document))


RENDERERS = {"json": render_json, "junit": render_junit, "markdown": render_markdown, "html": _render_html}


@dataclass
class Written:
    files: list[Path]
    failures: list[OutputError]


def write_outputs(document: Mapping[str, Any], paths: OutputPaths) -> Written:
    """Every requested file; one that cannot be written is recorded (naming it) and the others are still written."""
    written = Written([], [])
    for kind, path, _ in paths.files():
        try:
            write_atomic(path, RENDERERS[kind](document))
        except OutputError as exc:
            written.failures.append(exc)
            continue
        written.files.append(path)
    for kind in paths.to_stdout():
        sys.stdout.write(RENDERERS[kind](document))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        # GitHub Actions shows this file on the run's page; append so other steps' summaries survive.
        try:
            with open(summary, "a", encoding="utf-8") as handle:
                handle.write(render_markdown(document) + "\n")
        except OSError as exc:
            written.failures.append(OutputError(f"cannot write GITHUB_STEP_SUMMARY {summary}: {exc.strerror or exc}"))
    return written


def exit_code_with_evidence(verdict_code: int, failures: Sequence[OutputError]) -> int:
    """The verdict's exit code wins when it already stops the pipeline (FAIL 1, INCONCLUSIVE 3, interrupted 130);
    a PASS or WARN whose evidence could not all be written becomes 3: a gate never passes without its evidence."""
    if not failures or verdict_code in (EXIT_FAIL, EXIT_INCONCLUSIVE, EXIT_INTERRUPTED):
        return verdict_code
    return EXIT_INCONCLUSIVE
