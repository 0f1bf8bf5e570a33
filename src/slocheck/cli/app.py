"""The root `slocheck` command group. Command modules register on it; `cli.main` imports them all. Commands of
other installed packages (the demo) come in through the `slocheck.commands` entry points (`cli.plugins`)."""

from __future__ import annotations

import typer

from slocheck.cli.plugins import PluginGroup

app = typer.Typer(
    name="slocheck",
    cls=PluginGroup,
    help="Tell, with evidence, whether a release meets its SLOs under load.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)
