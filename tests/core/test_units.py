"""units.py: quantities as people write them, converted to base units, and back for display."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slocheck.core.units import Kind, UnitError, format_value, parse_duration, parse_quantity, prometheus_duration


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("5ns", 5e-9, Kind.DURATION),
        ("250us", 250e-6, Kind.DURATION),
        ("250µs", 250e-6, Kind.DURATION),
        ("500ms", 0.5, Kind.DURATION),
        ("2s", 2.0, Kind.DURATION),
        ("3m", 180.0, Kind.DURATION),
        ("1h", 3600.0, Kind.DURATION),
        ("512B", 512.0, Kind.BYTES),
        ("2KB", 2e3, Kind.BYTES),
        ("3MB", 3e6, Kind.BYTES),
        ("4GB", 4e9, Kind.BYTES),
        ("1KiB", 1024.0, Kind.BYTES),
        ("1MiB", 1024.0**2, Kind.BYTES),
        ("12GiB", 12 * 1024.0**3, Kind.BYTES),
        ("0.1%", 0.001, Kind.RATIO),
        ("99.9%", 0.999, Kind.RATIO),
        ("1000/s", 1000.0, Kind.RATE),
        ("42", 42.0, Kind.NUMBER),
        ("-1.5", -1.5, Kind.NUMBER),
        ("1e3", 1000.0, Kind.NUMBER),
    ],
)
def test_every_unit_converts_to_its_base_unit_and_kind(text: str, value: float, kind: Kind) -> None:
    parsed, parsed_kind = parse_quantity(text)
    assert parsed == pytest.approx(value, rel=1e-12)
    assert parsed_kind is kind


def test_a_space_between_number_and_unit_is_allowed() -> None:
    assert parse_quantity(" 500 ms ") == (0.5, Kind.DURATION)


def test_a_compound_duration_adds_its_parts() -> None:
    assert parse_quantity("1m30s") == (90.0, Kind.DURATION)


def test_a_three_part_compound_duration_adds_its_parts() -> None:
    assert parse_quantity("1h2m3s") == (3723.0, Kind.DURATION)


def test_a_compound_duration_with_a_unitless_tail_is_rejected() -> None:
    with pytest.raises(UnitError, match=r'^"1m30" is not a valid duration \(units: ns, us, ms, s, m, h\)$'):
        parse_quantity("1m30")


def test_a_mistyped_duration_unit_names_the_duration_units() -> None:
    with pytest.raises(UnitError) as caught:
        parse_quantity("500 mss")
    assert str(caught.value) == '"500 mss" is not a valid duration (units: ns, us, ms, s, m, h)'


def test_a_mistyped_size_unit_names_the_size_units() -> None:
    with pytest.raises(UnitError) as caught:
        parse_quantity("12GiBs")
    message = str(caught.value)
    assert message.startswith('"12GiBs" is not a valid ')
    assert message.endswith("(units: B, KB, MB, GB, KiB, MiB, GiB)")


def test_an_unknown_unit_unlike_any_known_one_lists_common_units() -> None:
    with pytest.raises(UnitError) as caught:
        parse_quantity("5xyz")
    assert str(caught.value) == '"5xyz" is not a valid quantity (units: ms, s, %, GiB, /s)'


def test_text_without_a_number_is_rejected_with_examples() -> None:
    with pytest.raises(UnitError) as caught:
        parse_quantity("fast")
    assert str(caught.value) == '"fast" is not a number with an optional unit (e.g. 500ms, 0.1%, 2GiB, 100/s)'


def test_unit_names_are_case_sensitive() -> None:
    with pytest.raises(UnitError, match="is not a valid"):
        parse_quantity("5MS")


def test_parse_duration_takes_a_bare_number_as_seconds() -> None:
    assert parse_duration("15") == 15.0


def test_parse_duration_rejects_a_percentage_naming_the_duration_units() -> None:
    with pytest.raises(UnitError) as caught:
        parse_duration("5%")
    assert str(caught.value) == '"5%" is not a valid duration (units: ns, us, ms, s, m, h)'


def test_parse_duration_with_an_unknown_unit_says_a_duration_was_expected() -> None:
    with pytest.raises(UnitError) as caught:
        parse_duration("5 parsecs")
    assert str(caught.value) == '"5 parsecs" is not a valid duration (units: ns, us, ms, s, m, h)'


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        (0.2345, Kind.DURATION, "234.5 ms"),
        (5e-5, Kind.DURATION, "50 µs"),
        (1e-7, Kind.DURATION, "100 ns"),
        (1.5, Kind.DURATION, "1.5 s"),
        (90.0, Kind.DURATION, "90 s"),
        (150.0, Kind.DURATION, "2.5 m"),
        (7200.0, Kind.DURATION, "2 h"),
        (0.0, Kind.DURATION, "0 s"),
        (512.0, Kind.BYTES, "512 B"),
        (1536.0, Kind.BYTES, "1.5 KiB"),
        (12 * 1024.0**3, Kind.BYTES, "12 GiB"),
        (0.00123, Kind.RATIO, "0.123 %"),
        (1.0, Kind.RATIO, "100 %"),
        (1000.0, Kind.RATE, "1000/s"),
        (12.5, Kind.RATE, "12.5/s"),
        (5.0, Kind.NUMBER, "5"),
        (1234567.0, Kind.NUMBER, "1234567"),
        (1e20, Kind.NUMBER, "1.000e+20"),
    ],
)
def test_format_value_shows_a_base_value_in_a_readable_unit(value: float, kind: Kind, shown: str) -> None:
    assert format_value(value, kind) == shown


@pytest.mark.parametrize(("value", "shown"), [(math.nan, "NaN"), (math.inf, "+Inf"), (-math.inf, "-Inf")])
def test_format_value_names_nan_and_infinities_as_prometheus_does(value: float, shown: str) -> None:
    assert format_value(value, Kind.DURATION) == shown


_MAGNITUDES = {
    Kind.DURATION: st.floats(min_value=1e-9, max_value=1e6),
    Kind.BYTES: st.floats(min_value=1.0, max_value=1e15),
    Kind.RATIO: st.floats(min_value=1e-6, max_value=10.0),
    Kind.RATE: st.floats(min_value=1e-3, max_value=1e9),
    Kind.NUMBER: st.floats(min_value=1e-6, max_value=1e12),
}


@given(st.sampled_from(list(_MAGNITUDES)).flatmap(lambda k: st.tuples(st.just(k), _MAGNITUDES[k])))
def test_a_formatted_value_parses_back_to_the_same_kind_within_display_precision(case: tuple[Kind, float]) -> None:
    kind, value = case
    parsed, parsed_kind = parse_quantity(format_value(value, kind))
    assert parsed_kind is kind
    assert parsed == pytest.approx(value, rel=1e-3)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(300.0, "300s"), (1.0, "1s"), (86400.0, "86400s"), (1.5, "1500ms"), (0.25, "250ms"), (2.0004, "2s")],
)
def test_prometheus_duration_writes_whole_seconds_or_milliseconds(seconds: float, text: str) -> None:
    assert prometheus_duration(seconds) == text


def test_prometheus_duration_never_writes_a_zero_duration() -> None:
    assert prometheus_duration(1e-9) == "1ms"


@given(st.floats(min_value=0.001, max_value=1e7))
def test_prometheus_duration_parses_back_to_within_a_millisecond(seconds: float) -> None:
    assert parse_duration(prometheus_duration(seconds)) == pytest.approx(seconds, abs=0.0005 + 1e-9)
