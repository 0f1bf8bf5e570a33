"""The settle wait of a run (run.json's `settle`), in words for every report."""

from __future__ import annotations

from collections.abc import Mapping


def settle_text(settle: object) -> str | None:
    """How long the run waited after the load for its backends to catch up, and why it stopped waiting."""
    if not isinstance(settle, Mapping):
        return None
    seconds, bound = settle.get("seconds"), settle.get("bound_seconds")
    if not isinstance(seconds, int | float):
        return None
    limit = f" of at most {bound:g} s" if isinstance(bound, int | float) else ""
    return f"{seconds:.1f} s{limit}: {settle.get('reason')}"
