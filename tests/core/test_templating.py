"""spec/templating.py: `${var}` substitution with escaping, and the window built-ins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from slocheck.core.model import Window
from slocheck.core.spec.templating import (
    escape_label_value,
    render,
    resolve_window,
    substitute_variables,
    unknown_variables,
)
from tests.support.builders import WINDOW, promql_string_value

START_UNIX = int(WINDOW.start.timestamp())
END_UNIX = int(WINDOW.end.timestamp())


def window_of(seconds: float) -> Window:
    return Window(WINDOW.start, WINDOW.start + timedelta(seconds=seconds))


def test_a_variable_is_replaced_by_its_value() -> None:
    assert substitute_variables('up{job="${job}"}', {"job": "api"}) == 'up{job="api"}'


def test_every_occurrence_of_a_variable_is_replaced() -> None:
    assert substitute_variables("${a}/${a}", {"a": "x"}) == "x/x"


def test_a_substituted_value_is_escaped_for_a_double_quoted_string() -> None:
    assert substitute_variables('{job="${job}"}', {"job": 'a"}\\'}) == '{job="a\\"}\\\\"}'


def test_a_value_is_substituted_once_and_never_expanded_again() -> None:
    assert substitute_variables("${a}", {"a": "${b}", "b": "x"}) == "${b}"


def test_window_builtins_are_left_for_the_window_in_both_spellings() -> None:
    text = "rate(x[$__range]) / rate(x[${__range}])"
    assert substitute_variables(text, {}) == text


def test_escape_doubles_backslashes_and_escapes_quotes_and_newlines() -> None:
    assert escape_label_value('a\\b"c\nd') == 'a\\\\b\\"c\\nd'


@given(st.text().filter(lambda t: "`" not in t))
def test_an_escaped_value_is_exactly_one_promql_string_literal_holding_the_value(value: str) -> None:
    assert promql_string_value(f'"{escape_label_value(value)}"') == value


def test_a_value_with_a_backtick_is_a_valid_promql_string() -> None:
    assert promql_string_value(f'"{escape_label_value("a`b")}"') == "a`b"


def test_a_value_that_looks_like_a_builtin_stays_data() -> None:
    assert render('up{path="${path}"}', {"path": "/cost$__range"}, WINDOW) == 'up{path="/cost$__range"}'


def test_unknown_variables_lists_undefined_names_sorted_and_once() -> None:
    assert unknown_variables("${zeta} ${alpha} ${zeta} ${job}", {"job": "api"}) == ["alpha", "zeta"]


def test_known_builtins_are_never_unknown() -> None:
    text = "$__range $__range_s $__interval $__start $__end ${__range} ${__interval}"
    assert unknown_variables(text, {}) == []


def test_a_misspelled_builtin_is_unknown() -> None:
    assert unknown_variables("rate(x[$__rnge])", {}) == ["__rnge"]


def test_an_empty_variable_reference_is_unknown() -> None:
    assert unknown_variables("up{a='${}'}", {}) == [""]


def test_range_is_the_window_length_in_seconds() -> None:
    assert resolve_window("rate(x[$__range])", WINDOW) == "rate(x[300s])"


def test_range_in_braces_resolves_like_the_bare_form() -> None:
    assert resolve_window("rate(x[${__range}])", WINDOW) == "rate(x[300s])"


def test_range_s_is_the_window_length_as_a_plain_number() -> None:
    assert resolve_window("x / $__range_s", WINDOW) == "x / 300"


def test_range_s_is_not_read_as_range_followed_by_s() -> None:
    assert resolve_window("$__range_s $__range", WINDOW) == "300 300s"


def test_interval_defaults_to_about_250_points_per_window() -> None:
    assert resolve_window("[$__interval]", window_of(86400)) == "[346s]"


def test_interval_is_never_below_one_second() -> None:
    assert resolve_window("[$__interval]", WINDOW) == "[1s]"


def test_interval_uses_the_step_when_one_is_given() -> None:
    assert resolve_window("[$__interval]", WINDOW, 15.0) == "[15s]"


def test_start_and_end_are_unix_seconds() -> None:
    assert resolve_window("$__start..$__end", WINDOW) == f"{START_UNIX}..{END_UNIX}"
    assert int(datetime(2026, 11, 23, 10, 0, tzinfo=UTC).timestamp()) == START_UNIX


def test_a_sub_second_window_still_gives_a_valid_one_second_range() -> None:
    assert resolve_window("[$__range] $__range_s", window_of(0.5)) == "[1s] 1"


def test_a_fractional_window_keeps_milliseconds_in_range() -> None:
    assert resolve_window("[$__range]", window_of(90.5)) == "[90500ms]"


def test_an_unknown_builtin_is_left_untouched() -> None:
    assert resolve_window("x[$__nope]", WINDOW) == "x[$__nope]"
