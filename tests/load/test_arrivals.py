"""The open model: arrival schedules, exact splits across workers, dropped iterations, scheduled-start latency."""

import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

import itertools
import math
from pathlib import Path

import pytest

from slocheck.core.errors import LoadError
from slocheck.core.model import Bar, LocustIndicator, MeasurementStatus, Objective
from slocheck.core.spec.conditions import parse_bar_text
from slocheck.load.arrivals import arrival_offsets, profile_from_wire, profile_to_wire, scheduled_count
from slocheck.load.plan import LoadPlan
from slocheck.load.profiles import Profile, Stage, check_rate, parse_profiles, resolve_profile
from slocheck.load.runner import run_load
from slocheck.load.stats import ClientStats
from tests.load.marks import LOAD_WARNINGS
from tests.support.counting_server import CountingServer


def open_profile(*stages: tuple[float, float], max_users: int | None = None) -> Profile:
    return Profile("open", tuple(Stage(d, 0, 0.0, r) for d, r in stages), max_users=max_users)


def test_rates_take_a_time_unit() -> None:
    assert check_rate("200/s") == 200
    assert check_rate("600/m") == 10
    assert check_rate(50) == 50
    with pytest.raises(ValueError, match="rate must be"):
        check_rate("fast")


def test_a_profile_with_rate_is_an_open_profile() -> None:
    text = "profiles:\n  steady: {rate: 200/s, duration: 30s, max_users: 40}\n"
    profile = parse_profiles(text, "p.yaml")["steady"]

    assert profile.is_open
    assert profile.stages[0].rate == 200
    assert profile.pool_size == profile.peak_users == 40


def test_staged_rates_are_read_and_users_in_an_open_stage_is_a_located_error() -> None:
    good = "profiles:\n  ramp:\n    stages:\n      - {duration: 1m, rate: 50/s}\n      - {duration: 2m, rate: 400/s}\n"
    assert [s.rate for s in parse_profiles(good, "p.yaml")["ramp"].stages] == [50, 400]
    bad = "profiles:\n  ramp:\n    stages:\n      - {duration: 1m, rate: 50/s, users: 3}\n"
    with pytest.raises(LoadError, match=r"p.yaml:4: profiles.ramp.stages\[0\].users: unknown key"):
        parse_profiles(bad, "p.yaml")


def test_the_default_pool_is_sized_from_the_rate_and_capped() -> None:
    assert open_profile((10, 100.0)).pool_size == 100
    assert open_profile((10, 1.0)).pool_size == 10
    assert open_profile((10, 1e6)).pool_size == 1000


def test_rate_on_the_command_line_turns_a_closed_profile_open() -> None:
    closed = {"smoke": Profile("smoke", (Stage(30.0, 10, 10.0),))}
    profile = resolve_profile(closed, "smoke", rate="120/s", duration=5.0)

    assert profile.is_open
    assert (profile.duration, profile.stages[0].rate) == (5.0, 120.0)
    with pytest.raises(LoadError, match="exclude each other"):
        resolve_profile(closed, "smoke", rate="120/s", users=3)


def test_a_constant_rate_schedules_rate_times_duration_iterations_evenly() -> None:
    offsets = list(arrival_offsets(open_profile((3.0, 100.0))))

    assert len(offsets) == 300
    assert offsets[:3] == pytest.approx([0.0, 0.01, 0.02])
    assert offsets[-1] < 3.0


def test_a_stage_ramps_linearly_from_the_previous_rate() -> None:
    profile = open_profile((2.0, 10.0), (2.0, 30.0))
    offsets = list(arrival_offsets(profile))

    # 2 s at 10/s, then a ramp 10 → 30/s over 2 s: (10 + 30) / 2 * 2 = 40 more
    assert scheduled_count(profile) == len(offsets) == 60
    gaps = [b - a for a, b in itertools.pairwise(offsets[20:])]
    assert gaps[0] > gaps[-1]  # the rate grows within the ramp


def test_workers_split_the_schedule_exactly() -> None:
    profile = open_profile((3.0, 101.0))
    whole = list(arrival_offsets(profile))
    parts = [list(arrival_offsets(profile, worker, 3)) for worker in range(3)]

    assert sorted(o for part in parts for o in part) == whole
    assert [len(p) for p in parts] == [101, 101, 101]


def test_a_profile_survives_the_trip_to_a_worker() -> None:
    profile, index, count = profile_from_wire(profile_to_wire(open_profile((2.0, 5.0), max_users=7), 2))

    assert (profile.stages[0].duration, profile.stages[0].rate, profile.pool_size, index, count) == (2.0, 5.0, 7, 0, 2)


def test_dropped_and_achieved_rate_merge_across_processes() -> None:
    one, two = ClientStats(), ClientStats()
    for stats, (started, dropped) in ((one, (90, 10)), (two, (95, 5))):
        stats.open_model = True
        stats.scheduled, stats.iterations, stats.dropped, stats.schedule_seconds = 100, started, dropped, 2.0
        stats.record("GET", "/x", 0.01, 0, None)
        stats.record_scheduled("GET", "/x", 0.5)
    total = ClientStats()
    total.merge_wire(one.drain())
    total.merge_wire(two.to_wire())

    assert (total.scheduled, total.iterations, total.dropped) == (200, 185, 15)
    assert total.achieved_rate == pytest.approx(92.5)
    assert total.total.scheduled.count == 2


def locust_objective(stat: str, start: str = "send") -> Objective:
    return Objective("o", "o", LocustIndicator(stat, start=start), Bar((parse_bar_text("< 1s"),)))


def test_from_scheduled_judges_the_scheduled_latency() -> None:
    stats = ClientStats()
    stats.open_model = True
    stats.record("GET", "/x", 0.01, 0, None)
    stats.record_scheduled("GET", "/x", 2.0)
    from slocheck.load.stats import client_measurement

    send = client_measurement(stats, locust_objective("p99"))
    scheduled = client_measurement(stats, locust_objective("p99", "scheduled"))

    assert send.series[0].value == pytest.approx(0.01, rel=0.01)
    assert scheduled.series[0].value == pytest.approx(2.0, rel=0.01)


def test_dropped_on_a_closed_run_is_no_data_never_zero() -> None:
    from slocheck.load.stats import client_measurement

    stats = ClientStats()
    stats.record("GET", "/x", 0.01, 0, None)

    assert client_measurement(stats, locust_objective("dropped")).status is MeasurementStatus.NO_DATA
    assert client_measurement(stats, locust_objective("p99", "scheduled")).status is MeasurementStatus.NO_DATA


@LOAD_WARNINGS[0]
def test_an_open_run_starts_every_scheduled_iteration_whatever_the_wait_time(
    server: CountingServer, data_dir: Path
) -> None:
    plan = LoadPlan(data_dir / "iteration_locustfile.py", open_profile((2.0, 40.0), max_users=10), host=server.url)
    outcome = run_load(plan)
    stats = outcome.stats

    assert stats.scheduled == 80  # rate x duration, exactly
    assert stats.iterations + stats.dropped == 80
    assert stats.count == server.counts[("GET", "/ok")] == stats.iterations  # one task = one request
    assert stats.total.scheduled.count == stats.iterations
    assert stats.to_dict()["arrivals"]["dropped"] == stats.dropped
    assert math.isfinite(stats.achieved_rate)


@LOAD_WARNINGS[0]
def test_when_no_user_is_free_the_iteration_is_dropped_not_delayed(data_dir: Path) -> None:
    with CountingServer(delay=0.5) as slow:
        plan = LoadPlan(data_dir / "slow_locustfile.py", open_profile((2.0, 20.0), max_users=2), host=slow.url)
        outcome = run_load(plan)
    stats = outcome.stats

    # 2 users, each busy 0.5 s per iteration: at most ~4 iterations a second of the 20 scheduled
    assert stats.scheduled == 40
    assert stats.dropped >= 20
    assert stats.iterations + stats.dropped == 40


@LOAD_WARNINGS[0]
def test_two_workers_run_the_schedule_exactly_once_between_them(server: CountingServer, data_dir: Path) -> None:
    plan = LoadPlan(
        data_dir / "iteration_locustfile.py", open_profile((2.0, 30.0), max_users=10), host=server.url, workers=2
    )
    stats = run_load(plan).stats

    assert stats.scheduled == 60
    assert stats.iterations + stats.dropped == 60
    assert server.counts[("GET", "/ok")] == stats.iterations == stats.count


@LOAD_WARNINGS[0]
def test_an_abort_reason_from_the_live_check_stops_the_load(server: CountingServer, data_dir: Path) -> None:
    calls: list[int] = []

    def check(stats: ClientStats, _start: object) -> str | None:
        calls.append(stats.count)
        return "aborted at 00:01: api/p99 too slow" if len(calls) >= 2 else None

    plan = LoadPlan(
        data_dir / "iteration_locustfile.py",
        open_profile((30.0, 20.0), max_users=5),
        host=server.url,
        abort_check=check,
        abort_every=0.5,
    )
    outcome = run_load(plan)

    assert outcome.aborted == "aborted at 00:01: api/p99 too slow"
    assert len(calls) == 2
    assert outcome.window.seconds < 10
    assert calls[-1] > 0  # the check saw the live statistics
