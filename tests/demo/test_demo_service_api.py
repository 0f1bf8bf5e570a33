"""The demo service's API, served with its in-process stand-ins."""

from __future__ import annotations

from tests.demo.helpers import DemoClient

AGENT_IDS = {"coder", "architect", "tester", "reviewer", "documenter"}


def test_a_token_request_with_username_and_password_returns_a_bearer_token(service: DemoClient) -> None:
    reply = service.request("POST", "/api/v1/auth/token", {"username": "alice", "password": "pw"})

    assert reply.status == 200
    assert reply.body["token_type"] == "bearer"
    assert len(reply.body["access_token"]) >= 32


def test_two_token_requests_return_different_tokens(service: DemoClient) -> None:
    assert service.token() != service.token()


def test_a_token_request_without_a_password_is_rejected_with_a_400_json_error(service: DemoClient) -> None:
    reply = service.request("POST", "/api/v1/auth/token", {"username": "alice"})

    assert reply.status == 400
    assert reply.body["error"]["code"] == "validation_error"


def test_a_token_request_with_a_body_that_is_not_json_is_rejected_with_400(service: DemoClient) -> None:
    reply = service.request("POST", "/api/v1/auth/token", "not json")

    assert reply.status == 400


def test_an_api_request_without_a_token_is_rejected_with_a_401_json_error(service: DemoClient) -> None:
    reply = service.request("GET", "/api/v1/agents")

    assert reply.status == 401
    assert reply.body["error"]["code"] == "unauthorized"
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_api_request_with_an_unknown_token_is_rejected_with_401(service: DemoClient) -> None:
    assert service.request("GET", "/api/v1/agents", token="not-a-token").status == 401


def test_listing_agents_returns_the_five_platform_agents(service: DemoClient, token: str) -> None:
    reply = service.request("GET", "/api/v1/agents", token=token)

    assert reply.status == 200
    assert {agent["id"] for agent in reply.body["agents"]} == AGENT_IDS


def test_getting_a_known_agent_returns_that_agent(service: DemoClient, token: str) -> None:
    reply = service.request("GET", "/api/v1/agents/reviewer", token=token)

    assert reply.status == 200
    assert reply.body["id"] == "reviewer"


def test_getting_an_unknown_agent_returns_a_404_json_error(service: DemoClient, token: str) -> None:
    reply = service.request("GET", "/api/v1/agents/astronaut", token=token)

    assert reply.status == 404
    assert reply.body["error"]["code"] == "agent_not_found"


def test_running_an_agent_returns_its_output_model_usage_and_duration(service: DemoClient, token: str) -> None:
    reply = service.run_agent(token, "coder", "openai/gpt-4o-mini")

    assert reply.status == 200
    assert reply.body["status"] == "success"
    assert reply.body["agent_id"] == "coder"
    assert reply.body["model"] == "openai/gpt-4o-mini"
    assert reply.body["output"]
    assert reply.body["usage"]["prompt_tokens"] > 0
    assert reply.body["usage"]["completion_tokens"] > 0
    assert 0 < reply.body["duration_seconds"] <= reply.seconds


def test_running_an_agent_accepts_a_model_name_without_its_provider(service: DemoClient, token: str) -> None:
    reply = service.run_agent(token, "architect", "claude-3-5-haiku")

    assert reply.body["model"] == "anthropic/claude-3-5-haiku"


def test_running_an_agent_without_a_task_is_rejected_with_422(service: DemoClient, token: str) -> None:
    reply = service.request("POST", "/api/v1/agents/run", {"agent_id": "coder", "model": "gpt-4o-mini"}, token)

    assert reply.status == 422
    assert reply.body["error"]["details"][0]["loc"] == ["task"]


def test_running_an_agent_with_an_out_of_range_temperature_is_rejected_with_422(
    service: DemoClient, token: str
) -> None:
    body = {"agent_id": "coder", "task": "t", "model": "gpt-4o-mini", "temperature": 9}

    assert service.request("POST", "/api/v1/agents/run", body, token).status == 422


def test_running_an_agent_with_an_unknown_model_is_rejected_with_422(service: DemoClient, token: str) -> None:
    reply = service.run_agent(token, "coder", "acme/gpt-99")

    assert reply.status == 422
    assert "openai/gpt-4o-mini" in reply.body["error"]["supported"]


def test_running_an_unknown_agent_returns_404(service: DemoClient, token: str) -> None:
    assert service.run_agent(token, "astronaut").status == 404


def test_listing_workflows_returns_workflows_with_their_stages(service: DemoClient, token: str) -> None:
    reply = service.request("GET", "/api/v1/workflows", token=token)

    assert reply.status == 200
    workflows = {workflow["id"]: workflow for workflow in reply.body["workflows"]}
    assert workflows["feature-development"]["stages"][0] == ["architect"]


def test_running_a_workflow_runs_every_agent_of_every_stage(service: DemoClient, token: str) -> None:
    body = {"workflow_id": "feature-development", "inputs": {"feature": "login page"}}
    reply = service.request("POST", "/api/v1/workflows/run", body, token)

    assert reply.status == 200
    assert reply.body["status"] == "success"
    assert [step["agent_id"] for step in reply.body["steps"]] == [
        "architect", "coder", "tester", "reviewer", "documenter"
    ]  # fmt: skip
    assert 0 < reply.body["execution_time_seconds"] <= reply.seconds


def test_running_an_unknown_workflow_returns_404(service: DemoClient, token: str) -> None:
    reply = service.request("POST", "/api/v1/workflows/run", {"workflow_id": "nope", "inputs": {}}, token)

    assert reply.status == 404


def test_health_says_the_database_and_cache_are_in_process_stand_ins(service: DemoClient) -> None:
    reply = service.request("GET", "/health")

    assert reply.status == 200
    assert reply.body["status"] == "ok"
    assert reply.body["database"]["backend"] == "in-process stand-in"
    assert reply.body["cache"]["backend"] == "in-process stand-in"


def test_health_needs_no_token(service: DemoClient) -> None:
    assert service.request("GET", "/health").status == 200


def test_an_unknown_path_returns_a_404_json_error(service: DemoClient) -> None:
    reply = service.request("GET", "/nowhere")

    assert reply.status == 404
    assert reply.body["error"]["code"] == "not_found"
