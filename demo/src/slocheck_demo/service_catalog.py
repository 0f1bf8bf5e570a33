"""The demo platform's seed data: the agents and workflows every store starts with.

Both stores (PostgreSQL and the in-process stand-in) load these at start-up, so the API answers the same
content whichever backs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Agent:
    id: str
    name: str
    description: str
    default_model: str
    tools: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "default_model": self.default_model,
            "tools": list(self.tools),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Agent:
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            description=str(data["description"]),
            default_model=str(data["default_model"]),
            tools=tuple(str(tool) for tool in data.get("tools", [])),
        )


@dataclass(frozen=True)
class Workflow:
    """Stages run one after another; the agents within a stage run concurrently."""

    id: str
    name: str
    description: str
    stages: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "stages": [list(stage) for stage in self.stages],
        }


AGENTS: tuple[Agent, ...] = (
    Agent("coder", "Coder", "Writes and edits code from a task description.", "gpt-4o-mini", ("python", "shell")),
    Agent("architect", "Architect", "Proposes designs and module boundaries.", "claude-3-5-haiku", ("diagram",)),
    Agent("tester", "Tester", "Writes tests and reports failures.", "gpt-4o-mini", ("pytest", "shell")),
    Agent("reviewer", "Reviewer", "Reviews changes for defects and style.", "claude-3-5-haiku", ("diff",)),
    Agent("documenter", "Documenter", "Writes user and API documentation.", "gpt-4o-mini", ("markdown",)),
)

WORKFLOWS: tuple[Workflow, ...] = (
    Workflow(
        "code-review",
        "Code review",
        "Review a change and check its tests.",
        (("reviewer", "tester"),),
    ),
    Workflow(
        "feature-development",
        "Feature development",
        "Design, implement, verify and document a feature.",
        # Verification and documentation both work from the code, so they run side by side.
        (("architect",), ("coder",), ("tester", "reviewer", "documenter")),
    ),
    Workflow(
        "documentation",
        "Documentation",
        "Write documentation and have it reviewed.",
        (("documenter",), ("reviewer",)),
    ),
)
