"""One scanner for PromQL and LogQL text: string literals, brackets and label matchers.

Every place that reads the structure of a query (the histogram bucket check, LogQL stream selectors, the dashboard
query rewrite, the spec's variable checks) goes through these functions, so they all agree on one rule set:

- `"…"` and `'…'` are strings in which a backslash escapes the next character; `` `…` `` is a raw string (no escapes);
- `(`, `[` and `{` open a bracket and `)`, `]`, `}` close the innermost one, outside strings only;
- an unterminated string runs to the end of the text, an unbalanced bracket has no partner (-1).

Pure text functions: whether the backend accepts a query is the backend's to say.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

QUOTES = "\"'`"
OPENING = "([{"
CLOSING = ")]}"
_IDENT_CHAR = re.compile(r"[A-Za-z0-9_:]")
# One label matcher inside `{…}`: name, operator, and a "…" (escapes allowed) or `…` string.
_MATCHER_RE = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|`[^`]*`)\s*,?')


def characters(text: str, start: int = 0) -> Iterator[tuple[int, str, str | None]]:
    """Every character from `start` with the quote of the string literal it belongs to (None outside strings).
    A string's opening and closing quotes belong to it. `start` must not be inside a string."""
    quote: str | None = None
    index = start
    while index < len(text):
        char = text[index]
        if quote is None:
            if char in QUOTES:
                quote = char
            yield index, char, quote
        else:
            yield index, char, quote
            if char == "\\" and quote != "`" and index + 1 < len(text):
                index += 1
                yield index, text[index], quote
            elif char == quote:
                quote = None
        index += 1


def structural(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """The characters outside string literals, with their index."""
    return ((index, char) for index, char, quote in characters(text, start) if quote is None)


def quote_at(text: str, position: int) -> str | None:
    """The quote of the string literal `position` is inside, or None."""
    for index, _, quote in characters(text):
        if index == position:
            return quote
    return None


def closing(text: str, opening: int) -> int:
    """Index of the bracket that closes the one at `opening`; -1 when it is never closed."""
    depth = 0
    for index, char in structural(text, opening):
        if char in OPENING:
            depth += 1
        elif char in CLOSING:
            depth -= 1
            if depth == 0:
                return index
    return -1


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """`0.95, sum(a, b)` → [`0.95`, ` sum(a, b)`]: split at separators outside brackets and strings."""
    parts, depth, last = [], 0, 0
    for index, char in structural(text):
        if char in OPENING:
            depth += 1
        elif char in CLOSING:
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[last:index])
            last = index + 1
    return [*parts, text[last:]]


def identifier_before(text: str, index: int) -> str:
    """The identifier right before `text[index]` (a function name before its `(`), whitespace skipped."""
    end = index
    while end > 0 and text[end - 1].isspace():
        end -= 1
    start = end
    while start > 0 and _IDENT_CHAR.match(text[start - 1]):
        start -= 1
    return text[start:end]


def enclosing(text: str, position: int) -> list[tuple[str, str]]:
    """The brackets open at `position`, outermost first, as (bracket, identifier before it)."""
    stack: list[tuple[str, str]] = []
    for index, char in structural(text):
        if index >= position:
            break
        if char in OPENING:
            stack.append((char, identifier_before(text, index) if char == "(" else ""))
        elif char in CLOSING and stack:
            stack.pop()
    return stack


def strip_parentheses(text: str) -> str:
    """`((expr))` → `expr`; parentheses that do not wrap the whole text stay."""
    stripped = text.strip()
    while stripped.startswith("(") and closing(stripped, 0) == len(stripped) - 1:
        stripped = stripped[1:-1].strip()
    return stripped


def leading_selector(expression: str) -> str:
    """The leading `{…}` of a query (strings honoured), or the whole text when it has none or it is unclosed."""
    text = expression.strip()
    if not text.startswith("{"):
        return text
    end = closing(text, 0)
    return text[: end + 1] if end >= 0 else text


def label_matchers(selector: str) -> list[tuple[str, str, str]]:
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
