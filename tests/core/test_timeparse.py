"""timeparse.py: --from/--to/--last as people type them, against an injected `now`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from slocheck.core.errors import ConfigError
from slocheck.core.timeparse import parse_time, resolve_window

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_now_is_the_injected_clock() -> None:
    assert parse_time("now", NOW, "--to") == NOW


def test_now_minus_a_duration_is_relative_to_the_clock() -> None:
    assert parse_time("now-15m", NOW, "--from") == NOW - timedelta(minutes=15)


def test_relative_times_accept_spaces_and_compound_durations() -> None:
    assert parse_time("now - 1h30m", NOW, "--from") == NOW - timedelta(minutes=90)


def test_rfc3339_with_z_is_utc() -> None:
    assert parse_time("2026-11-23T10:00:00Z", NOW, "--from") == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_rfc3339_with_an_offset_is_converted_to_utc() -> None:
    parsed = parse_time("2026-11-23T11:05:00+01:00", NOW, "--to")
    assert parsed == datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(0)


def test_a_time_without_an_offset_is_taken_as_utc() -> None:
    assert parse_time("2026-11-23T10:00:00", NOW, "--from") == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_unix_seconds_are_accepted() -> None:
    assert parse_time("1795428000", NOW, "--from") == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_fractional_unix_seconds_are_accepted() -> None:
    assert parse_time("1795428000.5", NOW, "--from") == datetime(2026, 11, 23, 10, 0, 0, 500000, tzinfo=UTC)


def test_an_unreadable_time_names_the_option_and_the_accepted_forms() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_time("yesterday", NOW, "--from")
    assert str(caught.value) == (
        '--from "yesterday" is not a time; use RFC 3339 (2026-11-23T10:00:00Z), unix seconds, or now-15m'
    )


def test_now_plus_is_not_a_time() -> None:
    with pytest.raises(ConfigError, match=r'--to "now\+5m" is not a time'):
        parse_time("now+5m", NOW, "--to")


def test_last_is_a_window_ending_now() -> None:
    window = resolve_window(None, None, "15m", NOW)
    assert (window.start, window.end) == (NOW - timedelta(minutes=15), NOW)


def test_from_alone_ends_now() -> None:
    window = resolve_window("now-1h", None, None, NOW)
    assert (window.start, window.end) == (NOW - timedelta(hours=1), NOW)


def test_from_and_to_give_exactly_that_window() -> None:
    window = resolve_window("2026-11-23T10:00:00Z", "2026-11-23T11:05:00+01:00", None, NOW)
    assert window.seconds == 300


def test_last_and_from_together_are_rejected() -> None:
    with pytest.raises(ConfigError, match=r"^--last cannot be combined with --from/--to; use one or the other$"):
        resolve_window("now-15m", None, "15m", NOW)


def test_last_and_to_together_are_rejected() -> None:
    with pytest.raises(ConfigError, match=r"^--last cannot be combined"):
        resolve_window(None, "now", "15m", NOW)


def test_no_window_at_all_explains_both_ways() -> None:
    with pytest.raises(ConfigError, match=r"^no window: pass --last 15m, or --from T"):
        resolve_window(None, None, None, NOW)


def test_to_alone_is_not_a_window() -> None:
    with pytest.raises(ConfigError, match=r"^no window"):
        resolve_window(None, "now", None, NOW)


def test_to_before_from_is_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_window("now", "now-5m", None, NOW)
    assert str(caught.value) == "--to (2026-11-23T11:55:00+00:00) must be after --from (2026-11-23T12:00:00+00:00)"


def test_an_empty_window_is_rejected() -> None:
    with pytest.raises(ConfigError, match="must be after --from"):
        resolve_window("now", None, None, NOW)


def test_a_window_ending_in_the_future_is_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_window("2026-11-23T12:00:00Z", "2026-11-23T12:05:00Z", None, NOW)
    assert str(caught.value) == "--to (2026-11-23T12:05:00+00:00) is in the future; data for it does not exist yet"


def test_a_minute_of_clock_skew_is_tolerated() -> None:
    window = resolve_window("2026-11-23T11:00:00Z", "2026-11-23T12:01:00Z", None, NOW)
    assert window.end == NOW + timedelta(minutes=1)


@pytest.mark.parametrize("last", ["0s", "-5m"])
def test_last_must_be_positive(last: str) -> None:
    with pytest.raises(ConfigError, match=f'^--last: "{last}" must be a positive duration'):
        resolve_window(None, None, last, NOW)


def test_last_with_a_wrong_unit_names_the_option() -> None:
    with pytest.raises(ConfigError, match=r'^--last: "5%" is not a valid duration'):
        resolve_window(None, None, "5%", NOW)
