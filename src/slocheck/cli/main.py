"""The `slocheck` command line: the root group with every command module registered, and the error printer."""

from __future__ import annotations

import typer

from slocheck import __version__
from slocheck.cli import capacity, check, grafana, history, init, interop, load, report  # noqa: F401 - importing a command module registers it
from slocheck.cli.app import app
from slocheck.cli.options import stderr_console
from slocheck.core.errors import SlocheckError, SpecError, one_line

__all__ = ["app", "report_error"]


@app.command()
def version() -> None:
    """Print the slocheck version."""
    typer.echo(f"slocheck {__version__}")


# What an invalid input stopped, said only for the commands that would have done it.
CONSEQUENCES = {
    "run": "nothing was measured",
    "evaluate": "nothing was measured",
    "demo": "nothing was measured",
    "compare": "nothing was measured",
    "capacity": "nothing was measured",
    "dashboards": "nothing was sent to Grafana",
    "annotate": "nothing was sent to Grafana",
}


def report_error(error: SlocheckError, command: str = "") -> None:
    console = stderr_console()
    if isinstance(error, SpecError):
        for problem in error.problems:
            console.print(f"error: {problem}", markup=False)
        files = len({p.file for p in error.problems})
        consequence = f"; {CONSEQUENCES[command]}" if command in CONSEQUENCES else ""
        console.print(f"{len(error.problems)} problem(s) in {files} file(s){consequence}", markup=False)
        return
    for line in str(error).split("\n"):  # a deliberate newline starts a new line; any other break is escaped
        console.print(f"error: {one_line(line)}", markup=False)
