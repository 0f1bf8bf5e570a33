"""`slocheck report RUN_DIR`: re-render a stored run's evidence without asking any backend.

Reads result.json (required) and, when present, run.json, context.json and Locust's CSV files from the run
directory; writes one format to `RUN_DIR/report.<ext>` (or `-o FILE`, `-o -` for stdout).
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from slocheck.app.files import write_atomic
from slocheck.cli.app import app
from slocheck.cli.options import (
    BaselineAnyOption,
    DebugOption,
    stderr_console,
)
from slocheck.core.errors import ConfigError


class ReportFormat(enum.Enum):
    HTML = "html"
    MD = "md"
    JUNIT = "junit"
    JSON = "json"


EXTENSIONS = {ReportFormat.HTML: "html", ReportFormat.MD: "md", ReportFormat.JUNIT: "xml", ReportFormat.JSON: "json"}


def render_stored_run(run_dir: Path, format: ReportFormat, baseline: Path | None = None) -> str:
    """The run directory's result document in `format`; only html uses the other files and a baseline."""
    from slocheck.app.report_inputs import load_report_inputs
    from slocheck.app.runstore import read_result

    if baseline is not None and format is not ReportFormat.HTML:
        raise ConfigError(f"--baseline compares runs in the html report only, not in --format {format.value}")
    if format is ReportFormat.HTML:
        from slocheck.report.html import render_html

        return render_html(load_report_inputs(run_dir, baseline))
    document = read_result(run_dir)
    if format is ReportFormat.MD:
        from slocheck.report.markdown import render_markdown

        return render_markdown(document)
    if format is ReportFormat.JUNIT:
        from slocheck.report.junit import render_junit

        return render_junit(document)
    from slocheck.report.json_report import render_json

    return render_json(document)


def _baseline_dir(run_dir: Path, spec: str | None, any_run: bool) -> Path | None:
    """`--baseline` resolved among the runs next to `run_dir` (same scenario/profile/SLO sets unless any_run)."""
    if spec is None:
        return None
    from slocheck.app.runs import choose_baseline, summarize

    current = summarize(run_dir)
    chosen = choose_baseline(spec, run_dir.parent, scenario=current.scenario, profile=current.profile,
                             slo_sets=current.slo_sets, any_run=any_run, exclude=current.id)  # fmt: skip
    stderr_console().print(f"baseline: run {chosen.summary.id} ({chosen.summary.verdict}), {chosen.why}", markup=False)
    return chosen.summary.path


def default_output(run_dir: Path, format: ReportFormat) -> Path:
    return run_dir / f"report.{EXTENSIONS[format]}"


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(help="A run directory (e.g. .slocheck/runs/<id>) holding result.json.")],
    format: Annotated[
        ReportFormat, typer.Option("--format", help="html (default), md, junit or json.")
    ] = ReportFormat.HTML,
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="Write here instead of RUN_DIR/report.<ext>; '-' = stdout.")
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline", help="Compare with an earlier run (html only): last-pass, last, a run id or a run directory."
        ),
    ] = None,
    baseline_any: BaselineAnyOption = False,
    debug: DebugOption = False,
) -> int:
    """Re-render a stored run (result.json + run.json, context.json, Locust CSVs) with no backend access.
    The verdict is the stored one: `--baseline` adds a comparison to the page, it does not re-judge."""
    text = render_stored_run(run_dir, format, _baseline_dir(run_dir, baseline, baseline_any))
    if output == "-":
        sys.stdout.write(text)
        return 0
    target = Path(output) if output else default_output(run_dir, format)
    try:
        write_atomic(target, text)
    except OSError as exc:
        raise ConfigError(f"-o {target}: cannot write there ({exc.strerror or exc}); choose another path") from None
    stderr_console().print(f"wrote {target}", markup=False)
    return 0
