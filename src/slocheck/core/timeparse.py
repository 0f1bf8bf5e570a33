"""Window bounds as people type them: RFC 3339, unix seconds, `now`, `now-15m`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from slocheck.core.errors import ConfigError
from slocheck.core.model import Window
from slocheck.core.units import UnitError, parse_duration

_RELATIVE_RE = re.compile(r"^now\s*(?:-\s*(.+))?$")


# Unix seconds after this (year 3000) are not a time anyone means: usually milliseconds or nanoseconds.
LATEST_UNIX_SECONDS = 32_503_680_000
TIME_HELP = "use RFC 3339 (2026-11-23T10:00:00Z), unix seconds, or now-15m"


def parse_time(text: str, now: datetime, option: str) -> datetime:
    raw = text.strip()
    try:
        return _parse_time(raw, now, option)
    except (OverflowError, OSError, ValueError):
        raise ConfigError(f'{option} "{text}" is out of range; {TIME_HELP}') from None


def _parse_time(raw: str, now: datetime, option: str) -> datetime:
    relative = _RELATIVE_RE.match(raw)
    if relative:
        if relative.group(1) is None:
            return now
        return now - timedelta(seconds=parse_positive_duration(relative.group(1), option))
    if re.fullmatch(r"\d+(?:\.\d+)?", raw):
        seconds = float(raw)
        if seconds > LATEST_UNIX_SECONDS:
            raise ConfigError(
                f'{option} "{raw}" is not unix seconds (that is after the year 3000); '
                f"for milliseconds divide by 1000 ({seconds / 1000:.0f})"
            )
        return datetime.fromtimestamp(seconds, tz=UTC)
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f'{option} "{raw}" is not a time; {TIME_HELP}') from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def naive_time_notes(**options: str | None) -> list[str]:
    """A note for each option given as a date and time without a timezone (read as UTC, which may not be meant)."""
    notes = []
    for option, text in options.items():
        if text is None or _RELATIVE_RE.match(text.strip()) or re.fullmatch(r"[\d.]+", text.strip()):
            continue
        try:
            parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        if parsed.tzinfo is None:
            name = "--" + option.replace("_", "-").removesuffix("-")
            notes.append(f'{name} "{text}" has no timezone: read as UTC (add Z or +02:00 to say otherwise)')
    return notes


def parse_positive_duration(text: str, option: str) -> float:
    """A positive duration given to a command-line option, or a ConfigError naming the option."""
    try:
        seconds = parse_duration(text)
    except UnitError as exc:
        raise ConfigError(f"{option}: {exc}") from None
    if seconds <= 0:
        raise ConfigError(f'{option}: "{text}" must be a positive duration (e.g. 15m)')
    return seconds


def resolve_window(start: str | None, end: str | None, last: str | None, now: datetime) -> Window:
    """`--from/--to` or `--last`, checked: start before end, not in the future."""
    if last is not None:
        if start is not None or end is not None:
            raise ConfigError("--last cannot be combined with --from/--to; use one or the other")
        seconds = parse_positive_duration(last, "--last")
        try:
            return Window(now - timedelta(seconds=seconds), now)
        except OverflowError:
            raise ConfigError(f'--last "{last}" reaches before the year 1; give a shorter window (e.g. 30d)') from None
    if start is None:
        raise ConfigError("no window: pass --last 15m, or --from T (and optionally --to T, default now)")
    window = Window(parse_time(start, now, "--from"), parse_time(end, now, "--to") if end else now)
    if window.end <= window.start:
        raise ConfigError(f"--to ({window.end.isoformat()}) must be after --from ({window.start.isoformat()})")
    if window.end > now + timedelta(minutes=1):
        raise ConfigError(f"--to ({window.end.isoformat()}) is in the future; data for it does not exist yet")
    return window
