"""Bad input is exit 2 with one line saying what is wrong and what to write — never "internal error", exit 3."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.cli.conftest import Cli

P = "http://127.0.0.1:9"  # never reached: every case fails before a query


def test_validate_of_dev_zero_is_refused_in_well_under_a_second(cli: Cli) -> None:
    started = time.monotonic()
    code, lines = cli("validate", "/dev/zero")
    assert time.monotonic() - started < 0.5
    assert code == 2
    assert lines[0] == "error: /dev/zero: is larger than 4 MiB; is it an SLO file?"


def test_a_15_mib_slo_file_is_refused_at_once(cli: Cli, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * (15 * 2**20 // 10), encoding="utf-8")
    started = time.monotonic()
    code, lines = cli("validate", str(big))
    assert time.monotonic() - started < 1.0
    assert code == 2
    assert lines[0] == f"error: {big}: is larger than 4 MiB; is it an SLO file?"


def test_a_config_file_read_from_dev_zero_is_refused(cli: Cli) -> None:
    code, lines = cli("validate", "good.yaml", "--online", "--config", "/dev/zero")
    assert (code, lines) == (2, ["error: /dev/zero: larger than 1 MiB; is it a slocheck config?"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "1795880000000"],
            'error: --from "1795880000000" is not unix seconds (that is after the year 3000); '
            "for milliseconds divide by 1000 (1795880000)",
        ),
        (
            ["--last", "99999999999999d"],
            'error: --last "99999999999999d" reaches before the year 1; give a shorter window (e.g. 30d)',
        ),
        (
            ["--from", "now-99999999999999d"],
            'error: --from "now-99999999999999d" is out of range; '
            "use RFC 3339 (2026-11-23T10:00:00Z), unix seconds, or now-15m",
        ),
        (
            ["--last", "5m", "--ca-bundle", "/nonexistent.pem"],
            "error: --ca-bundle: CA bundle /nonexistent.pem is not a readable file; give the path of a PEM file",
        ),
    ],
)
def test_a_bad_window_or_ca_bundle_is_exit_2_in_one_line(cli: Cli, args: list[str], message: str) -> None:
    assert cli("evaluate", "good.yaml", "--prometheus-url", P, *args) == (2, [message])


@pytest.mark.parametrize(("timeout", "got"), [("-5s", "-5"), ("0s", "0"), ("-1", "-1")])
def test_a_timeout_that_is_not_positive_is_refused_where_it_is_written(
    cli: Cli, tmp_path: Path, timeout: str, got: str
) -> None:
    (tmp_path / "c.yaml").write_text(f"backends:\n  prometheus:\n    timeout: {timeout}\n", encoding="utf-8")
    assert cli("evaluate", "good.yaml", "--last", "5m", "--prometheus-url", P, "--config", "c.yaml") == (
        2,
        [f"error: c.yaml:3:5: backends.prometheus.timeout: must be a positive duration such as 10s (got {got} s)"],
    )


def test_an_unknown_config_key_gets_a_did_you_mean(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("backends:\n  prometheus:\n    timout: 5s\n", encoding="utf-8")
    assert cli("validate", "good.yaml", "--online", "--config", "c.yaml") == (
        2,
        ['error: c.yaml:3:5: backends.prometheus.timout: unknown key; did you mean "timeout"?'],
    )


def test_duplicate_keys_in_the_config_are_refused_not_last_one_wins(cli: Cli, tmp_path: Path) -> None:
    text = "backends:\n  prometheus: {url: 'http://a:9090'}\n  prometheus: {url: 'http://b:9090'}\n"
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    assert cli("validate", "good.yaml", "--online", "--config", "c.yaml") == (
        2,
        ["error: c.yaml:3:3: backends.prometheus: duplicate key; keep one"],
    )


@pytest.mark.parametrize("value", ['"yes"', "1", "null"])
def test_insecure_in_the_config_takes_only_a_boolean(cli: Cli, tmp_path: Path, value: str) -> None:
    (tmp_path / "c.yaml").write_text(f"backends:\n  prometheus:\n    insecure: {value}\n", encoding="utf-8")
    code, lines = cli("validate", "good.yaml", "--online", "--config", "c.yaml")
    assert code == 2
    assert lines[0].startswith("error: c.yaml:3:5: backends.prometheus.insecure: ")
