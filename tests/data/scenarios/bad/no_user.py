"""A Python file that imports Locust but defines no User class."""

from locust import between

WAIT = between(1, 2)


def helper():
    return WAIT
