"""core/counters.py: exact events of counter series in a window, from raw scrapes."""

from __future__ import annotations

from slocheck.core.counters import bracket_gaps, count_all, count_series, group_counts

START, END = 100.0, 130.0


def test_a_series_with_a_scrape_before_the_start_counts_the_increase_between_the_bracketing_scrapes() -> None:
    counted = count_series({"a": "1"}, [(90.0, 5.0), (99.0, 7.0), (110.0, 12.0), (131.0, 20.0), (140.0, 25.0)],
                           START, END)  # fmt: skip
    assert counted is not None
    assert (counted.events, counted.born, counted.start_at, counted.end_at) == (13.0, False, 99.0, 131.0)


def test_a_series_born_inside_the_window_counts_its_first_value_from_zero() -> None:
    counted = count_series({}, [(105.0, 3.0), (115.0, 9.0), (131.0, 10.0)], START, END)
    assert counted is not None
    assert (counted.events, counted.born) == (10.0, True)


def test_a_counter_reset_adds_the_value_after_the_reset() -> None:
    counted = count_series({}, [(95.0, 50.0), (110.0, 60.0), (120.0, 4.0), (131.0, 6.0)], START, END)
    assert counted is not None
    assert (counted.events, counted.resets) == (16.0, 1)


def test_without_a_scrape_after_the_end_the_last_scrape_inside_is_used_and_flagged() -> None:
    counted = count_series({}, [(95.0, 1.0), (120.0, 4.0)], START, END)
    assert counted is not None
    assert (counted.events, counted.end_covered) == (3.0, False)


def test_a_series_with_no_scrape_at_all_says_nothing() -> None:
    assert count_series({}, [], START, END) is None


def test_a_series_idle_through_the_window_counts_zero() -> None:
    counted = count_series({}, [(95.0, 8.0), (131.0, 8.0)], START, END)
    assert counted is not None
    assert counted.events == 0.0


def test_groups_sum_their_series_by_the_given_labels() -> None:
    series = [
        ({"route": "/a", "status": "200"}, [(105.0, 2.0), (131.0, 4.0)]),
        ({"route": "/a", "status": "500"}, [(95.0, 1.0), (131.0, 2.0)]),
        ({"route": "/b", "status": "200"}, [(95.0, 0.0), (131.0, 7.0)]),
    ]
    groups = group_counts(count_all(series, START, END), ["route"])
    assert [(dict(g.labels), g.events) for g in groups] == [({"route": "/a"}, 5.0), ({"route": "/b"}, 7.0)]
    assert [g.events for g in group_counts(count_all(series, START, END), [])] == [12.0]


def test_the_error_bound_is_the_widest_gap_to_the_bracketing_scrapes() -> None:
    counts = count_all([({}, [(97.0, 0.0), (132.5, 1.0)]), ({"x": "1"}, [(99.0, 0.0), (131.0, 1.0)])], START, END)
    assert bracket_gaps(counts, START, END) == (3.0, 2.5)
