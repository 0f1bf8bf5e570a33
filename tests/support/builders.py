"""Small builders for unit tests of the pure core: objectives, measurements, windows, SLO files."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from slocheck.core.model import (
    Bar,
    Indicator,
    Measurement,
    MeasurementStatus,
    NoDataPolicy,
    Objective,
    PrometheusIndicator,
    SeriesValue,
    Window,
)
from slocheck.core.spec.conditions import parse_bar_text

WINDOW = Window(datetime(2026, 11, 23, 10, 0, tzinfo=UTC), datetime(2026, 11, 23, 10, 5, tzinfo=UTC))
NAN = math.nan
INF = math.inf


def bar(*texts: str) -> Bar:
    return Bar(tuple(parse_bar_text(t) for t in texts))


def objective(
    name: str = "latency",
    pass_: str | Sequence[str] = "< 500ms",
    warn: str | Sequence[str] | None = None,
    *,
    on_no_data: NoDataPolicy = NoDataPolicy.INCONCLUSIVE,
    blocking: bool = True,
    indicator: Indicator | None = None,
    slo_set: str = "gate",
) -> Objective:
    pass_texts = (pass_,) if isinstance(pass_, str) else tuple(pass_)
    warn_texts = None if warn is None else ((warn,) if isinstance(warn, str) else tuple(warn))
    return Objective(
        slo_set=slo_set,
        name=name,
        indicator=indicator or PrometheusIndicator("up"),
        pass_bar=bar(*pass_texts),
        warn_bar=bar(*warn_texts) if warn_texts else None,
        on_no_data=on_no_data,
        blocking=blocking,
    )


def ok(target: Objective, *values: float, labels: Sequence[Mapping[str, str]] | None = None) -> Measurement:
    """An OK measurement with one series per value (labels `{instance: "i<n>"}` unless given)."""
    names = labels or [{"instance": f"i{n}"} for n in range(len(values))]
    series = tuple(SeriesValue(dict(lbl), v) for lbl, v in zip(names, values, strict=True))
    return Measurement(target.key, "prometheus", "up", MeasurementStatus.OK, series, "", len(series))


def no_data(target: Objective, reason: str = "empty result: no series matched in the window") -> Measurement:
    return Measurement(target.key, "prometheus", "up", MeasurementStatus.NO_DATA, (), reason, 0)


def error(target: Objective, reason: str = "Prometheus: cannot reach http://127.0.0.1:9") -> Measurement:
    return Measurement(target.key, "prometheus", "up", MeasurementStatus.ERROR, reason=reason)


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def slo_document(objectives: str, *, name: str = "gate", extra_spec: str = "") -> str:
    """A valid SLOSet document around an indented `objectives:` block (4-space list items)."""
    return (
        "apiVersion: slocheck/v1\n"
        "kind: SLOSet\n"
        "metadata:\n"
        f"  name: {name}\n"
        "spec:\n"
        "  service: api\n"
        f"{extra_spec}"
        "  objectives:\n"
        f"{objectives}"
    )


def promql_string_value(literal: str) -> str:
    """Decode one double-quoted PromQL string literal the way Prometheus' lexer does (lexEscape).

    Only `\\a \\b \\f \\n \\r \\t \\v \\\\ \\"` (and numeric escapes, unused here) are accepted in a
    double-quoted string; anything else is "unknown escape sequence", and an unescaped `"` ends the
    string. Raises ValueError where Prometheus would answer `bad_data`.
    """
    simple = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"'}
    if len(literal) < 2 or literal[0] != '"' or literal[-1] != '"':
        raise ValueError("not a double-quoted string")
    body, out, index = literal[1:-1], [], 0
    while index < len(body):
        char = body[index]
        if char == '"':
            raise ValueError(f"string ends early at {index}: the rest would be parsed as PromQL")
        if char == "\n":
            raise ValueError("unterminated quoted string (newline)")
        if char == "\\":
            if index + 1 >= len(body):
                raise ValueError("escape sequence not terminated")
            following = body[index + 1]
            if following not in simple:
                raise ValueError(f"unknown escape sequence {following!r}")
            out.append(simple[following])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)
