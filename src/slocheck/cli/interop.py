"""`slocheck import openslo|sloth` and `slocheck export openslo`: SLOs kept in other formats, in and out."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer

from slocheck.app.backends import parse_vars
from slocheck.app.interop import Imported, export_files, import_files
from slocheck.cli.app import app
from slocheck.cli.options import SloFiles, VarOption, stderr_console
from slocheck.core.errors import ConfigError

import_app = typer.Typer(
    help="Import SLOs kept as OpenSLO documents or Sloth specs into a slocheck SLO file.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
export_app = typer.Typer(help="Export slocheck objectives to other SLO formats.", no_args_is_help=True,
                         rich_markup_mode=None)  # fmt: skip
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")

SourceFiles = Annotated[list[Path], typer.Argument(help="Files to import (YAML, one or more documents each).")]
OutOption = Annotated[Path | None, typer.Option("-o", "--output", help="Write here instead of stdout.")]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")]


def _write(imported: Imported, output: Path | None, what: str) -> int:
    console = stderr_console()
    for note in imported.conversion.notes:
        console.print(f"note: {note}", markup=False)
    if output is None:
        typer.echo(imported.text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(imported.text, encoding="utf-8")
    skipped = sum(1 for n in imported.conversion.notes if not n.imported)
    where = f" to {output}" if output else ""
    console.print(f"{what}{where}; {skipped} part(s) not imported (see the notes)", markup=False)
    return 0


@import_app.command("openslo")
def import_openslo(files: SourceFiles, output: OutOption = None, debug: DebugOption = False) -> int:
    """OpenSLO v1 / v1alpha SLOs (with their SLI and DataSource documents) → slocheck objectives."""
    imported = import_files("openslo", files)
    return _write(imported, output, f"imported {imported.conversion.objective_count} objective(s)")


@import_app.command("sloth")
def import_sloth(files: SourceFiles, output: OutOption = None, debug: DebugOption = False) -> int:
    """Sloth prometheus/v1 service specs → slocheck objectives."""
    imported = import_files("sloth", files)
    return _write(imported, output, f"imported {imported.conversion.objective_count} objective(s)")


@export_app.command("openslo")
def export_openslo_command(
    files: SloFiles,
    output: OutOption = None,
    target: Annotated[
        str, typer.Option("--target", help="OpenSLO budget target for every objective, in (0, 1) (slocheck has none).")
    ] = "0.99",
    rate_window: Annotated[
        str, typer.Option("--rate-window", help="What $__range becomes in exported queries (e.g. 5m).")
    ] = "5m",
    var: VarOption = [],  # noqa: B006 - typer reads the default, never mutates it
    debug: DebugOption = False,
) -> int:
    """slocheck Prometheus objectives → OpenSLO v1 SLOs with threshold SLIs."""
    try:
        budget = Decimal(target)
    except InvalidOperation:
        budget = Decimal(-1)
    if not Decimal(0) < budget < Decimal(1):
        raise ConfigError(f'--target "{target}" must be a number between 0 and 1, e.g. 0.99')
    exported = export_files(files, parse_vars(var), budget, rate_window)
    return _write(exported, output, f"exported {len(exported.conversion.documents) - 1} SLO(s)")
