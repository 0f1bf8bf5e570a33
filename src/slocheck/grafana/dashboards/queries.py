"""Turn an objective's window query into one Grafana can plot, interval by interval. Pure.

An objective asks one question about the whole run (`rate(x[$__range])` at the window's end); a panel wants the
same question per step. So, in the objective's query template:

- `[$__range]` inside `rate`/`irate`/`increase`/`delta`/`idelta`/`deriv` becomes `[$__rate_interval]` (at least
  four scrapes, so a rate never has too few samples);
- any other `[$__range]` (`max_over_time`, subqueries `[$__range:1s]`, LogQL) becomes `[$__interval]`;
- `$__range` outside a range selector, `$__range_s` and `$__interval` keep Grafana's meaning of the same names;
- `$__start`/`$__end` become `${__from:date:seconds}`/`${__to:date:seconds}`;
- `${var}` becomes its (escaped) value, in the same single pass, so a value is never expanded again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from slocheck.core.querytext import enclosing
from slocheck.core.spec.templating import escape_label_value

RATE_FUNCTIONS = frozenset({"rate", "irate", "increase", "delta", "idelta", "deriv"})
# Window aggregates that add up (a count over the run): a per-interval plot of them is not comparable with the bar.
SUMMING_FUNCTIONS = frozenset(
    {"increase", "sum_over_time", "count_over_time", "changes", "resets", "bytes_over_time", "absent_over_time"}
)
_TOKEN_RE = re.compile(r"\$\{([^}]*)\}|\$(__[A-Za-z_]+)")


def _context(text: str, position: int) -> tuple[bool, str | None]:
    """(inside a `[...]` range selector?, innermost function enclosing it) at `position`, skipping strings."""
    stack = enclosing(text, position)
    in_range = bool(stack) and stack[-1][0] == "["
    function = next((name for bracket, name in reversed(stack) if bracket == "(" and name), None)
    return in_range, function


def per_interval_query(template: str, variables: Mapping[str, str], *, language: str = "promql") -> str:
    """The objective's query for a time-series panel (see the module docstring)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) if match.group(1) is not None else match.group(2)
        if name == "__range":
            in_range, function = _context(template, match.start())
            if not in_range:
                return "$__range"
            rate_like = language == "promql" and function in RATE_FUNCTIONS
            return "$__rate_interval" if rate_like else "$__interval"
        if name in ("__range_s", "__interval"):
            return f"${name}"
        if name == "__start":
            return "${__from:date:seconds}"
        if name == "__end":
            return "${__to:date:seconds}"
        if name in variables:
            return escape_label_value(variables[name])
        return match.group(0)

    return _TOKEN_RE.sub(replace, template)


def sums_over_window(template: str) -> bool:
    """True when a `$__range` sits in a function that adds up over the window (e.g. `increase`, `count_over_time`):
    per interval such a query counts less than over the whole run, so the objective's bar does not apply to it."""
    for match in _TOKEN_RE.finditer(template):
        name = match.group(1) if match.group(1) is not None else match.group(2)
        if name == "__range":
            in_range, function = _context(template, match.start())
            if in_range and function in SUMMING_FUNCTIONS:
                return True
    return False
