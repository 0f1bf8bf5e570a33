"""The command line end to end in-process: exit codes and one-line errors (no server; a closed port at most)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from slocheck import __version__
from slocheck.__main__ import main
from tests.support.builders import slo_document, write
from tests.support.net import closed_port
from tests.support.paths import REPO_ROOT

PROM_OBJECTIVES = """\
    - name: up
      indicator: {prometheus: {query: 'up{job="api"}'}}
      pass: "== 1"
    - name: latency
      indicator: {prometheus: {query: 'max_over_time(x[$__range])'}}
      pass: "< 1s"
"""


@pytest.fixture(autouse=True)
def wide_plain_console(monkeypatch: pytest.MonkeyPatch, clean_env: Path) -> None:
    """Rich tables wide enough not to fold words, no colour codes, and no SLOCHECK_* from the caller."""
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture
def unreachable_config(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        "slocheck.yaml",
        f"backends:\n  prometheus:\n    url: http://127.0.0.1:{closed_port()}\n    retry_budget: 500ms\n"
        "    timeout: 1s\n",
    )


def test_validate_accepts_good_files_and_says_what_it_checked(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["validate", str(data_dir / "good" / "full.yaml"), str(data_dir / "good" / "multi_document.yaml")])
    out = capsys.readouterr()
    assert code == 0
    assert out.out.strip() == "ok: 2 file(s), 3 SLO set(s), 6 objective(s) are valid"
    assert out.err == ""


def test_validate_reports_every_problem_with_its_location_and_exits_2(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = data_dir / "bad" / "unknown_keys.yaml"
    code = main(["validate", str(broken)])
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert code == 2
    assert len(lines) == 4  # query is one of query/count/rate/ratio now: the typo alone is reported
    assert all(re.match(rf"^error: {re.escape(str(broken))}:\d+:\d+: ", line) for line in lines[:3])
    assert f'error: {broken}:5:3: metadata.lables: unknown key "lables"; did you mean "labels"?' in lines
    assert lines[-1] == "3 problem(s) in 1 file(s)"
    assert "Traceback" not in err


def test_validate_reports_the_problems_of_every_file(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [data_dir / "bad" / "bad_units.yaml", data_dir / "bad" / "binary.yaml", data_dir / "good" / "minimal.yaml"]
    code = main(["validate", *map(str, files)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"error: {files[1]}: is a binary file, not YAML" in err.splitlines()
    assert err.splitlines()[-1] == "4 problem(s) in 2 file(s)"


def test_validate_reports_a_missing_file_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.yaml"
    assert main(["validate", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"error: {missing}: no such file" in err
    assert "Traceback" not in err


def test_validate_rejects_a_var_without_a_value(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(data_dir / "good" / "minimal.yaml"), "--var", "job"]) == 2
    assert capsys.readouterr().err == 'error: --var "job": expected NAME=VALUE (e.g. --var job=paracle-api)\n'


def test_evaluate_without_a_window_is_a_one_line_usage_error(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evaluate", str(data_dir / "good" / "minimal.yaml")]) == 2
    assert capsys.readouterr().err == (
        "error: no window: pass --last 15m, or --from T (and optionally --to T, default now)\n"
    )


def test_evaluate_of_prometheus_objectives_without_a_url_is_a_config_error(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evaluate", str(data_dir / "good" / "minimal.yaml"), "--last", "5m"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: these objectives query Prometheus but no URL is set: pass --prometheus-url")
    assert len(err.splitlines()) == 1


def test_evaluate_with_prometheus_down_is_inconclusive_with_exit_3(
    tmp_path: Path, unreachable_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slo = write(tmp_path, "slo.yaml", slo_document(PROM_OBJECTIVES))
    code = main(["evaluate", str(slo), "--last", "5m", "--config", str(unreachable_config)])
    out = capsys.readouterr().out
    assert code == 3
    assert out.count("ERROR") >= 2
    assert "Prometheus: cannot reach http://127.0.0.1:" in out
    assert "Connection refused" in out
    assert "verdict: INCONCLUSIVE" in out
    assert "Traceback" not in out


def test_evaluate_json_to_stdout_is_a_valid_result_and_the_table_goes_to_stderr(
    tmp_path: Path, unreachable_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slo = write(tmp_path, "slo.yaml", slo_document(PROM_OBJECTIVES))
    code = main(["evaluate", str(slo), "--last", "5m", "--config", str(unreachable_config), "--json", "-"])
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    schema = json.loads((REPO_ROOT / "docs" / "result.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)
    assert code == 3
    assert document["exit_code"] == 3
    assert document["verdict"] == "INCONCLUSIVE"
    assert [o["outcome"] for o in document["objectives"]] == ["ERROR", "ERROR"]
    assert document["objectives"][1]["query"] == "max_over_time(x[300s])"
    assert "verdict: INCONCLUSIVE" in captured.err


def test_evaluate_json_to_a_file_writes_the_result_and_names_it(
    tmp_path: Path, unreachable_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slo = write(tmp_path, "slo.yaml", slo_document(PROM_OBJECTIVES))
    target = tmp_path / "out" / "result.json"
    main(["evaluate", str(slo), "--last", "5m", "--config", str(unreachable_config), "--json", str(target)])
    assert json.loads(target.read_text(encoding="utf-8"))["verdict"] == "INCONCLUSIVE"
    assert f"wrote {target}" in capsys.readouterr().out


def test_evaluate_of_locust_objectives_outside_a_load_run_is_inconclusive(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["evaluate", str(data_dir / "good" / "locust_only.yaml"), "--last", "5m"])
    out = capsys.readouterr().out
    assert code == 3
    assert "client-side (locust) statistics exist only for a load run" in out


def test_evaluate_with_a_broken_config_file_exits_2(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write(tmp_path, "bad.yaml", "backends: {prometheus: {url: 'ftp://x'}}\n")
    code = main(["evaluate", str(data_dir / "good" / "minimal.yaml"), "--last", "5m", "--config", str(config)])
    assert code == 2
    assert capsys.readouterr().err == (
        f'error: {config}:1:25: backends.prometheus.url: "ftp://x" is not an http(s) URL (e.g. http://127.0.0.1:9090)\n'
    )


def test_an_unknown_option_is_a_usage_error(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(data_dir / "good" / "minimal.yaml"), "--bogus"]) == 2
    assert "No such option: --bogus" in capsys.readouterr().err


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    assert capsys.readouterr().out == f"slocheck {__version__}\n"


def test_a_missing_argument_is_a_usage_error_not_an_internal_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 2
    assert "internal error" not in capsys.readouterr().err
