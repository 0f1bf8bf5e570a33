"""Parse one condition such as `< 500ms` or `>= 99.9%`."""

from __future__ import annotations

import re

from slocheck.core.model import Condition
from slocheck.core.units import UnitError, parse_quantity

_CONDITION_RE = re.compile(r"^\s*(<=|>=|==|!=|<|>)\s*(.+?)\s*$")


def parse_bar_text(text: str) -> Condition:
    if not isinstance(text, str):
        raise UnitError(f'{text!r} is not a condition (write e.g. "< 500ms")')
    match = _CONDITION_RE.match(text)
    if not match:
        raise UnitError(f'"{text}" is not a condition; start with one of < <= > >= == != (e.g. "< 500ms")')
    op, quantity = match.groups()
    if quantity.startswith("+") or (quantity.startswith("-") and quantity.endswith("%")):
        raise UnitError(
            f'"{text}" is a relative bar (compared with a baseline run), which this version does not support yet; '
            'write an absolute bar such as "< 500ms"'
        )
    try:
        value, kind = parse_quantity(quantity)
    except UnitError as exc:
        # Name the whole condition the user wrote, not just the number part.
        raise UnitError(str(exc).replace(f'"{quantity}"', f'"{text}"', 1)) from None
    return Condition(op, value, kind, f"{op} {quantity}")
