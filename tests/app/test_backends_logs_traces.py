"""Building Loki and Jaeger backends only for objectives that use them, and checking LogQL before measuring."""

from __future__ import annotations

from pathlib import Path

import pytest

from slocheck.app.backends import all_objectives, build_sources, check_queries
from slocheck.config.settings import Settings
from slocheck.core.errors import ConfigError
from slocheck.core.model import JaegerIndicator, LokiIndicator, Objective
from slocheck.core.spec.loader import load_slo_files
from slocheck.sources.jaeger import JaegerBackend
from slocheck.sources.loki import LokiBackend
from tests.support.builders import objective, slo_document, write
from tests.support.fake_loki import TENANT, FakeLoki


def settings(**backends: dict[str, object]) -> Settings:
    return Settings.model_validate({"backends": backends})


LOKI = objective("errors", "<= 1", indicator=LokiIndicator("sum(x)", template="sum(x)"))
JAEGER = objective("p95", "< 1s", indicator=JaegerIndicator("api", "p95"))


def test_no_loki_or_jaeger_backend_is_built_for_objectives_that_do_not_use_them() -> None:
    sources = build_sources(settings(loki={"url": "http://loki:3100"}), [])

    assert (sources.loki, sources.jaeger, sources.prometheus) == (None, None, None)


def test_loki_and_jaeger_backends_are_built_for_their_objectives() -> None:
    sources = build_sources(
        settings(loki={"url": "http://loki:3100"}, jaeger={"url": "http://jaeger:16686"}), [LOKI, JAEGER], "r-1"
    )

    assert isinstance(sources.loki, LokiBackend)
    assert isinstance(sources.jaeger, JaegerBackend)
    assert sources.run_id == "r-1"
    sources.close()


@pytest.mark.parametrize(("target", "backend"), [(LOKI, "loki"), (JAEGER, "jaeger")])
def test_an_objective_of_a_backend_without_url_is_a_configuration_error(target: Objective, backend: str) -> None:
    with pytest.raises(ConfigError) as raised:
        build_sources(settings(), [target])

    assert str(raised.value) == (
        f"these objectives query {backend.capitalize()} but no URL is set: pass --{backend}-url, "
        f"set SLOCHECK_{backend.upper()}_URL, or add backends.{backend}.url to slocheck.yaml"
    )


def loki_objectives(tmp_path: Path, *queries: str) -> list[Objective]:
    blocks = "".join(
        f"    - name: q{i}\n      indicator: {{loki: {{query: '{q}'}}}}\n      pass: \"< 1\"\n"
        for i, q in enumerate(queries)
    )
    return all_objectives(load_slo_files([write(tmp_path, "slo.yaml", slo_document(blocks))]))


def test_a_logql_syntax_error_is_reported_with_its_file_and_objective(fake_loki: FakeLoki, tmp_path: Path) -> None:
    objectives = loki_objectives(tmp_path, 'sum(count_over_time({app="x"}[$__range]))', 'sum(rate({app="x"}[1m])')
    sources = build_sources(settings(loki={"url": fake_loki.url, "tenant": TENANT}), objectives)

    with pytest.raises(ConfigError) as raised:
        check_queries(sources, objectives)

    assert str(raised.value).startswith(f"{tmp_path / 'slo.yaml'}: gate/q1: Loki: parse error at line 1, col 24")
    assert len(str(raised.value).splitlines()) == 1


def test_the_logql_check_runs_over_one_second_only(fake_loki: FakeLoki, tmp_path: Path) -> None:
    objectives = loki_objectives(tmp_path, 'sum(count_over_time({app="x"}[$__range]))')
    sources = build_sources(settings(loki={"url": fake_loki.url, "tenant": TENANT}), objectives)

    check_queries(sources, objectives)

    assert fake_loki.requests[-1][2]["query"] == 'sum(count_over_time({app="x"}[1s]))'
