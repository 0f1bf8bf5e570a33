"""Load for the ground-truth target: GET /work as fast as the users can."""

from __future__ import annotations

from locust import FastHttpUser, constant, task


class TruthUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def work(self) -> None:
        self.client.get("/work", name="/work")
