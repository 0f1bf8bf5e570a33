"""Half the requests succeed (`/`), half fail (`/fail` answers 500)."""

from locust import FastHttpUser, constant, task


class HalfFailingUser(FastHttpUser):
    wait_time = constant(0.05)

    @task
    def home(self):
        self.client.get("/", name="/")

    @task
    def fail(self):
        self.client.get("/fail", name="/fail")
