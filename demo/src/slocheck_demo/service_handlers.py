"""The demo API's request handlers (routes are registered in service_app)."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from slocheck_demo.service_catalog import Agent
from slocheck_demo.service_db import RunRecord
from slocheck_demo.service_llm import LLMError, ModelProfile, model_names, resolve_model
from slocheck_demo.service_state import Services, json_error, services

# How a failed provider call surfaces to the API's client.
LLM_ERROR_STATUS = {"rate_limit": 429, "timeout": 504, "server_error": 502}

Body = TypeVar("Body", bound=BaseModel)


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=200)


class AgentRunRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    agent_id: str = Field(min_length=1, max_length=100)
    task: str = Field(min_length=1, max_length=20_000)
    model: str = Field(min_length=1, max_length=100)
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    tools: list[str] = Field(default_factory=list, max_length=20)


class WorkflowRunRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    workflow_id: str = Field(min_length=1, max_length=100)
    inputs: dict[str, Any] = Field(default_factory=dict)


class BadRequest(Exception):
    """Raised while reading a request; carries the JSON error response to send."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.text)
        self.response = response


async def read_body(request: web.Request, model: type[Body], invalid_status: int = 422) -> Body:
    try:
        payload = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest(json_error(400, "invalid_json", "the request body is not valid JSON")) from None
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        details = error.errors(include_url=False, include_context=False, include_input=False)
        response = json_error(invalid_status, "validation_error", "the request body is invalid", details=details)
        raise BadRequest(response) from None


async def issue_token(request: web.Request) -> web.Response:
    state = services(request)
    body = await read_body(request, TokenRequest, invalid_status=400)
    token = secrets.token_urlsafe(32)
    await state.database.record_login(body.username)
    await state.cache.set(f"token:{token}", body.username, state.options.token_ttl_seconds)
    return web.json_response(
        {"access_token": token, "token_type": "bearer", "expires_in": int(state.options.token_ttl_seconds)}
    )


async def list_agents(request: web.Request) -> web.Response:
    agents = await services(request).database.list_agents()
    return web.json_response({"agents": [agent.to_json() for agent in agents], "count": len(agents)})


async def lookup_agent(state: Services, agent_id: str) -> Agent | None:
    """Cache-aside: the cache answers repeated lookups; a miss reads the database and fills the cache."""
    key = f"agent:{agent_id}"
    cached = await state.cache.get(key)
    state.metrics.observe_cache(hit=cached is not None)
    if cached is not None:
        return Agent.from_json(json.loads(cached))
    agent = await state.database.get_agent(agent_id)
    if agent is not None:
        await state.cache.set(key, json.dumps(agent.to_json()), state.options.cache_ttl_seconds)
    return agent


def unknown_agent(agent_id: str) -> web.Response:
    return json_error(404, "agent_not_found", f"no agent with id {agent_id!r}")


async def get_agent(request: web.Request) -> web.Response:
    agent_id = request.match_info["id"]
    agent = await lookup_agent(services(request), agent_id)
    return unknown_agent(agent_id) if agent is None else web.json_response(agent.to_json())


@dataclass(frozen=True)
class StepResult:
    agent_id: str
    profile: ModelProfile
    status: str
    output: str
    prompt_tokens: int
    completion_tokens: int
    duration_seconds: float
    error_type: str | None = None

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "agent_id": self.agent_id,
            "model": f"{self.profile.provider}/{self.profile.model}",
            "status": self.status,
            "duration_seconds": round(self.duration_seconds, 6),
        }
        if self.error_type is not None:
            result["error_type"] = self.error_type
        return result


async def run_step(state: Services, agent: Agent, profile: ModelProfile, task: str) -> StepResult:
    """One agent invocation: a simulated LLM call, then its run record written to the database."""
    prompt = f"{agent.description}\nTools: {', '.join(agent.tools)}\nTask: {task}"
    try:
        completion = await state.llm.complete(profile, prompt)
        step = StepResult(agent.id, profile, "success", completion.text, completion.prompt_tokens,
                          completion.completion_tokens, completion.duration_seconds)  # fmt: skip
    except LLMError as error:
        step = StepResult(agent.id, profile, "error", "", 0, 0, error.duration_seconds, error.error_type)
    record = RunRecord(agent.id, profile.model, step.status, step.prompt_tokens, step.completion_tokens,
                       step.duration_seconds)  # fmt: skip
    await state.database.record_run(record)
    return step


async def run_agent(request: web.Request) -> web.Response:
    started = time.perf_counter()
    state = services(request)
    body = await read_body(request, AgentRunRequest)
    profile = resolve_model(body.model)
    if profile is None:
        return json_error(422, "unknown_model", f"unknown model {body.model!r}", supported=model_names())
    agent = await lookup_agent(state, body.agent_id)
    if agent is None:
        return unknown_agent(body.agent_id)
    task = body.task if not body.tools else f"{body.task}\nRequested tools: {', '.join(body.tools)}"
    step = await run_step(state, agent, profile, task)
    if step.error_type is not None:
        message = f"{profile.provider}/{profile.model} failed: {step.error_type}"
        return json_error(LLM_ERROR_STATUS[step.error_type], f"llm_{step.error_type}", message, agent_id=agent.id)
    result = {
        "status": "success",
        "agent_id": agent.id,
        "output": step.output,
        "model": f"{profile.provider}/{profile.model}",
        "usage": {"prompt_tokens": step.prompt_tokens, "completion_tokens": step.completion_tokens},
        "duration_seconds": round(time.perf_counter() - started, 6),
    }
    # Recent results stay retrievable for a while, as a real platform would keep them.
    await state.cache.set(f"result:{secrets.token_hex(8)}", json.dumps(result), state.options.result_ttl_seconds)
    return web.json_response(result)


async def list_workflows(request: web.Request) -> web.Response:
    workflows = await services(request).database.list_workflows()
    return web.json_response({"workflows": [workflow.to_json() for workflow in workflows], "count": len(workflows)})


async def run_stage(state: Services, agent_ids: tuple[str, ...], task: str) -> list[StepResult]:
    steps = []
    for agent_id in agent_ids:
        agent = await lookup_agent(state, agent_id)
        profile = None if agent is None else resolve_model(agent.default_model)
        if agent is None or profile is None:
            # Seed data names only known agents and models; anything else is a broken deployment, so fail
            # loudly (500) rather than report a workflow that skipped a step as a success.
            raise RuntimeError(f"workflow stage names agent {agent_id!r}, which is missing or has an unknown model")
        steps.append(run_step(state, agent, profile, task))
    return list(await asyncio.gather(*steps))


async def run_workflow(request: web.Request) -> web.Response:
    started = time.perf_counter()
    state = services(request)
    body = await read_body(request, WorkflowRunRequest)
    workflow = await state.database.get_workflow(body.workflow_id)
    if workflow is None:
        return json_error(404, "workflow_not_found", f"no workflow with id {body.workflow_id!r}")
    task = json.dumps(body.inputs, sort_keys=True, default=str)
    steps: list[StepResult] = []
    for stage in workflow.stages:
        steps.extend(await run_stage(state, stage, task))
        if any(step.status != "success" for step in steps):
            break  # a failed stage stops the workflow, like an orchestrator would
    status = "success" if steps and all(step.status == "success" for step in steps) else "failed"
    seconds = time.perf_counter() - started
    run_id = await state.database.record_workflow_run(workflow.id, status, seconds)
    return web.json_response({
        "status": status,
        "workflow_id": workflow.id,
        "run_id": run_id,
        "steps": [step.to_json() for step in steps],
        "execution_time_seconds": round(time.perf_counter() - started, 6),
    })  # fmt: skip


async def health(request: web.Request) -> web.Response:
    state = services(request)
    database_ok, cache_ok = await asyncio.gather(state.database.ping(), state.cache.ping())
    pool = {"in_use": state.database.in_use(), "idle": state.database.idle(), "max": state.database.max_size}
    body = {
        "status": "ok" if database_ok and cache_ok else "degraded",
        "database": {"backend": state.database.kind, "ok": database_ok, "pool": pool},
        "cache": {"backend": state.cache.kind, "ok": cache_ok},
        "uptime_seconds": round(time.monotonic() - state.started, 3),
    }
    return web.json_response(body, status=200 if database_ok and cache_ok else 503)


async def metrics(request: web.Request) -> web.Response:
    response = web.Response(body=services(request).metrics.exposition())
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response
