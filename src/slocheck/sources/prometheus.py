"""Prometheus adapter: prometheus-api-client for the calls, pure `parse_*` functions for the answers.

Works with anything that speaks the Prometheus HTTP API (Mimir, Cortex, Thanos, VictoriaMetrics):
extra headers such as `X-Scope-OrgID` go through `headers`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import yaml
from prometheus_api_client.prometheus_connect import PrometheusConnect

from slocheck.config.settings import BackendSettings
from slocheck.core.errors import BackendError, QueryError
from slocheck.core.model import SeriesValue
from slocheck.core.units import UnitError, parse_duration
from slocheck.http.client import Dialect, HttpClient
from slocheck.sources.protocols import QueryResult, RangeResult

NAME = "Prometheus"
MAX_POINTS_PER_SERIES = 11_000


def parse_sample(value: Any) -> float:
    """Prometheus sends sample values as strings (`"0.5"`, `"NaN"`, `"+Inf"`)."""
    return float(value)


def parse_instant_result(result: Any) -> QueryResult:
    """`data.result` of an instant query: a vector, a scalar `[t, "v"]`, or an error for a matrix."""
    if isinstance(result, list) and len(result) == 2 and isinstance(result[0], (int, float)):
        return QueryResult((SeriesValue({}, parse_sample(result[1])),))
    if not isinstance(result, list):
        raise QueryError(NAME, f"unexpected result shape {type(result).__name__}; is this a Prometheus API?")
    series = []
    for item in result:
        if "values" in item:
            raise QueryError(NAME, "the query returns a range vector; wrap it, e.g. max_over_time(x[$__range])")
        series.append(SeriesValue(dict(item.get("metric", {})), parse_sample(item["value"][1])))
    return QueryResult(tuple(series))


def parse_range_result(result: Any) -> RangeResult:
    """`data.result` of a range query (a matrix)."""
    if not isinstance(result, list):
        raise QueryError(NAME, f"unexpected result shape {type(result).__name__}; is this a Prometheus API?")
    series = []
    for item in result:
        points = tuple((float(t), parse_sample(v)) for t, v in item.get("values", []))
        series.append((dict(item.get("metric", {})), points))
    return RangeResult(tuple(series))


def parse_metadata(data: Any) -> dict[str, str]:
    """`/api/v1/metadata` data (`{name: [{type, help, unit}, ...]}`) → name → type of its first entry."""
    if not isinstance(data, dict):
        raise ValueError("metadata is not an object")
    return {str(name): str(entries[0].get("type", "unknown")) for name, entries in data.items() if entries}


def raw_samples_query(selector: str, start: datetime, end: datetime) -> str:
    """The range selector whose instant evaluation at `end` returns the raw samples in (start, end]."""
    milliseconds = max(1, math.ceil((end - start).total_seconds() * 1000))
    return f"{selector.strip()}[{milliseconds}ms]"


def parse_raw_samples(result: Any) -> RangeResult:
    """`data.result` of an instant query of a range selector: a matrix of the stored samples."""
    if isinstance(result, list) and any("value" in item for item in result if isinstance(item, dict)):
        raise QueryError(NAME, "expected raw samples (a range vector) but got an instant vector")
    return parse_range_result(result)


@dataclass(frozen=True)
class TargetScrape:
    """One active scrape target and when Prometheus last scraped it (None: never)."""

    job: str
    instance: str
    last_scrape: datetime | None
    health: str


_FRACTION_RE = re.compile(r"(\.\d{6})\d+")


def parse_targets(data: Any) -> tuple[TargetScrape, ...]:
    """`data` of `/api/v1/targets?state=active`: the targets with their last scrape time."""
    targets = []
    for item in (data or {}).get("activeTargets", []):
        labels = item.get("labels", {})
        text = str(item.get("lastScrape") or "")
        last = None
        if text and not text.startswith("0001-"):
            last = datetime.fromisoformat(_FRACTION_RE.sub(r"\1", text).replace("Z", "+00:00"))
        targets.append(TargetScrape(labels.get("job", ""), labels.get("instance", ""), last, item.get("health", "")))
    return tuple(targets)


def describe_error(status: int, text: str) -> str:
    """Prometheus' own error message from its envelope, or the raw body (cut) for proxies in front of it."""
    text = text.strip()
    try:
        envelope = json.loads(text)
    except ValueError:
        return f"HTTP {status}: {text[:300] or '(empty body)'}"
    if isinstance(envelope, dict) and "error" in envelope:
        kind = envelope.get("errorType", "error")
        return f"{status} {kind}: {envelope['error']}"
    return f"HTTP {status}: {text[:300]}"


def parse_error_body(status: int, body: bytes) -> str:
    return describe_error(status, body.decode("utf-8", "replace"))


def error_in_ok(text: str) -> str | None:
    """A 200 whose envelope says `"status": "error"` (some proxies and older versions): Prometheus' own message."""
    if '"error"' not in text[:300]:
        return None
    try:
        envelope = json.loads(text)
    except ValueError:
        return None
    if not isinstance(envelope, dict) or envelope.get("status") != "error":
        return None
    return f"{envelope.get('errorType', 'error')}: {envelope.get('error', '(no message)')}"


DIALECT = Dialect(
    NAME, "a Prometheus API", describe=describe_error, error_in_ok=error_in_ok, auth_hint="check the token"
)


def parse_scrape_interval(config_yaml: str) -> float | None:
    """The longest scrape interval in a Prometheus config (`/api/v1/status/config`'s `data.yaml`)."""
    config = yaml.safe_load(config_yaml) or {}
    default = (config.get("global") or {}).get("scrape_interval", "1m")
    intervals = [job.get("scrape_interval", default) for job in config.get("scrape_configs") or []] or [default]
    try:
        return max(parse_duration(str(i)) for i in intervals)
    except UnitError:
        return None


def range_step(window_seconds: float, wanted: float | None) -> float:
    """The requested step, raised where needed so no series exceeds Prometheus' 11,000 points."""
    minimum = max(1.0, math.ceil(window_seconds / MAX_POINTS_PER_SERIES))
    return max(wanted or minimum, minimum)


class PrometheusBackend:
    """Instant and range queries through prometheus-api-client on the HTTP seam's session."""

    name = "prometheus"

    def __init__(self, settings: BackendSettings) -> None:
        if not settings.url:
            raise QueryError(NAME, "no URL configured; pass --prometheus-url or set SLOCHECK_PROMETHEUS_URL")
        self._http = HttpClient(DIALECT, settings)
        self.url = self._http.url
        self.shown_url = self._http.url
        self._client = PrometheusConnect(
            url=self._http.url,
            session=self._http.session,  # auth, headers, TLS, the status hook: all the seam's
            timeout=settings.timeout,  # type: ignore[arg-type]  # requests accepts float seconds
        )
        self._http.mount()  # the client mounted its own adapter on the URL: the seam's goes back on top

    def close(self) -> None:
        self._http.close()

    def instant(self, query: str, at: datetime) -> QueryResult:
        time = f"{at.timestamp():.3f}"
        return parse_instant_result(self._http.call(lambda: self._client.custom_query(query, params={"time": time})))

    def range(self, query: str, start: datetime, end: datetime, step_seconds: float) -> RangeResult:
        step = f"{step_seconds:g}"
        return parse_range_result(self._http.call(lambda: self._client.custom_query_range(query, start, end, step)))

    def raw_samples(self, selector: str, start: datetime, end: datetime) -> RangeResult:
        """`selector[<end - start>s]` evaluated at `end`: the stored samples themselves, no extrapolation."""
        query, time = raw_samples_query(selector, start, end), f"{end.timestamp():.3f}"
        return parse_raw_samples(self._http.call(lambda: self._client.custom_query(query, params={"time": time})))

    def targets(self) -> tuple[TargetScrape, ...]:
        """The active scrape targets and their last scrape (for a settle wait that is measured)."""
        return parse_targets(self._api_data("/api/v1/targets", {"state": "active"}))

    def check_query(self, query: str) -> None:
        """Ask Prometheus to parse the query (`format_query`, ≥ 2.38) without evaluating it."""
        params = {"query": query}
        answer = self._http.call(lambda: self._http.request("GET", "/api/v1/format_query", params=params,
                                                            accept=(404, 405)))  # fmt: skip
        if answer.status_code in (404, 405):  # older Prometheus or a proxy without it: evaluate instead
            self._http.call(lambda: self._client.custom_query(query))

    def scrape_interval(self) -> float | None:
        """The longest scrape interval Prometheus is configured with, or None when it will not say (Mimir,
        Thanos and friends do not expose it: the caller falls back to a default)."""

        def fetch() -> str | None:
            response = self._http.request("GET", "/api/v1/status/config", accept=range(300, 600))
            return str(response.json()["data"]["yaml"]) if response.status_code == 200 else None

        try:
            text = self._http.call(fetch)
        except BackendError:
            return None
        return parse_scrape_interval(text) if text else None

    def metric_names(self, match: str | None = None) -> list[str]:
        """Metric names Prometheus holds (only those of series matching `match`, e.g. `{job="api"}`)."""
        params = {"match[]": match} if match else None
        return [str(n) for n in self._api_data("/api/v1/label/__name__/values", params)]

    def metadata(self) -> dict[str, str]:
        """Metric name → type (counter, gauge, histogram, summary, unknown) from the targets' metadata."""
        try:
            return parse_metadata(self._api_data("/api/v1/metadata"))
        except ValueError as exc:
            raise QueryError(NAME, f"{self.shown_url}/api/v1/metadata: {exc}") from None

    def series(self, match: str) -> list[dict[str, str]]:
        """The label sets of the series matching `match` (the last 10 minutes)."""
        return [dict(s) for s in self._api_data("/api/v1/series", {"match[]": match})]

    def _api_data(self, path: str, params: dict[str, str] | None = None) -> Any:
        """`data` of an API call prometheus-api-client has no method for, through the seam (retries included)."""
        return self._http.call(lambda: self._api_data_once(path, params))

    def _api_data_once(self, path: str, params: dict[str, str] | None = None) -> Any:
        try:
            return self._http.request("GET", path, params=params).json()["data"]
        except (ValueError, KeyError) as exc:
            raise QueryError(NAME, f"{self.shown_url}{path} did not answer like a Prometheus API ({exc})") from None
