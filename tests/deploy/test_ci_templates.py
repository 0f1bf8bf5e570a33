"""The GitHub Action, the GitLab template and the Jenkinsfile: parsed, their gate scripts run against a real
Prometheus, and every slocheck option they (and docs/ci.md) use checked against the CLI."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.paths import REPO_ROOT

from .cli_flags import options_of, shell_commands, unknown_flags

ACTION = REPO_ROOT / "action.yml"
GITLAB = REPO_ROOT / "ci" / "gitlab" / "slocheck.gitlab-ci.yml"
JENKINS = REPO_ROOT / "ci" / "jenkins" / "Jenkinsfile"
DOCS = REPO_ROOT / "docs" / "ci.md"
FAST = 'max_over_time(slocheck_test_latency_seconds{endpoint="/fast"}[$__range])'
_INPUT_RE = re.compile(r"\$\{\{\s*inputs\.([a-z-]+)\s*\}\}")


def _action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text())  # type: ignore[no-any-return]


def _step(step_id_or_name: str) -> dict[str, Any]:
    steps = _action()["runs"]["steps"]
    return next(s for s in steps if step_id_or_name in (s.get("id"), s.get("name")))  # type: ignore[no-any-return]


def _slo(tmp_path: Path, bar: str) -> Path:
    path = tmp_path / "slo" / "gate.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "apiVersion: slocheck/v1\nkind: SLOSet\nmetadata: {name: gate}\nspec:\n  service: known\n  objectives:\n"
        f"    - name: fast\n      indicator: {{prometheus: {{query: '{FAST}'}}}}\n      pass: \"{bar}\"\n"
    )
    return path


def _action_env(step: dict[str, Any], inputs: dict[str, str]) -> dict[str, str]:
    """The step's env as GitHub fills it: `${{ inputs.x }}` from `inputs`, else the input's default."""
    declared = _action()["inputs"]

    def fill(value: str) -> str:
        return _INPUT_RE.sub(lambda m: inputs.get(m.group(1), str(declared[m.group(1)].get("default", ""))), value)

    return {key: fill(str(value)) for key, value in step.get("env", {}).items()}


def _run_action_gate(tmp_path: Path, inputs: dict[str, str]) -> tuple[str, str, str]:
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    env = {**os.environ, **_action_env(_step("gate"), inputs)}
    env |= {"GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", _step("gate")["run"]], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return output.read_text(), summary.read_text() if summary.exists() else "", done.stdout


def _gate_exit(code: str) -> int:
    step = _step("Gate on the verdict")
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], env={**os.environ, "CODE": code},
                          capture_output=True, text=True, timeout=10, check=False)  # fmt: skip
    return done.returncode


def test_every_input_the_action_uses_is_declared() -> None:
    used = set(_INPUT_RE.findall(ACTION.read_text()))
    assert used <= set(_action()["inputs"])


@pytest.mark.integration
@pytest.mark.usefixtures("slocheck_on_path")
def test_action_gate_passes_writes_the_evidence_and_the_gate_step_exits_0(prometheus: str, tmp_path: Path) -> None:
    _slo(tmp_path, "< 500ms")
    inputs = {"command": "evaluate", "slo-files": "slo/*.yaml", "last": "5s", "prometheus-url": prometheus}
    output, summary, _ = _run_action_gate(tmp_path, inputs)
    assert "exit-code=0" in output.splitlines()
    assert {"result.json", "junit.xml", "report.md", "report.html"} <= {
        p.name for p in (tmp_path / "slocheck-report").iterdir()
    }
    assert "PASS" in summary
    assert _gate_exit("0") == 0


@pytest.mark.integration
@pytest.mark.usefixtures("slocheck_on_path")
def test_action_gate_fails_the_job_with_exit_1_when_an_objective_misses(prometheus: str, tmp_path: Path) -> None:
    _slo(tmp_path, "< 50ms")
    inputs = {"command": "evaluate", "last": "5s", "prometheus-url": prometheus}
    output, summary, _ = _run_action_gate(tmp_path, inputs)
    assert "exit-code=1" in output.splitlines()
    assert "FAIL" in summary
    assert _gate_exit("1") == 1


@pytest.mark.usefixtures("slocheck_on_path")
def test_action_says_in_the_summary_why_there_is_no_verdict(tmp_path: Path) -> None:
    output, summary, _ = _run_action_gate(tmp_path, {"command": "evaluate", "slo-files": "missing.yaml"})
    assert "exit-code=2" in output.splitlines()
    assert "no verdict (exit 2)" in summary


def _branch_argv(script: str, branch: str) -> list[str]:
    """`slocheck` + the case branch's `set -- ...` + the options on the `slocheck "$@" ...` line."""
    lines = [text.strip() for text in script.splitlines()]
    line = next(text for text in lines if text.startswith(f"{branch})"))
    tokens = shlex.split(line.split("set --", 1)[1].split(";;", 1)[0])
    tail = next(text for text in lines if text.startswith('slocheck "$@"'))
    return ["slocheck", *tokens, *shlex.split(tail)[2:]]


@pytest.mark.parametrize("branch", ["run", "evaluate"])
def test_action_commands_use_only_options_the_cli_has(branch: str) -> None:
    argv = _branch_argv(_step("gate")["run"], branch)
    assert options_of(argv)[0] == f"slocheck {branch}"
    assert unknown_flags(argv) == []


def test_action_uploads_the_report_and_run_directories_whatever_the_verdict() -> None:
    step = _step("Upload evidence")
    assert step["uses"].startswith("actions/upload-artifact@")
    assert step["if"] == "always()"
    assert step["with"]["path"].splitlines() == ["${{ inputs.report-dir }}", ".slocheck/runs"]


def _gitlab_job() -> dict[str, Any]:
    return yaml.safe_load(GITLAB.read_text())[".slocheck"]  # type: ignore[no-any-return]


def test_gitlab_template_wires_junit_from_the_report_directory() -> None:
    job = _gitlab_job()
    report_dir = job["variables"]["SLOCHECK_REPORT_DIR"]
    assert job["artifacts"]["reports"]["junit"] == f"{report_dir}/junit.xml"
    assert f"{report_dir}/" in job["artifacts"]["paths"]
    assert job["artifacts"]["when"] == "always"


@pytest.mark.parametrize("branch", ["run", "evaluate"])
def test_gitlab_commands_use_only_options_the_cli_has(branch: str) -> None:
    assert unknown_flags(_branch_argv(_gitlab_job()["script"][0], branch)) == []


@pytest.mark.integration
@pytest.mark.usefixtures("slocheck_on_path")
def test_gitlab_script_exits_with_the_verdict_and_leaves_the_junit_report(prometheus: str, tmp_path: Path) -> None:
    _slo(tmp_path, "< 50ms")
    job = _gitlab_job()
    env = {**os.environ, **{k: str(v) for k, v in job["variables"].items()}}
    env |= {"SLOCHECK_COMMAND": "evaluate", "SLOCHECK_LAST": "5s", "SLOCHECK_PROMETHEUS_URL": prometheus}
    done = subprocess.run(["sh", "-e", "-c", job["script"][0]], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert (tmp_path / job["artifacts"]["reports"]["junit"]).is_file()


def test_jenkinsfile_commands_use_only_options_the_cli_has_and_publish_its_junit() -> None:
    text = JENKINS.read_text()
    commands = shell_commands(text)
    assert [c[1] for c in commands] == ["run"]
    assert all(unknown_flags(c) == [] for c in commands)
    report_dir = commands[0][commands[0].index("--report-dir") + 1]
    assert f"testResults: '{report_dir}/junit.xml'" in text


def test_every_command_in_the_ci_docs_uses_only_options_the_cli_has() -> None:
    commands = shell_commands(DOCS.read_text())
    assert commands
    assert [unknown_flags(c) for c in commands] == [[] for _ in commands]


def _yaml_blocks(text: str) -> list[Any]:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def test_the_documented_workflow_passes_only_inputs_the_action_declares() -> None:
    workflow = _yaml_blocks(DOCS.read_text())[0]
    step = next(s for s in workflow["jobs"]["slo-gate"]["steps"] if "with" in s)
    assert set(step["with"]) <= set(_action()["inputs"])


def test_the_documented_gitlab_job_extends_the_template_and_sets_its_variables() -> None:
    job = _yaml_blocks(DOCS.read_text())[1]["slo-gate"]
    assert job["extends"] == ".slocheck"
    variables = set(_gitlab_job()["variables"]) | {"SLOCHECK_PROMETHEUS_URL"}
    assert set(job["variables"]) <= variables


@pytest.mark.usefixtures("slocheck_on_path")
def test_action_run_drives_real_load_and_keeps_the_run_directory(tmp_path: Path) -> None:
    from tests.support.counting_server import CountingServer

    scenario = yaml.safe_load((REPO_ROOT / "deploy" / "kubernetes" / "configmap.yaml").read_text())["data"]
    (tmp_path / "scenario.py").write_text(scenario["scenario.py"])
    slo = tmp_path / "slo" / "client.yaml"
    slo.parent.mkdir()
    slo.write_text(
        "apiVersion: slocheck/v1\nkind: SLOSet\nmetadata: {name: client}\nspec:\n  service: t\n  objectives:\n"
        '    - name: failures\n      indicator: {locust: {stat: fail_ratio}}\n      pass: "< 1%"\n'
    )
    with CountingServer(delay=0.0) as target:
        inputs = {"command": "run", "scenario": "scenario.py", "host": target.url,
                  "extra-args": "--duration 2s --users 2 --spawn-rate 2"}  # fmt: skip
        output, summary, _ = _run_action_gate(tmp_path, inputs)
        assert target.total() > 0
    assert "exit-code=0" in output.splitlines()
    assert "PASS" in summary
    (run_dir,) = (tmp_path / ".slocheck" / "runs").iterdir()
    assert (run_dir / "result.json").is_file()
