"""`slocheck import openslo|sloth` and `slocheck export openslo`: files written, notes printed, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from slocheck.__main__ import main
from slocheck.core.spec.loader import load_slo_files
from tests.support.paths import FIXTURES, REPO_ROOT

pytestmark = pytest.mark.usefixtures("cli_env")

SLOTH = FIXTURES / "sloth"
OPENSLO = FIXTURES / "openslo"


def test_sloth_examples_import_into_a_file_that_validate_accepts(tmp_path: Path) -> None:
    out = tmp_path / "slo" / "imported.yaml"
    inputs = [SLOTH / n for n in ("getting-started.yml", "kubernetes-apiserver.yml", "raw-home-wifi.yml")]
    assert main(["import", "sloth", *map(str, inputs), "-o", str(out)]) == 0
    sets = load_slo_files([out])
    assert [s.name for s in sets] == ["myservice", "k8s-apiserver", "home-wifi"]
    assert main(["validate", str(out)]) == 0


def test_sloth_openslo_v1alpha_examples_import_into_a_file_that_validate_accepts(tmp_path: Path) -> None:
    out = tmp_path / "imported.yaml"
    inputs = [SLOTH / "openslo-getting-started.yml", SLOTH / "openslo-kubernetes-apiserver.yml"]
    assert main(["import", "openslo", *map(str, inputs), "-o", str(out)]) == 0
    assert sum(len(s.objectives) for s in load_slo_files([out])) == 4


def test_the_output_file_lists_what_does_not_apply_as_comments(tmp_path: Path) -> None:
    out = tmp_path / "imported.yaml"
    assert main(["import", "sloth", str(SLOTH / "getting-started.yml"), "-o", str(out)]) == 0
    text = out.read_text()
    assert "# Not applicable to a run-scoped gate:" in text
    assert "slos[0] (requests-availability).alerting: burn-rate alerts" in text


def test_without_output_the_file_goes_to_stdout_and_notes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "sloth", str(SLOTH / "no-alerts.yml")]) == 0
    captured = capsys.readouterr()
    assert next(yaml.safe_load_all(captured.out))["kind"] == "SLOSet"
    assert "note: " in captured.err
    assert "imported 1 objective(s)" in captured.err


def test_nothing_importable_exits_2_listing_every_refused_field(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["import", "openslo", str(OPENSLO / "timeslices-slo.yaml")])
    err = capsys.readouterr().err
    assert code == 2
    assert "ratioMetric.good.metricSource.type: not imported: type Any" in err
    assert "spec.objectives[1].timeSliceWindow: not imported" in err
    assert err.strip().splitlines()[-1].startswith("error: nothing could be imported from")


def test_partly_importable_batch_imports_what_maps_and_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "imported.yaml"
    inputs = [OPENSLO / "occurences-slo.yaml", OPENSLO / "oslo-validate-v1alpha.yaml"]
    assert main(["import", "openslo", *map(str, inputs), "-o", str(out)]) == 0
    assert "#   " + str(OPENSLO / "occurences-slo.yaml") in out.read_text()
    assert [s.name for s in load_slo_files([out])] == ["my-amazing-slo"]


def test_a_file_that_is_not_yaml_is_one_line_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("slos: [unclosed\n")
    assert main(["import", "sloth", str(bad)]) == 2
    assert capsys.readouterr().err.strip() == f"error: {bad}:2: is not valid YAML; fix the syntax and import again"


def test_export_writes_openslo_for_the_prometheus_objectives_of_the_bundled_gate(tmp_path: Path) -> None:
    out = tmp_path / "openslo.yaml"
    assert main(["export", "openslo", str(REPO_ROOT / "slo" / "api-sla.yaml"), "-o", str(out)]) == 0
    documents = list(yaml.safe_load_all(out.read_text()))
    assert documents[0]["kind"] == "DataSource"
    assert {d["kind"] for d in documents[1:]} == {"SLO"}
    assert main(["import", "openslo", str(out), "-o", str(tmp_path / "back.yaml")]) == 0


def test_export_refuses_a_target_outside_0_and_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "openslo", str(REPO_ROOT / "slo" / "api-sla.yaml"), "--target", "99"]) == 2
    assert "--target" in capsys.readouterr().err
