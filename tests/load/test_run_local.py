import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

import csv
from datetime import UTC
from pathlib import Path

import pytest

from slocheck.core.errors import LoadError
from slocheck.load.plan import LoadPlan
from slocheck.load.profiles import Profile, Stage
from slocheck.load.progress import Progress
from slocheck.load.runner import run_load
from slocheck.load.shapes import StageChange
from tests.load.marks import LOAD_WARNINGS
from tests.support.counting_server import CountingServer

pytestmark = LOAD_WARNINGS

THREE_SECONDS = Profile("test", (Stage(3.0, 5, 10.0),))


def test_an_in_process_run_counts_exactly_what_the_server_received(
    server: CountingServer, data_dir: Path, tmp_path: Path
) -> None:
    progress: list[Progress] = []
    stages: list[StageChange] = []
    plan = LoadPlan(
        data_dir / "thirdparty_locustfile.py", THREE_SECONDS, host=server.url, out_dir=tmp_path, run_id="r-local"
    )
    outcome = run_load(plan, on_progress=progress.append, on_stage=stages.append)

    assert outcome.stats.count == server.total() > 50
    assert outcome.stats.total.failures == server.counts[("GET", "/fail")] > 0
    assert not outcome.interrupted
    assert not outcome.failed
    assert outcome.start.tzinfo is UTC
    assert 3.0 <= outcome.window.seconds < 6.0
    assert outcome.achieved_users == outcome.requested_users == 5
    assert [s.index for s in stages] == [1]
    assert progress
    assert progress[-1].stopping


def test_a_run_keeps_every_successful_request_in_its_one_second_intervals(
    server: CountingServer, data_dir: Path
) -> None:
    outcome = run_load(LoadPlan(data_dir / "paced_locustfile.py", THREE_SECONDS, host=server.url))
    slots = outcome.stats.timeline.slots
    assert len(slots) >= 3
    assert all(0.0 < s.end - s.start < 1.5 for s in slots)
    assert [s.start for s in slots[1:]] == [s.end for s in slots[:-1]]
    per_interval = sum(h.count for s in slots for h in s.endpoints.values())
    assert per_interval == outcome.stats.total.successes > 0


def test_an_in_process_run_writes_locusts_csv_files(server: CountingServer, data_dir: Path, tmp_path: Path) -> None:
    plan = LoadPlan(
        data_dir / "paced_locustfile.py", Profile("t", (Stage(2.0, 3, 10.0),)), host=server.url, out_dir=tmp_path
    )
    outcome = run_load(plan)
    with (tmp_path / "locust_stats.csv").open() as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    assert int(rows["Aggregated"]["Request Count"]) == outcome.stats.count
    failures = (tmp_path / "locust_failures.csv").read_text().splitlines()
    assert [line.split(",")[:2] for line in failures[1:]] == [["GET", "/fail"]]
    assert (tmp_path / "locust_stats_history.csv").stat().st_size > 0
    assert outcome.csv_prefix == tmp_path / "locust"


def test_a_fasthttpuser_scenario_runs(server: CountingServer, data_dir: Path) -> None:
    outcome = run_load(
        LoadPlan(data_dir / "fasthttp_locustfile.py", Profile("t", (Stage(1.5, 2, 10.0),)), host=server.url)
    )
    assert outcome.stats.count == server.counts[("GET", "/fast")] > 10


def test_the_scenarios_own_shape_wins_over_the_profile(server: CountingServer, data_dir: Path) -> None:
    stages: list[StageChange] = []
    outcome = run_load(
        LoadPlan(data_dir / "shaped_locustfile.py", THREE_SECONDS, host=server.url), on_stage=stages.append
    )
    assert [(s.index, s.users) for s in stages] == [(1, 2), (2, 4)]
    assert outcome.profile == "TwoSteps"
    assert "defines its own LoadTestShape (TwoSteps)" in outcome.notes[0]
    assert outcome.stats.count == server.total()


def test_a_run_without_a_host_is_a_load_error(data_dir: Path) -> None:
    with pytest.raises(LoadError, match="no target host for PacedUser; pass --host URL"):
        run_load(LoadPlan(data_dir / "paced_locustfile.py", THREE_SECONDS))


def test_a_malformed_host_is_a_load_error(data_dir: Path) -> None:
    with pytest.raises(LoadError, match="--host 'localhost:8000': expected a URL"):
        run_load(LoadPlan(data_dir / "paced_locustfile.py", THREE_SECONDS, host="localhost:8000"))
