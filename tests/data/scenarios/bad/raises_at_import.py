"""A scenario that raises while it is imported (a missing configuration value, say)."""

from locust import FastHttpUser, task

API_KEY = {"staging": "k"}["production"]


class User(FastHttpUser):
    @task
    def home(self):
        self.client.get("/")
