"""The one query-text scanner: strings, brackets and matchers read the same way everywhere."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from slocheck.core.querytext import (
    closing,
    enclosing,
    label_matchers,
    leading_selector,
    quote_at,
    split_top_level,
    strip_parentheses,
)


def test_a_bracket_inside_a_string_does_not_close_anything() -> None:
    text = 'sum(rate(x{path=")"}[5m]))'
    assert closing(text, 3) == len(text) - 1


def test_an_escaped_quote_does_not_end_a_double_quoted_string() -> None:
    text = 'f(x{a="\\")"})'
    assert closing(text, 1) == len(text) - 1


def test_a_backslash_in_a_raw_string_escapes_nothing() -> None:
    text = "f(x{a=`\\`})"
    assert closing(text, 1) == len(text) - 1


def test_an_unclosed_bracket_has_no_partner() -> None:
    assert closing("sum(rate(x[5m])", 3) == -1


def test_top_level_commas_split_and_nested_ones_do_not() -> None:
    assert split_top_level('0.95, sum by (le, job) (x{a=","})') == ["0.95", ' sum by (le, job) (x{a=","})']


def test_enclosing_names_the_functions_around_a_position() -> None:
    text = "sum(rate(x[$__range]))"
    assert enclosing(text, text.index("$")) == [("(", "sum"), ("(", "rate"), ("[", "")]


def test_quote_at_tells_which_string_a_position_is_in() -> None:
    text = "x{a=\"v\", b='w', c=`z`}"
    assert [quote_at(text, text.index(c)) for c in "vwz{"] == ['"', "'", "`", None]


def test_wrapping_parentheses_are_stripped_and_partial_ones_kept() -> None:
    assert strip_parentheses("((a + b))") == "a + b"
    assert strip_parentheses("(a) + (b)") == "(a) + (b)"


def test_the_leading_selector_ends_at_its_closing_brace_outside_strings() -> None:
    assert leading_selector('{app="a}b", x=`}`} |= "}"') == '{app="a}b", x=`}`}'


def test_label_matchers_are_read_with_their_operators() -> None:
    assert label_matchers('{app="a", level=~"err.*"}') == [("app", "=", '"a"'), ("level", "=~", '"err.*"')]


@given(st.text(alphabet="ab(){}[]\"'`\\,", max_size=30))
def test_a_closing_partner_is_always_a_closing_bracket_after_the_opening(text: str) -> None:
    for index, char in enumerate(text):
        if char in "([{" and quote_at(text, index) is None:
            partner = closing(text, index)
            assert partner == -1 or (partner > index and text[partner] in ")]}")


@given(st.text(alphabet="ab(),\"'`\\", max_size=30))
def test_splitting_loses_no_character(text: str) -> None:
    assert ",".join(split_top_level(text)) == text
