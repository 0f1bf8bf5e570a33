"""A locustfile as people write them for plain `locust -f`: HttpUser, weights, on_start, catch_response,
a TaskSet and event listeners on the global `events`. slocheck must run it unchanged."""

from locust import HttpUser, TaskSet, between, events, task

STARTS = []


@events.test_start.add_listener
def remember_start(environment, **_kwargs):
    STARTS.append(environment)


class Browse(TaskSet):
    @task
    def items(self):
        self.client.get("/items")
        self.interrupt()


class ShopUser(HttpUser):
    wait_time = between(0.05, 0.1)

    def on_start(self):
        self.client.post("/api/v1/auth/token", json={"username": "u", "password": "p"})

    @task(5)
    def home(self):
        self.client.get("/")

    @task(2)
    def checked(self):
        with self.client.get("/check", catch_response=True) as response:
            if response.json().get("status") != "success":
                response.failure("unexpected body")

    @task(1)
    def broken(self):
        self.client.get("/fail")

    tasks = {Browse: 1}  # noqa: RUF012 - written as third-party locustfiles are
