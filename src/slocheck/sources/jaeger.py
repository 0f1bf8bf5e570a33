"""Jaeger adapter: trace search over `requests`, api_v3 first and the v1 JSON API as a fallback.

- api_v3 `GET /api/v3/traces` with the snake_case `query.*` parameters and `query.num_traces`, which every
  version accepts. An empty search answers 404 `No traces found`; a 404 without that message (or an HTML page
  from the UI's catch-all) means the server has no api_v3, and the v1 `GET /api/traces` is used from then on.
- Searches are capped per query (`limit`). When a query comes back full, the window is cut into `slices` equal
  slices, each searched with the same cap, so the sample spreads across the whole run instead of piling up at
  one end of it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests

from slocheck.config.settings import JaegerSettings
from slocheck.core.errors import QueryError
from slocheck.http.client import Dialect, HttpClient
from slocheck.http.text import one_line
from slocheck.sources.jaeger_sample import TraceQuery, TraceSearch
from slocheck.sources.jaeger_traces import (
    JaegerAnswerError,
    Trace,
    is_no_traces_found,
    parse_v1_traces,
    parse_v3_traces,
    v1_error_message,
    v3_error_message,
)

NAME = "Jaeger"
API_V3 = "api_v3"
API_V1 = "v1"
TRACES_PER_QUERY = 500
SLICES = 10


def rfc3339(moment: datetime) -> str:
    """RFC 3339 with nanosecond-capable fraction, UTC: what api_v3's `query.start_time_*` parse."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def microseconds(moment: datetime) -> str:
    """Unix microseconds: v1's `start` and `end`."""
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return str((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)


def v3_params(query: TraceQuery, start: datetime, end: datetime, limit: int) -> dict[str, str]:
    service, operation, attributes = query.search()
    params = {
        "query.service_name": service,
        "query.start_time_min": rfc3339(start),
        "query.start_time_max": rfc3339(end),
        "query.num_traces": str(limit),
    }
    if operation:
        params["query.operation_name"] = operation
    if attributes:
        params["query.attributes"] = json.dumps(attributes, sort_keys=True)
    return params


def v1_params(query: TraceQuery, start: datetime, end: datetime, limit: int) -> dict[str, str]:
    service, operation, attributes = query.search()
    params = {"service": service, "start": microseconds(start), "end": microseconds(end), "limit": str(limit)}
    if operation:
        params["operation"] = operation
    if attributes:
        params["tags"] = json.dumps(attributes, sort_keys=True)
    return params


def split_window(start: datetime, end: datetime, parts: int) -> list[tuple[datetime, datetime]]:
    step = (end - start) / parts
    return [(start + step * i, end if i == parts - 1 else start + step * (i + 1)) for i in range(parts)]


def _describe(status: int, text: str) -> str:
    """Either API's error body (api_v3's gRPC-gateway JSON, v1's `errors` list, or a proxy's text), one line."""
    v3 = v3_error_message(text)
    return f"HTTP {status}: {one_line(v1_error_message(text) if v3 == ' '.join(text.split()) else v3)}"


DIALECT = Dialect(NAME, "Jaeger", describe=_describe, auth_hint="check the token or username/password")


def _body(response: requests.Response) -> Any | None:
    try:
        return response.json()
    except ValueError:
        return None


class JaegerBackend:
    """Trace search with API detection, slicing, and one fetch per distinct search of a measurement."""

    name = "jaeger"

    def __init__(self, settings: JaegerSettings, *, limit: int = TRACES_PER_QUERY, slices: int = SLICES) -> None:
        self._http = HttpClient(DIALECT, settings)
        self.url = self._http.url
        self.ui_url = (settings.ui_url or self.url).rstrip("/")
        self.limit = limit
        self.slices = slices
        self._api: str | None = None
        self._cache: dict[tuple[object, ...], TraceSearch] = {}
        self._key_locks: dict[tuple[object, ...], threading.Lock] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    def trace_url(self, trace_id: str) -> str:
        return f"{self.ui_url}/trace/{trace_id}"

    def search(self, query: TraceQuery, start: datetime, end: datetime) -> TraceSearch:
        """Objectives that share a search (p95 and error_ratio of one operation) share one fetch, even when
        they are measured concurrently."""
        key = (*query.cache_key(), start, end)
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            if key not in self._cache:
                self._cache[key] = self._sample(query, start, end)
            return self._cache[key]

    def _sample(self, query: TraceQuery, start: datetime, end: datetime) -> TraceSearch:
        whole = self._find(query, start, end)
        api = self._api or API_V3
        if len(whole) < self.limit or self.slices <= 1:
            return TraceSearch(tuple(whole), api, self.limit, limited_slices=int(len(whole) >= self.limit))
        found: dict[str, Trace] = {}
        limited = 0
        for slice_start, slice_end in split_window(start, end, self.slices):
            traces = self._find(query, slice_start, slice_end)
            limited += len(traces) >= self.limit
            for trace in traces:
                found.setdefault(trace.trace_id, trace)
        return TraceSearch(tuple(found.values()), api, self.limit, 1 + self.slices, self.slices, limited)

    def _find(self, query: TraceQuery, start: datetime, end: datetime) -> list[Trace]:
        if self._api != API_V1:
            params = v3_params(query, start, end, self.limit)
            traces = self._http.get("/api/v3/traces", params, self._v3_answer, accept=(404, 405))
            if traces is not None:
                self._api = API_V3
                return traces
            self._api = API_V1
        return self._http.get("/api/traces", v1_params(query, start, end, self.limit), self._v1_answer, accept=(404,))

    def _v3_answer(self, response: requests.Response) -> list[Trace] | None:
        """The traces; [] for `No traces found`; None when this server has no api_v3."""
        if response.status_code in (404, 405):
            return [] if is_no_traces_found(response.text) else None
        body = _body(response)
        if not isinstance(body, dict) or "result" not in body:
            return None  # e.g. the UI's index.html: an older Jaeger without the api_v3 HTTP gateway
        return self._parsed(lambda: parse_v3_traces(body))

    def _v1_answer(self, response: requests.Response) -> list[Trace]:
        if response.status_code == 404:
            raise QueryError(NAME, f"{self.url} has neither api_v3 (/api/v3/traces) nor the v1 search "
                                   "(/api/traces); is this the Jaeger query service (port 16686)?")  # fmt: skip
        body = _body(response)
        errors = v1_error_message(response.text) if isinstance(body, dict) and body.get("errors") else ""
        if errors:
            raise QueryError(NAME, one_line(errors))
        return self._parsed(lambda: parse_v1_traces(body))

    def _parsed(self, parse: Callable[[], list[Trace]]) -> list[Trace]:
        try:
            return parse()
        except (JaegerAnswerError, KeyError, TypeError, ValueError) as exc:
            raise QueryError(NAME, f"{self.url} did not answer like Jaeger ({exc})") from None
