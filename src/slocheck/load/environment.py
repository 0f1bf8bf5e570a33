"""The Locust Environment a scenario file expects, and keeping Locust's global event hooks clean between runs.

Scenario files register listeners on the global `locust.events` (e.g. `@events.test_start.add_listener`) and
fire `events.request` themselves, so the Environment must use those global hooks. The runner and slocheck add
their own listeners to them for the run; `listeners_restored()` puts the hooks back as they were afterwards, so
a second run in the same process (tests, `slocheck demo`) does not feed a dead runner.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import locust
from locust.event import EventHook

logger = logging.getLogger(__name__)


def default_options() -> Any:
    """Locust's default command-line options (plus the scenario's own, from `init_command_line_parser`).

    Scenario code may read `environment.parsed_options.<option>`; in library mode that attribute is None unless
    set, so slocheck provides the defaults (config files are not read: slocheck's options are the source of truth).
    Returns None if the scenario's parser hooks fail (for example a required custom option).
    """
    from locust.argument_parser import get_empty_argument_parser, setup_parser_arguments

    parser = get_empty_argument_parser(add_help=False, default_config_files=[])
    setup: Any = setup_parser_arguments
    setup(parser)
    events: Any = locust.events
    events.init_command_line_parser.fire(parser=parser)
    try:
        return parser.parse_args(args=[])
    except SystemExit:
        logger.warning("the scenario's command-line options have no defaults; parsed_options is None")
        return None


def _hooks(events: Any) -> dict[str, EventHook]:
    return {name: hook for name, hook in vars(events).items() if isinstance(hook, EventHook)}


@contextmanager
def listeners_restored(events: Any = None) -> Iterator[None]:
    """Every hook of `events` (default: `locust.events`) gets back the listeners it had on entry."""
    hooks = _hooks(events if events is not None else locust.events)
    saved = {name: list(hook._handlers) for name, hook in hooks.items()}
    try:
        yield
    finally:
        for name, hook in hooks.items():
            hook._handlers[:] = saved[name]
