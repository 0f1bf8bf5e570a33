"""The `slocheck` command line: the root group with every command module registered, and the error printer."""

from __future__ import annotations

import typer

from slocheck import __version__
from slocheck.cli import capacity, check, grafana, load, report  # noqa: F401 - importing a command module registers it
from slocheck.cli.app import app
from slocheck.cli.options import stderr_console
from slocheck.core.errors import SlocheckError, SpecError

__all__ = ["app", "report_error"]


@app.command()
def version() -> None:
    """Print the slocheck version."""
    typer.echo(f"slocheck {__version__}")


def report_error(error: SlocheckError) -> None:
    console = stderr_console()
    if isinstance(error, SpecError):
        for problem in error.problems:
            console.print(f"error: {problem}", markup=False)
        files = len({p.file for p in error.problems})
        console.print(f"{len(error.problems)} problem(s) in {files} file(s); nothing was measured", markup=False)
        return
    for line in str(error).splitlines():
        console.print(f"error: {line}", markup=False)
