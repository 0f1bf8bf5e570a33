"""The demo service's database: a real asyncpg pool, or an in-process stand-in that says it is one.

Both keep agents, workflows, users and run records, and both bound concurrency with a pool of `max_size`
connections, so pool saturation under load looks the same on the service's own `db_pool_*` gauges.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

import asyncpg

from slocheck_demo.service_catalog import AGENTS, WORKFLOWS, Agent, Workflow

STAND_IN = "in-process stand-in"


@dataclass(frozen=True)
class RunRecord:
    agent_id: str
    model: str
    status: str
    prompt_tokens: int
    completion_tokens: int
    duration_seconds: float


class Database(Protocol):
    kind: str
    max_size: int

    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def ping(self) -> bool: ...
    async def list_agents(self) -> list[Agent]: ...
    async def get_agent(self, agent_id: str) -> Agent | None: ...
    async def list_workflows(self) -> list[Workflow]: ...
    async def get_workflow(self, workflow_id: str) -> Workflow | None: ...
    async def record_login(self, username: str) -> None: ...
    async def record_run(self, run: RunRecord) -> int: ...
    async def record_workflow_run(self, workflow_id: str, status: str, seconds: float) -> int: ...
    def in_use(self) -> float: ...
    def idle(self) -> float: ...


SCHEMA = """
CREATE TABLE IF NOT EXISTS agents (
    id text PRIMARY KEY, name text NOT NULL, description text NOT NULL,
    default_model text NOT NULL, tools text[] NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS workflows (
    id text PRIMARY KEY, name text NOT NULL, description text NOT NULL, stages jsonb NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    username text PRIMARY KEY, logins bigint NOT NULL DEFAULT 1, last_login timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS runs (
    id bigserial PRIMARY KEY, agent_id text NOT NULL, model text NOT NULL, status text NOT NULL,
    prompt_tokens integer NOT NULL, completion_tokens integer NOT NULL, duration_seconds double precision NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS workflow_runs (
    id bigserial PRIMARY KEY, workflow_id text NOT NULL, status text NOT NULL,
    execution_time_seconds double precision NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
"""

UPSERT_AGENT = """
INSERT INTO agents (id, name, description, default_model, tools) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id) DO UPDATE SET name = $2, description = $3, default_model = $4, tools = $5
"""
UPSERT_WORKFLOW = """
INSERT INTO workflows (id, name, description, stages) VALUES ($1, $2, $3, $4)
ON CONFLICT (id) DO UPDATE SET name = $2, description = $3, stages = $4
"""
AGENT_COLUMNS = "SELECT id, name, description, default_model, tools FROM agents"
WORKFLOW_COLUMNS = "SELECT id, name, description, stages FROM workflows"


def _agent(row: asyncpg.Record) -> Agent:
    return Agent(row["id"], row["name"], row["description"], row["default_model"], tuple(row["tools"]))


def _workflow(row: asyncpg.Record) -> Workflow:
    stages = tuple(tuple(str(agent) for agent in stage) for stage in json.loads(row["stages"]))
    return Workflow(row["id"], row["name"], row["description"], stages)


class PostgresDatabase:
    """asyncpg pool; tables are created and seeded at start-up (idempotent, safe with several instances)."""

    kind = "postgresql"

    def __init__(self, dsn: str, *, min_size: int, max_size: int, write_latency: float) -> None:
        self.dsn = dsn
        self.min_size = min_size
        self.max_size = max_size
        # Server-side pg_sleep on each write: the connection shows as `active` in pg_stat_activity meanwhile.
        self.write_latency = write_latency
        self._pool: asyncpg.Pool[asyncpg.Record] | None = None

    @property
    def pool(self) -> asyncpg.Pool[asyncpg.Record]:
        if self._pool is None:
            raise RuntimeError("the database pool is not open")
        return self._pool

    async def start(self) -> None:
        self._pool = await asyncpg.create_pool(self.dsn, min_size=self.min_size, max_size=self.max_size)
        async with self.pool.acquire() as conn, conn.transaction():
            # Several service instances may start against one database; serialise the DDL between them.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('slocheck-demo-schema'))")
            await conn.execute(SCHEMA)
            await conn.executemany(
                UPSERT_AGENT, [(a.id, a.name, a.description, a.default_model, list(a.tools)) for a in AGENTS]
            )
            workflows = [(w.id, w.name, w.description, json.dumps([list(s) for s in w.stages])) for w in WORKFLOWS]
            await conn.executemany(UPSERT_WORKFLOW, workflows)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def ping(self) -> bool:
        try:
            value: object = await self.pool.fetchval("SELECT 1")
            return value == 1
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, RuntimeError):
            return False

    async def list_agents(self) -> list[Agent]:
        return [_agent(row) for row in await self.pool.fetch(f"{AGENT_COLUMNS} ORDER BY id")]

    async def get_agent(self, agent_id: str) -> Agent | None:
        row = await self.pool.fetchrow(f"{AGENT_COLUMNS} WHERE id = $1", agent_id)
        return None if row is None else _agent(row)

    async def list_workflows(self) -> list[Workflow]:
        return [_workflow(row) for row in await self.pool.fetch(f"{WORKFLOW_COLUMNS} ORDER BY id")]

    async def get_workflow(self, workflow_id: str) -> Workflow | None:
        row = await self.pool.fetchrow(f"{WORKFLOW_COLUMNS} WHERE id = $1", workflow_id)
        return None if row is None else _workflow(row)

    async def record_login(self, username: str) -> None:
        await self.pool.execute(
            "INSERT INTO users (username) VALUES ($1) "
            "ON CONFLICT (username) DO UPDATE SET logins = users.logins + 1, last_login = now()",
            username,
        )

    async def record_run(self, run: RunRecord) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            run_id: int = await conn.fetchval(
                "INSERT INTO runs (agent_id, model, status, prompt_tokens, completion_tokens, duration_seconds) "
                "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                run.agent_id, run.model, run.status, run.prompt_tokens, run.completion_tokens, run.duration_seconds,
            )  # fmt: skip
            await self._slow_write(conn)
        return run_id

    async def record_workflow_run(self, workflow_id: str, status: str, seconds: float) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            run_id: int = await conn.fetchval(
                "INSERT INTO workflow_runs (workflow_id, status, execution_time_seconds) VALUES ($1, $2, $3) "
                "RETURNING id",
                workflow_id, status, seconds,
            )  # fmt: skip
            await self._slow_write(conn)
        return run_id

    async def _slow_write(self, conn: asyncpg.pool.PoolConnectionProxy[asyncpg.Record]) -> None:
        if self.write_latency > 0:
            await conn.execute("SELECT pg_sleep($1)", self.write_latency)

    def in_use(self) -> float:
        if self._pool is None:
            return 0.0
        return float(self._pool.get_size() - self._pool.get_idle_size())

    def idle(self) -> float:
        return 0.0 if self._pool is None else float(self._pool.get_idle_size())


class StandInDatabase:
    """No database: data lives in this process and a semaphore of `max_size` plays the connection pool."""

    kind = STAND_IN

    def __init__(self, *, max_size: int, write_latency: float) -> None:
        self.max_size = max_size
        self.write_latency = write_latency
        self._slots = asyncio.Semaphore(max_size)
        self._in_use = 0
        self._agents = {agent.id: agent for agent in AGENTS}
        self._workflows = {workflow.id: workflow for workflow in WORKFLOWS}
        self._logins: dict[str, int] = {}
        # Recent records only: a long load test must not grow the process without bound.
        self._runs: deque[RunRecord] = deque(maxlen=10_000)
        self._workflow_runs: deque[tuple[str, str, float]] = deque(maxlen=10_000)
        self._run_ids = itertools.count(1)
        self._workflow_run_ids = itertools.count(1)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def ping(self) -> bool:
        return True

    @contextlib.asynccontextmanager
    async def _connection(self, hold_seconds: float = 0.0) -> AsyncIterator[None]:
        async with self._slots:
            self._in_use += 1
            try:
                # Yield to the loop like a real round trip would, holding the "connection" meanwhile.
                await asyncio.sleep(hold_seconds)
                yield
            finally:
                self._in_use -= 1

    async def list_agents(self) -> list[Agent]:
        async with self._connection():
            return sorted(self._agents.values(), key=lambda agent: agent.id)

    async def get_agent(self, agent_id: str) -> Agent | None:
        async with self._connection():
            return self._agents.get(agent_id)

    async def list_workflows(self) -> list[Workflow]:
        async with self._connection():
            return sorted(self._workflows.values(), key=lambda workflow: workflow.id)

    async def get_workflow(self, workflow_id: str) -> Workflow | None:
        async with self._connection():
            return self._workflows.get(workflow_id)

    async def record_login(self, username: str) -> None:
        async with self._connection():
            self._logins[username] = self._logins.get(username, 0) + 1

    async def record_run(self, run: RunRecord) -> int:
        async with self._connection(self.write_latency):
            self._runs.append(run)
            return next(self._run_ids)

    async def record_workflow_run(self, workflow_id: str, status: str, seconds: float) -> int:
        async with self._connection(self.write_latency):
            self._workflow_runs.append((workflow_id, status, seconds))
            return next(self._workflow_run_ids)

    def in_use(self) -> float:
        return float(self._in_use)

    def idle(self) -> float:
        return float(self.max_size - self._in_use)
