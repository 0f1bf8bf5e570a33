"""One slow request per task (the counting server's /slow waits its delay)."""

from locust import HttpUser, constant, task


class Slow(HttpUser):
    wait_time = constant(0)

    @task
    def slow(self) -> None:
        self.client.get("/slow")
