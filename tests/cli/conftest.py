"""Fixtures of the CLI tests: the fault suite's fake Prometheus, target and working directory, reused."""

from tests.faults.conftest import collect_garbage, fake_prometheus, target, work

__all__ = ["collect_garbage", "fake_prometheus", "target", "work"]
