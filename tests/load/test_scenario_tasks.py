"""A User class (or a TaskSet it runs) without tasks is refused before any load, naming the class."""

from __future__ import annotations

from pathlib import Path

import pytest

from slocheck.core.errors import LoadError
from slocheck.load.scenario import load_scenario
from tests.support.command import LOCUST_OBJECTIVES, slocheck, write_slo
from tests.support.net import closed_port

NO_TASKS = """\
from locust import HttpUser, constant


class Idle(HttpUser):
    wait_time = constant(1)
"""
EMPTY_TASKSET = """\
from locust import HttpUser, TaskSet, constant


class Nothing(TaskSet):
    pass


class Browsing(HttpUser):
    wait_time = constant(1)
    tasks = [Nothing]
"""
OWN_RUN = """\
from locust import HttpUser


class Driver(HttpUser):
    def run(self):
        pass
"""


def test_a_user_class_without_tasks_is_a_load_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "no_tasks.py"
    path.write_text(NO_TASKS)
    with pytest.raises(LoadError, match=r"no_tasks\.py: User class Idle has no tasks; decorate a method with @task"):
        load_scenario(path)


def test_a_task_set_without_tasks_is_a_load_error_naming_it_and_its_user(tmp_path: Path) -> None:
    path = tmp_path / "empty_taskset.py"
    path.write_text(EMPTY_TASKSET)
    with pytest.raises(LoadError, match=r"TaskSet Nothing \(of Browsing\) has no tasks"):
        load_scenario(path)


def test_a_user_class_with_its_own_run_needs_no_tasks(tmp_path: Path) -> None:
    path = tmp_path / "own_run.py"
    path.write_text(OWN_RUN)
    assert [u.__name__ for u in load_scenario(path).user_classes] == ["Driver"]


def test_run_with_a_taskless_user_exits_2_before_any_load(tmp_path: Path) -> None:
    scenario = tmp_path / "no_tasks.py"
    scenario.write_text(NO_TASKS)
    slo = write_slo(tmp_path / "slo.yaml", LOCUST_OBJECTIVES)
    args = ["run", str(slo), "--scenario", str(scenario), "--host", f"http://127.0.0.1:{closed_port()}"]
    result = slocheck([*args, "--duration", "3s", "--out", str(tmp_path / "runs")], tmp_path)
    assert result.code == 2, result.output
    assert result.error_lines() == [
        f"error: {scenario}: User class Idle has no tasks; decorate a method with @task, set tasks = [...], "
        "or mark the class abstract = True"
    ]
    assert len(result.output.splitlines()) == 1
    assert not (tmp_path / "runs").exists()
