"""Bad input is exit 2 with one located line per problem and never a traceback: every SLO file of the corpus in
tests/data/bad, broken scenarios, a missing scenario, negative durations and zero users."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from slocheck.__main__ import main
from slocheck.core.errors import SpecError
from slocheck.core.spec.loader import load_slo_files
from tests.support.command import BAD, LOCUST_OBJECTIVES, QUICK_USER, run_dirs, slocheck, write_slo
from tests.support.counting_server import CountingServer

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad"
CORPUS_FILES = sorted(CORPUS.iterdir())


def _problems(path: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_slo_files([path])
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_validate_rejects_each_bad_file_with_exit_2_and_one_located_line_per_problem(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    located = re.compile(rf"^error: {re.escape(str(path))}(:\d+:\d+)?: \S")
    assert code == 2
    assert lines == [f"error: {problem}" for problem in _problems(path)]
    assert all(located.match(line) for line in lines), lines
    assert err.splitlines()[-1] == f"{len(lines)} problem(s) in 1 file(s)"
    assert "Traceback" not in err


def test_validate_of_the_whole_bad_corpus_at_once_lists_every_problem_without_a_traceback(work: Path) -> None:
    result = slocheck(["validate", *map(str, CORPUS_FILES)], work)
    expected = [f"error: {problem}" for path in CORPUS_FILES for problem in _problems(path)]
    assert result.code == 2
    assert sorted(result.error_lines()) == sorted(expected)
    assert "Traceback" not in result.output


def test_a_negative_range_step_in_an_slo_file_is_a_located_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_slo(
        tmp_path / "negative.yaml",
        "    - name: p95\n"
        "      indicator: {prometheus: {query: up, range: {step: -5s, reduce: max}}}\n"
        '      pass: "< 1"\n',
    )
    code = main(["validate", str(path)])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error: ")]
    assert code == 2
    assert lines == [
        f'error: {path}:8:57: objectives[0].indicator.prometheus.range.step: "-5s" must be a positive duration'
    ]


def _run(work: Path, host: str, *extra: str, scenario: Path = QUICK_USER) -> list[str]:
    slo = write_slo(work / "slo.yaml", LOCUST_OBJECTIVES)
    return [
        "run", str(slo), "--scenario", str(scenario), "--host", host, "--out", str(work / "runs"),
        "--duration", "3s", "--settle", "1s", *extra,
    ]  # fmt: skip


SCENARIOS = {
    "raises_at_import.py": ":5: importing the scenario raised KeyError: 'production'",
    "no_user.py": ": no User class found; define a class inheriting HttpUser or FastHttpUser",
    "missing.py": ": scenario file does not exist",
}


@pytest.mark.parametrize(("name", "message"), SCENARIOS.items(), ids=list(SCENARIOS))
def test_a_scenario_that_cannot_run_is_exit_2_with_one_line_naming_the_file_before_any_request(
    name: str, message: str, target: CountingServer, work: Path
) -> None:
    scenario = BAD / name
    result = slocheck(_run(work, target.url, scenario=scenario), work)
    assert result.code == 2, result.output
    assert result.error_lines() == [f"error: {scenario}{message}"]
    assert "Traceback" not in result.output
    assert target.total() == 0
    assert run_dirs(work / "runs") == []


OPTIONS = {
    "negative duration": (("--duration", "-5s"), 'error: --duration: "-5s" must be a positive duration'),
    "zero duration": (("--duration", "0s"), 'error: --duration: "0s" must be a positive duration'),
    "negative settle": (("--settle", "-5s"), 'error: --settle: "-5s" must be a positive duration'),
    "zero users": (("--users", "0"), "error: --users: users must be a positive whole number (got 0)"),
    "negative users": (("--users", "-3"), "error: --users: users must be a positive whole number (got -3)"),
    "zero spawn rate": (("--spawn-rate", "0"), "error: --spawn-rate: spawn_rate must be a positive number"),
    "negative workers": (("--workers", "-1"), "error: --workers -1: must be 0 (in-process) or more"),
    "negative profile duration": (
        ("--profiles", str(BAD / "negative_duration_profiles.yaml"), "--profile", "backwards"),
        f"error: {BAD / 'negative_duration_profiles.yaml'}:5: profiles.backwards.duration: duration must be positive",
    ),
}


@pytest.mark.parametrize(("option", "message"), OPTIONS.values(), ids=list(OPTIONS))
def test_an_impossible_load_option_is_exit_2_with_one_line_naming_it_before_any_request(
    option: tuple[str, ...], message: str, target: CountingServer, work: Path
) -> None:
    result = slocheck(_run(work, target.url, *option), work)
    assert result.code == 2, result.output
    (line,) = result.error_lines()
    assert line.startswith(message)
    assert "Traceback" not in result.output
    assert target.total() == 0
    assert run_dirs(work / "runs") == []
