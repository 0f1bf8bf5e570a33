"""The driver benchmark's scenario: FastHttpUser users that GET / as fast as they can (no wait time).

The same file runs under `locust --headless` and `slocheck run`, so the two are compared on identical work.
"""

from locust import FastHttpUser, constant, task


class StaticUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def index(self) -> None:
        self.client.get("/")
