"""Every request fails: the counting server answers 500 on /fail."""

from locust import FastHttpUser, constant, task


class FailingUser(FastHttpUser):
    wait_time = constant(0.05)

    @task
    def fail(self):
        self.client.get("/fail", name="/fail")
