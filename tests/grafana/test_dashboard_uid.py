"""A uid for dashboards exported without one: derived from the title, stable, within Grafana's limit."""

from __future__ import annotations

from slocheck.grafana.dashboards.files import MAX_UID_LENGTH, uid_from_title


def test_the_same_title_always_gives_the_same_uid() -> None:
    assert uid_from_title("Checkout API") == uid_from_title("Checkout API")


def test_titles_that_slug_alike_still_get_different_uids() -> None:
    assert uid_from_title("Checkout API") != uid_from_title("checkout/api")


def test_a_long_title_gives_a_uid_within_grafanas_limit() -> None:
    uid = uid_from_title("A very long dashboard title " * 5)
    assert len(uid) <= MAX_UID_LENGTH
    assert uid.startswith("a-very-long-dashboard-title")


def test_a_title_without_letters_or_digits_still_gives_a_uid() -> None:
    assert len(uid_from_title("📈 ✨")) == 8
