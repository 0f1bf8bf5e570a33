"""A trivial scenario: every user asks the target for `/` about twenty times a second."""

from locust import FastHttpUser, constant, task


class QuickUser(FastHttpUser):
    wait_time = constant(0.05)

    @task
    def home(self):
        self.client.get("/", name="/")
