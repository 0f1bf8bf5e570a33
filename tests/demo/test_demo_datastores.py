"""The throwaway datastores and exporters, and the demo service running on them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest
import redis

from slocheck_demo.datastores import DatastoreStack, RedisServer, redis_ping
from slocheck_demo.processes import port_open
from tests.demo.helpers import DemoClient, fetch_text, running, samples, value

pytestmark = pytest.mark.integration


def query_postgres(dsn: str, sql: str) -> object:
    async def fetch() -> object:
        connection = await asyncpg.connect(dsn)
        try:
            return await connection.fetchval(sql)
        finally:
            await connection.close()

    return asyncio.run(fetch())


@pytest.fixture
def redis_client(datastores: DatastoreStack) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(datastores.redis.url, decode_responses=True)
    yield client
    client.close()


def poll(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_the_postgres_exporter_exposes_activity_per_database_and_state(datastores: DatastoreStack) -> None:
    exposition = fetch_text(datastores.postgres_exporter.metrics_url)

    states = {labels["state"] for labels, _ in samples(exposition, "pg_stat_activity_count")
              if labels["datname"] == "slocheck_demo"}  # fmt: skip
    assert {"active", "idle"} <= states


def test_the_postgres_exporter_exposes_max_connections(datastores: DatastoreStack) -> None:
    exposition = fetch_text(datastores.postgres_exporter.metrics_url)

    assert value(exposition, "pg_settings_max_connections") == datastores.postgres.max_connections


def test_the_redis_exporter_exposes_memory_and_clients(datastores: DatastoreStack) -> None:
    exposition = fetch_text(datastores.redis_exporter.metrics_url)

    assert (value(exposition, "redis_memory_used_bytes") or 0) > 0
    assert value(exposition, "redis_memory_max_bytes") == 256 * 1024 * 1024
    assert value(exposition, "redis_connected_clients") is not None


def test_the_postgres_url_reaches_the_demo_database(datastores: DatastoreStack) -> None:
    assert query_postgres(datastores.postgres.url, "SELECT current_database()") == "slocheck_demo"


def test_health_says_the_database_is_postgresql_and_the_cache_is_redis(backed_service: DemoClient) -> None:
    reply = backed_service.request("GET", "/health")

    assert reply.status == 200
    assert reply.body["database"]["backend"] == "postgresql"
    assert reply.body["cache"]["backend"] == "redis"


def test_agents_are_read_from_the_postgres_agents_table(datastores: DatastoreStack, backed_service: DemoClient) -> None:
    reply = backed_service.request("GET", "/api/v1/agents", token=backed_service.token())

    assert len(reply.body["agents"]) == query_postgres(datastores.postgres.url, "SELECT count(*) FROM agents") == 5


def test_an_agent_run_inserts_a_row_into_the_runs_table(datastores: DatastoreStack, backed_service: DemoClient) -> None:
    count = "SELECT count(*) FROM runs"
    before = query_postgres(datastores.postgres.url, count)
    assert isinstance(before, int)

    assert backed_service.run_agent(backed_service.token()).status == 200

    assert query_postgres(datastores.postgres.url, count) == before + 1


def test_tokens_are_stored_in_redis_with_a_ttl(backed_service: DemoClient, redis_client: redis.Redis) -> None:
    token = backed_service.token("carol")

    assert redis_client.get(f"token:{token}") == "carol"
    assert 0 < int(redis_client.ttl(f"token:{token}")) <= 3600


def test_agent_lookups_are_cached_in_redis(backed_service: DemoClient, redis_client: redis.Redis) -> None:
    token = backed_service.token()
    backed_service.request("GET", "/api/v1/agents/documenter", token=token)
    backed_service.request("GET", "/api/v1/agents/documenter", token=token)

    assert redis_client.exists("agent:documenter")
    assert (value(backed_service.metrics(), "cache_requests_total", result="hit") or 0) >= 1


def test_requests_are_counted_per_token_in_redis(backed_service: DemoClient, redis_client: redis.Redis) -> None:
    token = backed_service.token()
    backed_service.request("GET", "/api/v1/agents", token=token)

    assert redis_client.keys(f"ratelimit:{token}:*")


def test_the_pool_gauges_report_the_asyncpg_pool(backed_service: DemoClient) -> None:
    exposition = backed_service.metrics()

    assert value(exposition, "db_pool_max_connections") == 10
    assert (value(exposition, "db_pool_connections", state="idle") or 0) >= 1


def test_issuing_tokens_raises_redis_memory_used(datastores: DatastoreStack, backed_service: DemoClient) -> None:
    before = value(fetch_text(datastores.redis_exporter.metrics_url), "redis_memory_used_bytes")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: backed_service.token(f"user-{i}"), range(400)))

    after = value(fetch_text(datastores.redis_exporter.metrics_url), "redis_memory_used_bytes")
    assert before is not None
    assert after is not None
    assert after > before


def test_slow_writes_under_load_show_as_active_connections_in_pg_stat_activity(
    tmp_path_factory: pytest.TempPathFactory, datastores: DatastoreStack
) -> None:
    stores = ["--database-url", datastores.postgres.url, "--redis-url", datastores.redis.url]
    args = [*stores, "--db-write-latency", "1500"]
    slow = DemoClient(tmp_path_factory.mktemp("slow-db"), args)

    def active() -> bool:
        exposition = fetch_text(datastores.postgres_exporter.metrics_url)
        return (value(exposition, "pg_stat_activity_count", datname="slocheck_demo", state="active") or 0) >= 3

    with running(slow) as client:
        token = client.token()
        with ThreadPoolExecutor(6) as pool:
            runs = [pool.submit(client.run_agent, token) for _ in range(6)]
            assert poll(active)
            assert all(run.result().status == 200 for run in runs)


def test_a_stopped_redis_server_no_longer_answers(tmp_path: Path) -> None:
    server = RedisServer(tmp_path).start()
    assert redis_ping(server.port)

    server.stop()

    assert not port_open(server.port)


def test_a_stopped_stack_leaves_no_server_listening(tmp_path: Path) -> None:
    stack = DatastoreStack(tmp_path).start()
    ports = [stack.redis.port, stack.postgres.port, stack.redis_exporter.port, stack.postgres_exporter.port]

    stack.stop()

    assert [port for port in ports if port_open(port)] == []
