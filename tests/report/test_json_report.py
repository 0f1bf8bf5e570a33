"""report/json_report.py: the --json document, against a golden file and docs/result.schema.json."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from slocheck import __version__
from slocheck.core.evaluate import evaluate, exit_code_for
from slocheck.core.model import (
    Evaluation,
    LocustIndicator,
    Measurement,
    MeasurementStatus,
    NoDataPolicy,
    PrometheusIndicator,
    SeriesValue,
)
from slocheck.report.json_report import SCHEMA, render_json, result_document
from tests.support.builders import INF, NAN, WINDOW, error, objective, ok
from tests.support.paths import REPO_ROOT

GOLDEN = Path(__file__).parent / "golden" / "result.json"
SCHEMA_FILE = REPO_ROOT / "docs" / "result.schema.json"
GENERATED_AT = datetime(2026, 11, 23, 10, 6, 30, tzinfo=UTC)


def sample_evaluation() -> Evaluation:
    """One objective per outcome, with labels, NaN, a range query and a non-blocking objective."""
    source = "slo/api.yaml"
    latency = replace(
        objective("p95-latency", "< 500ms", "< 800ms", slo_set="api"),
        indicator=PrometheusIndicator("histogram_quantile(0.95, sum by (le) (rate(x_bucket[$__range])))"),
        description="p95 server latency",
        service="paracle-api",
        source=source,
    )
    per_route = replace(
        objective("p95-per-route", "< 500ms", "< 800ms", slo_set="api", blocking=False),
        service="paracle-api",
        source=source,
    )
    errors = replace(
        objective("error-rate", "< 0.1%", slo_set="api", on_no_data=NoDataPolicy.FAIL),
        service="paracle-api",
        source=source,
    )
    memory = replace(objective("redis-memory", "< 12GiB", slo_set="api"), service="paracle-api", source=source)
    throughput = replace(
        objective("throughput", ">= 1000/s", slo_set="api", indicator=LocustIndicator("rps")),
        service="paracle-api",
        source=source,
    )
    measurements = {
        latency.key: Measurement(
            latency.key,
            "prometheus",
            "histogram_quantile(0.95, sum by (le) (rate(x_bucket[300s])))",
            MeasurementStatus.OK,
            (SeriesValue({}, 0.2345),),
            "",
            1,
        ),
        per_route.key: ok(per_route, 0.12, 0.65, 0.93, labels=[{"route": "/a"}, {"route": "/b"}, {"route": "/c"}]),
        errors.key: Measurement(
            errors.key,
            "prometheus",
            "sum(rate(e[300s])) / sum(rate(r[300s]))",
            MeasurementStatus.NO_DATA,
            (SeriesValue({}, NAN),),
            "every series is NaN/Inf (no samples in the window, or 0/0)",
            1,
        ),
        memory.key: Measurement(
            memory.key,
            "prometheus",
            "redis_memory_used_bytes",
            MeasurementStatus.OK,
            (SeriesValue({"instance": "redis:9121"}, 3 * 1024.0**3),),
            "",
            301,
            {"step_seconds": 1.0, "reduce_over_time": "max"},
        ),
        throughput.key: Measurement(
            throughput.key,
            "locust",
            "rps",
            MeasurementStatus.ERROR,
            reason="client-side (locust) statistics exist only for a load run: use `slocheck run`",
        ),
    }
    return evaluate([latency, per_route, errors, memory, throughput], measurements, WINDOW)


def sample_document() -> dict[str, Any]:
    evaluation = sample_evaluation()
    return result_document(evaluation, exit_code=exit_code_for(evaluation.verdict), generated_at=GENERATED_AT)


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the tool version replaced, so a version bump does not touch the golden file."""
    copied = copy.deepcopy(document)
    copied["tool"]["version"] = "<version>"
    return copied


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


def test_the_document_matches_the_golden_file() -> None:
    rendered = json.loads(render_json(sample_document()))
    assert comparable(rendered) == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_the_document_names_the_tool_version_and_schema() -> None:
    document = sample_document()
    assert document["tool"] == {"name": "slocheck", "version": __version__}
    assert document["schema"] == SCHEMA == "slocheck.result/v1"


def test_nan_becomes_null_and_the_display_keeps_nan() -> None:
    errors = sample_document()["objectives"][2]
    assert errors["value"] is None
    assert errors["value_display"] is None
    assert errors["series"] == [{"labels": {}, "value": None, "display": "NaN", "outcome": "NO_DATA"}]


def test_infinity_becomes_null_and_the_display_keeps_inf() -> None:
    target = objective()
    evaluation = evaluate([target], {target.key: ok(target, INF)}, WINDOW)
    document = result_document(evaluation, exit_code=3, generated_at=GENERATED_AT)
    assert document["objectives"][0]["series"][0]["value"] is None
    assert document["objectives"][0]["series"][0]["display"] == "+Inf"


def test_the_rendered_json_is_strict_json_without_nan() -> None:
    constants: list[str] = []
    json.loads(render_json(sample_document()), parse_constant=constants.append)
    assert constants == []


def test_the_value_of_an_objective_is_its_first_worst_series() -> None:
    per_route = sample_document()["objectives"][1]
    assert per_route["outcome"] == "FAIL"
    assert per_route["value"] == 0.93
    assert per_route["value_display"] == "930 ms"


def test_a_run_mapping_is_included_as_given() -> None:
    evaluation = sample_evaluation()
    document = result_document(evaluation, exit_code=1, generated_at=GENERATED_AT, run={"id": "r-1", "profile": "ramp"})
    assert document["run"] == {"id": "r-1", "profile": "ramp"}


def test_the_schema_file_is_a_valid_draft_2020_12_schema(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_document_validates_against_the_published_schema(schema: dict[str, Any]) -> None:
    document = json.loads(render_json(sample_document()))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)


def test_a_document_with_a_run_validates_against_the_schema(schema: dict[str, Any]) -> None:
    evaluation = sample_evaluation()
    document = result_document(evaluation, exit_code=1, generated_at=GENERATED_AT, run={"id": "r-1"})
    jsonschema.Draft202012Validator(schema).validate(json.loads(render_json(document)))


def test_the_schema_rejects_an_unknown_outcome(schema: dict[str, Any]) -> None:
    document = json.loads(render_json(sample_document()))
    document["objectives"][0]["outcome"] = "MAYBE"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(document)


def test_the_schema_rejects_a_missing_field(schema: dict[str, Any]) -> None:
    document = json.loads(render_json(sample_document()))
    del document["objectives"][0]["counts_as"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(document)


def test_an_all_error_document_validates_against_the_schema(schema: dict[str, Any]) -> None:
    target = objective()
    evaluation = evaluate([target], {target.key: error(target)}, WINDOW)
    document = result_document(evaluation, exit_code=3, generated_at=GENERATED_AT)
    jsonschema.Draft202012Validator(schema).validate(json.loads(render_json(document)))


def test_every_field_of_the_document_is_documented() -> None:
    documented = (REPO_ROOT / "docs" / "result-schema.md").read_text(encoding="utf-8")
    document = sample_document()
    fields = [*document, *document["objectives"][0], *document["objectives"][0]["series"][0]]
    missing = sorted({name for name in fields if f"`{name}`" not in documented and f"`{name}." not in documented})
    assert missing == []
