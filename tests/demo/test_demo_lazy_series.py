"""`--lazy-series`: label sets appear on first use instead of at zero on start."""

from __future__ import annotations

from pathlib import Path

from tests.demo.helpers import DemoClient, running


def samples(text: str, name: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(name + "{")]


def test_without_the_flag_every_known_series_exists_at_zero_before_any_request(tmp_path: Path) -> None:
    with running(DemoClient(tmp_path)) as service:
        assert samples(service.metrics(), "http_requests_total")


def test_with_the_flag_a_series_is_born_with_its_first_request(tmp_path: Path) -> None:
    with running(DemoClient(tmp_path, ["--lazy-series"])) as service:
        assert samples(service.metrics(), "http_requests_total") == []
        service.token()
        born = samples(service.metrics(), "http_requests_total")
    assert len(born) == 1
    assert 'endpoint="/api/v1/auth/token"' in born[0]
