"""Check slocheck command lines written in CI templates, manifests and docs against the real CLI."""

from __future__ import annotations

import re
import shlex
from typing import Any

import typer

from slocheck.cli.main import app
from slocheck.load.worker import _parser as worker_parser

_CONTINUATION = re.compile(r"\\\n\s*")


def options_of(argv: list[str]) -> tuple[str, set[str]]:
    """The command `argv` (starting with "slocheck") names, and every option it accepts."""
    command: Any = typer.main.get_command(app)
    path = ["slocheck"]
    args = argv[1:]
    context = typer.Context(command)
    while hasattr(command, "get_command") and args and command.get_command(context, args[0]) is not None:
        path.append(args[0])
        command = command.get_command(context, args.pop(0))  # plugin commands (the demo's) included
    assert len(path) > 1, f"{argv}: not a slocheck command"
    if path[-1] == "worker":
        return "slocheck worker", set(worker_parser()._option_string_actions)
    if path[-1] == "demo-service":  # passes its arguments through to the service's own parser
        from slocheck_demo.service_options import argument_parser

        return "slocheck demo-service", set(argument_parser()._option_string_actions)
    names = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts) if opt.startswith("-")}
    return " ".join(path), names | {"--help"}


def unknown_flags(argv: list[str]) -> list[str]:
    """The options in `argv` that its command does not have."""
    _, accepted = options_of(argv)
    flags = [token.split("=", 1)[0] for token in argv[1:] if token.startswith("-") and token != "-"]
    return [flag for flag in flags if flag not in accepted]


def shell_commands(text: str) -> list[list[str]]:
    """Every `slocheck ...` command line in shell text (line continuations joined, comments dropped)."""
    commands = []
    for line in _CONTINUATION.sub(" ", text).splitlines():
        stripped = line.split(" #", 1)[0].strip().removeprefix("- ").strip()
        if stripped.startswith("slocheck "):
            commands.append(shlex.split(stripped))
    return commands
