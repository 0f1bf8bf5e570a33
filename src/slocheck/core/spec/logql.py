"""The little LogQL slocheck writes itself: the count of a log selector's lines, and the stream it reads.

Pure text functions; they never judge whether Loki will accept a query (Loki says so, with its own message).
"""

from __future__ import annotations

from slocheck.core.querytext import label_matchers, leading_selector


def count_query(selector: str) -> str:
    """`{app="x"} |= "ERROR"` → `sum(count_over_time({app="x"} |= "ERROR" [$__range]))`: Loki counts the lines."""
    return f"sum(count_over_time({selector.strip()} [$__range]))"


def presence_selector(expression: str) -> str:
    """The stream the count reads, narrowed to its first positive matcher: `{app="x", level="error"} |= "E"`
    → `{app="x"}`. Lines there mean logging works in the window, so an empty count is a real zero."""
    selector = leading_selector(expression)
    for name, operator, value in label_matchers(selector):
        if operator in ("=", "=~"):
            return f"{{{name}{operator}{value}}}"
    return selector
