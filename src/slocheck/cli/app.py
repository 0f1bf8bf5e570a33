"""The root `slocheck` command group. Command modules register on it; `cli.main` imports them all."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="slocheck",
    help="Tell, with evidence, whether a release meets its SLOs under load.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)
