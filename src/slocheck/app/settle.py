"""A settle wait that is measured, not assumed: after the load, wait until every Prometheus target the objectives
read has been scraped after the window end (`/api/v1/targets` lastScrape), bounded by a maximum. Sources that
cannot be asked (Loki, Jaeger, a Prometheus-compatible API without targets) keep their fixed wait."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from slocheck.core.errors import BackendError
from slocheck.core.model import Objective, PrometheusIndicator

POLL_SECONDS = 0.25
_JOB_RE = re.compile(r'\bjob\s*=\s*"((?:[^"\\]|\\.)*)"')

# (job, instance, last scrape or None) for each active target.
TargetsProbe = Callable[[], Sequence[tuple[str, str, datetime | None]]]


@dataclass(frozen=True)
class SettleReport:
    """What the settle wait did: for run.json and the report."""

    seconds: float
    bound_seconds: float
    reason: str
    expired: bool = False
    lagging: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"seconds": round(self.seconds, 3), "bound_seconds": self.bound_seconds, "reason": self.reason,
                "expired": self.expired, "lagging_targets": list(self.lagging)}  # fmt: skip


def jobs_read(objectives: Iterable[Objective]) -> set[str]:
    """The `job="…"` values of the Prometheus objectives' queries and selectors (variables substituted)."""
    jobs: set[str] = set()
    for objective in objectives:
        indicator = objective.indicator
        if isinstance(indicator, PrometheusIndicator):
            jobs.update(_JOB_RE.findall(indicator.query))
    return jobs


def lagging_targets(
    targets: Sequence[tuple[str, str, datetime | None]], jobs: set[str], end: datetime
) -> tuple[list[str], int]:
    """The watched targets (of `jobs`, or all when none is named) not yet scraped at or after `end`."""
    watched = [t for t in targets if not jobs or t[0] in jobs]
    behind = [
        f'{{job="{job}", instance="{instance}"}}' for job, instance, last in watched if last is None or last < end
    ]
    return behind, len(watched)


def wait_for_scrapes(
    end: datetime,
    bound: float,
    probe: TargetsProbe,
    jobs: set[str],
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> SettleReport:
    """Poll until every watched target has a scrape after `end`, or `bound` seconds have passed."""
    started = monotonic()
    while True:
        try:
            behind, watched = lagging_targets(probe(), jobs, end)
        except BackendError as exc:
            behind, watched = [f"targets unknown: {exc}"], 0
        waited = monotonic() - started
        if watched and not behind:
            reason = f"every scraped target read by the objectives ({watched}) has a scrape after the window end"
            return SettleReport(waited, bound, reason)
        if waited >= bound:
            if behind:
                reason = f"the {bound:g}s bound expired before a scrape after the window end of: {', '.join(behind)}"
            else:
                reason = f"no active target of {', '.join(sorted(jobs)) or 'any job'} to wait for"
            return SettleReport(waited, bound, reason, expired=bool(behind), lagging=tuple(behind))
        sleep(min(POLL_SECONDS, max(0.0, bound - waited)))
