"""Commands of other packages (the demo) reach `slocheck` through the `slocheck.commands` entry points; without
the demo package, `slocheck demo` is one line saying how to get it, exit 2."""

from __future__ import annotations

import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from slocheck.__main__ import main
from slocheck.cli import plugins

REPO_ROOT = Path(__file__).resolve().parents[2]
HELLO_PLUGIN = """\
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> int:
    typer.echo(f"hello {name} from a plugin")
    return 0
"""


def install_fake_distribution(site: Path, name: str, module: str, source: str, entry_point: str) -> None:
    """A distribution as pip leaves it on sys.path: the module, and a .dist-info with METADATA and entry points."""
    (site / f"{module}.py").write_text(source, encoding="utf-8")
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[{plugins.GROUP}]\n{entry_point}\n", encoding="utf-8")


def demo_entry_points() -> list[EntryPoint]:
    """The entry points demo/pyproject.toml declares, as an installed slocheck-demo has them."""
    project = tomllib.loads((REPO_ROOT / "demo" / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["entry-points"][plugins.GROUP]
    return [EntryPoint(name, value, plugins.GROUP) for name, value in declared.items()]


def test_an_installed_packages_command_becomes_a_slocheck_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    install_fake_distribution(
        tmp_path, "hello-plugin", "hello_plugin_cli", HELLO_PLUGIN, "hello = hello_plugin_cli:app"
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    assert main(["hello", "--name", "gate"]) == 0
    assert capsys.readouterr().out == "hello gate from a plugin\n"
    assert main(["--help"]) == 0
    assert "hello" in capsys.readouterr().out.split("Commands:")[1]


def test_a_package_whose_commands_cannot_load_is_named_in_one_line_and_help_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    install_fake_distribution(tmp_path, "broken-plugin", "unused_module", "", "broken = not_installed_module:app")
    monkeypatch.syspath_prepend(str(tmp_path))

    assert main(["broken"]) == 2
    assert capsys.readouterr().err == (
        "error: `slocheck broken`: the slocheck commands of broken-plugin cannot be loaded (ModuleNotFoundError: "
        "No module named 'not_installed_module'); reinstall or uninstall that package\n"
    )
    assert main(["--help"]) == 0
    assert "validate" in capsys.readouterr().out


@pytest.mark.parametrize("command", [["demo"], ["demo", "--inject", "latency"], ["demo-service", "--port", "8000"]])
def test_without_the_demo_package_a_demo_command_says_how_to_install_it(
    command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(plugins, "discover", lambda: ())

    assert main(command) == 2
    assert capsys.readouterr().err == (
        f"error: `slocheck {command[0]}` is not installed: the demo is a separate package (slocheck-demo): install it"
        " with `pip install ./demo` from a slocheck checkout, or run `make demo`\n"
    )


def test_the_demo_packages_entry_point_adds_demo_and_demo_service(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(plugins, "discover", demo_entry_points)

    assert main(["--help"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.split("Commands:")[1].splitlines() if line.strip()]
    assert {"demo", "demo-service"} <= set(listed)
    assert main(["demo", "--inject", "nope"]) == 2
    assert capsys.readouterr().err == 'error: --inject "nope": choose one of latency, errors, llm-errors\n'


def test_demo_service_passes_its_arguments_to_the_service(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(plugins, "discover", demo_entry_points)

    with pytest.raises(SystemExit) as exited:  # argparse's --help of the service itself
        main(["demo-service", "--help"])
    assert exited.value.code == 0
    assert "--redis-url" in capsys.readouterr().out


def test_a_slocheck_command_does_not_read_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail() -> tuple[EntryPoint, ...]:
        raise AssertionError("entry points were read for a built-in command")

    monkeypatch.setattr(plugins, "discover", fail)
    assert main(["version"]) == 0
