"""The `loki` and `jaeger` indicators of the SLO file: what loads, and what is rejected with which message."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slocheck.core.errors import SpecError
from slocheck.core.model import JaegerIndicator, LokiIndicator, RangeSpec, SeriesReduce
from slocheck.core.querytext import leading_selector
from slocheck.core.spec.loader import load_slo_files
from slocheck.core.spec.logql import count_query, presence_selector
from tests.support.builders import slo_document, write


def load_one(tmp_path: Path, objectives: str, extra_spec: str = "") -> object:
    path = write(tmp_path, "slo.yaml", slo_document(objectives, extra_spec=extra_spec))
    return load_slo_files([path])[0].objectives[0].indicator


def problems(tmp_path: Path, objectives: str) -> list[str]:
    path = write(tmp_path, "slo.yaml", slo_document(objectives))
    with pytest.raises(SpecError) as raised:
        load_slo_files([path])
    return [p.message for p in raised.value.problems]


def test_a_loki_metric_query_loads_with_its_reduce_and_range(tmp_path: Path) -> None:
    indicator = load_one(tmp_path, """\
    - name: errors
      indicator: {loki: {query: 'sum by (level) (count_over_time({app="api"}[$__range]))', reduce: sum,
                         range: {step: 30s, reduce: max}}}
      pass: "<= 10"
""")  # fmt: skip

    assert indicator == LokiIndicator(
        'sum by (level) (count_over_time({app="api"}[$__range]))', SeriesReduce.SUM, RangeSpec("max", 30.0),
        template='sum by (level) (count_over_time({app="api"}[$__range]))',
    )  # fmt: skip


def test_a_loki_count_becomes_a_server_side_count_over_the_window(tmp_path: Path) -> None:
    indicator = load_one(
        tmp_path,
        """\
    - name: errors
      indicator: {loki: {count: '{app="${app}"} |= "ERROR"'}}
      pass: "<= 10"
""",
        extra_spec="  vars: {app: paracle-api}\n",
    )

    assert isinstance(indicator, LokiIndicator)
    assert indicator.query == 'sum(count_over_time({app="paracle-api"} |= "ERROR" [$__range]))'
    assert indicator.template == 'sum(count_over_time({app="${app}"} |= "ERROR" [$__range]))'
    assert (indicator.count_of, dict(indicator.variables)) == ('{app="${app}"} |= "ERROR"', {"app": "paracle-api"})


def test_a_loki_indicator_needs_a_query_or_a_count(tmp_path: Path) -> None:
    found = problems(tmp_path, '    - name: e\n      indicator: {loki: {reduce: sum}}\n      pass: "< 1"\n')

    assert found == ["needs exactly one of query (a LogQL metric query) or count (a log selector)"]


def test_a_loki_count_takes_no_range(tmp_path: Path) -> None:
    objectives = """\
    - name: e
      indicator: {loki: {count: '{app="x"}', range: {step: 1m}}}
      pass: "< 1"
"""

    assert problems(tmp_path, objectives) == ["count is one number for the whole window: range and reduce do not apply"]


def test_a_loki_count_must_be_a_log_selector(tmp_path: Path) -> None:
    objectives = """\
    - name: e
      indicator: {loki: {count: 'rate({app="x"}[1m])'}}
      pass: "< 1"
"""

    [message] = problems(tmp_path, objectives)
    assert message.startswith('count takes a log selector such as {app="api"} |= "ERROR", not "rate(')


def test_an_unknown_variable_in_a_loki_count_is_reported(tmp_path: Path) -> None:
    objectives = """\
    - name: e
      indicator: {loki: {count: '{app="${service}"}'}}
      pass: "< 1"
"""

    assert problems(tmp_path, objectives) == [
        "unknown variable ${service}; define it under spec.vars or pass --var NAME=VALUE"
    ]


def test_a_jaeger_indicator_loads_with_its_defaults(tmp_path: Path) -> None:
    indicator = load_one(tmp_path, """\
    - name: p95
      indicator: {jaeger: {service: paracle-api, operation: "POST /api/v1/agents/run", stat: p95}}
      pass: "< 2s"
""")  # fmt: skip

    assert indicator == JaegerIndicator("paracle-api", "p95", "POST /api/v1/agents/run", None, {}, 20, False)


def test_jaeger_attribute_values_are_compared_as_text(tmp_path: Path) -> None:
    indicator = load_one(tmp_path, """\
    - name: p95
      indicator: {jaeger: {service: api, stat: p95, span_kind: server, min_traces: 5, run_traces: true,
                           attributes: {http.response.status_code: 200, cached: false}}}
      pass: "< 2s"
""")  # fmt: skip

    assert indicator == JaegerIndicator(
        "api", "p95", None, "server", {"http.response.status_code": "200", "cached": "false"}, 5, True
    )


def test_an_unknown_jaeger_stat_lists_the_allowed_ones(tmp_path: Path) -> None:
    found = problems(
        tmp_path, '    - name: e\n      indicator: {jaeger: {service: api, stat: p999}}\n      pass: "< 1s"\n'
    )

    assert found == [
        "\"p999\" is not allowed; expected 'count', 'error_ratio', 'p50', 'p90', 'p95', 'p99', 'max' or 'mean'"
    ]


def test_a_latency_stat_needs_a_duration_bar(tmp_path: Path) -> None:
    found = problems(
        tmp_path, '    - name: e\n      indicator: {jaeger: {service: api, stat: p99}}\n      pass: "< 1%"\n'
    )

    assert found == ['stat p99 is measured in durations but the bar is a ratio; write it like "< 2s"']


def test_an_error_ratio_needs_a_ratio_bar(tmp_path: Path) -> None:
    objectives = '    - name: e\n      indicator: {jaeger: {service: api, stat: error_ratio}}\n      pass: "< 2s"\n'

    assert problems(tmp_path, objectives) == [
        'stat error_ratio is measured in ratios but the bar is a duration; write it like "< 1%"'
    ]


def test_min_traces_must_be_positive(tmp_path: Path) -> None:
    objectives = (
        '    - name: e\n      indicator: {jaeger: {service: api, stat: p50, min_traces: 0}}\n      pass: "< 2s"\n'
    )

    assert problems(tmp_path, objectives) == ["0: input should be greater than or equal to 1"]


def test_the_count_query_puts_the_window_range_after_the_pipeline() -> None:
    assert count_query(' {app="x"} |= "E" ') == 'sum(count_over_time({app="x"} |= "E" [$__range]))'


def test_the_stream_selector_ends_at_its_closing_brace_outside_strings() -> None:
    assert leading_selector('{app="a}b", x=`}`} |= "}"') == '{app="a}b", x=`}`}'


def test_the_presence_selector_keeps_the_first_positive_matcher() -> None:
    assert presence_selector('{level!="debug", app=~"api|web", level="error"} |= "E"') == '{app=~"api|web"}'


def test_the_presence_selector_of_a_selector_without_positive_matchers_is_the_selector() -> None:
    assert presence_selector('{level!="debug"}') == '{level!="debug"}'


@given(st.text(max_size=60))
def test_the_stream_selector_is_always_a_prefix_of_the_expression(text: str) -> None:
    assert text.strip().startswith(leading_selector(text))


@given(st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), st.text(max_size=10), min_size=1, max_size=4))
def test_the_presence_selector_of_equality_matchers_is_the_first_of_them(labels: dict[str, str]) -> None:
    escaped = {k: v.replace("\\", "\\\\").replace('"', '\\"') for k, v in labels.items()}
    selector = "{" + ", ".join(f'{k}="{v}"' for k, v in escaped.items()) + '} |= "x"'
    first = next(iter(escaped.items()))

    assert presence_selector(selector) == f'{{{first[0]}="{first[1]}"}}'
