"""Load profiles: named sequences of stages (users, spawn rate, duration), read from YAML with located errors.

Closed model: `users` (each waits for its response before its next task). Open model (arrival rate):
`rate: 200/s` for `duration`, or stages with `rate` (ramping linearly from the previous stage's rate; the
first stage holds its own rate), executed by a pool of at most `max_users` users (see `arrivals.py`).

The built-in profiles live in `profiles.yaml` beside this module (scenarios/profiles.yaml links to it);
a user's profiles file is read over them, so it only needs the profiles it adds or changes.
Pure: no Locust here (see `shapes.py` for the LoadTestShape a profile becomes).
"""

from __future__ import annotations

import math
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
_OPEN_CONSTANT_KEYS = {"rate", "max_users", "duration", "description"}
_OPEN_STAGED_KEYS = {"stages", "max_users", "description"}
_OPEN_STAGE_KEYS = {"rate", "duration"}
# Default pool of an open-model profile: enough users for every iteration to last up to this long at the peak
# rate, within [MIN_POOL, MAX_POOL].
POOL_SECONDS = 1.0
MIN_POOL = 10
MAX_POOL = 1000


@dataclass(frozen=True)
class Stage:
    """Move to `users` at `spawn_rate` users/s, and stay in this stage for `duration` seconds."""

    duration: float
    users: int
    spawn_rate: float
    rate: float | None = None  # open model: iterations per second reached at the end of this stage


@dataclass(frozen=True)
class Profile:
    name: str
    stages: tuple[Stage, ...]
    source: str = ""
    description: str = ""
    max_users: int | None = None

    @property
    def is_open(self) -> bool:
        """An arrival-rate profile: iterations start on a schedule, whatever the response times."""
        return self.stages[0].rate is not None

    @property
    def peak_rate(self) -> float:
        return max(stage.rate or 0.0 for stage in self.stages)

    @property
    def pool_size(self) -> int:
        """The users executing iterations: `max_users`, else sized from the peak rate (capped)."""
        if self.max_users is not None:
            return self.max_users
        return int(min(MAX_POOL, max(MIN_POOL, math.ceil(self.peak_rate * POOL_SECONDS))))

    @property
    def duration(self) -> float:
        return sum(stage.duration for stage in self.stages)

    @property
    def peak_users(self) -> int:
        return self.pool_size if self.is_open else max(stage.users for stage in self.stages)

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
            raise self.fail(path, "a profile is a mapping with users/spawn_rate/duration, rate/duration, or stages")
        staged = "stages" in body
        is_open = "rate" in body or "max_users" in body or (staged and _has_rate(body["stages"]))
        if is_open:
            return self.open_profile(path, name, body, staged)
        self.check_keys(path, body, _STAGED_KEYS if staged else _CONSTANT_KEYS)
        description = str(body.get("description", ""))
        if not staged:
            return Profile(name, (self.stage(path, body, previous_users=0),), self.source, description)
        stages: list[Stage] = []
        for index, item in enumerate(self.stage_items(path, body)):
            stage_path = (*path, "stages", index)
            self.check_keys(stage_path, item, _STAGE_KEYS)
            stages.append(self.stage(stage_path, item, stages[-1].users if stages else 0))
        return Profile(name, tuple(stages), self.source, description)

    def stage_items(self, path: tuple[str | int, ...], body: dict[object, object]) -> list[dict[object, object]]:
        items = body["stages"]
        if not isinstance(items, list) or not items:
            raise self.fail((*path, "stages"), "must be a non-empty list of stages")
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.fail((*path, "stages", index), "a stage is a mapping {duration, users | rate}")
        return items

    def open_profile(self, path: tuple[str | int, ...], name: str, body: dict[object, object], staged: bool) -> Profile:
        self.check_keys(path, body, _OPEN_STAGED_KEYS if staged else _OPEN_CONSTANT_KEYS)
        max_users = self.checked(path, "max_users", check_users, body["max_users"]) if "max_users" in body else None
        items = self.stage_items(path, body) if staged else [body]
        stages = []
        for index, item in enumerate(items):
            stage_path = (*path, "stages", index) if staged else path
            if staged:
                self.check_keys(stage_path, item, _OPEN_STAGE_KEYS)
            rate = self.checked(stage_path, "rate", check_rate, item["rate"])
            duration = self.checked(stage_path, "duration", check_duration, item["duration"])
            stages.append(Stage(duration, 0, 0.0, rate))
        return Profile(name, tuple(stages), self.source, str(body.get("description", "")), max_users)

    def check_keys(self, path: tuple[str | int, ...], body: dict[object, object], allowed: set[str]) -> None:
        unknown = sorted(str(k) for k in body if k not in allowed)
        if unknown:
            raise self.fail((*path, unknown[0]), f"unknown key; expected one of {', '.join(sorted(allowed))}")
        required = allowed - {"description", "spawn_rate", "max_users"}
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


def _has_rate(items: object) -> bool:
    return isinstance(items, list) and any(isinstance(item, dict) and "rate" in item for item in items)


_RATE_UNITS = {"s": 1.0, "sec": 1.0, "m": 1 / 60, "min": 1 / 60, "h": 1 / 3600}


def check_rate(value: object) -> float:
    """An arrival rate: `200/s`, `600/m`, `36000/h`, or a bare number of iterations per second."""
    text = str(value).strip() if isinstance(value, str | int | float) and not isinstance(value, bool) else ""
    number, _, unit = text.partition("/")
    try:
        rate = float(number) * _RATE_UNITS[unit.strip() or "s"]
    except (KeyError, ValueError):
        raise ValueError(f"rate must be iterations per time like 200/s or 600/m (got {value!r})") from None
    if not (rate > 0 and math.isfinite(rate)):
        raise ValueError(f"rate must be positive (got {value!r})")
    return rate


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
    rate: str | float | None = None,
    max_users: int | None = None,
) -> Profile:
    """The profile called `name`, with command-line overrides applied (constant profiles only).

    `rate` (--rate 200/s) turns the profile into a constant arrival-rate one for its duration."""
    profile = profiles.get(name)
    if profile is None:
        available = ", ".join(sorted(profiles)) or "none"
        raise LoadError(f"unknown load profile {name!r}; available profiles: {available}")
    if rate is not None or max_users is not None:
        return _open_override(profile, rate, duration, max_users, users is not None or spawn_rate is not None)
    if users is None and spawn_rate is None and duration is None:
        return profile
    if profile.is_open:
        raise LoadError(f"{profile.source}: profile {name!r} is an arrival-rate profile; use --rate, not --users")
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


def _open_override(
    profile: Profile, rate: str | float | None, duration: float | str | None, max_users: int | None, closed: bool
) -> Profile:
    if closed:
        raise LoadError("--rate/--max-users (open model) and --users/--spawn-rate (closed model) exclude each other")
    if rate is None and not profile.is_open:
        raise LoadError(f"--max-users applies to an arrival-rate profile; {profile.name!r} has users (add --rate)")
    if rate is None and not profile.is_constant and duration is not None:
        raise LoadError(f"{profile.source}: profile {profile.name!r} has stages; --duration overrides constant ones")
    new_duration = profile.duration if duration is None else _option("--duration", check_duration, duration)
    if rate is None:
        stages = profile.stages if duration is None else (replace(profile.stages[0], duration=new_duration),)
    else:
        stages = (Stage(new_duration, 0, 0.0, _option("--rate", check_rate, rate)),)
    pool = profile.max_users if max_users is None else _option("--max-users", check_users, max_users)
    return replace(profile, stages=stages, max_users=pool)
