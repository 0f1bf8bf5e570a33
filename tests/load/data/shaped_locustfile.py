from locust import HttpUser, LoadTestShape, constant, task


class PlainUser(HttpUser):
    wait_time = constant(0.1)

    @task
    def home(self):
        self.client.get("/")


class TwoSteps(LoadTestShape):
    """2 users for 1 s, then 4 users for 1 s, then stop."""

    def tick(self):
        elapsed = self.get_run_time()
        if elapsed < 1:
            return 2, 10
        if elapsed < 2:
            return 4, 10
        return None
