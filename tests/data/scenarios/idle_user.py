"""A scenario whose users never send a request (they only wait)."""

from locust import FastHttpUser, constant, task


class IdleUser(FastHttpUser):
    wait_time = constant(1)

    @task
    def nothing(self):
        pass
