import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

from pathlib import Path

import pytest

from slocheck.core.errors import LoadError
from slocheck.load.profiles import DEFAULT_PROFILES, Stage, load_profiles, parse_profiles, resolve_profile
from slocheck.load.shapes import ProfileShape, StageChange

REPO = Path(__file__).resolve().parents[2]


def ticks(shape: ProfileShape, times: list[float]) -> list[tuple[int, float] | None]:
    return [shape.tick_at(t) for t in times]


def test_the_built_in_profiles_are_the_documented_ones() -> None:
    profiles = load_profiles()
    constant = {
        name: (p.stages[0].users, p.stages[0].spawn_rate, p.duration) for name, p in profiles.items() if p.is_constant
    }
    assert constant == {
        "smoke": (10, 10.0, 30.0),
        "baseline": (100, 10.0, 300.0),
        "target": (500, 50.0, 300.0),
        "peak": (1000, 100.0, 600.0),
        "stress": (2000, 100.0, 300.0),
    }


def test_scenarios_profiles_yaml_is_the_built_in_file() -> None:
    assert (REPO / "scenarios" / "profiles.yaml").resolve() == DEFAULT_PROFILES.resolve()


def test_the_smoke_shape_holds_10_users_for_30_seconds_then_ends() -> None:
    shape = ProfileShape(load_profiles()["smoke"])
    assert ticks(shape, [0, 1, 15, 29.9, 30, 31]) == [(10, 10.0)] * 4 + [None, None]


def test_the_spike_shape_goes_100_to_1000_and_back() -> None:
    changes: list[StageChange] = []
    shape = ProfileShape(load_profiles()["spike"], changes.append)
    seen = ticks(shape, [0, 29, 30, 39, 40, 99, 100, 109, 110, 139, 140])
    assert seen == [
        (100, 100.0),
        (100, 100.0),
        (1000, 90.0),
        (1000, 90.0),
        (1000, 90.0),
        (1000, 90.0),
        (100, 90.0),
        (100, 90.0),
        (100, 90.0),
        (100, 90.0),
        None,
    ]
    assert [(c.index, c.users, c.duration) for c in changes] == [
        (1, 100, 30.0),
        (2, 1000, 10.0),
        (3, 1000, 60.0),
        (4, 100, 10.0),
        (5, 100, 30.0),
    ]
    assert changes[0].annotation_tag == "stage:1"


def test_overrides_replace_users_spawn_rate_and_duration() -> None:
    profile = resolve_profile(load_profiles(), "baseline", users=20, spawn_rate=5, duration="1m30s")
    assert profile.stages == (Stage(90.0, 20, 5.0),)


def test_an_unknown_profile_lists_the_available_ones() -> None:
    with pytest.raises(LoadError, match="unknown load profile 'huge'; available profiles: baseline, peak, smoke"):
        resolve_profile(load_profiles(), "huge")


@pytest.mark.parametrize(
    ("option", "kwargs"),
    [("--users", {"users": 0}), ("--spawn-rate", {"spawn_rate": -1}), ("--duration", {"duration": "0s"})],
)
def test_non_positive_overrides_are_rejected(option: str, kwargs: dict[str, object]) -> None:
    with pytest.raises(LoadError, match=f"^{option}: "):
        resolve_profile(load_profiles(), "smoke", **kwargs)  # type: ignore[arg-type]


def test_overrides_of_a_staged_profile_are_rejected() -> None:
    with pytest.raises(LoadError, match="profile 'spike' has 5 stages"):
        resolve_profile(load_profiles(), "spike", users=5)


def test_zero_users_in_a_profiles_file_names_the_file_line_and_key() -> None:
    text = "profiles:\n  tiny:\n    users: 0\n    spawn_rate: 1\n    duration: 10s\n"
    with pytest.raises(LoadError) as caught:
        parse_profiles(text, "my-profiles.yaml")
    assert str(caught.value) == "my-profiles.yaml:3: profiles.tiny.users: users must be a positive whole number (got 0)"


def test_a_negative_stage_duration_names_the_stage() -> None:
    text = "profiles:\n  ramp:\n    stages:\n      - {duration: 10s, users: 5}\n      - {duration: -5s, users: 9}\n"
    with pytest.raises(LoadError, match=r"^f.yaml:5: profiles.ramp.stages\[1\].duration: duration must be positive"):
        parse_profiles(text, "f.yaml")


def test_user_defined_stages_without_spawn_rate_ramp_over_the_stage() -> None:
    text = "profiles:\n  ramp:\n    stages:\n      - {duration: 10s, users: 50}\n      - {duration: 1m, users: 50}\n"
    profile = parse_profiles(text, "f.yaml")["ramp"]
    assert profile.stages == (Stage(10.0, 50, 5.0), Stage(60.0, 50, 1.0))


def test_a_user_profiles_file_adds_to_the_built_ins(tmp_path: Path) -> None:
    path = tmp_path / "profiles.yaml"
    path.write_text("profiles:\n  soak: {users: 50, spawn_rate: 5, duration: 2h}\n")
    profiles = load_profiles(path)
    assert profiles["soak"].duration == 7200.0
    assert "smoke" in profiles


def test_an_unknown_key_is_rejected() -> None:
    with pytest.raises(LoadError, match=r"f.yaml:2: profiles.x.user: unknown key"):
        parse_profiles("profiles:\n  x: {user: 5, spawn_rate: 1, duration: 1s}\n", "f.yaml")
