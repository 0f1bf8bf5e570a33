"""Commands other installed packages add to `slocheck`, through the `slocheck.commands` entry point group.

An entry point names a `typer.Typer`; each of its commands becomes a `slocheck` command. The demo package does
this (`demo = "slocheck_demo.cli:app"` in demo/pyproject.toml) for `slocheck demo` and `slocheck demo-service`;
slocheck itself never imports the demo. Entry points are read only when a command is not one of slocheck's own
(or when --help lists the commands), so `slocheck validate` does not pay for the scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer
from typer import _click
from typer.core import TyperGroup

from slocheck.core.errors import ConfigError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

GROUP = "slocheck.commands"

DEMO_HINT = (
    "the demo is a separate package (slocheck-demo): install it with `pip install ./demo` from a slocheck checkout,"
    " or run `make demo`"
)
# Commands that live in a package of their own, and what to tell someone who runs one without it.
SEPARATE_PACKAGES = {"demo": DEMO_HINT, "demo-service": DEMO_HINT}


def commands_of(entry_point: EntryPoint) -> dict[str, _click.Command]:
    """The commands of the Typer app an entry point names."""
    target = entry_point.load()
    if not isinstance(target, typer.Typer):
        raise TypeError(f"{entry_point.value} is a {type(target).__name__}, not a typer.Typer")
    command = typer.main.get_command(target)
    if isinstance(command, TyperGroup):
        return dict(command.commands)
    return {command.name or entry_point.name: command}


@dataclass(frozen=True)
class Plugins:
    """What the installed packages add: their commands, and a one-line problem per package that failed to load."""

    commands: dict[str, _click.Command]
    problems: list[str]


def discover() -> Sequence[EntryPoint]:
    """The installed packages' `slocheck.commands` entry points."""
    from importlib.metadata import entry_points  # ~40 ms: only when a command is not one of slocheck's own

    return tuple(entry_points(group=GROUP))


def load_plugins() -> Plugins:
    commands: dict[str, _click.Command] = {}
    problems: list[str] = []
    for entry_point in discover():
        try:
            commands.update(commands_of(entry_point))
        except Exception as error:
            package = entry_point.dist.name if entry_point.dist else entry_point.value
            problems.append(
                f"the slocheck commands of {package} cannot be loaded ({type(error).__name__}: {_first_line(error)});"
                " reinstall or uninstall that package"
            )
    return Plugins(commands, problems)


def _first_line(error: Exception) -> str:
    return next(iter(str(error).splitlines()), "")


class PluginGroup(TyperGroup):
    """slocheck's own commands first, then the ones installed packages add (read once, when first needed)."""

    _plugins: Plugins | None = None

    def plugins(self) -> Plugins:
        if self._plugins is None:
            self._plugins = load_plugins()
        return self._plugins

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        plugins = self.plugins()
        command = plugins.commands.get(cmd_name)
        if command is None and plugins.problems:  # the command may be one of the package that failed
            raise ConfigError(f"`slocheck {cmd_name}`: {plugins.problems[0]}")
        if command is None and cmd_name in SEPARATE_PACKAGES:
            raise ConfigError(f"`slocheck {cmd_name}` is not installed: {SEPARATE_PACKAGES[cmd_name]}")
        return command

    def list_commands(self, ctx: _click.Context) -> list[str]:
        """--help lists the plugin commands after slocheck's own; a package that failed to load is left out."""
        own = super().list_commands(ctx)
        return own + [name for name in self.plugins().commands if name not in own]
