"""A settle wait that is measured, not assumed: after the load, wait until every Prometheus target the objectives
read has been scraped after the window end (`/api/v1/targets` lastScrape), bounded by a maximum. Sources that
cannot be asked (Loki, Jaeger, a Prometheus-compatible API without targets) keep their fixed wait."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar

from slocheck.app.concurrency import PoolDeadline, run_bounded
from slocheck.app.measure import Sources
from slocheck.app.settle_streams import (
    POLL_SECONDS,
    Lagging,
    jaeger_lagging,
    jaeger_services,
    loki_lagging,
    loki_streams,
    wait_until_caught_up,
)
from slocheck.core.errors import BackendError
from slocheck.core.model import Objective, PrometheusIndicator
from slocheck.sources.prometheus import TargetScrape

# Added to the scrape interval: time for the last scrape to be ingested and queryable.
DEFAULT_INGEST_LAG_SECONDS = 2.0
# When Prometheus will not tell its scrape interval (Mimir, Thanos, …), assume its default.
FALLBACK_SCRAPE_INTERVAL_SECONDS = 15.0
# OpenTelemetry's BatchSpanProcessor exports every 5 s; spans of the last requests need that long, plus a margin.
SPAN_EXPORT_DELAY_SECONDS = 7.0
# How much longer than that a measured Loki/Jaeger wait may take by default, for a pipeline that is behind.
MEASURED_EXTRA_SECONDS = 5.0
# A targets poll gets what is left of the bound, but at least this: a healthy Prometheus answers in milliseconds.
MIN_PROBE_SECONDS = 0.5
Say = Callable[[str], None]
_JOB_RE = re.compile(r'\bjob\s*=\s*"((?:[^"\\]|\\.)*)"')

P = TypeVar("P")
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
    behind: Mapping[str, str] = field(default_factory=dict)  # source → why it had not caught up at the bound

    def to_dict(self) -> dict[str, object]:
        return {"seconds": round(self.seconds, 3), "bound_seconds": self.bound_seconds, "reason": self.reason,
                "expired": self.expired, "lagging_targets": list(self.lagging),
                "behind_sources": dict(self.behind)}  # fmt: skip


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


def settle_seconds(override: float | None, sources: Sources) -> float:
    """Scrape interval + ingest lag, read from Prometheus where it can be; `--settle` overrides it."""
    if override is not None:
        return override
    wait = 0.0
    if sources.prometheus is not None:
        interval = getattr(sources.prometheus, "scrape_interval", lambda: None)()
        wait = (interval or FALLBACK_SCRAPE_INTERVAL_SECONDS) + DEFAULT_INGEST_LAG_SECONDS
    if sources.jaeger is not None:  # the service exports spans in batches every 5 s
        wait = max(wait, SPAN_EXPORT_DELAY_SECONDS + MEASURED_EXTRA_SECONDS)
    if sources.loki is not None:
        wait = max(wait, DEFAULT_INGEST_LAG_SECONDS + MEASURED_EXTRA_SECONDS)
    return wait


def delivery_floor(streams: Iterable[str]) -> float:
    """The least Loki/Jaeger are waited for: their last second arriving does not mean every earlier line or span
    has (a span is queued when its request ends, so a long request of second t can leave in a later batch)."""
    floors = {"jaeger": SPAN_EXPORT_DELAY_SECONDS, "loki": DEFAULT_INGEST_LAG_SECONDS}
    return max((floors.get(source, 0.0) for source in streams), default=0.0)


def wait_to_settle(seconds: float, say: Say, sleep: Callable[[float], None] = time.sleep) -> bool:
    """Wait for the metrics pipeline to catch up; False when interrupted (the partial data is still measured)."""
    if seconds <= 0:
        return True
    say(f"settling {seconds:g}s so the last scrapes of the window are queryable")
    try:
        sleep(seconds)
    except KeyboardInterrupt:
        say("interrupted while settling: measuring what is there now")
        return False
    return True


def settle_after_load(
    override: float | None,
    sources: Sources,
    objectives: Sequence[Objective],
    end: datetime,
    say: Say,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[bool, SettleReport | None]:
    """Wait until Prometheus has scraped every target the objectives read after the window end, and Loki and Jaeger
    hold the window's last second (at most the settle bound); without a targets API, the fixed wait. False when
    interrupted."""
    bound = settle_seconds(override, sources)
    probe = getattr(sources.prometheus, "targets", None)
    streams = _stream_probes(sources, objectives, end, bound)
    if (probe is None and not streams) or bound <= 0:
        settled = wait_to_settle(bound, say, sleep)
        return settled, SettleReport(bound, bound, "fixed wait: scrape interval + ingest lag, or --settle")
    say(f"settling: until the backends the objectives read have caught up with the window end (at most {bound:g}s)")
    try:
        report = _settle_prometheus(probe, sources, objectives, end, bound, say, sleep)
        if streams:
            floor = max(0.0, min(delivery_floor(streams), bound) - report.seconds)
            report = _add_streams(report, wait_until_caught_up(streams, bound - report.seconds, sleep, floor=floor))
    except KeyboardInterrupt:
        say("interrupted while settling: measuring what is there now")
        return False, None
    say(f"warning: settle: {report.reason}" if report.expired else f"settled in {report.seconds:.1f}s: {report.reason}")
    return True, report


def _settle_prometheus(
    probe: Callable[[], Sequence[TargetScrape]] | None,
    sources: Sources,
    objectives: Sequence[Objective],
    end: datetime,
    bound: float,
    say: Say,
    sleep: Callable[[float], None],
) -> SettleReport:
    if sources.prometheus is None:
        return SettleReport(0.0, bound, "")
    if probe is None:  # a Prometheus-compatible API without targets: its fixed wait, from the bound
        wait_to_settle(bound, say, sleep)
        return SettleReport(bound, bound, "fixed wait for Prometheus (no targets API)")
    targets = _within_bound(lambda: [(t.job, t.instance, t.last_scrape) for t in probe()], bound, "prometheus",
                            "/api/v1/targets")  # fmt: skip
    report = wait_for_scrapes(end, bound, targets, jobs_read(objectives), sleep)
    return replace(report, behind={"prometheus": report.reason} if report.expired else {})


def _stream_probes(
    sources: Sources, objectives: Sequence[Objective], end: datetime, bound: float
) -> dict[str, Lagging]:
    probes: dict[str, Lagging] = {}
    if sources.loki is not None and (streams := loki_streams(objectives)):
        probes["loki"] = _within_bound(
            loki_lagging(sources.loki, streams, end), bound, "loki", "count of the last second"
        )
    if sources.jaeger is not None and (services := jaeger_services(objectives)):
        probes["jaeger"] = _within_bound(
            jaeger_lagging(sources.jaeger, services, end), bound, "jaeger", "search of the last second"
        )
    return probes


def _add_streams(report: SettleReport, streams: tuple[float, dict[str, str]]) -> SettleReport:
    waited, behind = streams
    said = [f"{source}: {why}" for source, why in behind.items()] or ["Loki/Jaeger hold the window's last second"]
    reason = "; ".join([r for r in (report.reason, *said) if r])
    return replace(report, seconds=report.seconds + waited, reason=reason, expired=report.expired or bool(behind),
                   lagging=report.lagging + tuple(behind), behind={**report.behind, **behind})  # fmt: skip


def _within_bound(probe: Callable[[], P], bound: float, backend: str, what: str) -> Callable[[], P]:
    """The probe on a daemon thread, abandoned when the settle bound is spent: a backend that trickles its
    answer (each read within the query timeout) must not hold the run past `--settle`, nor a Ctrl-C."""
    started = time.monotonic()

    def call() -> P:
        remaining = max(MIN_PROBE_SECONDS, bound - (time.monotonic() - started))
        try:
            (answer,) = run_bounded([probe], 1, "settle-probe", deadline=remaining)
        except PoolDeadline:
            raise BackendError(backend, f"{what}: no answer within {remaining:.1f}s") from None
        return answer

    return call
