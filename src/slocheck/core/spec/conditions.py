"""Parse one condition such as `< 500ms` or `>= 99.9%`."""

from __future__ import annotations

import re

from slocheck.core.model import RELATIVE_DELTA, RELATIVE_PERCENT, Condition
from slocheck.core.units import Kind, UnitError, parse_quantity

_CONDITION_RE = re.compile(r"^\s*(<=|>=|==|!=|<|>)\s*(.+?)\s*$")


def parse_bar_text(text: str) -> Condition:
    if not isinstance(text, str):
        raise UnitError(f'{text!r} is not a condition (write e.g. "< 500ms")')
    match = _CONDITION_RE.match(text)
    if not match:
        raise UnitError(f'"{text}" is not a condition; start with one of < <= > >= == != (e.g. "< 500ms")')
    op, quantity = match.groups()
    try:
        value, kind = parse_quantity(quantity)
    except UnitError as exc:
        # Name the whole condition the user wrote, not just the number part.
        raise UnitError(str(exc).replace(f'"{quantity}"', f'"{text}"', 1)) from None
    return Condition(op, value, kind, f"{op} {quantity}", _relative(quantity, kind))


def _relative(quantity: str, kind: Kind) -> str:
    """A signed change is relative to the baseline run: `+10%`/`-5%` a percentage of the baseline's value,
    `+50ms` a difference. A plain negative number (`> -5`) stays an absolute bar."""
    if not (quantity.startswith("+") or (quantity.startswith("-") and kind is not Kind.NUMBER)):
        return ""
    return RELATIVE_PERCENT if kind is Kind.RATIO else RELATIVE_DELTA
