"""`pip install slocheck` brings only what the gate needs: the wheel built from this checkout requires none of the
demo's libraries (aiohttp, asyncpg, redis, prometheus-client), OpenTelemetry only through the `trace` extra, and
ships no demo code. Builds the wheel once with pip (its build backend comes from the configured package index)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_ONLY = {"aiohttp", "asyncpg", "redis", "prometheus-client", "pydantic-settings"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gate's wheel, built from a copy of pyproject.toml, README.md and src/ (no build/ left in the checkout)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO_ROOT / name, source / name)
    shutil.copytree(REPO_ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(source), "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("slocheck-*.whl")
    return found


def requirements(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        headers = Parser().parsestr(archive.read(metadata).decode("utf-8"))
    return [Requirement(line) for line in headers.get_all("Requires-Dist") or []]


def extra_of(requirement: Requirement) -> str | None:
    """`x; extra == "trace"` → "trace"; None for a requirement every install gets."""
    if requirement.marker is None:
        return None
    for extra in ("trace", "test"):
        if requirement.marker.evaluate({"extra": extra}) and not requirement.marker.evaluate({"extra": ""}):
            return extra
    return None


def test_the_wheel_requires_none_of_the_demos_libraries(wheel: Path) -> None:
    names = {canonicalize_name(r.name) for r in requirements(wheel)}
    assert names & DEMO_ONLY == set()


def test_opentelemetry_comes_only_with_the_trace_extra(wheel: Path) -> None:
    otel = {canonicalize_name(r.name): extra_of(r) for r in requirements(wheel) if r.name.startswith("opentelemetry")}
    assert otel == {"opentelemetry-sdk": "trace", "opentelemetry-proto": "trace"}  # what load/ imports


def imported_by_the_gate() -> set[str]:
    """Top-level names the gate's modules import (absolute imports, anywhere in a module)."""
    names: set[str] = set()
    for path in (REPO_ROOT / "src" / "slocheck").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_every_dependency_of_the_wheel_is_imported_by_the_gate(wheel: Path) -> None:
    providers: dict[str, set[str]] = {}  # distribution → the top-level import names it installs
    for module, distributions in packages_distributions().items():
        for distribution in distributions:
            providers.setdefault(canonicalize_name(distribution), set()).add(module)
    imported = imported_by_the_gate()
    unused = [
        str(r)
        for r in requirements(wheel)
        if extra_of(r) != "test" and not providers.get(canonicalize_name(r.name), set()) & imported
    ]
    assert unused == []


def test_the_wheel_ships_no_demo_code(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert [n for n in names if n.startswith(("slocheck/demo/", "slocheck_demo/"))] == []
    assert "slocheck/cli/plugins.py" in names
