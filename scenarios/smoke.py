"""A tiny smoke load: the health probe and the agent list (after a login), to check that the target answers.

slocheck run --scenario scenarios/smoke.py --profile smoke --host http://127.0.0.1:8000 ...
"""

from __future__ import annotations

import os

from locust import FastHttpUser, between, task


class SmokeUser(FastHttpUser):
    wait_time = between(0.5, 1.0)

    def on_start(self) -> None:
        credentials = {
            "username": os.environ.get("SLOCHECK_LOAD_USERNAME", "loadtest"),
            "password": os.environ.get("SLOCHECK_LOAD_PASSWORD", "loadtest"),
        }
        self.headers: dict[str, str] = {}
        with self.client.post("/api/v1/auth/token", json=credentials, catch_response=True) as response:
            token = response.json().get("access_token") if response.status_code == 200 else None
            if token:
                self.headers = {"Authorization": f"Bearer {token}"}
            else:
                response.failure(f"login failed: HTTP {response.status_code}")

    @task(1)
    def health(self) -> None:
        self.client.get("/health")

    @task(3)
    def list_agents(self) -> None:
        self.client.get("/api/v1/agents", headers=self.headers)
