"""The user-facing SLO file format, `apiVersion: slocheck/v1`, as pydantic models.

These models only check shape and syntax; `build.py` turns a validated document into the frozen
internal model. Unknown keys are rejected (`extra="forbid"`) so a typo never silently disables a check.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from slocheck.core.model import DEFAULT_MIN_TRACES, Condition, value_kind
from slocheck.core.spec.conditions import parse_bar_text
from slocheck.core.units import Kind, UnitError, parse_duration, parse_quantity

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
TIME_REDUCERS = ("max", "min", "avg", "last")
_PERCENTILE_RE = re.compile(r"^p(\d{1,2}(?:\.\d+)?)$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RangeModel(Strict):
    """Run a range query over the window and reduce each series over time."""

    step: str | None = None
    reduce: str = "max"

    @field_validator("step", mode="before")
    @classmethod
    def _step_is_duration(cls, value: object) -> object:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = f"{value}s"  # a bare number is seconds, as in Prometheus' own step parameter
        if isinstance(value, str) and parse_duration(value) <= 0:
            raise ValueError(f'"{value}" must be a positive duration')
        return value

    @field_validator("reduce")
    @classmethod
    def _known_reducer(cls, value: str) -> str:
        if value in TIME_REDUCERS:
            return value
        match = _PERCENTILE_RE.match(value)
        if match and 0 < float(match.group(1)) < 100:
            return value
        raise ValueError(f'"{value}" is not a reducer (use one of {", ".join(TIME_REDUCERS)} or pNN, e.g. p95)')


# A plain series selector: a metric name with optional matchers, or matchers alone; never a function call.
_SELECTOR_RE = re.compile(r"^\s*(?:[A-Za-z_:][A-Za-z0-9_:]*\s*(?:\{.*\})?|\{.*\})\s*$", re.DOTALL)
Selector = Annotated[str, Field(min_length=1)]


def _check_selector(key: str, value: str) -> None:
    if not _SELECTOR_RE.match(value):
        raise ValueError(
            f'{key} takes a counter selector such as http_requests_total{{job="api"}}, not "{value}": '
            "slocheck reads the raw samples and counts the events itself"
        )


class RatioModel(Strict):
    """A ratio of two exact counts: `bad` or `good` over `total` (OpenSLO's ratioMetric, counter: true)."""

    bad: Selector | None = None
    good: Selector | None = None
    total: Selector

    @model_validator(mode="after")
    def _bad_or_good(self) -> RatioModel:
        if (self.bad is None) == (self.good is None):
            raise ValueError("needs exactly one of bad or good, and total")
        for key in ("bad", "good", "total"):
            value = getattr(self, key)
            if value is not None:
                _check_selector(key, value)
        return self


class PrometheusModel(Strict):
    """A PromQL `query`, or an exact count from counter samples: `count`, `rate` (count / window seconds) or
    `ratio` (bad|good over total), optionally per group (`by`)."""

    query: Selector | None = None
    count: Selector | None = None
    rate: Selector | None = None
    ratio: RatioModel | None = None
    by: list[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]] | None = None
    reduce: Literal["max", "min", "avg", "sum"] | None = None
    range: RangeModel | None = None

    @model_validator(mode="after")
    def _one_form(self) -> PrometheusModel:
        given = [k for k in ("query", "count", "rate", "ratio") if getattr(self, k) is not None]
        if len(given) != 1:
            found = ", ".join(given) or "none"
            raise ValueError(f"needs exactly one of query, count, rate or ratio; found {found}")
        if self.query is not None:
            if self.by is not None:
                raise ValueError("by applies to count, rate and ratio; in a query write sum by (...) yourself")
            return self
        if self.range is not None:
            raise ValueError(f"{given[0]} is one number for the whole window: range does not apply")
        for key in ("count", "rate"):
            value = getattr(self, key)
            if value is not None:
                _check_selector(key, value)
        return self


LOCUST_STATS = (
    "p50", "p90", "p95", "p99", "p99.9", "avg", "max", "rps", "fail_ratio", "count", "failures", "dropped",
    "achieved_rate",
)  # fmt: skip


class LocustModel(Strict):
    stat: Literal[
        "p50", "p90", "p95", "p99", "p99.9", "avg", "max", "rps", "fail_ratio", "count", "failures", "dropped",
        "achieved_rate",
    ]  # fmt: skip
    request: str | None = None
    method: str | None = None
    include_failures: StrictBool = False  # latency and rps over every request, failed ones too
    # Arrival-rate runs: latency from the iteration's scheduled start instead of the send time.
    from_: Literal["send", "scheduled"] = Field("send", alias="from")

    @model_validator(mode="after")
    def _scheduled_is_a_latency(self) -> LocustModel:
        if self.from_ == "scheduled" and self.stat not in ("p50", "p90", "p95", "p99", "p99.9"):
            raise ValueError(f"from: scheduled applies to a latency percentile (p50…p99.9), not {self.stat}")
        return self


class LokiModel(Strict):
    """A LogQL metric `query` (instant at the window end, or `range`), or `count`: the lines a log selector
    matches in the window, counted by Loki itself."""

    query: Annotated[str, Field(min_length=1)] | None = None
    count: Annotated[str, Field(min_length=1)] | None = None
    reduce: Literal["max", "min", "avg", "sum"] | None = None
    range: RangeModel | None = None

    @model_validator(mode="after")
    def _query_or_count(self) -> LokiModel:
        if (self.query is None) == (self.count is None):
            raise ValueError("needs exactly one of query (a LogQL metric query) or count (a log selector)")
        if self.count is not None:
            if self.range is not None or self.reduce is not None:
                raise ValueError("count is one number for the whole window: range and reduce do not apply")
            if not self.count.lstrip().startswith("{"):
                raise ValueError(
                    f'count takes a log selector such as {{app="api"}} |= "ERROR", not "{self.count}"; '
                    "for a metric query use query:"
                )
        return self


SPAN_KINDS = ("server", "client", "internal", "producer", "consumer")


class JaegerModel(Strict):
    service: Annotated[str, Field(min_length=1)]
    operation: Annotated[str, Field(min_length=1)] | None = None
    span_kind: Literal["server", "client", "internal", "producer", "consumer"] | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    stat: Literal["count", "error_ratio", "p50", "p90", "p95", "p99", "max", "mean"]
    min_traces: Annotated[int, Field(ge=1)] = DEFAULT_MIN_TRACES
    run_traces: StrictBool = False

    @field_validator("attributes", mode="before")
    @classmethod
    def _attribute_values_are_text(cls, value: object) -> object:
        """Jaeger compares attribute values as text: `200` and `true` are written as they read."""
        if not isinstance(value, dict):
            return value
        converted: dict[object, object] = {}
        for key, item in value.items():
            if isinstance(item, bool):
                converted[key] = "true" if item else "false"
            elif isinstance(item, (int, float)):
                converted[key] = str(item)
            else:
                converted[key] = item
        return converted


# What a Jaeger statistic is measured in, and the unit kinds its bars may use.
_STAT_KINDS: dict[str, tuple[Kind, ...]] = {
    "count": (Kind.NUMBER,),
    "error_ratio": (Kind.RATIO, Kind.NUMBER),
}
_DURATION_STAT_KINDS = (Kind.DURATION, Kind.NUMBER)


class IndicatorModel(Strict):
    """Exactly one source."""

    prometheus: PrometheusModel | None = None
    locust: LocustModel | None = None
    loki: LokiModel | None = None
    jaeger: JaegerModel | None = None

    @model_validator(mode="after")
    def _exactly_one_source(self) -> IndicatorModel:
        given = [name for name, value in self if value is not None]
        if len(given) != 1:
            sources = ", ".join(type(self).model_fields)
            found = ", ".join(given) or "none"
            raise ValueError(f"needs exactly one source ({sources}); found {found}")
        return self


OnNoData = Literal["inconclusive", "fail", "warn", "pass"]
BarText = str | list[str]


def parse_bar(value: BarText) -> tuple[Condition, ...]:
    texts = [value] if isinstance(value, str) else value
    if not texts:
        raise ValueError('needs at least one condition, e.g. "< 500ms"')
    try:
        conditions = tuple(parse_bar_text(t) for t in texts)
    except UnitError as exc:
        raise ValueError(str(exc)) from None
    kinds = {c.kind for c in conditions if value_kind((c,)) is not None}  # `+10%` fits any unit
    if len(kinds) > 1:
        raise ValueError(f"mixes units of different kinds ({', '.join(sorted(k.value for k in kinds))})")
    return conditions


class CompareModel(Strict):
    """A statistical judge against the baseline run (docs/baselines.md)."""

    test: Literal["mann-whitney"] = "mann-whitney"
    direction: Literal["increase", "decrease"] = "increase"
    alpha: Annotated[float, Field(gt=0, lt=1)] = 0.05
    min_effect: str = "5%"

    @field_validator("min_effect", mode="before")
    @classmethod
    def _effect_is_a_percentage(cls, value: object) -> object:
        try:
            number, kind = parse_quantity(str(value))
        except UnitError:
            number, kind = -1.0, Kind.NUMBER
        if kind is not Kind.RATIO or number < 0:
            raise ValueError(f'"{value}" is not a percentage; write the smallest change that matters, e.g. "5%"')
        return str(value)


# Client statistics the judge can compare request by request (the latency histograms).
JUDGED_LOCUST_STATS = ("p50", "p90", "p95", "p99", "p99.9", "avg", "max")


def _positive_duration(value: object) -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = f"{value}s"
    if not isinstance(value, str) or parse_duration(value) <= 0:
        raise ValueError(f'"{value}" must be a positive duration like 30s')
    return value


class AbortModel(Strict):
    """Stop the load once this objective FAILs `after` into it, judged live `every` (default 5s)."""

    after: str
    every: str = "5s"

    _durations = field_validator("after", "every", mode="before")(_positive_duration)


class ObjectiveModel(Strict):
    name: Annotated[str, Field(pattern=NAME_PATTERN, max_length=128)]
    description: str = ""
    indicator: IndicatorModel
    pass_: Annotated[BarText, Field(alias="pass")]
    warn: BarText | None = None
    on_no_data: OnNoData | None = None
    series_no_data: Literal["ignore", "inconclusive", "fail"] | None = None
    blocking: bool | None = None  # None = not given: the defaults decide
    compare: CompareModel | None = None
    abort: AbortModel | None = None

    @model_validator(mode="after")
    def _compare_fits_the_source(self) -> ObjectiveModel:
        if self.compare is None:
            return self
        if self.indicator.jaeger is not None:
            raise ValueError("compare works on prometheus, loki and locust latency objectives, not on jaeger")
        locust = self.indicator.locust
        if locust is not None and locust.stat not in JUDGED_LOCUST_STATS:
            raise ValueError(
                f"compare on locust compares request latencies; stat {locust.stat} is not a latency "
                f"(use one of {', '.join(JUDGED_LOCUST_STATS)})"
            )
        return self

    @field_validator("blocking", mode="before")
    @classmethod
    def _blocking_is_a_boolean(cls, value: object) -> object:
        if not isinstance(value, bool):  # "yes", 1 and null would otherwise be read as a boolean
            raise ValueError(f"must be true or false (got {value!r})")
        return value

    @field_validator("pass_", "warn", mode="before")
    @classmethod
    def _bars_parse(cls, value: object) -> object:
        if value is None:
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise ValueError(f'{value} is not a condition; write it with an operator, e.g. "< {value}"')
        if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            parse_bar(value)
            return value
        raise ValueError('must be a condition such as "< 500ms" or a list of them')

    @model_validator(mode="after")
    def _jaeger_bar_fits_the_stat(self) -> ObjectiveModel:
        jaeger = self.indicator.jaeger
        if jaeger is None:
            return self
        allowed = _STAT_KINDS.get(jaeger.stat, _DURATION_STAT_KINDS)
        for bar in (self.pass_, self.warn):
            kind = value_kind(parse_bar(bar)) if bar is not None else None
            if kind is not None and kind not in allowed:
                example = {"count": '">= 100"', "error_ratio": '"< 1%"'}.get(jaeger.stat, '"< 2s"')
                raise ValueError(
                    f"stat {jaeger.stat} is measured in {allowed[0].value}s but the bar is a {kind.value}; "
                    f"write it like {example}"
                )
        return self

    @model_validator(mode="after")
    def _warn_is_looser_kind(self) -> ObjectiveModel:
        if self.warn is not None:
            pass_kind = value_kind(parse_bar(self.pass_))
            warn_kind = value_kind(parse_bar(self.warn))
            if pass_kind is None or warn_kind is None:
                return self
            if pass_kind is not warn_kind and "number" not in (pass_kind.value, warn_kind.value):
                raise ValueError(f"pass is a {pass_kind.value} but warn is a {warn_kind.value}; use the same unit kind")
            check_warn_direction(parse_bar(self.pass_), parse_bar(self.warn))
        return self


_UPPER = ("<", "<=")
_LOWER = (">", ">=")


def check_warn_direction(pass_bar: tuple[Condition, ...], warn_bar: tuple[Condition, ...]) -> None:
    """A warn bar is a looser pass bar: same direction, further out. One pointing the other way (`pass: < 500ms`,
    `warn: > 800ms`) would turn a catastrophic value into a WARN, exit 0."""
    if len(pass_bar) != 1 or len(warn_bar) != 1:
        return  # ranges and lists: each condition is checked by its own value
    good, warn = pass_bar[0], warn_bar[0]
    for side, other in ((_UPPER, _LOWER), (_LOWER, _UPPER)):
        if good.op in side and warn.op in other:
            raise ValueError(
                f'warn "{warn.text}" points the other way from pass "{good.text}": a value that misses pass by '
                f"far would WARN; write warn with {' or '.join(side)}"
            )
    tighter = (good.op in _UPPER and warn.threshold < good.threshold) or (
        good.op in _LOWER and warn.threshold > good.threshold
    )
    if tighter:
        raise ValueError(f'warn "{warn.text}" is stricter than pass "{good.text}"; a warn bar is the looser one')


class DefaultsModel(Strict):
    on_no_data: OnNoData = "inconclusive"
    blocking: StrictBool = True


class MetadataModel(Strict):
    name: Annotated[str, Field(pattern=NAME_PATTERN, max_length=128)]
    description: str = ""
    labels: dict[str, str] = Field(default_factory=dict)


class SpecModel(Strict):
    service: Annotated[str, Field(min_length=1)]
    vars: dict[str, str] = Field(default_factory=dict)
    defaults: DefaultsModel = Field(default_factory=DefaultsModel)
    objectives: Annotated[list[ObjectiveModel], Field(min_length=1)]

    @field_validator("vars", mode="before")
    @classmethod
    def _vars_are_named_scalars(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value  # pydantic reports the wrong type
        converted = {}
        for name, item in value.items():
            if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or name.startswith("__"):
                raise ValueError(f'"{name}" is not a valid variable name (letters, digits, _; not starting with __)')
            # Numbers and booleans are written as text; anything else is left for pydantic to reject at the key.
            converted[name] = ("true" if item else "false") if isinstance(item, bool) else item
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                converted[name] = str(item)
        return converted


class SLOSetModel(Strict):
    api_version: Annotated[Literal["slocheck/v1"], Field(alias="apiVersion")]
    kind: Literal["SLOSet"]
    metadata: MetadataModel
    spec: SpecModel
