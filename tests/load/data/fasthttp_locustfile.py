from locust import FastHttpUser, constant, task


class FastUser(FastHttpUser):
    wait_time = constant(0.05)

    @task
    def home(self):
        self.client.get("/fast", name="/fast")
