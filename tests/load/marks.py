"""Marks for the tests that drive load.

Warnings from Locust's HTTP stack, not from slocheck, ignored in the tests that drive load:
- a user killed while it waits still holds its last response, whose socket the garbage collector frees later
  (slocheck closes every user's client after the run; see `collect_load_garbage` in conftest.py).
"""

import pytest

LOAD_WARNINGS = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]
