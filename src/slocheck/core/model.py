"""Internal frozen types shared by the spec, the measurement, the evaluator and the renderers.

Nothing here does I/O or knows a backend's wire format: adapters translate into these types.
"""

from __future__ import annotations

import enum
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from slocheck.core.units import Kind, format_value


class Outcome(enum.Enum):
    """How one objective (or one series of it) fared."""

    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"
    NO_DATA = "NO_DATA"
    ERROR = "ERROR"


class Verdict(enum.Enum):
    """What an outcome counts as, and the overall answer for a run."""

    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"
    INCONCLUSIVE = "INCONCLUSIVE"


# Worst first: the order in which verdicts dominate each other.
VERDICT_SEVERITY: dict[Verdict, int] = {
    Verdict.PASS: 0,
    Verdict.WARN: 1,
    Verdict.INCONCLUSIVE: 2,
    Verdict.FAIL: 3,
}


class NoDataPolicy(enum.Enum):
    """What NO_DATA counts as (`on_no_data`)."""

    INCONCLUSIVE = "inconclusive"
    FAIL = "fail"
    WARN = "warn"
    PASS = "pass"

    def counts_as(self) -> Verdict:
        return Verdict[self.name]


class SeriesNoData(enum.Enum):
    """What one NaN series (0/0: no requests for it in the window) counts as (`series_no_data`); the objective's
    `on_no_data` applies when it is not set. `ignore` judges the other series, and at least one must have data."""

    IGNORE = "ignore"
    INCONCLUSIVE = "inconclusive"
    FAIL = "fail"


_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


RELATIVE_PERCENT = "percent"  # `<= +10%`: (value - baseline) / |baseline| against the threshold
RELATIVE_DELTA = "delta"  # `<= +50ms`: value - baseline against the threshold


@dataclass(frozen=True)
class Condition:
    """`< 500ms`: an operator and a threshold in base units. A relative condition (`<= +10%`, `<= +50ms`)
    compares the change from the baseline's value instead of the value itself."""

    op: str
    threshold: float
    kind: Kind
    text: str
    relative: str = ""  # "", RELATIVE_PERCENT or RELATIVE_DELTA

    def holds(self, value: float) -> bool:
        """An absolute condition's answer; a relative one is not decided by the value alone (always True here)."""
        return True if self.relative else _OPERATORS[self.op](value, self.threshold)

    def change(self, value: float, base: float) -> float | None:
        """The change this condition compares; None when it cannot be computed (a baseline of 0 for %)."""
        if self.relative == RELATIVE_PERCENT:
            return None if base == 0 else (value - base) / abs(base)
        return value - base

    def decide(self, value: float, base: float | None) -> bool | None:
        """True/False, or None when a relative condition has no usable baseline value."""
        if not self.relative:
            return self.holds(value)
        if base is None or not math.isfinite(base) or not math.isfinite(value):
            return None
        change = self.change(value, base)
        return None if change is None else _OPERATORS[self.op](change, self.threshold)


def value_kind(conditions: tuple[Condition, ...]) -> Kind | None:
    """What the measured value is in: the kind of the first condition that is not a relative percentage."""
    return next((c.kind for c in conditions if c.relative != RELATIVE_PERCENT), None)


@dataclass(frozen=True)
class Bar:
    """A pass or warn bar: every condition must hold."""

    conditions: tuple[Condition, ...]

    @property
    def kind(self) -> Kind:
        return value_kind(self.conditions) or Kind.NUMBER

    @property
    def relative(self) -> bool:
        return any(c.relative for c in self.conditions)

    def holds(self, value: float) -> bool:
        """The absolute conditions only (relative ones need a baseline: see `decide`)."""
        return all(c.holds(value) for c in self.conditions)

    def decide(self, value: float, base: float | None) -> bool | None:
        """False when any condition fails; else None when a relative one cannot be decided; else True."""
        answers = [c.decide(value, base) for c in self.conditions]
        if False in answers:
            return False
        return None if None in answers else True

    def __str__(self) -> str:
        return " and ".join(c.text for c in self.conditions)


class SeriesReduce(enum.Enum):
    """How several series of one result become one value (`reduce:`)."""

    MAX = "max"
    MIN = "min"
    AVG = "avg"
    SUM = "sum"


@dataclass(frozen=True)
class RangeSpec:
    """Ask for a range query and reduce each series over time (`max min avg last pNN`)."""

    reduce: str
    step_seconds: float | None = None


COUNTER_FORMS = ("count", "rate", "ratio")


@dataclass(frozen=True)
class CounterSpec:
    """An exact count from counter samples (`count:`, `rate:`, `ratio:`), not PromQL extrapolation.

    `selector` is the counted selector (the ratio's `bad` or `good`), `total` the ratio's denominator;
    both are templates rendered per window. `by` judges each group of label values on its own."""

    form: str
    selector: str
    total: str | None = None
    numerator: str = ""  # "bad" or "good" for a ratio
    by: tuple[str, ...] = ()


@dataclass(frozen=True)
class PrometheusIndicator:
    """`query` is for display (variables substituted); `template` + `variables` are what gets rendered
    per window, in one pass, so a variable's value is never expanded twice."""

    query: str
    reduce: SeriesReduce | None = None
    range: RangeSpec | None = None
    template: str = ""
    variables: Mapping[str, str] = field(default_factory=dict)
    counter: CounterSpec | None = None

    backend = "prometheus"


@dataclass(frozen=True)
class LocustIndicator:
    """Client-side statistics from the load generator itself."""

    stat: str
    request: str | None = None
    method: str | None = None
    include_failures: bool = False  # latencies and rps over every request; by default over successful ones only
    # `from:` where latency is measured from: "send" (the request was sent) or "scheduled" (arrival-rate runs:
    # the iteration's scheduled start, which includes the wait coordinated omission hides).
    start: str = "send"

    backend = "locust"


@dataclass(frozen=True)
class LokiIndicator:
    """A LogQL metric query (`query`, like Prometheus), or `count_of`: a log selector whose matching lines
    are counted server-side. `query` is the display form; `template` + `variables` are rendered per window."""

    query: str
    reduce: SeriesReduce | None = None
    range: RangeSpec | None = None
    template: str = ""
    variables: Mapping[str, str] = field(default_factory=dict)
    count_of: str | None = None

    backend = "loki"


JAEGER_STATS = ("count", "error_ratio", "p50", "p90", "p95", "p99", "max", "mean")
DEFAULT_MIN_TRACES = 20


@dataclass(frozen=True)
class JaegerIndicator:
    """A statistic over the traces of `service` (optionally one operation, span kind, attributes) in the window.

    `run_traces` keeps only the traces the load generator started in this run (`slocheck.run_id`)."""

    service: str
    stat: str
    operation: str | None = None
    span_kind: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    min_traces: int = DEFAULT_MIN_TRACES
    run_traces: bool = False

    backend = "jaeger"

    def describe(self) -> str:
        """`service=paracle-api operation="POST /x" stat=p95`: the query column of reports."""
        parts = [f"service={self.service}"]
        if self.operation:
            parts.append(f'operation="{self.operation}"')
        if self.span_kind:
            parts.append(f"span_kind={self.span_kind}")
        parts += [f'{key}="{value}"' for key, value in sorted(self.attributes.items())]
        if self.run_traces:
            parts.append("run_traces")
        return " ".join([*parts, f"stat={self.stat}"])


Indicator = PrometheusIndicator | LocustIndicator | LokiIndicator | JaegerIndicator


@dataclass(frozen=True)
class Compare:
    """`compare: {test: mann-whitney, direction: increase, alpha: 0.05, min_effect: 5%}`: a statistical judge
    against the baseline run. `direction` is the bad one; `min_effect` a ratio of the baseline's median."""

    test: str = "mann-whitney"
    direction: str = "increase"
    alpha: float = 0.05
    min_effect: float = 0.05


@dataclass(frozen=True)
class AbortRule:
    """`abort: {after, every}`: during the load, judge this objective every `every` seconds over [start, now];
    once it FAILs at least `after` seconds into the load, the load stops and the run FAILs."""

    after: float
    every: float = 5.0


@dataclass(frozen=True)
class Objective:
    slo_set: str
    name: str
    indicator: Indicator
    pass_bar: Bar
    warn_bar: Bar | None = None
    on_no_data: NoDataPolicy = NoDataPolicy.INCONCLUSIVE
    blocking: bool = True
    description: str = ""
    service: str = ""
    source: str = ""
    series_no_data: SeriesNoData | None = None
    abort: AbortRule | None = None
    compare: Compare | None = None

    @property
    def key(self) -> str:
        return f"{self.slo_set}/{self.name}"

    @property
    def kind(self) -> Kind:
        found = value_kind(self.pass_bar.conditions)
        if found is None and self.warn_bar is not None:
            found = value_kind(self.warn_bar.conditions)
        return found or Kind.NUMBER

    @property
    def relative(self) -> bool:
        return self.pass_bar.relative or (self.warn_bar is not None and self.warn_bar.relative)

    def format(self, value: float) -> str:
        return format_value(value, self.kind)


@dataclass(frozen=True)
class SLOSet:
    name: str
    service: str
    objectives: tuple[Objective, ...]
    source: str
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Window:
    """The measured interval, timezone-aware UTC."""

    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


class MeasurementStatus(enum.Enum):
    OK = "ok"
    NO_DATA = "no_data"
    ERROR = "error"


@dataclass(frozen=True)
class SeriesValue:
    """One value a backend returned, with the labels that identify its series."""

    labels: Mapping[str, str]
    value: float


@dataclass(frozen=True)
class Measurement:
    """What a backend answered for one objective over one window."""

    objective_key: str
    backend: str
    query: str
    status: MeasurementStatus
    series: tuple[SeriesValue, ...] = ()
    reason: str = ""
    sample_size: int | None = None
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class SeriesResult:
    labels: Mapping[str, str]
    value: float
    outcome: Outcome
    baseline: float | None = None  # the baseline run's value of the same series, for relative bars
    note: str = ""  # why a relative bar could not be decided


@dataclass(frozen=True)
class Judgement:
    """What the statistical judge found (`compare:`). `outcome` is PASS, FAIL or NO_DATA."""

    outcome: Outcome
    text: str
    p_value: float | None = None
    effect: float | None = None  # relative change of the median, (current - baseline) / baseline
    n_current: int = 0
    n_baseline: int = 0
    significant: bool = False
    observations: str = ""  # what n counts, e.g. "intervals of 2 s" or "points at a 2 s step"


@dataclass(frozen=True)
class ObjectiveResult:
    objective: Objective
    measurement: Measurement
    outcome: Outcome
    counts_as: Verdict
    reason: str
    series: tuple[SeriesResult, ...]
    judgement: Judgement | None = None


@dataclass(frozen=True)
class Evaluation:
    verdict: Verdict
    window: Window
    results: tuple[ObjectiveResult, ...]
    notes: tuple[str, ...] = ()  # run-level findings every output shows next to the verdict (failed requests, …)

    def counts(self) -> dict[Outcome, int]:
        tally = dict.fromkeys(Outcome, 0)
        for r in self.results:
            tally[r.outcome] += 1
        return tally


def describe_labels(labels: Mapping[str, str], skip: Sequence[str] = ()) -> str:
    """`{job="api", instance="a"}`, or `{}` for the aggregate."""
    inner = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k not in skip)
    return "{" + inner + "}"
