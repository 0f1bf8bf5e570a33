"""Grafana annotations for a run: one region spanning the load, stage markers, and the verdict.

The pipeline drives one `RunAnnotator`:

    annotator.check()                  preflight: Grafana reachable with these credentials?
    annotator.start(run_id, …)         region annotation at the load start (tags slocheck, run:, scenario:, profile:)
    annotator.stage(change)            point annotation `stage:<n>` per stage of a multi-stage profile
    annotator.stop(end, start=…)       sets timeEnd (and the exact start) — idempotent, safe in `finally`
    annotator.verdict(verdict, text)   appends the summary and adds `verdict:<pass|warn|fail|inconclusive>`

Grafana is optional: when it is unreachable or refuses the token, one warning is given and every later call is
a no-op, unless `require=True`, where `check()`/`start()` raise `BackendUnavailable` (exit 3) before any load.
Every PATCH carries the full tag list, because Grafana replaces stored tags with whatever a PATCH sends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from slocheck.config.settings import GrafanaSettings
from slocheck.core.errors import BackendError, BackendUnavailable, ConfigError
from slocheck.core.model import Evaluation, Outcome, Verdict
from slocheck.grafana.types import NAME, GrafanaAPI, NewAnnotation

Clock = Callable[[], datetime]
Warn = Callable[[str], None]
ApiFactory = Callable[[GrafanaSettings], GrafanaAPI]

BASE_TAG = "slocheck"
VERDICT_PREFIX = "verdict:"
REQUIRE_HINT = "pass --require-grafana to stop the run instead"


class StageLike(Protocol):
    """A stage change of the load profile (`slocheck.load.shapes.StageChange`)."""

    @property
    def index(self) -> int: ...

    @property
    def at(self) -> datetime: ...

    @property
    def users(self) -> int: ...

    @property
    def spawn_rate(self) -> float: ...


def run_tags(run_id: str, scenario: str, profile: str) -> list[str]:
    return [BASE_TAG, f"run:{run_id}", f"scenario:{scenario}", f"profile:{profile}"]


def with_verdict(tags: Sequence[str], verdict: str) -> list[str]:
    """`tags` with exactly one `verdict:` tag, the given one; every other tag kept in order."""
    kept = [tag for tag in tags if not tag.startswith(VERDICT_PREFIX)]
    return [*kept, f"{VERDICT_PREFIX}{verdict.lower()}"]


def run_text(run_id: str, scenario: str, profile: str, slo_set_names: Sequence[str], host: str) -> str:
    sets = ", ".join(slo_set_names) or "(none)"
    return f"slocheck run {run_id}: scenario {scenario}, profile {profile} against {host}; SLO sets: {sets}"


def verdict_summary(evaluation: Evaluation, limit: int = 5) -> str:
    """`verdict FAIL: 9 PASS, 1 FAIL (failed: demo/api-p95-latency)` — the line appended to the run's annotation."""
    parts = [f"{n} {outcome.value}" for outcome, n in evaluation.counts().items() if n]

    def listed(label: str, outcomes: tuple[Outcome, ...]) -> str:
        keys = [r.objective.key for r in evaluation.results if r.outcome in outcomes]
        more = f", … ({len(keys) - limit} more)" if len(keys) > limit else ""
        return f"{label}: {', '.join(keys[:limit])}{more}" if keys else ""

    details = [
        d for d in (listed("failed", (Outcome.FAIL,)), listed("no answer", (Outcome.NO_DATA, Outcome.ERROR))) if d
    ]
    suffix = f" ({'; '.join(details)})" if details else ""
    return f"verdict {evaluation.verdict.value}: {', '.join(parts) or 'no objectives'}{suffix}"


def default_api(settings: GrafanaSettings) -> GrafanaAPI:
    # Imported here: the adapter imports requests (urllib3, ssl), which must come after `import locust` (gevent).
    from slocheck.grafana.client import GrafanaBackend

    return GrafanaBackend(settings)


class RunAnnotator:
    """Annotates one run in Grafana; a no-op when Grafana is not configured or stopped answering."""

    def __init__(
        self,
        settings: GrafanaSettings,
        *,
        warn: Warn,
        require: bool = False,
        clock: Clock = lambda: datetime.now(UTC),
        api_factory: ApiFactory = default_api,
    ) -> None:
        self._settings = settings
        self._warn = warn
        self._require = require
        self._clock = clock
        self._factory = api_factory
        self._api: GrafanaAPI | None = None
        self._disabled = not settings.url
        self._checked = False
        self._lock = threading.Lock()
        self.annotation_id: int | None = None
        self._run_id = ""
        self._tags: list[str] = []
        self._text = ""
        self._stopped = False
        self._stage_warned = False

    @property
    def active(self) -> bool:
        """True while a region annotation is open or waiting for its verdict."""
        return self.annotation_id is not None and not self._disabled

    def check(self) -> None:
        """Preflight: can Grafana be reached with these credentials? Call before any load."""
        if not self._settings.url:
            if self._require:
                raise ConfigError(f"--require-grafana: {_no_url()}")
            return
        if self._disabled or self._checked:
            return
        try:
            self._client().check()
        except BackendError as exc:
            self._give_up(exc)
            return
        self._checked = True

    def start(
        self, run_id: str, scenario: str, profile: str, slo_set_names: Sequence[str], host: str,
        at: datetime | None = None,
    ) -> int | None:  # fmt: skip
        """Open the run's region annotation at `at` (default now); returns its id, or None when disabled."""
        self.check()
        if self._disabled:
            return None
        tags = run_tags(run_id, scenario, profile)
        text = run_text(run_id, scenario, profile, slo_set_names, host)
        try:
            annotation_id = self._client().create_annotation(
                NewAnnotation(
                    time=at or self._clock(),
                    text=text,
                    tags=tuple(tags),
                    dashboard_uid=self._settings.dashboard_uid,
                    panel_id=self._settings.panel_id if self._settings.dashboard_uid else None,
                )
            )
        except BackendError as exc:
            self._give_up(exc)
            return None
        with self._lock:
            self.annotation_id, self._run_id, self._tags, self._text = annotation_id, run_id, tags, text
        return annotation_id

    def stage(self, change: StageLike) -> None:
        """A point annotation where a stage of the profile began; failures warn once and never stop the load."""
        text = f"stage {change.index}: {change.users} users at {change.spawn_rate:g}/s"
        self.point(change.at, text, f"stage:{change.index}")

    def point(self, at: datetime, text: str, tag: str) -> None:
        """A point annotation inside the run's region (a stage, a capacity step); failures warn once."""
        if not self.active or self._stage_warned:
            return
        tags = (BASE_TAG, f"run:{self._run_id}", tag)
        try:
            self._client().create_annotation(
                NewAnnotation(
                    time=at,
                    text=text,
                    tags=tags,
                    dashboard_uid=self._settings.dashboard_uid,
                    panel_id=self._settings.panel_id if self._settings.dashboard_uid else None,
                )
            )
        except BackendError as exc:
            self._stage_warned = True
            self._warn(f"Grafana: point annotations stopped: {exc.detail}")

    def stop(self, end: datetime | None = None, *, start: datetime | None = None) -> None:
        """Close the region at `end` (default now); `start` corrects its beginning to the exact load start.

        Idempotent: the first call closes it, later calls (a `finally` after a normal stop) do nothing."""
        with self._lock:
            if not self.active or self._stopped:
                return
            self._stopped = True
            annotation_id, tags = self.annotation_id, list(self._tags)
        assert annotation_id is not None
        try:
            self._client().patch_annotation(annotation_id, tags=tags, time=start, time_end=end or self._clock())
        except BackendError as exc:
            self._warn(
                f"Grafana: could not close annotation {annotation_id}: {exc.detail}; "
                f"close it with `slocheck annotate stop {annotation_id}`"
            )

    def verdict(self, verdict: Verdict | str, summary: str) -> None:
        """Append the verdict summary to the text and tag `verdict:<…>`, keeping every other tag."""
        if not self.active:
            return
        name = verdict.value if isinstance(verdict, Verdict) else str(verdict)
        with self._lock:
            assert self.annotation_id is not None
            annotation_id = self.annotation_id
            self._tags = with_verdict(self._tags, name)
            self._text = f"{self._text}\n{summary}" if summary else self._text
            tags, text = list(self._tags), self._text
        try:
            self._client().patch_annotation(annotation_id, tags=tags, text=text)
        except BackendError as exc:
            self._warn(f"Grafana: could not tag annotation {annotation_id} with the verdict: {exc.detail}")

    def close(self) -> None:
        """Close the region if still open, then release the HTTP session."""
        self.stop()
        if self._api is not None:
            self._api.close()
            self._api = None

    def _client(self) -> GrafanaAPI:
        if self._api is None:
            self._api = self._factory(self._settings)
        return self._api

    def _give_up(self, exc: BackendError) -> None:
        self._disabled = True
        if self._api is not None:
            self._api.close()
            self._api = None
        if self._require:
            raise BackendUnavailable(NAME, f"{exc.detail} (--require-grafana: nothing was run)") from None
        self._warn(f"Grafana annotations are off for this run: {exc.detail}; {REQUIRE_HINT}")


def _no_url() -> str:
    return "no Grafana URL configured; pass --grafana-url, set SLOCHECK_GRAFANA_URL or add backends.grafana.url"
