"""Turn pydantic validation errors into one-line, located messages for people."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from slocheck.core.spec.yamldoc import Path

# Parts of a pydantic error location that name a union member, not a key of the document.
_UNION_MEMBER_MARKERS = ("[", "function-")


def document_path(loc: tuple[int | str, ...]) -> Path:
    """Drop pydantic's union-member and validator segments; keep keys and list indices."""
    return tuple(p for p in loc if isinstance(p, int) or not any(m in p for m in _UNION_MEMBER_MARKERS))


def display_path(path: Path) -> str:
    """`("spec", "objectives", 2, "pass")` → `objectives[2].pass` (the `spec.` prefix is implied)."""
    parts = list(path[1:] if path[:1] == ("spec",) and len(path) > 1 else path)  # a missing `spec` is named
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def message_for(error: ErrorDetails, root: type[BaseModel]) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        allowed = sorted(_fields_at(root, document_path(error["loc"][:-1])))
        hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
        suggestion = (
            f'; did you mean "{hint[0]}"?' if hint else (f" (allowed: {', '.join(allowed)})" if allowed else "")
        )
        return f'unknown key "{key}"{suggestion}'
    if kind == "missing":
        return "is required"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{_show(value)} is not allowed; expected {expected}"
    if kind == "string_pattern_mismatch":
        return f"{_show(value)} must start with a letter or digit and use only letters, digits and _ . : -"
    if kind in ("value_error", "assertion_error"):
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return f"{_show(value)}: {error['msg'][0].lower()}{error['msg'][1:]}"


def _show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (dict, list)):
        return type(value).__name__ if value else f"empty {type(value).__name__}"
    return repr(value)


def _fields_at(root: type[BaseModel], path: Path) -> set[str]:
    """The keys allowed by the model found at `path`, for did-you-mean hints."""
    model: Any = root
    for part in path:
        if isinstance(part, int):
            continue
        field = _field_by_key(model, part)
        if field is None:
            return set()
        model = next(_models_in(field.annotation), None)
        if model is None:
            return set()
    return {f.alias or name for name, f in model.model_fields.items()}


def _field_by_key(model: type[BaseModel], key: str) -> Any:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated) or origin is not None:
        for arg in typing.get_args(annotation):
            yield from _models_in(arg)
