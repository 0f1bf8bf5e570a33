"""spec/loader.py: SLO files → SLOSet/Objective, or every located problem of every file at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from slocheck.core.errors import SpecError
from slocheck.core.model import LocustIndicator, NoDataPolicy, PrometheusIndicator, RangeSpec, SeriesReduce
from slocheck.core.spec.loader import load_slo_files
from slocheck.core.units import Kind
from tests.support.builders import promql_string_value, slo_document, write

ONE_OBJECTIVE = """\
    - name: up
      indicator: {prometheus: {query: up}}
      pass: "== 1"
"""


def problems_of(*paths: Path, overrides: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_slo_files(list(paths), overrides)
    return [str(p) for p in caught.value.problems]


def only_objective_query(path: Path, overrides: dict[str, str] | None = None) -> str:
    (slo_set,) = load_slo_files([path], overrides)
    indicator = slo_set.objectives[0].indicator
    assert isinstance(indicator, PrometheusIndicator)
    return indicator.query


# --- valid files -------------------------------------------------------------------------------


def test_a_valid_file_becomes_one_slo_set_with_its_metadata(data_dir: Path) -> None:
    (slo_set,) = load_slo_files([data_dir / "good" / "full.yaml"])
    assert slo_set.name == "api-release-gate"
    assert slo_set.service == "paracle-api"
    assert dict(slo_set.labels) == {"team": "sre", "tier": "1"}
    assert slo_set.source == str(data_dir / "good" / "full.yaml")
    assert [o.name for o in slo_set.objectives] == [
        "api-p95-latency",
        "error-rate",
        "worst-instance-memory",
        "client-throughput",
    ]


def test_an_objective_carries_its_bars_in_base_units(data_dir: Path) -> None:
    (slo_set,) = load_slo_files([data_dir / "good" / "full.yaml"])
    latency = slo_set.objectives[0]
    assert latency.key == "api-release-gate/api-p95-latency"
    assert latency.description == "p95 server latency over the whole window."
    assert latency.service == "paracle-api"
    assert [(c.op, c.threshold, c.kind) for c in latency.pass_bar.conditions] == [("<", 0.5, Kind.DURATION)]
    assert latency.warn_bar is not None
    assert [(c.op, c.threshold) for c in latency.warn_bar.conditions] == [("<", 0.8)]
    assert str(latency.pass_bar) == "< 500ms"


def test_a_list_of_conditions_becomes_one_bar_with_every_condition(data_dir: Path) -> None:
    (slo_set,) = load_slo_files([data_dir / "good" / "full.yaml"])
    memory = slo_set.objectives[2]
    assert [(c.op, c.threshold, c.kind) for c in memory.pass_bar.conditions] == [
        ("<", 12 * 1024.0**3, Kind.BYTES),
        (">=", 1024.0**2, Kind.BYTES),
    ]
    assert str(memory.pass_bar) == "< 12GiB and >= 1MiB"


def test_warn_is_optional(data_dir: Path) -> None:
    (slo_set,) = load_slo_files([data_dir / "good" / "full.yaml"])
    assert slo_set.objectives[1].warn_bar is None


def test_defaults_apply_to_objectives_that_do_not_override_them(data_dir: Path) -> None:
    (slo_set,) = load_slo_files([data_dir / "good" / "full.yaml"])
    latency, error_rate, memory, throughput = slo_set.objectives
    assert latency.on_no_data is NoDataPolicy.FAIL
    assert latency.blocking is True
    assert error_rate.on_no_data is NoDataPolicy.INCONCLUSIVE
    assert memory.blocking is False
    assert throughput.on_no_data is NoDataPolicy.WARN


def test_without_defaults_no_data_is_inconclusive_and_objectives_block(data_dir: Path) -> None:
    (slo_set,) = load_slo_files([data_dir / "good" / "minimal.yaml"])
    (only,) = slo_set.objectives
    assert only.on_no_data is NoDataPolicy.INCONCLUSIVE
    assert only.blocking is True


def test_a_prometheus_indicator_keeps_reduce_and_range(data_dir: Path) -> None:
    (slo_set,) = load_slo_files([data_dir / "good" / "full.yaml"])
    indicator = slo_set.objectives[2].indicator
    assert isinstance(indicator, PrometheusIndicator)
    assert (indicator.query, indicator.reduce, indicator.range) == (
        'max_over_time(process_resident_memory_bytes{job="paracle-api"}[$__interval])',
        SeriesReduce.MAX,
        RangeSpec("p95", 30.0),
    )
    assert indicator.template == 'max_over_time(process_resident_memory_bytes{job="${job}"}[$__interval])'
    assert indicator.variables == {"job": "paracle-api"}


def test_a_locust_indicator_keeps_stat_request_and_method(data_dir: Path) -> None:
    (slo_set,) = load_slo_files([data_dir / "good" / "full.yaml"])
    assert slo_set.objectives[3].indicator == LocustIndicator("rps", "/api/v1/items", "GET")


def test_spec_vars_are_substituted_and_window_builtins_are_left_for_later(data_dir: Path) -> None:
    (slo_set,) = load_slo_files([data_dir / "good" / "full.yaml"])
    indicator = slo_set.objectives[0].indicator
    assert isinstance(indicator, PrometheusIndicator)
    assert indicator.query == (
        "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket"
        '{job="paracle-api",canary="true"}[$__range])))'
    )


def test_a_var_value_that_closes_the_string_stays_inside_the_string_literal(data_dir: Path) -> None:
    (slo_set,) = load_slo_files([data_dir / "good" / "escaped_vars.yaml"])
    query = slo_set.objectives[0].indicator.query  # type: ignore[union-attr]
    assert query == 'up{job="api\\"} or vector(1) or up{x=\\""}'
    literal = query[len("up{job=") : -1]
    assert promql_string_value(literal) == 'api"} or vector(1) or up{x="'


def test_a_var_value_with_a_logql_pipe_stays_inside_the_string_literal(data_dir: Path) -> None:
    (slo_set,) = load_slo_files([data_dir / "good" / "escaped_vars.yaml"])
    query = slo_set.objectives[1].indicator.query  # type: ignore[union-attr]
    assert promql_string_value(query[len("up{msg=") : -1]) == 'ERROR"} |= "x'


def test_a_var_value_ending_in_a_backslash_cannot_escape_the_closing_quote(data_dir: Path) -> None:
    (slo_set,) = load_slo_files([data_dir / "good" / "escaped_vars.yaml"])
    query = slo_set.objectives[2].indicator.query  # type: ignore[union-attr]
    assert query == 'up{path="C:\\\\temp\\\\"}'
    assert promql_string_value(query[len("up{path=") : -1]) == "C:\\temp\\"


def test_a_command_line_var_overrides_the_file_and_is_escaped(tmp_path: Path) -> None:
    objectives = """\
    - name: up
      indicator: {prometheus: {query: 'up{job="${job}"}'}}
      pass: "== 1"
"""
    path = write(tmp_path, "slo.yaml", slo_document(objectives, extra_spec="  vars: {job: from-file}\n"))
    query = only_objective_query(path, {"job": 'x"} |= "y\\'})
    assert query == 'up{job="x\\"} |= \\"y\\\\"}'
    assert promql_string_value(query[len("up{job=") : -1]) == 'x"} |= "y\\'


def test_a_command_line_var_can_define_a_variable_the_file_does_not(tmp_path: Path) -> None:
    objectives = """\
    - name: up
      indicator: {prometheus: {query: 'up{env="${env}"}'}}
      pass: "== 1"
"""
    path = write(tmp_path, "slo.yaml", slo_document(objectives))
    assert only_objective_query(path, {"env": "staging"}) == 'up{env="staging"}'


def test_every_document_of_a_multi_document_file_is_a_slo_set(data_dir: Path) -> None:
    sets = load_slo_files([data_dir / "good" / "multi_document.yaml"])
    assert [s.name for s in sets] == ["latency", "errors"]


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + slo_document(ONE_OBJECTIVE).encode())
    assert [s.name for s in load_slo_files([path])] == ["gate"]


@pytest.mark.parametrize("reducer", ["max", "min", "avg", "last", "p50", "p95", "p99", "p99.9", "p1"])
def test_every_documented_range_reducer_is_accepted(tmp_path: Path, reducer: str) -> None:
    objectives = f"""\
    - name: up
      indicator: {{prometheus: {{query: up, range: {{reduce: {reducer}}}}}}}
      pass: "== 1"
"""
    (slo_set,) = load_slo_files([write(tmp_path, "slo.yaml", slo_document(objectives))])
    indicator = slo_set.objectives[0].indicator
    assert isinstance(indicator, PrometheusIndicator)
    assert indicator.range == RangeSpec(reducer, None)


def test_a_range_without_a_reducer_takes_the_maximum_over_time(tmp_path: Path) -> None:
    objectives = """\
    - name: up
      indicator: {prometheus: {query: up, range: {step: 1m}}}
      pass: "== 1"
"""
    (slo_set,) = load_slo_files([write(tmp_path, "slo.yaml", slo_document(objectives))])
    assert slo_set.objectives[0].indicator.range == RangeSpec("max", 60.0)  # type: ignore[union-attr]


def test_a_plain_number_warn_bar_may_go_with_a_duration_pass_bar(tmp_path: Path) -> None:
    objectives = """\
    - name: up
      indicator: {prometheus: {query: up}}
      pass: "< 1s"
      warn: "< 2"
"""
    (slo_set,) = load_slo_files([write(tmp_path, "slo.yaml", slo_document(objectives))])
    assert slo_set.objectives[0].kind is Kind.DURATION


# --- problems --------------------------------------------------------------------------------


@pytest.mark.parametrize("reducer", ["p100", "p0", "median", "p", "p999"])
def test_a_range_reducer_outside_max_min_avg_last_pnn_is_rejected(tmp_path: Path, reducer: str) -> None:
    objectives = f"""\
    - name: up
      indicator: {{prometheus: {{query: up, range: {{reduce: {reducer}}}}}}}
      pass: "== 1"
"""
    path = write(tmp_path, "slo.yaml", slo_document(objectives))
    assert problems_of(path) == [
        f"{path}:9:59: objectives[0].indicator.prometheus.range.reduce: "
        f'"{reducer}" is not a reducer (use one of max, min, avg, last or pNN, e.g. p95)'
    ]


def test_a_bare_number_without_operator_is_rejected_with_a_hint(tmp_path: Path) -> None:
    objectives = """\
    - name: up
      indicator: {prometheus: {query: up}}
      pass: 500
"""
    path = write(tmp_path, "slo.yaml", slo_document(objectives))
    assert problems_of(path) == [
        f'{path}:10:13: objectives[0].pass: 500 is not a condition; write it with an operator, e.g. "< 500"'
    ]


def test_a_mistyped_unit_is_reported_with_the_whole_condition_and_the_valid_units(data_dir: Path) -> None:
    path = data_dir / "bad" / "bad_units.yaml"
    assert problems_of(path)[0] == (
        f'{path}:10:13: objectives[0].pass: "< 500 mss" is not a valid duration (units: ns, us, ms, s, m, h)'
    )


def test_an_unknown_key_is_located_at_the_key_with_a_did_you_mean(data_dir: Path) -> None:
    path = data_dir / "bad" / "unknown_keys.yaml"
    found = problems_of(path)
    assert f'{path}:5:3: metadata.lables: unknown key "lables"; did you mean "labels"?' in found
    assert f'{path}:14:7: objectives[0].wran: unknown key "wran"; did you mean "warn"?' in found


def test_an_unknown_key_unlike_any_allowed_one_lists_the_allowed_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "slo.yaml", slo_document(ONE_OBJECTIVE, extra_spec="  owner: sre\n"))
    assert problems_of(path) == [
        f'{path}:7:3: owner: unknown key "owner" (allowed: defaults, objectives, service, vars)'
    ]


def test_duplicate_objective_names_point_at_the_second_name(data_dir: Path) -> None:
    path = data_dir / "bad" / "duplicate_names.yaml"
    assert problems_of(path) == [
        f'{path}:11:13: objectives[1].name: duplicate objective name "latency" (also objectives[0])'
    ]


def test_a_duplicate_yaml_key_is_reported_instead_of_silently_overwritten(data_dir: Path) -> None:
    path = data_dir / "bad" / "duplicate_keys.yaml"
    assert problems_of(path) == [f"{path}:11:7: objectives[0].pass: duplicate key"]


def test_an_unknown_variable_names_every_undefined_name_with_a_hint(data_dir: Path) -> None:
    path = data_dir / "bad" / "unknown_variable.yaml"
    assert problems_of(path) == [
        f"{path}:12:18: objectives[0].indicator.prometheus.query: unknown variables ${{__rnge}}, ${{environment}}; "
        "define them under spec.vars or pass --var NAME=VALUE"
    ]


def test_an_empty_file_is_rejected_without_a_position(data_dir: Path) -> None:
    path = data_dir / "bad" / "empty.yaml"
    assert problems_of(path) == [f"{path}: has no SLOSet document (the file is empty)"]


def test_a_binary_file_is_rejected_as_not_yaml(data_dir: Path) -> None:
    path = data_dir / "bad" / "binary.yaml"
    assert problems_of(path) == [f"{path}: is a binary file, not YAML"]


def test_a_file_that_is_not_utf8_names_the_offending_byte(data_dir: Path) -> None:
    path = data_dir / "bad" / "not_utf8.yaml"
    assert problems_of(path) == [f"{path}: is not UTF-8 text (bad byte at offset 58); save it as UTF-8"]


def test_invalid_yaml_syntax_is_reported_with_its_line_and_column(data_dir: Path) -> None:
    path = data_dir / "bad" / "invalid_yaml.yaml"
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:5:2: invalid YAML: ")


def test_a_missing_file_is_reported_as_such(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert problems_of(path) == [f"{path}: no such file"]


def test_a_directory_is_rejected_with_a_hint_to_pass_its_files(tmp_path: Path) -> None:
    assert problems_of(tmp_path) == [f"{tmp_path}: is a directory; pass the SLO files in it (e.g. slo/*.yaml)"]


def test_an_indicator_without_a_source_is_rejected(data_dir: Path) -> None:
    path = data_dir / "bad" / "no_source.yaml"
    assert problems_of(path) == [
        f"{path}:9:18: objectives[0].indicator: needs exactly one source (prometheus, locust, loki, jaeger); found none"
    ]


def test_an_indicator_with_two_sources_is_rejected(data_dir: Path) -> None:
    path = data_dir / "bad" / "two_sources.yaml"
    assert problems_of(path) == [
        f"{path}:10:9: objectives[0].indicator: needs exactly one source (prometheus, locust, loki, jaeger); "
        "found prometheus, locust"
    ]


def test_pass_and_warn_of_different_unit_kinds_are_rejected(data_dir: Path) -> None:
    path = data_dir / "bad" / "mixed_kinds.yaml"
    assert problems_of(path) == [
        f"{path}:8:7: objectives[0]: pass is a duration but warn is a bytes; use the same unit kind"
    ]


def test_a_document_that_is_not_a_mapping_is_rejected(data_dir: Path) -> None:
    path = data_dir / "bad" / "not_a_mapping.yaml"
    assert problems_of(path) == [f"{path}:1:1: must be a mapping with apiVersion, kind, metadata, spec"]


def test_every_problem_of_every_file_is_reported_at_once(data_dir: Path) -> None:
    bad = data_dir / "bad"
    files = [bad / "bad_units.yaml", bad / "duplicate_names.yaml", bad / "empty.yaml", bad / "wrong_types.yaml"]
    found = problems_of(*files)
    assert len(found) == 3 + 1 + 1 + 4
    assert {line.split(":", 1)[0] for line in found} == {str(f) for f in files}


def test_problems_in_every_document_of_a_multi_document_file_are_reported(data_dir: Path) -> None:
    path = data_dir / "bad" / "multi_document.yaml"
    found = problems_of(path)
    assert [line.split(": ", 2)[:2] for line in found] == [
        [f"{path}:7:62", "objectives[0].pass"],
        [f"{path}:15:14", "objectives[0].name"],
    ]


def test_two_slo_sets_with_the_same_name_are_rejected(data_dir: Path, tmp_path: Path) -> None:
    first = data_dir / "good" / "minimal.yaml"
    second = write(tmp_path, "copy.yaml", first.read_text(encoding="utf-8"))
    assert problems_of(first, second) == [
        f'{second}: metadata.name: duplicate SLOSet name "minimal" (also in {first}); names must be unique per run'
    ]


def test_every_problem_is_one_line(data_dir: Path) -> None:
    found = problems_of(*sorted((data_dir / "bad").iterdir()))
    assert all("\n" not in line for line in found)


# --- known bugs (strict xfail: they turn red once fixed, so the marker gets removed) ----------


def test_a_trailing_document_separator_is_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "slo.yaml", slo_document(ONE_OBJECTIVE) + "---\n")
    assert [s.name for s in load_slo_files([path])] == ["gate"]


def test_a_var_of_the_wrong_type_is_one_problem_at_the_var(tmp_path: Path) -> None:
    path = write(tmp_path, "slo.yaml", slo_document(ONE_OBJECTIVE, extra_spec="  vars: {job: [a, b]}\n"))
    found = problems_of(path)
    assert len(found) == 1
    assert found[0].startswith(f"{path}:7:15: vars.job: ")


def test_schema_problems_and_objective_problems_of_one_file_are_reported_together(tmp_path: Path) -> None:
    objectives = """\
    - name: up
      indicator: {prometheus: {query: 'up{job="${nope}"}'}}
      pass: "== 1"
    - name: up
      indicator: {prometheus: {query: up}}
      pass: "< 5 parsecs"
"""
    path = write(tmp_path, "slo.yaml", slo_document(objectives))
    found = problems_of(path)
    assert any("objectives[1].pass:" in line for line in found)
    assert any("unknown variable ${nope}" in line for line in found)
    assert any('duplicate objective name "up"' in line for line in found)


def test_a_relative_bar_is_not_silently_read_as_an_absolute_one(tmp_path: Path) -> None:
    objectives = """\
    - name: up
      indicator: {prometheus: {query: up}}
      pass: "<= +10%"
"""
    path = write(tmp_path, "slo.yaml", slo_document(objectives))
    (condition,) = load_slo_files([path])[0].objectives[0].pass_bar.conditions
    assert (condition.relative, condition.threshold) == ("percent", 0.1)


LOCUST_SCHEDULED = """\
    - name: api-p99-scheduled
      indicator:
        locust: {stat: p99, from: scheduled}
      pass: "< 1s"
    - name: no-drops
      indicator:
        locust: {stat: dropped}
      pass: "<= 0"
"""


def test_from_scheduled_and_dropped_are_read_for_arrival_rate_runs(tmp_path: Path) -> None:
    (slo_set,) = load_slo_files([write(tmp_path, "slo.yaml", slo_document(LOCUST_SCHEDULED))])

    assert slo_set.objectives[0].indicator == LocustIndicator("p99", start="scheduled")
    assert slo_set.objectives[1].indicator == LocustIndicator("dropped")


def test_from_scheduled_on_a_count_is_a_located_error(tmp_path: Path) -> None:
    text = slo_document(LOCUST_SCHEDULED.replace("stat: p99, from: scheduled", "stat: rps, from: scheduled"))
    with pytest.raises(SpecError, match="from: scheduled applies to a latency percentile"):
        load_slo_files([write(tmp_path, "slo.yaml", text)])


def test_abort_after_and_every_are_read_as_seconds(tmp_path: Path) -> None:
    objectives = LOCUST_SCHEDULED.replace(
        '      pass: "< 1s"\n', '      pass: "< 1s"\n      abort: {after: 30s, every: 5s}\n', 1
    )
    (slo_set,) = load_slo_files([write(tmp_path, "slo.yaml", slo_document(objectives))])

    rule = slo_set.objectives[0].abort
    assert rule is not None
    assert (rule.after, rule.every) == (30.0, 5.0)
    assert slo_set.objectives[1].abort is None
