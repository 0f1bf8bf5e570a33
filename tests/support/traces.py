"""Build traces shaped like the demo service's under slocheck-load: a client root span, a server span, children."""

from __future__ import annotations

from datetime import datetime

from tests.support.fake_jaeger import FakeSpan

SERVICE = "paracle-api"
AGENT_RUN = "POST /api/v1/agents/run"


def request_trace(
    number: int,
    start: datetime,
    seconds: float,
    *,
    operation: str = AGENT_RUN,
    error: bool = False,
    child_error: bool = False,
    run_id: str | None = None,
    service: str = SERVICE,
) -> list[FakeSpan]:
    """Trace `number`: slocheck-load's CLIENT span → the service's SERVER span (`seconds` long) → DB and LLM."""
    trace_id, begin, duration = f"{number:032x}", int(start.timestamp() * 1e9), int(seconds * 1e9)
    run = {"slocheck.run_id": run_id} if run_id else {}
    method, _, route = operation.partition(" ")
    ids = [f"{number:08x}{part:08x}" for part in range(1, 5)]

    def span(index: int, parent: int | None, who: str, name: str, kind: str, times: tuple[int, int],
             failed: bool, attributes: dict[str, object]) -> FakeSpan:  # fmt: skip
        parent_id = ids[parent] if parent is not None else None
        return FakeSpan(trace_id, ids[index], parent_id, who, name, kind, *times, failed, attributes)

    client = span(0, None, "slocheck-load", operation, "client", (begin - 1000, duration + 2000), error,
                  {"http.request.method": method, **run})  # fmt: skip
    client.resource = dict(run)
    status = 500 if error else 200
    return [
        client,
        span(1, 0, service, operation, "server", (begin, duration), error,
             {"http.route": route, "http.response.status_code": status}),
        span(2, 1, service, "SELECT agents", "client", (begin + 1000, duration // 10), False,
             {"db.system.name": "postgresql"}),
        span(3, 1, service, "chat gpt-4o-mini", "client", (begin + duration // 5, duration // 2), child_error,
             {"gen_ai.system": "openai"}),
    ]  # fmt: skip
