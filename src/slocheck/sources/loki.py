"""Loki adapter: LogQL metric queries over `requests`, and pure `parse_*` functions for Loki's answers.

Loki speaks Prometheus' result shapes (`vector`, `matrix`, `scalar`) for metric queries and `streams` for log
queries; its errors are plain text even under a JSON content type, so they are shown to the user as they are.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import requests

from slocheck.config.settings import LokiSettings
from slocheck.core.errors import QueryError
from slocheck.core.model import SeriesValue
from slocheck.http.client import Dialect, HttpClient
from slocheck.http.text import one_line
from slocheck.sources.protocols import QueryResult, RangeResult

NAME = "Loki"
LOG_RESULT_HINT = (
    "the query returns log lines, not a number; count them with count: '<selector>' or wrap it, "
    "e.g. sum(count_over_time(<selector> [$__range]))"
)
RANGE_RESULT_HINT = "the query returns a range vector; wrap it, e.g. sum(count_over_time(<selector> [$__range]))"


def loki_time(moment: datetime) -> str:
    """Unix nanoseconds, Loki's native timestamp (microsecond precision is all a datetime holds)."""
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    microseconds = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return str(microseconds * 1000)


def _data(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or body.get("status") != "success" or not isinstance(body.get("data"), dict):
        raise QueryError(NAME, "the answer is not a Loki query result (no status: success with data); is this Loki?")
    data: dict[str, Any] = body["data"]
    return data


def _warnings(body: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(w) for w in body.get("warnings") or ())


def parse_instant_body(body: Any) -> QueryResult:
    """The JSON body of `/loki/api/v1/query`: a vector or a scalar."""
    data = _data(body)
    kind, result = data.get("resultType"), data.get("result")
    if kind == "streams":
        raise QueryError(NAME, LOG_RESULT_HINT)
    if kind == "matrix":
        raise QueryError(NAME, RANGE_RESULT_HINT)
    if kind == "scalar" and isinstance(result, list) and len(result) == 2:
        return QueryResult((SeriesValue({}, float(result[1])),), _warnings(body))
    if kind != "vector" or not isinstance(result, list):
        raise QueryError(NAME, f"unexpected result type {kind!r}; is this Loki?")
    series = tuple(SeriesValue(dict(item.get("metric") or {}), float(item["value"][1])) for item in result)
    return QueryResult(series, _warnings(body))


def parse_range_body(body: Any) -> RangeResult:
    """The JSON body of `/loki/api/v1/query_range` for a metric query: a matrix."""
    data = _data(body)
    kind, result = data.get("resultType"), data.get("result")
    if kind == "streams":
        raise QueryError(NAME, LOG_RESULT_HINT)
    if kind != "matrix" or not isinstance(result, list):
        raise QueryError(NAME, f"unexpected result type {kind!r} for a range query; is this Loki?")
    series = []
    for item in result:
        points = tuple((float(t), float(v)) for t, v in item.get("values") or ())
        series.append((dict(item.get("metric") or {}), points))
    return RangeResult(tuple(series), _warnings(body))


def parse_error(status: int, text: str) -> str:
    """Loki's own words, one line: `parse error at line 1, col 47: syntax error: unexpected $end`."""
    message = one_line(text)
    return message if status == 400 else f"HTTP {status}: {message}"


DIALECT = Dialect(
    NAME, "Loki", describe=parse_error,
    auth_hint="check the credentials, and the tenant (backends.loki.tenant or SLOCHECK_LOKI_TENANT)",
)  # fmt: skip


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise QueryError(NAME, f"the answer is not JSON ({one_line(response.text, 120)}); is this Loki?") from None


class LokiBackend:
    """Instant and range LogQL metric queries; the MetricsBackend protocol, so the measurement treats Loki
    exactly like Prometheus."""

    name = "loki"

    def __init__(self, settings: LokiSettings) -> None:
        headers = {"X-Scope-OrgID": settings.tenant} if settings.tenant else {}
        self._http = HttpClient(DIALECT, settings, headers)
        self.url = self._http.url

    def close(self) -> None:
        self._http.close()

    def instant(self, query: str, at: datetime) -> QueryResult:
        params = {"query": query, "time": loki_time(at)}
        return self._http.get("/loki/api/v1/query", params, lambda r: parse_instant_body(_json(r)))

    def range(self, query: str, start: datetime, end: datetime, step_seconds: float) -> RangeResult:
        params = {"query": query, "start": loki_time(start), "end": loki_time(end), "step": f"{step_seconds:g}"}
        return self._http.get("/loki/api/v1/query_range", params, lambda r: parse_range_body(_json(r)))

    def check_query(self, query: str) -> None:
        """Loki has no parse endpoint: an instant query over the caller's tiny range; a 400 is the syntax error."""
        self.instant(query, datetime.now(UTC))
