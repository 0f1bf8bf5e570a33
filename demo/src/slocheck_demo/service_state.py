"""What the demo service's handlers share: options, metrics, stores, the LLM simulator, JSON helpers."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from slocheck_demo.service_cache import Cache, RedisCache, StandInCache
from slocheck_demo.service_db import Database, PostgresDatabase, StandInDatabase
from slocheck_demo.service_llm import SimulatedLLM
from slocheck_demo.service_metrics import ServiceMetrics
from slocheck_demo.service_options import ServiceOptions


@dataclass
class Services:
    options: ServiceOptions
    metrics: ServiceMetrics
    database: Database
    cache: Cache
    llm: SimulatedLLM
    rng: random.Random
    started: float = field(default_factory=time.monotonic)


SERVICES = web.AppKey("services", Services)


def build_services(options: ServiceOptions) -> Services:
    metrics = ServiceMetrics()
    rng = random.Random(options.seed)  # simulation, not security
    database: Database
    if options.database_url:
        database = PostgresDatabase(
            options.database_url,
            min_size=options.db_pool_min_size,
            max_size=options.db_pool_max_size,
            write_latency=options.db_write_latency_ms / 1000,
        )
    else:
        database = StandInDatabase(max_size=options.db_pool_max_size, write_latency=options.db_write_latency_ms / 1000)
    cache: Cache
    if options.redis_url:
        cache = RedisCache(options.redis_url, max_connections=options.redis_max_connections)
    else:
        cache = StandInCache()
    llm = SimulatedLLM(
        metrics,
        rng,
        median_seconds=options.llm_latency_median_ms / 1000,
        sigma=options.llm_latency_sigma,
        error_rate=options.llm_error_rate,
    )
    return Services(options, metrics, database, cache, llm, rng)


def services(request: web.Request) -> Services:
    return request.app[SERVICES]


def json_error(status: int, code: str, message: str, **extra: Any) -> web.Response:
    """Every error the API returns has this shape: {"error": {"code", "message", ...}}."""
    return web.json_response({"error": {"code": code, "message": message, **extra}}, status=status)
