"""Numbers as people write them in SLO files: durations, sizes, percentages and rates.

Everything is converted to base units (seconds, bytes, ratios, per-second) because that is what
Prometheus, Loki and Jaeger adapters return. Pure functions, no I/O.
"""

from __future__ import annotations

import difflib
import enum
import math
import re


class Kind(enum.Enum):
    """What a number measures; decides how it is parsed and displayed."""

    NUMBER = "number"
    DURATION = "duration"
    BYTES = "bytes"
    RATIO = "ratio"
    RATE = "rate"


DURATION_UNITS: dict[str, float] = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}
BYTE_UNITS: dict[str, float] = {
    "B": 1.0,
    "KB": 1e3,
    "MB": 1e6,
    "GB": 1e9,
    "TB": 1e12,
    "KiB": 1024.0,
    "MiB": 1024.0**2,
    "GiB": 1024.0**3,
    "TiB": 1024.0**4,
}
RATIO_UNITS: dict[str, float] = {"%": 0.01}
RATE_UNITS: dict[str, float] = {"/s": 1.0, "req/s": 1.0, "/m": 1 / 60.0, "/min": 1 / 60.0}

_UNITS_BY_KIND: dict[Kind, dict[str, float]] = {
    Kind.DURATION: DURATION_UNITS,
    Kind.BYTES: BYTE_UNITS,
    Kind.RATIO: RATIO_UNITS,
    Kind.RATE: RATE_UNITS,
}
_UNIT_HELP: dict[Kind, str] = {
    Kind.DURATION: "ns, us, ms, s, m, h",
    Kind.BYTES: "B, KB, MB, GB, KiB, MiB, GiB",
    Kind.RATIO: "%",
    Kind.RATE: "/s",
    Kind.NUMBER: "none",
}
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_QUANTITY_RE = re.compile(rf"^\s*({_NUMBER})\s*([^\s\d].*?)?\s*$")
_GO_DURATION_RE = re.compile(r"^(?:(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d))+$")
_GO_PART_RE = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")


class UnitError(ValueError):
    """A quantity could not be parsed; the message is meant for a person."""


def _kind_of_unit(unit: str) -> Kind | None:
    for kind, table in _UNITS_BY_KIND.items():
        if unit in table:
            return kind
    return None


def _guess_kind(unit: str) -> Kind:
    """The kind a mistyped unit most likely meant, for the error message."""
    every_unit = [u for table in _UNITS_BY_KIND.values() for u in table]
    close = difflib.get_close_matches(unit, every_unit, n=1, cutoff=0.3)
    if close:
        return _kind_of_unit(close[0]) or Kind.NUMBER
    if unit.startswith("/"):
        return Kind.RATE
    return Kind.NUMBER


def unit_help(kind: Kind) -> str:
    return _UNIT_HELP[kind]


def parse_quantity(text: str) -> tuple[float, Kind]:
    """Parse `500ms`, `0.1%`, `12GiB`, `1000/s`, `1m30s` or a plain number into (base value, kind); a value
    that overflows to infinity (`1e999`) is refused like `inf` itself."""
    value, kind = _parse_quantity(text)
    if not math.isfinite(value):
        raise UnitError(f'"{text}" is not a finite number; write the bar with a value it can be compared with')
    return value, kind


def _parse_quantity(text: str) -> tuple[float, Kind]:
    raw = text.strip()
    compound = _parse_compound_duration(raw)
    if compound is not None:
        return compound, Kind.DURATION
    match = _QUANTITY_RE.match(raw)
    if not match:
        raise UnitError(f'"{text}" is not a number with an optional unit (e.g. 500ms, 0.1%, 2GiB, 100/s)')
    number = float(match.group(1))
    unit = match.group(2) or ""
    if not unit:
        return number, Kind.NUMBER
    kind = _kind_of_unit(unit)
    if kind is None:
        guessed = _guess_kind(unit)
        what = {Kind.NUMBER: "quantity"}.get(guessed, guessed.value)
        units = unit_help(guessed) if guessed is not Kind.NUMBER else "ms, s, %, GiB, /s"
        raise UnitError(f'"{text}" is not a valid {what} (units: {units})')
    return number * _UNITS_BY_KIND[kind][unit], kind


def _parse_compound_duration(text: str) -> float | None:
    """Go-style `1m30s`, `1h5m`; returns None when the text is not one."""
    if not _GO_DURATION_RE.match(text) or len(_GO_PART_RE.findall(text)) < 2:
        return None
    return sum(float(n) * DURATION_UNITS[u] for n, u in _GO_PART_RE.findall(text))


def parse_duration(text: str) -> float:
    """A duration in seconds; a bare number is taken as seconds."""
    message = f'"{text}" is not a valid duration (units: {unit_help(Kind.DURATION)})'
    try:
        value, kind = parse_quantity(text)
    except UnitError:
        raise UnitError(message) from None
    if kind not in (Kind.DURATION, Kind.NUMBER):
        raise UnitError(message)
    return value


def prometheus_duration(seconds: float) -> str:
    """A duration as PromQL/LogQL accept it in range selectors: whole seconds or milliseconds."""
    if seconds >= 1 and float(seconds).is_integer():
        return f"{int(seconds)}s"
    millis = max(1, round(seconds * 1000))
    if millis % 1000 == 0:
        return f"{millis // 1000}s"
    return f"{millis}ms"


def format_value(value: float, kind: Kind) -> str:
    """A base-unit value for a person: 0.2345 s → `234.5 ms`, 0.00123 → `0.123 %`."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if kind is Kind.DURATION:
        return _format_duration(value)
    if kind is Kind.BYTES:
        return _format_bytes(value)
    if kind is Kind.RATIO:
        return f"{_sig(value * 100)} %"
    if kind is Kind.RATE:
        return f"{_sig(value)}/s"
    return _sig(value)


def percent_text(ratio: float, signed: bool = False) -> str:
    """A ratio as a percentage for a change: `+12.3`, `-5`, `+4,510` (no exponent, 3 significant digits)."""
    number = ratio * 100
    text = f"{abs(number):,.0f}" if abs(number) >= 1000 else f"{abs(number):.3g}"
    sign = ("+" if number >= 0 else "-") if signed else ("-" if number < 0 else "")
    return sign + text


def _sig(value: float, digits: int = 4) -> str:
    """Up to `digits` significant digits, no exponent for everyday magnitudes."""
    if value == 0:
        return "0"
    if 1e-4 <= abs(value) < 1e15:
        decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
        text = f"{value:.{decimals}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{value:.{digits - 1}e}"


def _format_duration(seconds: float) -> str:
    magnitude = abs(seconds)
    if magnitude == 0:
        return "0 s"
    if magnitude < 1e-6:
        return f"{_sig(seconds * 1e9)} ns"
    if magnitude < 1e-3:
        return f"{_sig(seconds * 1e6)} µs"
    if magnitude < 1:
        return f"{_sig(seconds * 1e3)} ms"
    if magnitude < 120:
        return f"{_sig(seconds)} s"
    if magnitude < 7200:
        return f"{_sig(seconds / 60)} m"
    return f"{_sig(seconds / 3600)} h"


def _format_bytes(size: float) -> str:
    for unit, factor in (("TiB", 1024.0**4), ("GiB", 1024.0**3), ("MiB", 1024.0**2), ("KiB", 1024.0)):
        if abs(size) >= factor:
            return f"{_sig(size / factor)} {unit}"
    return f"{_sig(size)} B"
