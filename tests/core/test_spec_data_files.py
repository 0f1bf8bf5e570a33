"""Every reusable SLO file under tests/data: good ones load, bad ones give one located line per problem."""

from __future__ import annotations

import re

import pytest

from slocheck.core.errors import SpecError
from slocheck.core.spec.loader import load_slo_files
from tests.support.paths import DATA_DIR

# What each bad file must produce, after its own path (order-independent).
EXPECTED_PROBLEMS: dict[str, list[str]] = {
    "bad_condition.yaml": [
        ':6:3: on_no_data: unknown key "on_no_data" (allowed: defaults, objectives, service, vars)',
        ':10:13: objectives[0].pass: "=< 1" is not a condition; start with one of < <= > >= == != (e.g. "< 500ms")',
        ':11:13: objectives[0].warn: needs at least one condition, e.g. "< 500ms"',
        ":12:19: objectives[0].on_no_data: \"sometimes\" is not allowed; expected 'inconclusive', 'fail', 'warn' or "
        "'pass'",
    ],
    "bad_reducer.yaml": [
        ":12:19: objectives[0].indicator.prometheus.reduce: \"median\" is not allowed; expected 'max', 'min', 'avg' "
        "or 'sum'",
        ':13:25: objectives[0].indicator.prometheus.range.step: "0s" must be a positive duration',
        ':13:37: objectives[0].indicator.prometheus.range.reduce: "p100" is not a reducer (use one of max, min, avg, '
        "last or pNN, e.g. p95)",
    ],
    "bad_units.yaml": [
        ':10:13: objectives[0].pass: "< 500 mss" is not a valid duration (units: ns, us, ms, s, m, h)',
        ':13:13: objectives[1].pass: "< 12 GiBs" is not a valid bytes (units: B, KB, MB, GB, KiB, MiB, GiB)',
        ":16:13: objectives[2].pass: mixes units of different kinds (duration, ratio)",
    ],
    "bare_number.yaml": [
        ':10:13: objectives[0].pass: 500 is not a condition; write it with an operator, e.g. "< 500"',
    ],
    "binary.yaml": [": is a binary file, not YAML"],
    "comments_only.yaml": [": has no SLOSet document (the file is empty)"],
    "duplicate_keys.yaml": [":11:7: objectives[0].pass: duplicate key"],
    "duplicate_names.yaml": [':11:13: objectives[1].name: duplicate objective name "latency" (also objectives[0])'],
    "empty.yaml": [": has no SLOSet document (the file is empty)"],
    "injection_var.yaml": [
        ':9:5: vars: "job"} or vector(1) or up{x="" is not a valid variable name (letters, digits, _; not '
        "starting with __)",
        ':12:39: objectives[0].indicator.prometheus.query: unknown variable ${job"}; define it under spec.vars or '
        "pass --var NAME=VALUE",
    ],
    "invalid_yaml.yaml": [":5:2: invalid YAML: expected <block end>, but found '<block mapping start>'"],
    "missing_fields.yaml": [
        ":5:3: service: is required",
        ":6:7: objectives[0].pass: is required",
        ":7:34: objectives[0].indicator.locust.stat: \"p42\" is not allowed; expected 'p50', 'p90', 'p95', 'p99', "
        "'p99.9', 'avg', 'max', 'rps', 'fail_ratio', 'count', 'failures', "
        "'dropped' or 'achieved_rate'",
    ],
    "mixed_kinds.yaml": [":8:7: objectives[0]: pass is a duration but warn is a bytes; use the same unit kind"],
    "multi_document.yaml": [
        ':7:62: objectives[0].pass: "== one" is not a number with an optional unit (e.g. 500ms, 0.1%, 2GiB, 100/s)',
        ':15:14: objectives[0].name: "bad name!" must start with a letter or digit and use only letters, digits '
        "and _ . : -",
    ],
    "no_objectives.yaml": [
        ":6:15: objectives: empty list: list should have at least 1 item after validation, not 0",
    ],
    "no_source.yaml": [
        ":9:18: objectives[0].indicator: needs exactly one source (prometheus, locust, loki, jaeger); found none",
    ],
    "not_a_mapping.yaml": [":1:1: must be a mapping with apiVersion, kind, metadata, spec"],
    "not_utf8.yaml": [": is not UTF-8 text (bad byte at offset 58); save it as UTF-8"],
    "two_sources.yaml": [
        ":10:9: objectives[0].indicator: needs exactly one source (prometheus, locust, loki, jaeger); "
        "found prometheus, locust",
    ],
    "unclosed_quote.yaml": [":9:14: invalid YAML: expected ',' or '}', but got '<scalar>'"],
    "unknown_keys.yaml": [
        ':5:3: metadata.lables: unknown key "lables"; did you mean "labels"?',
        ':12:11: objectives[0].indicator.prometheus.querry: unknown key "querry"; did you mean "query"?',
        ':14:7: objectives[0].wran: unknown key "wran"; did you mean "warn"?',
    ],
    "unknown_variable.yaml": [
        ":12:18: objectives[0].indicator.prometheus.query: unknown variables ${__rnge}, ${environment}; define them "
        "under spec.vars or pass --var NAME=VALUE",
    ],
    "wrong_types.yaml": [
        ":4:9: metadata.name: 42: input should be a valid string",
        ':6:12: service: "": string should have at least 1 character',
        ':7:24: defaults.blocking: "maybe": input should be a valid boolean',
        ":8:15: objectives: dict: input should be a valid list",
    ],
    "wrong_version.yaml": [
        ":1:13: apiVersion: \"slocheck/v2\" is not allowed; expected 'slocheck/v1'",
        ":2:7: kind: \"SLOSets\" is not allowed; expected 'SLOSet'",
    ],
}

BAD_FILES = sorted(p.name for p in (DATA_DIR / "bad").iterdir())
GOOD_FILES = sorted(p.name for p in (DATA_DIR / "good").iterdir())
# `file:line:col: path: message` or, when the file could not be parsed at all, `file: message`.
LOCATED = re.compile(r"^(?P<file>[^:]+)(?::(?P<line>\d+):(?P<col>\d+))?: \S.*$")


def test_every_bad_file_has_its_expected_problems_listed() -> None:
    assert sorted(EXPECTED_PROBLEMS) == BAD_FILES


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_is_rejected_with_one_located_line_per_problem(name: str) -> None:
    path = DATA_DIR / "bad" / name
    with pytest.raises(SpecError) as caught:
        load_slo_files([path])
    lines = [str(p) for p in caught.value.problems]
    assert sorted(lines) == sorted(f"{path}{suffix}" for suffix in EXPECTED_PROBLEMS[name])
    for line in lines:
        match = LOCATED.match(line)
        assert match is not None, line
        assert match["file"] == str(path)


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_message_is_the_spec_errors_text(name: str) -> None:
    path = DATA_DIR / "bad" / name
    with pytest.raises(SpecError) as caught:
        load_slo_files([path])
    assert str(caught.value) == "\n".join(str(p) for p in caught.value.problems)


@pytest.mark.parametrize("name", GOOD_FILES)
def test_a_good_file_loads_with_at_least_one_objective_per_set(name: str) -> None:
    sets = load_slo_files([DATA_DIR / "good" / name])
    assert sets
    assert all(s.objectives for s in sets)


def test_all_good_files_load_together() -> None:
    sets = load_slo_files([DATA_DIR / "good" / n for n in GOOD_FILES])
    assert len({s.name for s in sets}) == len(sets)


def test_the_binary_fixture_really_is_binary_and_not_utf8() -> None:
    raw = (DATA_DIR / "bad" / "binary.yaml").read_bytes()
    assert b"\x00" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_the_non_utf8_fixture_has_no_nul_byte_but_is_not_utf8() -> None:
    raw = (DATA_DIR / "bad" / "not_utf8.yaml").read_bytes()
    assert b"\x00" not in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_every_example_slo_file_shipped_in_slo_is_valid() -> None:
    examples = sorted((DATA_DIR.parents[1] / "slo").glob("*.yaml"))
    assert examples, "the repository ships example SLO files under slo/"
    sets = load_slo_files(examples)
    assert all(s.objectives for s in sets)
