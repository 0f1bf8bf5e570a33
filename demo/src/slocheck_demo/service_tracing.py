"""The demo service's traces over OTLP/HTTP (`--otlp-endpoint`, or OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT).

- A SERVER span per API request, named `METHOD /route/template`, continuing the caller's W3C `traceparent`
  (so slocheck-load's client spans are the parents) and copying the baggage `slocheck.run_id` onto the span.
- CLIENT child spans for every database call, every cache command (never the key: keys hold tokens) and every
  LLM call, the latter with the OpenTelemetry `gen_ai.*` attributes.
- Spans leave in batches from a background thread (`BatchSpanProcessor`); the provider is the app's own, not the
  process-wide global one. Only imported when tracing is on: off, the service pays nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import TypeVar
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler
from opentelemetry import baggage
from opentelemetry.baggage.propagation import W3CBaggagePropagator
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from slocheck_demo.service_cache import Cache
from slocheck_demo.service_catalog import Agent, Workflow
from slocheck_demo.service_db import Database, RunRecord
from slocheck_demo.service_llm import Completion, LLMError, ModelProfile
from slocheck_demo.service_state import SERVICES

SERVICE = "paracle-api"
RUN_ID_KEY = "slocheck.run_id"
UNTRACED = frozenset({"/metrics", "/health"})
T = TypeVar("T")


def traces_url(endpoint: str) -> str:
    """`http://collector:4318` → `http://collector:4318/v1/traces`; a URL with a path is kept as given."""
    return endpoint.rstrip("/") + "/v1/traces" if urlsplit(endpoint).path in ("", "/") else endpoint


class Tracing:
    def __init__(self, endpoint: str) -> None:
        self.provider = TracerProvider(resource=Resource.create({SERVICE_NAME: SERVICE}))
        self.provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_url(endpoint))))
        self.tracer: Tracer = self.provider.get_tracer("slocheck.demo")
        self.propagator = CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator()])

    @asynccontextmanager
    async def client_span(self, name: str, attributes: dict[str, str | int]) -> AsyncIterator[Span]:
        with self.tracer.start_as_current_span(name, kind=SpanKind.CLIENT, attributes=attributes) as span:
            yield span

    async def llm_call(self, profile: ModelProfile, call: Awaitable[Completion]) -> Completion:
        attributes: dict[str, str | int] = {"gen_ai.operation.name": "chat", "gen_ai.system": profile.provider,
                                            "gen_ai.request.model": profile.model}  # fmt: skip
        async with self.client_span(f"chat {profile.model}", attributes) as span:
            try:
                completion = await call
            except LLMError as error:
                span.set_attribute("error.type", error.error_type)
                span.set_status(Status(StatusCode.ERROR, str(error)))
                raise
            span.set_attribute("gen_ai.response.model", profile.model)
            span.set_attribute("gen_ai.usage.input_tokens", completion.prompt_tokens)
            span.set_attribute("gen_ai.usage.output_tokens", completion.completion_tokens)
            return completion


class TracedDatabase:
    """The Database protocol, each query in a CLIENT span (`SELECT agents`, `INSERT runs`, …)."""

    def __init__(self, inner: Database, tracing: Tracing) -> None:
        self.inner = inner
        self.tracing = tracing
        self.kind = inner.kind
        self.max_size = inner.max_size

    async def _query(self, operation: str, table: str, call: Awaitable[T]) -> T:
        attributes: dict[str, str | int] = {"db.system.name": self.kind, "db.operation.name": operation,
                                            "db.collection.name": table}  # fmt: skip
        async with self.tracing.client_span(f"{operation} {table}", attributes):
            return await call

    async def start(self) -> None:
        await self.inner.start()

    async def close(self) -> None:
        await self.inner.close()

    async def ping(self) -> bool:
        return await self.inner.ping()

    async def list_agents(self) -> list[Agent]:
        return await self._query("SELECT", "agents", self.inner.list_agents())

    async def get_agent(self, agent_id: str) -> Agent | None:
        return await self._query("SELECT", "agents", self.inner.get_agent(agent_id))

    async def list_workflows(self) -> list[Workflow]:
        return await self._query("SELECT", "workflows", self.inner.list_workflows())

    async def get_workflow(self, workflow_id: str) -> Workflow | None:
        return await self._query("SELECT", "workflows", self.inner.get_workflow(workflow_id))

    async def record_login(self, username: str) -> None:
        await self._query("INSERT", "users", self.inner.record_login(username))

    async def record_run(self, run: RunRecord) -> int:
        return await self._query("INSERT", "runs", self.inner.record_run(run))

    async def record_workflow_run(self, workflow_id: str, status: str, seconds: float) -> int:
        return await self._query(
            "INSERT", "workflow_runs", self.inner.record_workflow_run(workflow_id, status, seconds)
        )

    def in_use(self) -> float:
        return self.inner.in_use()

    def idle(self) -> float:
        return self.inner.idle()


class TracedCache:
    """The Cache protocol, each command in a CLIENT span named after the command; keys are never recorded."""

    def __init__(self, inner: Cache, tracing: Tracing) -> None:
        self.inner = inner
        self.tracing = tracing
        self.kind = inner.kind

    async def _command(self, command: str, call: Awaitable[T]) -> T:
        system = "redis" if self.kind == "redis" else self.kind
        async with self.tracing.client_span(command, {"db.system.name": system, "db.operation.name": command}):
            return await call

    async def start(self) -> None:
        await self.inner.start()

    async def close(self) -> None:
        await self.inner.close()

    async def ping(self) -> bool:
        return await self.inner.ping()

    async def get(self, key: str) -> str | None:
        return await self._command("GET", self.inner.get(key))

    async def set(self, key: str, value: str, ttl_seconds: float) -> None:
        await self._command("SET", self.inner.set(key, value, ttl_seconds))

    async def incr(self, key: str, ttl_seconds: float) -> int:
        return await self._command("INCR", self.inner.incr(key, ttl_seconds))


TRACING = web.AppKey("tracing", Tracing)


def _route(request: web.Request) -> str | None:
    resource = request.match_info.route.resource
    return None if resource is None else resource.canonical


def _server_attributes(request: web.Request, route: str | None, run_id: object) -> dict[str, str | int]:
    attributes: dict[str, str | int] = {"http.request.method": request.method, "url.path": request.path,
                                        "url.scheme": request.scheme}  # fmt: skip
    if route is not None:
        attributes["http.route"] = route
    if run_id is not None:
        attributes[RUN_ID_KEY] = str(run_id)
    return attributes


@web.middleware
async def trace_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    route = _route(request)
    if route in UNTRACED:
        return await handler(request)
    tracing = request.app[TRACING]
    parent = tracing.propagator.extract(request.headers)
    attributes = _server_attributes(request, route, baggage.get_baggage(RUN_ID_KEY, parent))
    name = f"{request.method} {route}" if route else request.method
    with tracing.tracer.start_as_current_span(name, context=parent, kind=SpanKind.SERVER, attributes=attributes,
                                              set_status_on_exception=False) as span:  # fmt: skip
        request["trace_id"] = format(span.get_span_context().trace_id, "032x")
        try:
            response = await handler(request)
        except asyncio.CancelledError:
            raise  # the client went away: neither a status nor an error of the service
        except Exception as error:
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            raise
        span.set_attribute("http.response.status_code", response.status)
        if response.status >= 500:
            span.set_attribute("error.type", str(response.status))
            span.set_status(Status(StatusCode.ERROR))
        return response


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    try:
        yield
    finally:
        await asyncio.to_thread(app[TRACING].provider.shutdown)  # exports what is still queued


def install_tracing(app: web.Application, endpoint: str) -> Tracing:
    """Trace requests, datastores and LLM calls of `app`, exporting to `endpoint`."""
    tracing = Tracing(endpoint)
    app[TRACING] = tracing
    app.middlewares.insert(0, trace_requests)
    state = app[SERVICES]
    state.database = TracedDatabase(state.database, tracing)
    state.cache = TracedCache(state.cache, tracing)
    state.llm.around = tracing.llm_call
    app.cleanup_ctx.insert(0, _lifecycle)
    return tracing
