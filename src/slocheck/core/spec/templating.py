"""Query templating: `${var}` from the SLO file or `--var`, and the window built-ins.

User variables are substituted when the file is loaded, escaped so a value can never close the label
matcher's string it sits in (`"}` or `|=` in a value stays data, never PromQL/LogQL). The window
built-ins (`$__range`, `$__interval`, `$__start`, `$__end`, `$__range_s`) are resolved per window.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from slocheck.core.model import Window
from slocheck.core.units import prometheus_duration

BUILTINS = ("__range", "__range_s", "__interval", "__start", "__end")
USER_VAR_RE = re.compile(r"\$\{([^}]*)\}")
_BUILTIN_RE = re.compile(r"\$\{?(__[A-Za-z_]+)\}?")


def escape_label_value(value: str) -> str:
    """Escape for the inside of a double-quoted PromQL/LogQL string."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def unknown_variables(text: str, variables: Mapping[str, str]) -> list[str]:
    """Names used in `text` that neither `variables` nor the built-ins define."""
    unknown = [name for name in USER_VAR_RE.findall(text) if name not in variables and name not in BUILTINS]
    unknown += [name for name in _BUILTIN_RE.findall(text) if name not in BUILTINS]
    return sorted(set(unknown))


_TOKEN_RE = re.compile(r"\$\{([^}]*)\}|\$(__[A-Za-z_]+)")


def render(
    text: str,
    variables: Mapping[str, str],
    window: Window | None = None,
    interval_seconds: float | None = None,
) -> str:
    """Fill `${var}` (escaped) and, given a window, the built-ins — in ONE pass, so text that came from a
    variable's value is never expanded again (a value `/cost$__range` stays literally that)."""
    builtins = _builtin_values(window, interval_seconds) if window is not None else {}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) if match.group(1) is not None else match.group(2)
        if name in BUILTINS:
            return builtins.get(name, match.group(0))
        if name in variables:
            return escape_label_value(variables[name])
        return match.group(0)

    return _TOKEN_RE.sub(replace, text)


def substitute_variables(text: str, variables: Mapping[str, str]) -> str:
    """Replace `${name}` by its escaped value; built-ins are left for the window (display form of a query)."""
    return render(text, variables)


def default_interval(window: Window) -> float:
    """A step that gives about 250 points over the window, never below 1 s (Grafana's habit)."""
    return max(1.0, round(window.seconds / 250))


def _builtin_values(window: Window, interval_seconds: float | None) -> dict[str, str]:
    interval = interval_seconds if interval_seconds is not None else default_interval(window)
    return {
        "__range": prometheus_duration(max(window.seconds, 1.0)),
        "__range_s": str(int(max(window.seconds, 1.0))),
        "__interval": prometheus_duration(interval),
        "__start": str(int(window.start.timestamp())),
        "__end": str(int(window.end.timestamp())),
    }


def resolve_window(text: str, window: Window, interval_seconds: float | None = None) -> str:
    """Fill the window built-ins of a text whose variables are already substituted."""
    return render(text, {}, window, interval_seconds)
