"""Prometheus adapter: prometheus-api-client for the calls, pure `parse_*` functions for the answers.

Works with anything that speaks the Prometheus HTTP API (Mimir, Cortex, Thanos, VictoriaMetrics):
extra headers such as `X-Scope-OrgID` go through `headers`.
"""

from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import requests
import urllib3
import yaml
from prometheus_api_client.exceptions import PrometheusApiClientException
from prometheus_api_client.prometheus_connect import PrometheusConnect
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from slocheck.config.settings import BackendSettings
from slocheck.core.errors import BackendError, QueryError
from slocheck.core.model import SeriesValue
from slocheck.core.units import UnitError, parse_duration
from slocheck.http.redact import display_url, scrub, secrets_of
from slocheck.http.retry import TransientError, call_with_retries
from slocheck.sources.protocols import QueryResult, RangeResult

T = TypeVar("T")
NAME = "Prometheus"
MAX_POINTS_PER_SERIES = 11_000
_STATUS_RE = re.compile(r"^HTTP Status Code (\d+) \((.*)\)$", re.DOTALL)


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


def parse_error_body(status: int, body: bytes) -> str:
    """Prometheus' own error message from its envelope, or the raw body for proxies in front of it."""
    text = body.decode("utf-8", "replace").strip()
    try:
        envelope = json.loads(text)
    except ValueError:
        return f"HTTP {status}: {text[:300] or '(empty body)'}"
    if isinstance(envelope, dict) and "error" in envelope:
        kind = envelope.get("errorType", "error")
        return f"{status} {kind}: {envelope['error']}"
    return f"HTTP {status}: {text[:300]}"


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


def _status_and_body(exc: PrometheusApiClientException) -> tuple[int, bytes]:
    match = _STATUS_RE.match(str(exc))
    if not match:
        return 0, str(exc).encode()
    try:
        body = ast.literal_eval(match.group(2))
    except (ValueError, SyntaxError):
        body = match.group(2).encode()
    return int(match.group(1)), body if isinstance(body, bytes) else str(body).encode()


class PrometheusBackend:
    """Instant and range queries with bounded retries and one-line, actionable errors."""

    name = "prometheus"

    def __init__(self, settings: BackendSettings) -> None:
        if not settings.url:
            raise QueryError(NAME, "no URL configured; pass --prometheus-url or set SLOCHECK_PROMETHEUS_URL")
        self.url = settings.url
        self.shown_url = display_url(settings.url)  # messages never show a user:password in the URL
        self._secrets = secrets_of(settings)
        self._settings = settings
        self._session = requests.Session()
        self._session.verify = settings.ca_bundle or not settings.insecure
        if settings.insecure:
            # --insecure is an explicit choice; urllib3's per-request warning would only bury the output.
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        headers = dict(settings.headers)
        if settings.token is not None:
            headers["Authorization"] = f"Bearer {settings.token.get_secret_value()}"
        auth: tuple[str, str] | None = None
        if settings.username is not None:
            auth = (settings.username, settings.password.get_secret_value() if settings.password else "")
        no_retry = Retry(total=0, raise_on_status=False)  # tenacity owns retries, with a time budget
        self._client = PrometheusConnect(
            url=self.url,
            headers=headers,
            retry=no_retry,
            auth=auth,  # type: ignore[arg-type]  # the client annotates tuple[Any, ...] | None poorly
            session=self._session,
            timeout=settings.timeout,  # type: ignore[arg-type]  # requests accepts float seconds
        )
        adapter = HTTPAdapter(max_retries=no_retry, pool_connections=1, pool_maxsize=settings.concurrency)
        self._session.mount(self.url, adapter)
        self._headers = headers
        self._auth = auth

    def close(self) -> None:
        self._session.close()

    def instant(self, query: str, at: datetime) -> QueryResult:
        result = self._call(lambda: self._client.custom_query(query, params={"time": f"{at.timestamp():.3f}"}))
        return parse_instant_result(result)

    def range(self, query: str, start: datetime, end: datetime, step_seconds: float) -> RangeResult:
        step = f"{step_seconds:g}"
        result = self._call(lambda: self._client.custom_query_range(query, start, end, step))
        return parse_range_result(result)

    def raw_samples(self, selector: str, start: datetime, end: datetime) -> RangeResult:
        """`selector[<end - start>s]` evaluated at `end`: the stored samples themselves, no extrapolation."""
        return self._call(lambda: parse_raw_samples(self._client.custom_query(
            raw_samples_query(selector, start, end), params={"time": f"{end.timestamp():.3f}"})))  # fmt: skip

    def targets(self) -> tuple[TargetScrape, ...]:
        """The active scrape targets and their last scrape (for a settle wait that is measured)."""

        def fetch() -> tuple[TargetScrape, ...]:
            response = self._get("/api/v1/targets", {"state": "active"})
            if response.status_code != 200:
                raise PrometheusApiClientException(f"HTTP Status Code {response.status_code} ({response.content!r})")
            return parse_targets(response.json().get("data"))

        return self._call(fetch)

    def check_query(self, query: str) -> None:
        """Ask Prometheus to parse the query (`format_query`, ≥ 2.38) without evaluating it."""

        def format_query() -> int:
            response = self._get("/api/v1/format_query", {"query": query})
            if response.status_code in (404, 405):
                return response.status_code  # older Prometheus or a proxy without it: evaluate instead
            if response.status_code != 200:
                raise PrometheusApiClientException(f"HTTP Status Code {response.status_code} ({response.content!r})")
            return 200

        if self._call(format_query) != 200:
            self._call(lambda: self._client.custom_query(query))

    def scrape_interval(self) -> float | None:
        """The longest scrape interval Prometheus is configured with, or None when it will not say."""

        def fetch() -> str | None:
            response = self._session.get(
                f"{self.url}/api/v1/status/config",
                headers=self._headers,
                auth=self._auth,
                timeout=self._settings.timeout,
            )
            if response.status_code != 200:
                return None  # Mimir/Thanos and friends do not expose it: the caller falls back to a default
            return str(response.json()["data"]["yaml"])

        try:
            text = self._call(fetch)
        except BackendError:
            return None
        return parse_scrape_interval(text) if text else None

    def _get(self, path: str, params: dict[str, str] | None = None) -> requests.Response:
        """An API call prometheus-api-client has no method for, with the same auth and TLS settings."""
        # verify= explicitly: otherwise requests lets REQUESTS_CA_BUNDLE replace --ca-bundle/--insecure.
        return self._session.get(
            f"{self.url}{path}",
            params=params,
            headers=self._headers,
            auth=self._auth,
            timeout=self._settings.timeout,
            verify=self._session.verify,
        )

    def _call(self, call: Callable[[], T]) -> T:
        return call_with_retries(
            lambda: self._translate(call), backend=NAME, budget_seconds=self._settings.retry_budget
        )

    def _clean(self, text: str) -> str:
        """The message without credentials: the URL as shown, and any configured secret masked."""
        return scrub(text.replace(self.url, self.shown_url), self._secrets)

    def _translate(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except requests.exceptions.SSLError as exc:
            message = f"TLS error talking to {self.shown_url}: {exc}; pass --ca-bundle or --insecure"
            raise QueryError(NAME, self._clean(message)) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise TransientError(self._clean(f"cannot reach {self.shown_url}: {_short(exc)}")) from None
        except PrometheusApiClientException as exc:
            status, body = _status_and_body(exc)
            message = self._clean(parse_error_body(status, body))
            if status >= 500 or status == 429:
                raise TransientError(f"{self.shown_url} answered {message}") from None
            if status in (401, 403):
                raise QueryError(
                    NAME, f"{self.shown_url} refused the credentials ({message}); check the token"
                ) from None
            raise QueryError(NAME, message) from None
        except (ValueError, KeyError) as exc:
            raise QueryError(
                NAME, self._clean(f"{self.shown_url} did not answer like a Prometheus API ({_short(exc)})")
            ) from None
        except BackendError:
            raise


def _short(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out", "Read timed out"):
        if marker in text:
            return marker
    return text[:200]
