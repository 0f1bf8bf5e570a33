"""A `${var}` value carrying `"}` or `|=` stays data: escaped inside its one label matcher, never PromQL/LogQL.

Proved by the exact query the backend receives (recorded by fake Prometheus and Loki servers) and by what a real
Prometheus answers: the injected `or vector(1)` would make `== 1` pass; escaped, the matcher matches nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from slocheck.__main__ import main
from tests.support.command import write_slo
from tests.support.fake_loki import FakeLoki
from tests.support.fake_prometheus import INSTANT, FakePrometheus

VALUES = {
    "closes the matcher": 'api"} or vector(1) or up{x="',
    "adds a line filter": 'api"} |= "ERROR',
    "ends in a backslash": "C:\\temp\\",
    "carries a newline": 'a"}\nor vector(1)',
}
_MATCHER = re.compile(r'\{\s*([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*\}')


def matchers_of(query: str) -> list[tuple[str, str, str]]:
    """Every `{name op "value"}` selector with ONE matcher in `query`, the value unescaped (PromQL/LogQL rules)."""
    unescape = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}
    return [
        (m.group(1), m.group(2), re.sub(r"\\[\\\"n]", lambda e: unescape[e.group(0)], m.group(3)))
        for m in _MATCHER.finditer(query)
    ]


def _evaluate(work: Path, slo: Path, *extra: str) -> tuple[int, dict[str, object]]:
    out = work / "result.json"
    code = main(["evaluate", str(slo), "--last", "5m", "--json", str(out), *extra])
    document: dict[str, object] = json.loads(out.read_text())
    return code, document


@pytest.mark.parametrize("value", VALUES.values(), ids=list(VALUES))
def test_a_variable_value_reaches_prometheus_as_one_escaped_label_matcher(
    value: str, fake_prometheus: FakePrometheus, work: Path
) -> None:
    slo = write_slo(work / "slo.yaml", "    - name: up\n      indicator: {prometheus: {query: 'up{job=\"${job}\"}'}}\n"
                    '      pass: "== 1"\n')  # fmt: skip
    _evaluate(work, slo, "--prometheus-url", fake_prometheus.url, "--var", f"job={value}")
    (request,) = fake_prometheus.seen(INSTANT)
    query = request.params["query"]
    assert re.fullmatch(r'up\{job="(?:[^"\\]|\\.)*"\}', query), query  # one selector, nothing after it
    assert matchers_of(query) == [("job", "=", value)]


@pytest.fixture
def loki() -> Iterator[FakeLoki]:
    server = FakeLoki(auth_enabled=False).start()
    yield server
    server.stop()


@pytest.mark.parametrize("value", VALUES.values(), ids=list(VALUES))
def test_a_variable_value_reaches_loki_as_one_escaped_label_matcher(value: str, loki: FakeLoki, work: Path) -> None:
    slo = write_slo(
        work / "slo.yaml",
        "    - name: errors\n"
        "      indicator: {loki: {query: 'sum(count_over_time({app=\"${app}\"} [$__range]))'}}\n"
        '      pass: "<= 10"\n',
    )
    _evaluate(work, slo, "--loki-url", loki.url, "--var", f"app={value}")
    queries = [params["query"] for _method, path, params in loki.requests if path == "/loki/api/v1/query"]
    (query,) = queries
    # One stream selector and no line filter: nothing between the selector and the range.
    assert re.fullmatch(r'sum\(count_over_time\(\{app="(?:[^"\\]|\\.)*"\} \[\d+s\]\)\)', query), query
    assert matchers_of(query) == [("app", "=", value)]


UP = '    - name: up\n      indicator: {prometheus: {query: \'up{job="${job}"}\'}}\n      pass: "== 1"\n'
# Scraped at all in the window: one scrape that timed out on a busy machine must not fail the test.
SCRAPED = (
    "    - name: up\n      indicator: {prometheus: {query: 'max_over_time(up{job=\"${job}\"}[$__range])'}}\n"
    '      pass: "== 1"\n'
)


@pytest.mark.integration
def test_a_real_prometheus_passes_the_objective_for_the_real_job(prometheus: str, work: Path) -> None:
    code, document = _evaluate(work, write_slo(work / "slo.yaml", SCRAPED), "--prometheus-url", prometheus,
                               "--var", "job=known")  # fmt: skip
    assert (code, document["verdict"]) == (0, "PASS")


@pytest.mark.integration
def test_a_real_prometheus_finds_nothing_for_an_injected_or_vector_1_so_it_cannot_pass(
    prometheus: str, work: Path
) -> None:
    injected = 'known"} or vector(1) or up{x="'
    code, document = _evaluate(work, write_slo(work / "slo.yaml", UP), "--prometheus-url", prometheus,
                               "--var", f"job={injected}")  # fmt: skip
    (objective,) = document["objectives"]  # type: ignore[misc]
    assert (code, document["verdict"]) == (3, "INCONCLUSIVE")
    assert objective["outcome"] == "NO_DATA"
    assert objective["query"] == 'up{job="known\\"} or vector(1) or up{x=\\""}'
