"""The little LogQL slocheck writes itself: the count of a log selector's lines, and the stream it reads.

Pure text functions; they never judge whether Loki will accept a query (Loki says so, with its own message).
"""

from __future__ import annotations

import re

# One label matcher inside `{…}`: name, operator, and a "…" (escapes allowed) or `…` string.
_MATCHER_RE = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|`[^`]*`)\s*,?')


def count_query(selector: str) -> str:
    """`{app="x"} |= "ERROR"` → `sum(count_over_time({app="x"} |= "ERROR" [$__range]))`: Loki counts the lines."""
    return f"sum(count_over_time({selector.strip()} [$__range]))"


def stream_selector(expression: str) -> str:
    """The leading `{…}` of a log query (quotes honoured), or the whole text when it has none."""
    text = expression.strip()
    if not text.startswith("{"):
        return text
    quote: str | None = None
    index = 1
    while index < len(text):
        char = text[index]
        if quote is not None:
            if char == "\\" and quote == '"':
                index += 2
                continue
            if char == quote:
                quote = None
        elif char in ('"', "`"):
            quote = char
        elif char == "}":
            return text[: index + 1]
        index += 1
    return text


def matchers(selector: str) -> list[tuple[str, str, str]]:
    """The (name, operator, quoted value) matchers of `{…}`; empty when the selector does not parse."""
    inner = selector.strip()
    if not (inner.startswith("{") and inner.endswith("}")):
        return []
    body, found, position = inner[1:-1], [], 0
    while position < len(body):
        match = _MATCHER_RE.match(body, position)
        if match is None or match.end() == position:
            return []
        found.append((match.group(1), match.group(2), match.group(3)))
        position = match.end()
    return found


def presence_selector(expression: str) -> str:
    """The stream the count reads, narrowed to its first positive matcher: `{app="x", level="error"} |= "E"`
    → `{app="x"}`. Lines there mean logging works in the window, so an empty count is a real zero."""
    selector = stream_selector(expression)
    for name, operator, value in matchers(selector):
        if operator in ("=", "=~"):
            return f"{{{name}{operator}{value}}}"
    return selector
