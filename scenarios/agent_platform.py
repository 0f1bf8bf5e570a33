"""Mixed load on the agent platform API (the bundled demo service, or any service with the same API).

Weights (share of requests, after each user's login):
    40  GET  /api/v1/agents                 list agents
    30  GET  /api/v1/agents/{id}            agent details (reported as /api/v1/agents/[id])
    20  POST /api/v1/agents/run             quick agent run on gpt-4o-mini
     8  POST /api/v1/workflows/run          workflow run
     2  GET  /api/v1/workflows              list workflows

Each user logs in on start (POST /api/v1/auth/token) and sends `Authorization: Bearer <token>`; a 401 logs it
in again. Runs count as failures unless the body says `"status": "success"`. Credentials come from
SLOCHECK_LOAD_USERNAME / SLOCHECK_LOAD_PASSWORD (default: loadtest / loadtest).

    slocheck run --scenario scenarios/agent_platform.py --profile smoke --host http://127.0.0.1:8000 ...
"""

from __future__ import annotations

import os
import random
from typing import Any, ClassVar

from locust import FastHttpUser, between, task

AGENTS = ("coder", "architect", "tester", "reviewer", "documenter")
FALLBACK_WORKFLOWS = ("code-review", "documentation")
TASKS = (
    "Write a function that parses ISO-8601 durations.",
    "Review this diff for race conditions.",
    "Outline the modules of a rate limiter service.",
    "Write unit tests for a LRU cache.",
    "Document the /api/v1/agents endpoint.",
)


class AgentPlatformUser(FastHttpUser):
    wait_time = between(0.5, 1.5)
    workflow_ids: ClassVar[list[str]] = []

    def on_start(self) -> None:
        self.token = ""
        self.login()
        if not AgentPlatformUser.workflow_ids:
            self.discover_workflows()

    def login(self) -> None:
        credentials = {
            "username": os.environ.get("SLOCHECK_LOAD_USERNAME", "loadtest"),
            "password": os.environ.get("SLOCHECK_LOAD_PASSWORD", "loadtest"),
        }
        with self.client.post("/api/v1/auth/token", json=credentials, catch_response=True) as response:
            token = _json(response).get("access_token") if response.status_code == 200 else None
            if not token:
                response.failure(f"login failed: HTTP {response.status_code}")
                return
            self.token = str(token)

    def discover_workflows(self) -> None:
        """Learn the workflow ids once per process; fall back to the demo's ids if the list is unusable."""
        with self.client.get("/api/v1/workflows", headers=self.auth(), catch_response=True) as response:
            ids = [str(w["id"]) for w in _json(response).get("workflows", []) if isinstance(w, dict) and "id" in w]
            AgentPlatformUser.workflow_ids = ids or list(FALLBACK_WORKFLOWS)
            self.check_ok(response)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def check_ok(self, response: Any) -> None:
        if response.status_code == 401:
            response.failure("HTTP 401 (token expired?): logging in again")
            self.login()
        elif response.status_code != 200:
            response.failure(f"HTTP {response.status_code}")

    def check_success(self, response: Any) -> None:
        if response.status_code != 200:
            self.check_ok(response)
            return
        status = _json(response).get("status")
        if status != "success":
            response.failure(f"status {status!r}, expected 'success'")

    @task(40)
    def list_agents(self) -> None:
        with self.client.get("/api/v1/agents", headers=self.auth(), catch_response=True) as response:
            self.check_ok(response)

    @task(30)
    def agent_details(self) -> None:
        agent_id = random.choice(AGENTS)
        with self.client.get(
            f"/api/v1/agents/{agent_id}", name="/api/v1/agents/[id]", headers=self.auth(), catch_response=True
        ) as response:
            self.check_ok(response)

    @task(20)
    def quick_agent_run(self) -> None:
        body = {
            "agent_id": random.choice(AGENTS),
            "task": random.choice(TASKS),
            "model": "gpt-4o-mini",
            "temperature": 0.2,
        }
        with self.client.post("/api/v1/agents/run", json=body, headers=self.auth(), catch_response=True) as response:
            self.check_success(response)

    @task(8)
    def workflow_run(self) -> None:
        workflow_id = random.choice(AgentPlatformUser.workflow_ids or FALLBACK_WORKFLOWS)
        body = {"workflow_id": workflow_id, "inputs": {"task": random.choice(TASKS)}}
        with self.client.post("/api/v1/workflows/run", json=body, headers=self.auth(), catch_response=True) as response:
            self.check_success(response)

    @task(2)
    def list_workflows(self) -> None:
        with self.client.get("/api/v1/workflows", headers=self.auth(), catch_response=True) as response:
            self.check_ok(response)


def _json(response: Any) -> dict[str, Any]:
    try:
        data = response.json()
    except Exception:
        return {}
    return data if isinstance(data, dict) else {}
