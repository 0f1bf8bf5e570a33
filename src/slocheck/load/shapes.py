"""Profiles as Locust LoadTestShapes, and stage changes reported as they happen.

A profile becomes a `ProfileShape`. When the scenario file defines its own LoadTestShape, that shape wins
(the file's author chose it); slocheck then reports each change of its `tick()` value as a stage.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from locust import LoadTestShape

from slocheck.core.errors import LoadError
from slocheck.load.profiles import Profile

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StageChange:
    """Stage `index` (1-based) began at `at`: the load moves to `users` at `spawn_rate` users/s."""

    index: int
    at: datetime
    users: int
    spawn_rate: float
    duration: float | None = None

    @property
    def annotation_tag(self) -> str:
        return f"stage:{self.index}"


StageCallback = Callable[[StageChange], None]


class ProfileShape(LoadTestShape):
    """Runs the stages of a profile one after the other, then ends the test."""

    def __init__(self, profile: Profile, on_stage: StageCallback | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.profile = profile
        self.on_stage = on_stage
        self._current: int | None = None

    def tick(self) -> tuple[int, float] | None:
        elapsed: float = self.get_run_time()  # type: ignore[no-untyped-call]
        return self.tick_at(elapsed)

    def tick_at(self, elapsed: float) -> tuple[int, float] | None:
        """What the shape asks for `elapsed` seconds into the run (None: the run is over)."""
        index = self.profile.stage_at(elapsed)
        if index is None:
            return None
        stage = self.profile.stages[index]
        if index != self._current:
            self._current = index
            _notify(
                self.on_stage, StageChange(index + 1, datetime.now(UTC), stage.users, stage.spawn_rate, stage.duration)
            )
        return stage.users, stage.spawn_rate


class OpenShape(LoadTestShape):
    """Arrival-rate profiles: the pool of users stays up until the arrival schedule has run.

    The schedule itself (which drives the load) is `arrivals.ArrivalExecutor`; stages are reported at their
    planned offsets (users = the pool, spawn_rate = the stage's arrival rate)."""

    def __init__(self, profile: Profile, finished: Callable[[], bool], on_stage: StageCallback | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.profile, self.finished, self.on_stage = profile, finished, on_stage
        self._current: int | None = None

    def tick(self) -> tuple[int, float] | None:
        if self.finished():
            return None
        elapsed: float = self.get_run_time()  # type: ignore[no-untyped-call]
        index = self.profile.stage_at(elapsed)
        if index is not None and index != self._current:
            self._current = index
            stage = self.profile.stages[index]
            pool, rate = self.profile.pool_size, stage.rate or 0.0
            change = StageChange(index + 1, datetime.now(UTC), pool, rate, stage.duration)
            _notify(self.on_stage, change)
        pool = self.profile.pool_size
        return pool, float(max(pool, 1000))


def observe_shape(shape: Any, on_stage: StageCallback | None) -> Any:
    """Report every change of a user-defined shape's `tick()` value as a new stage (the shape is unchanged)."""
    original = shape.tick
    state: dict[str, Any] = {"last": None, "index": 0}

    def tick() -> Any:
        value = original()
        if value is not None and tuple(value[:2]) != state["last"]:
            state["last"] = tuple(value[:2])
            state["index"] += 1
            _notify(on_stage, StageChange(state["index"], datetime.now(UTC), int(value[0]), float(value[1])))
        return value

    shape.tick = tick
    return shape


def _notify(callback: StageCallback | None, change: StageChange) -> None:
    """A failing callback (e.g. an annotation that could not be written) never stops the load."""
    if callback is None:
        return
    try:
        callback(change)
    except Exception as exc:
        logger.warning("stage %d: the stage callback failed: %s: %s", change.index, type(exc).__name__, exc)


def shape_for(
    profile: Profile,
    own: type[Any] | None,
    scenario: object,
    open_finished: Callable[[], bool],
    on_stage: StageCallback,
    notes: list[str],
) -> Any:
    """The shape that drives the load: the scenario's own LoadTestShape (`own`, noted in `notes`, observed for
    stage changes), else the profile's (open or closed)."""
    if own is None and profile.is_open:
        return OpenShape(profile, open_finished, on_stage)
    if own is None:
        return ProfileShape(profile, on_stage)
    notes.append(
        f"{scenario} defines its own LoadTestShape ({own.__name__}); it drives the load; "
        f"the profile {profile.name!r} and --users/--spawn-rate/--duration are ignored"
    )
    try:
        shape = own()
    except Exception as exc:
        raise LoadError(f"{scenario}: creating {own.__name__} raised {type(exc).__name__}: {exc}") from None
    return observe_shape(shape, on_stage)
