"""A contract-faithful fake Loki on 127.0.0.1: real HTTP, behaviour from Loki's HTTP API docs and the responses
recorded from Loki 2.8.11 (tests/fixtures/loki-2.8.11).

- Tenancy: with `auth_enabled` (Loki's default) a request without X-Scope-OrgID gets 401 `no org id`; each
  tenant sees only its own lines.
- Push: POST /loki/api/v1/push answers 204 with an empty body; a number as timestamp or a stream without labels
  is a 400 in Loki's words.
- Queries: the metric LogQL the tests use is evaluated over the stored lines — `count_over_time(SELECTOR
  [PIPELINE] [RANGE])`, optionally inside `sum(…)` / `sum by (…) (…)`, and `A / B` of two label-less sums —
  answered in the recorded shapes (vector for /query, matrix for /query_range, values as strings, Loki's stats
  block). `/query` of a log selector is the 400 the contract quotes. A query that does not parse gets a
  plain-text 400 under a JSON content type, like `query_range_bad_logql.txt`. `canned` maps a query to a
  recorded body, served as it is.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.http_server import FakeHttpServer
from tests.support.recorded import LOKI

FIXTURES = LOKI
# The tenant (X-Scope-OrgID) the tests send.
TENANT = "team-a"
INSTANT_LOG_QUERY = (
    "log queries are not supported as an instant query type, please change your query to a range query type"
)
_MATCHER = re.compile(r'\s*([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*,?')
_FILTER = re.compile(r'\s*(\|=|!=|\|~|!~)\s*"((?:[^"\\]|\\.)*)"')
_COUNT = re.compile(r"^count_over_time\((\{.*?\})(.*)\[(\d+(?:\.\d+)?)(ms|s|m|h)\]\s*\)$", re.DOTALL)
_SUM = re.compile(r"^sum(?:\s+by\s*\(([^)]*)\))?\s*\((.*)\)$", re.DOTALL)
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def fixture_stats() -> dict[str, Any]:
    stats: dict[str, Any] = json.loads((FIXTURES / "query_instant_metric.json").read_text())["data"]["stats"]
    return stats


def go_float(value: float) -> str:
    """Loki writes sample values like Go's strconv.FormatFloat(v, 'f', -1, 64): `6`, `0.2`."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


class LogQLError(ValueError):
    pass


@dataclass
class Line:
    labels: dict[str, str]
    ts_ns: int
    text: str


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\\\", "\\")


def _selector(text: str) -> list[tuple[str, str, str]]:
    body, found, position = text.strip()[1:-1], [], 0
    while position < len(body):
        match = _MATCHER.match(body, position)
        if match is None:
            raise LogQLError(f"parse error at line 1, col {position + 2}: syntax error: unexpected IDENTIFIER")
        found.append((match.group(1), match.group(2), _unescape(match.group(3))))
        position = match.end()
    return found


def _filters(text: str) -> list[tuple[str, str]]:
    found, position = [], 0
    while text[position:].strip():
        match = _FILTER.match(text, position)
        if match is None:
            raise LogQLError("parse error at line 1, col 1: syntax error: unexpected |")
        found.append((match.group(1), _unescape(match.group(2))))
        position = match.end()
    return found


def _label_ok(labels: dict[str, str], name: str, op: str, value: str) -> bool:
    actual = labels.get(name, "")
    return {"=": actual == value, "!=": actual != value, "=~": re.fullmatch(value, actual) is not None,
            "!~": re.fullmatch(value, actual) is None}[op]  # fmt: skip


def _line_ok(text: str, op: str, value: str) -> bool:
    return {"|=": value in text, "!=": value not in text, "|~": re.search(value, text) is not None,
            "!~": re.search(value, text) is None}[op]  # fmt: skip


def balanced(query: str) -> bool:
    depth, quote = 0, False
    for index, char in enumerate(query):
        if quote:
            quote = not (char == '"' and query[index - 1] != "\\")
        elif char == '"':
            quote = True
        elif char in "({[":
            depth += 1
        elif char in ")}]":
            depth -= 1
    return depth == 0 and not quote


@dataclass
class FakeLoki(FakeHttpServer):
    auth_enabled: bool = True
    canned: dict[str, str] = field(default_factory=dict)
    fail_with: tuple[int, str] | None = None
    lines: dict[str, list[Line]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        super().__init__()

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        self.handle(request, request.command)

    # --- data ----------------------------------------------------------------------------------------------------

    def add(self, labels: dict[str, str], ts_ns: int, text: str, tenant: str = "fake") -> None:
        with self.lock:
            self.lines.setdefault(tenant, []).append(Line(dict(labels), ts_ns, text))

    def tenant_lines(self, tenant: str = "fake") -> list[Line]:
        with self.lock:
            return list(self.lines.get(tenant, []))

    # --- HTTP ----------------------------------------------------------------------------------------------------

    def handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(request.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self.lock:
            self.requests.append((method, parts.path, params))
            self.headers.append(dict(request.headers.items()))
        if parts.path == "/ready":
            return self.reply(request, 200, "ready\n", "text/plain; charset=utf-8")
        if self.fail_with is not None:
            return self.reply(request, self.fail_with[0], self.fail_with[1], "text/plain; charset=utf-8")
        tenant = headers.get("x-scope-orgid") or ("" if self.auth_enabled else "fake")
        if not tenant:
            return self.reply(request, 401, "no org id\n", "text/plain; charset=utf-8")
        routes = {
            ("POST", "/loki/api/v1/push"): lambda: self.push(request, tenant),
            ("GET", "/loki/api/v1/query"): lambda: self.query(request, tenant, params, instant=True),
            ("GET", "/loki/api/v1/query_range"): lambda: self.query(request, tenant, params, instant=False),
        }
        route = routes.get((method, parts.path))
        if route is None:
            return self.reply(request, 404, "404 page not found\n", "text/plain; charset=utf-8")
        return route()

    def push(self, request: BaseHTTPRequestHandler, tenant: str) -> None:
        raw = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw)
            streams = [(s["stream"], s["values"]) for s in body["streams"]]
        except (ValueError, KeyError, TypeError) as exc:
            return self.reply(request, 400, f"loghttp: {exc}\n", "text/plain; charset=utf-8")
        for labels, values in streams:
            if not labels:
                return self.reply(request, 400, "error at least one label pair is required per stream\n", None)
            if any(not isinstance(v[0], str) for v in values):
                return self.reply(request, 400, "loghttp: timestamp must be a string of unix nanoseconds\n", None)
        for labels, values in streams:
            for value in values:
                self.add(labels, int(value[0]), str(value[1]), tenant)
        return self.reply(request, 204, "", None)

    def query(self, request: BaseHTTPRequestHandler, tenant: str, params: dict[str, str], *, instant: bool) -> None:
        query = params.get("query", "")
        if query in self.canned:
            return self.reply(request, 200, self.canned[query], "application/json")
        bad = "application/json; charset=UTF-8"  # Loki's errors: plain text under a JSON content type
        if not balanced(query):
            message = f"parse error at line 1, col {len(query) + 1}: syntax error: unexpected $end"
            return self.reply(request, 400, message, bad)
        if query.strip().startswith("{"):
            if instant:
                return self.reply(request, 400, INSTANT_LOG_QUERY, bad)
            return self.reply(request, 200, json.dumps(self.streams(tenant, query, params)), "application/json")
        try:
            data = self.instant(tenant, query, params) if instant else self.matrix(tenant, query, params)
        except LogQLError as exc:
            return self.reply(request, 400, str(exc), bad)
        return self.reply(request, 200, json.dumps({"status": "success", "data": data}), "application/json")

    # --- LogQL subset --------------------------------------------------------------------------------------------

    def evaluate(self, tenant: str, query: str, at_ns: int) -> list[tuple[dict[str, str], float]]:
        query = query.strip()
        division = _split_division(query)
        if division is not None:
            left, right = division
            numerator, denominator = self.evaluate(tenant, left, at_ns), self.evaluate(tenant, right, at_ns)
            if not numerator or not denominator or denominator[0][1] == 0:
                return []
            return [({}, numerator[0][1] / denominator[0][1])]
        summed = _SUM.match(query)
        if summed:
            by = [name.strip() for name in (summed.group(1) or "").split(",") if name.strip()]
            groups: dict[tuple[tuple[str, str], ...], float] = {}
            for labels, value in self.evaluate(tenant, summed.group(2), at_ns):
                key = tuple((name, labels.get(name, "")) for name in by if name in labels)
                groups[key] = groups.get(key, 0.0) + value
            return [(dict(key), value) for key, value in groups.items()]
        counted = _COUNT.match(query)
        if not counted:
            raise LogQLError("parse error at line 1, col 1: syntax error: unexpected IDENTIFIER")
        matchers, filters = _selector(counted.group(1)), _filters(counted.group(2))
        window_ns = int(float(counted.group(3)) * _UNITS[counted.group(4)] * 1e9)
        counts: dict[tuple[tuple[str, str], ...], float] = {}
        for line in self.tenant_lines(tenant):
            if not at_ns - window_ns < line.ts_ns <= at_ns:
                continue
            if all(_label_ok(line.labels, *m) for m in matchers) and all(_line_ok(line.text, *f) for f in filters):
                key = tuple(sorted(line.labels.items()))
                counts[key] = counts.get(key, 0.0) + 1
        return [(dict(key), value) for key, value in counts.items()]

    def instant(self, tenant: str, query: str, params: dict[str, str]) -> dict[str, Any]:
        at_ns = _ns(params.get("time"))
        result = [{"metric": labels, "value": [at_ns / 1e9, go_float(value)]}
                  for labels, value in self.evaluate(tenant, query, at_ns)]  # fmt: skip
        return {"resultType": "vector", "result": result, "stats": fixture_stats()}

    def matrix(self, tenant: str, query: str, params: dict[str, str]) -> dict[str, Any]:
        start, end = _ns(params.get("start")), _ns(params.get("end"))
        step_ns = int(float(params.get("step") or "1") * 1e9)
        series: dict[tuple[tuple[str, str], ...], list[list[object]]] = {}
        for at_ns in range(start, end + 1, step_ns):
            for labels, value in self.evaluate(tenant, query, at_ns):
                series.setdefault(tuple(sorted(labels.items())), []).append([at_ns // 10**9, go_float(value)])
        result = [{"metric": dict(key), "values": values} for key, values in series.items()]
        return {"resultType": "matrix", "result": result, "stats": fixture_stats()}

    def streams(self, tenant: str, query: str, params: dict[str, str]) -> dict[str, Any]:
        selector, _, rest = query.partition("}")
        matchers, filters = _selector(selector + "}"), _filters(rest)
        start, end = _ns(params.get("start")), _ns(params.get("end"))
        by_stream: dict[tuple[tuple[str, str], ...], list[list[str]]] = {}
        for line in self.tenant_lines(tenant):
            labels_ok = all(_label_ok(line.labels, *m) for m in matchers)
            if start <= line.ts_ns < end and labels_ok and all(_line_ok(line.text, *f) for f in filters):
                by_stream.setdefault(tuple(sorted(line.labels.items())), []).append([str(line.ts_ns), line.text])
        result = [{"stream": dict(key), "values": values[::-1]} for key, values in by_stream.items()]
        return {"status": "success", "data": {"resultType": "streams", "result": result, "stats": fixture_stats()}}


def _ns(value: str | None) -> int:
    if value is None:
        raise LogQLError("missing time")
    number = float(value)
    return int(number * 1e9) if len(value.split(".")[0]) <= 10 else int(value)


def _split_division(query: str) -> tuple[str, str] | None:
    """`A / B` at the top level (outside parentheses and strings), or None."""
    depth, quote = 0, False
    for index, char in enumerate(query):
        if quote:
            quote = not (char == '"' and query[index - 1] != "\\")
            continue
        quote = char == '"'
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "/" and depth == 0:
            return query[:index], query[index + 1 :]
    return None
