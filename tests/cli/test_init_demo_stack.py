"""`slocheck init` against the whole demo stack: service, postgres_exporter and redis_exporter, one Prometheus."""

from __future__ import annotations

from pathlib import Path

import pytest

from slocheck.__main__ import main
from slocheck.core.spec.loader import load_slo_files
from slocheck_demo.stack import StackUrls

pytestmark = pytest.mark.integration


def test_init_over_every_job_finds_the_service_and_the_datastores_and_validates_online(
    demo_stack: StackUrls, tmp_path: Path
) -> None:
    out = tmp_path / "stack.yaml"
    assert main(["init", "--prometheus-url", demo_stack.prometheus, "-o", str(out)]) == 0
    (slo_set,) = load_slo_files([out])
    names = {o.name for o in slo_set.objectives}
    assert {"http-throughput", "db-pool-utilisation", "redis-memory", "redis-up"} <= names
    assert main(["validate", "--online", str(out), "--prometheus-url", demo_stack.prometheus]) == 0
