"""One request per task, with a long wait_time the open model must ignore (iterations follow the schedule)."""

from locust import HttpUser, constant, task


class Iterations(HttpUser):
    wait_time = constant(60)

    @task
    def one(self) -> None:
        self.client.get("/ok")
