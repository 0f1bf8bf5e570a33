"""The demo service's aiohttp application: routes, middlewares and the datastores' lifecycle.

Middlewares, outermost first: `observe` (metrics and error logs), `json_errors` (every failure answers JSON),
`limit_capacity` (--max-concurrency, --service-time: a known capacity), `inject_faults` (--latency,
--error-rate: every API request, authenticated or not), `authenticate` (bearer tokens, rate limit).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator

import asyncpg
from aiohttp import web
from aiohttp.typedefs import Handler
from redis.exceptions import RedisError

from slocheck_demo import service_handlers as handlers
from slocheck_demo.processes import StackError
from slocheck_demo.service_llm import MODELS
from slocheck_demo.service_logs import LOGS, install_logs
from slocheck_demo.service_options import ServiceOptions, otlp_endpoint
from slocheck_demo.service_state import SERVICES, Services, build_services, json_error, services

log = logging.getLogger("slocheck.demo.service")

TOKEN_PATH = "/api/v1/auth/token"
UNMATCHED = "unmatched"
# Neither the scrape nor the health probe is API traffic; counting them would dilute every SLO.
UNOBSERVED = frozenset({"/metrics", "/health"})
KNOWN_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


def route_template(request: web.Request) -> str:
    """The matched route's template (`/api/v1/agents/{id}`), never the raw path: bounded label values."""
    resource = request.match_info.route.resource
    return UNMATCHED if resource is None else resource.canonical


@web.middleware
async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    endpoint = route_template(request)
    if endpoint in UNOBSERVED:
        return await handler(request)
    metrics = services(request).metrics
    method = request.method if request.method in KNOWN_METHODS else "OTHER"
    started = time.perf_counter()
    status = 500
    metrics.http_in_flight.inc()
    try:
        response = await handler(request)
        status = response.status
        return response
    except asyncio.CancelledError:
        status = 499  # the request was abandoned (shutdown or client gone), not failed by the service
        raise
    finally:
        metrics.http_in_flight.dec()
        seconds = time.perf_counter() - started
        metrics.observe_http(method, endpoint, status, seconds)
        if 500 <= status < 600:
            log.error("request failed method=%s endpoint=%s status=%d", method, endpoint, status)
        if (logs := request.app.get(LOGS)) is not None:
            logs.request(method, endpoint, status, seconds, request.get("trace_id"))


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except handlers.BadRequest as error:
        return error.response
    except web.HTTPException as error:
        if error.status < 400:
            raise
        response = json_error(error.status, error.reason.lower().replace(" ", "_"), error.reason)
        if "Allow" in error.headers:
            response.headers["Allow"] = error.headers["Allow"]
        return response
    except Exception:
        log.exception("unhandled error method=%s endpoint=%s", request.method, route_template(request))
        return json_error(500, "internal_error", "the service failed to answer this request")


def unauthorized(message: str) -> web.Response:
    response = json_error(401, "unauthorized", message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="slocheck-demo"'
    return response


async def over_rate_limit(state: Services, token: str) -> bool:
    """Fixed one-minute windows counted in the cache (INCR + EXPIRE); enforced only when a limit is set."""
    window = int(time.time() // 60)
    count = await state.cache.incr(f"ratelimit:{token}:{window}", 60.0)
    limit = state.options.rate_limit_per_minute
    return limit > 0 and count > limit


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    endpoint = route_template(request)
    if not endpoint.startswith("/api/v1/") or endpoint == TOKEN_PATH:
        return await handler(request)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return unauthorized("an Authorization: Bearer <token> header is required")
    state = services(request)
    if await state.cache.get(f"token:{token}") is None:
        return unauthorized("the token is invalid or has expired")
    if await over_rate_limit(state, token):
        return json_error(429, "rate_limited", f"more than {state.options.rate_limit_per_minute} requests a minute")
    return await handler(request)


@web.middleware
async def inject_faults(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not route_template(request).startswith("/api/"):
        return await handler(request)
    state = services(request)
    if state.options.latency_ms > 0:
        await asyncio.sleep(state.options.latency_ms / 1000)
    if state.options.error_rate > 0 and state.rng.random() < state.options.error_rate:
        return json_error(500, "injected_fault", "failure injected by --error-rate")
    return await handler(request)


CAPACITY: web.AppKey[asyncio.Semaphore] = web.AppKey("capacity", asyncio.Semaphore)


@web.middleware
async def limit_capacity(request: web.Request, handler: Handler) -> web.StreamResponse:
    """--max-concurrency N --service-time S: at most N requests in service, each for S; capacity N/S per second."""
    options = services(request).options
    if options.max_concurrency <= 0 or request.path in UNOBSERVED:
        return await handler(request)
    async with request.app[CAPACITY]:
        await asyncio.sleep(options.service_time_ms / 1000)
    return await handler(request)


def add_routes(app: web.Application) -> None:
    app.router.add_post(TOKEN_PATH, handlers.issue_token)
    app.router.add_get("/api/v1/agents", handlers.list_agents)
    app.router.add_get("/api/v1/agents/{id}", handlers.get_agent)
    app.router.add_post("/api/v1/agents/run", handlers.run_agent)
    app.router.add_get("/api/v1/workflows", handlers.list_workflows)
    app.router.add_post("/api/v1/workflows/run", handlers.run_workflow)
    app.router.add_get("/health", handlers.health)
    app.router.add_get("/metrics", handlers.metrics)


def observed_routes(app: web.Application) -> Iterator[tuple[str, str]]:
    for resource in app.router.resources():
        if resource.canonical in UNOBSERVED:
            continue
        for route in resource:
            if route.method != "HEAD":  # aiohttp adds HEAD to every GET route
                yield route.method, resource.canonical


async def datastores(app: web.Application) -> AsyncIterator[None]:
    """Open the database pool and the cache before serving; close both on shutdown."""
    state = app[SERVICES]
    try:
        await state.database.start()
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        raise StackError(
            f"the demo service cannot use the database at {state.options.database_url}: {error}"
        ) from error
    try:
        try:
            await state.cache.start()
        except (OSError, RedisError) as error:
            raise StackError(f"the demo service cannot use Redis at {state.options.redis_url}: {error}") from error
        yield
    finally:
        await state.cache.close()
        await state.database.close()


def create_app(options: ServiceOptions) -> web.Application:
    state = build_services(options)
    app = web.Application(middlewares=[observe, json_errors, limit_capacity, inject_faults, authenticate])
    app[SERVICES] = state
    app[CAPACITY] = asyncio.Semaphore(max(options.max_concurrency, 1))
    add_routes(app)
    if not options.lazy_series:
        state.metrics.initialise(observed_routes(app), [(p.provider, p.model) for p in MODELS.values()])
    state.metrics.watch_pool(state.database.in_use, state.database.idle, state.database.max_size)
    app.cleanup_ctx.append(datastores)
    install_logs(app, options.loki_url, options.loki_tenant, state.metrics.registry)
    if (endpoint := otlp_endpoint(options.otlp_endpoint)) is not None:
        from slocheck_demo.service_tracing import install_tracing  # OpenTelemetry is loaded only when tracing is on

        install_tracing(app, endpoint)
    return app
