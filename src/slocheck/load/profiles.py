"""Load profiles: named sequences of stages (users, spawn rate, duration), read from YAML with located errors.

The built-in profiles live in `profiles.yaml` beside this module (scenarios/profiles.yaml links to it);
a user's profiles file is read over them, so it only needs the profiles it adds or changes.
Pure: no Locust here (see `shapes.py` for the LoadTestShape a profile becomes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from slocheck.core.errors import LoadError
from slocheck.core.spec.yamldoc import Located, YamlSyntaxError, load_documents
from slocheck.core.units import UnitError, parse_duration

_T = TypeVar("_T")
DEFAULT_PROFILES = Path(__file__).with_name("profiles.yaml")
_CONSTANT_KEYS = {"users", "spawn_rate", "duration", "description"}
_STAGED_KEYS = {"stages", "description"}
_STAGE_KEYS = {"users", "spawn_rate", "duration"}


@dataclass(frozen=True)
class Stage:
    """Move to `users` at `spawn_rate` users/s, and stay in this stage for `duration` seconds."""

    duration: float
    users: int
    spawn_rate: float


@dataclass(frozen=True)
class Profile:
    name: str
    stages: tuple[Stage, ...]
    source: str = ""
    description: str = ""

    @property
    def duration(self) -> float:
        return sum(stage.duration for stage in self.stages)

    @property
    def peak_users(self) -> int:
        return max(stage.users for stage in self.stages)

    @property
    def is_constant(self) -> bool:
        return len(self.stages) == 1

    def stage_at(self, elapsed: float) -> int | None:
        """The index of the stage running `elapsed` seconds after the start, or None once the profile is over."""
        end = 0.0
        for index, stage in enumerate(self.stages):
            end += stage.duration
            if elapsed < end:
                return index
        return None


class _Reader:
    """Turns one located YAML document into profiles, raising LoadError `file:line: path: problem`."""

    def __init__(self, located: Located, source: str) -> None:
        self.located = located
        self.source = source

    def fail(self, path: tuple[str | int, ...], message: str) -> LoadError:
        position = self.located.position(path)
        where = f"{self.source}:{position[0]}" if position else self.source
        dotted = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")
        return LoadError(f"{where}: {dotted}: {message}" if dotted else f"{where}: {message}")

    def profiles(self) -> dict[str, Profile]:
        data = self.located.data
        if not isinstance(data, dict) or set(data) != {"profiles"} or not isinstance(data["profiles"], dict):
            raise self.fail((), "expected a mapping with one key, `profiles:`, of profile name → profile")
        return {str(name): self.profile(str(name), body) for name, body in data["profiles"].items()}

    def profile(self, name: str, body: object) -> Profile:
        path: tuple[str | int, ...] = ("profiles", name)
        if not isinstance(body, dict):
            raise self.fail(path, "a profile is a mapping with users/spawn_rate/duration, or stages")
        staged = "stages" in body
        self.check_keys(path, body, _STAGED_KEYS if staged else _CONSTANT_KEYS)
        description = str(body.get("description", ""))
        if not staged:
            return Profile(name, (self.stage(path, body, previous_users=0),), self.source, description)
        items = body["stages"]
        if not isinstance(items, list) or not items:
            raise self.fail((*path, "stages"), "must be a non-empty list of {duration, users, spawn_rate}")
        stages: list[Stage] = []
        for index, item in enumerate(items):
            stage_path = (*path, "stages", index)
            if not isinstance(item, dict):
                raise self.fail(stage_path, "a stage is a mapping {duration, users, spawn_rate}")
            self.check_keys(stage_path, item, _STAGE_KEYS)
            stages.append(self.stage(stage_path, item, stages[-1].users if stages else 0))
        return Profile(name, tuple(stages), self.source, description)

    def check_keys(self, path: tuple[str | int, ...], body: dict[object, object], allowed: set[str]) -> None:
        unknown = sorted(str(k) for k in body if k not in allowed)
        if unknown:
            raise self.fail((*path, unknown[0]), f"unknown key; expected one of {', '.join(sorted(allowed))}")
        required = allowed - {"description", "spawn_rate"}
        missing = sorted(required - {str(k) for k in body})
        if missing:
            raise self.fail(path, f"missing {missing[0]}")

    def stage(self, path: tuple[str | int, ...], body: Mapping[object, object], previous_users: int) -> Stage:
        users = self.checked(path, "users", check_users, body["users"])
        duration = self.checked(path, "duration", check_duration, body["duration"])
        if "spawn_rate" not in body:
            return Stage(duration, users, max(abs(users - previous_users) / duration, 1.0))
        return Stage(duration, users, self.checked(path, "spawn_rate", check_spawn_rate, body["spawn_rate"]))

    def checked(self, path: tuple[str | int, ...], key: str, check: Callable[[object], _T], value: object) -> _T:
        try:
            return check(value)
        except ValueError as exc:
            raise self.fail((*path, key), str(exc)) from None


def check_users(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"users must be a positive whole number (got {value!r})")
    return value


def check_spawn_rate(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"spawn_rate must be a positive number of users per second (got {value!r})")
    return float(value)


def check_duration(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"duration must be a duration like 30s or 5m (got {value!r})")
    try:
        seconds = parse_duration(str(value)) if isinstance(value, str) else float(value)
    except UnitError as exc:
        raise ValueError(f"duration: {exc}") from None
    if not seconds > 0:
        raise ValueError(f"duration must be positive (got {value!r})")
    return seconds


def parse_profiles(text: str, source: str) -> dict[str, Profile]:
    """Profiles from the text of a profiles file; `source` names the file in errors."""
    try:
        documents = load_documents(text)
    except YamlSyntaxError as exc:
        where = f"{source}:{exc.line}" if exc.line else source
        raise LoadError(f"{where}: {exc}") from None
    if len(documents) != 1:
        raise LoadError(f"{source}: expected one YAML document with `profiles:`, found {len(documents)}")
    return _Reader(documents[0], source).profiles()


def load_profiles(path: Path | None = None) -> dict[str, Profile]:
    """The built-in profiles, with those of `path` (if given) added or replacing them by name."""
    profiles = parse_profiles(DEFAULT_PROFILES.read_text(encoding="utf-8"), str(DEFAULT_PROFILES))
    if path is None or Path(path).resolve() == DEFAULT_PROFILES.resolve():
        return profiles
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise LoadError(f"{path}: cannot read the profiles file ({exc.strerror or exc})") from None
    profiles.update(parse_profiles(text, str(path)))
    return profiles


def resolve_profile(
    profiles: Mapping[str, Profile],
    name: str,
    users: int | None = None,
    spawn_rate: float | None = None,
    duration: float | str | None = None,
) -> Profile:
    """The profile called `name`, with command-line overrides applied (constant profiles only)."""
    profile = profiles.get(name)
    if profile is None:
        available = ", ".join(sorted(profiles)) or "none"
        raise LoadError(f"unknown load profile {name!r}; available profiles: {available}")
    if users is None and spawn_rate is None and duration is None:
        return profile
    if not profile.is_constant:
        raise LoadError(
            f"{profile.source}: profile {name!r} has {len(profile.stages)} stages; --users, --spawn-rate and "
            "--duration only override a constant profile (define another profile with the stages you want)"
        )
    stage = profile.stages[0]
    new_users = stage.users if users is None else _option("--users", check_users, users)
    new_rate = stage.spawn_rate if spawn_rate is None else _option("--spawn-rate", check_spawn_rate, spawn_rate)
    new_duration = stage.duration if duration is None else _option("--duration", check_duration, duration)
    return replace(profile, stages=(Stage(new_duration, new_users, new_rate),))


def _option(option: str, check: Callable[[object], _T], value: object) -> _T:
    try:
        return check(value)
    except ValueError as exc:
        raise LoadError(f"{option}: {exc}") from None
