"""The open model: iterations start on an arrival schedule, executed by a bounded pool of users.

`arrival_offsets(profile)` is the schedule (pure): iteration k starts when the integral of the rate reaches k,
so a constant `rate` r for D seconds schedules exactly ceil(r * D) iterations at k / r; a stage with a rate
ramps linearly from the previous stage's rate. A distributed run gives worker i of n the iterations
k ≡ i (mod n): the workers' schedules together are the schedule, exactly.

`ArrivalExecutor` runs it in one process: a scheduler greenlet hands each iteration, at its scheduled time, to a
user waiting for work; when no user is free the iteration is dropped and counted, never delayed. An iteration is
one task of the scenario (the user's `wait_time` waits for the next iteration instead of sleeping), so any
locustfile runs unchanged. While a user runs an iteration, its requests are also timed from the iteration's
scheduled start (`ClientStats.record_scheduled`): the latency a user arriving on schedule would have seen.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from typing import Any

import gevent
from gevent.queue import Queue

from slocheck.load.profiles import Profile, Stage
from slocheck.load.stats import ClientStats

READY_TIMEOUT = 10.0  # the longest the schedule waits for the pool's on_start (logins…) before starting anyway
READY_POLL = 0.01
YIELD_EVERY = 64  # when behind schedule, let the users run at least every this many dispatches


def _stage_offsets(start: float, duration: float, r0: float, r1: float, first: int, end: float) -> Iterator[float]:
    """Offsets (from the stage start) of iterations first, first+1, … whose cumulative count is `end` at most."""
    slope = (r1 - r0) / duration
    k = first
    while True:
        need = k - start  # iterations to reach within this stage
        if abs(slope) < 1e-12:
            offset = need / r0 if r0 > 0 else math.inf
        else:
            offset = (-r0 + math.sqrt(max(r0 * r0 + 2 * slope * need, 0.0))) / slope
        if not offset < duration or k >= end:
            return
        yield offset
        k += 1


def arrival_offsets(profile: Profile, worker: int = 0, workers: int = 1) -> Iterator[float]:
    """Seconds from the start at which this worker's iterations are scheduled, in order."""
    elapsed, counted, previous = 0.0, 0.0, None
    k = 0
    for stage in profile.stages:
        rate = stage.rate or 0.0
        r0 = rate if previous is None else previous
        total = counted + (r0 + rate) / 2 * stage.duration
        for offset in _stage_offsets(counted, stage.duration, r0, rate, k, total):
            if k % workers == worker:
                yield elapsed + offset
            k += 1
        elapsed, counted, previous = elapsed + stage.duration, total, rate


def scheduled_count(profile: Profile) -> int:
    """How many iterations the whole profile schedules (all workers together)."""
    return sum(1 for _ in arrival_offsets(profile))


def profile_to_wire(profile: Profile, workers: int) -> dict[str, Any]:
    """What a worker needs to run its part of the schedule (the master adds its `index`)."""
    stages = [[stage.duration, stage.rate] for stage in profile.stages]
    return {"name": profile.name, "stages": stages, "max_users": profile.pool_size, "count": workers, "index": 0}


def profile_from_wire(data: dict[str, Any]) -> tuple[Profile, int, int]:
    stages = tuple(Stage(float(duration), 0, 0.0, float(rate)) for duration, rate in data["stages"])
    profile = Profile(str(data["name"]), stages, max_users=int(data["max_users"]))
    return profile, int(data["index"]), int(data["count"])


class ArrivalExecutor:
    """Hands scheduled iterations to free users of one process; counts what was started and what was dropped."""

    def __init__(
        self,
        profile: Profile,
        stats: ClientStats,
        worker: int = 0,
        workers: int = 1,
        on_finished: Callable[[], None] | None = None,
    ) -> None:
        self.profile, self.stats, self.on_finished = profile, stats, on_finished
        self.worker, self.workers = worker, workers
        self.queue: Queue[float] = Queue()
        self.waiting = 0
        self.current: dict[Any, float] = {}  # user greenlet → scheduled start (monotonic) of its iteration
        self.greenlet: gevent.Greenlet[Any, None] | None = None
        self.started_mono = 0.0
        self.finished = False

    def start(self, users: int = 0) -> None:
        """Start the schedule once `users` users wait for work (their on_start done), or after READY_TIMEOUT."""
        self.started_mono = time.monotonic()
        self.greenlet = gevent.spawn(self._schedule, users)

    def stop(self) -> None:
        if self.greenlet is not None:
            self.greenlet.kill(block=False)
        self.finished = True

    def _schedule(self, users: int) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while self.waiting < users and time.monotonic() < deadline:
            gevent.sleep(READY_POLL)
        start = self.started_mono = time.monotonic()
        for n, offset in enumerate(arrival_offsets(self.profile, self.worker, self.workers)):
            delay = start + offset - time.monotonic()
            if delay > 0:
                gevent.sleep(delay)
            elif n % YIELD_EVERY == 0:
                gevent.sleep(0)
            self._dispatch(start + offset)
        gevent.sleep(max(0.0, start + self.profile.duration - time.monotonic()))  # the schedule's planned end
        self.stats.schedule_seconds = time.monotonic() - start
        self.finished = True
        if self.on_finished is not None:
            self.on_finished()

    def _dispatch(self, scheduled: float) -> None:
        self.stats.scheduled += 1
        if self.waiting - self.queue.qsize() > 0:
            self.queue.put(scheduled)
            self.stats.iterations += 1
        else:
            self.stats.dropped += 1

    def next_iteration(self) -> None:
        """Called by a user between tasks: wait for the next scheduled iteration."""
        me = gevent.getcurrent()
        self.current.pop(me, None)
        self.waiting += 1
        try:
            scheduled = self.queue.get()
        finally:
            self.waiting -= 1
        self.current[me] = scheduled

    def on_request(self, request_type: str, name: str, response_time: float | None = None, **_kw: object) -> None:
        """Locust `request` listener: the request's latency measured from its iteration's scheduled start."""
        scheduled = self.current.get(gevent.getcurrent())
        if scheduled is not None:
            self.stats.record_scheduled(str(request_type), str(name), time.monotonic() - scheduled)


def open_user_classes(user_classes: tuple[type[Any], ...], executor: ArrivalExecutor) -> list[type[Any]]:
    """Subclasses whose users run one task per scheduled iteration (first task included)."""

    def wait_time(_self: Any) -> float:
        executor.next_iteration()
        return 0.0

    def wrap(cls: type[Any]) -> type[Any]:
        original_start = cls.on_start

        def on_start(self: Any) -> None:
            original_start(self)
            executor.next_iteration()

        attributes = {"wait_time": wait_time, "on_start": on_start, "__module__": cls.__module__}
        return type(cls.__name__, (cls,), attributes)

    return [wrap(cls) for cls in user_classes]
