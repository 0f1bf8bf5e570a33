import locust  # noqa: F401, I001 - first: gevent must patch before anything imports requests/urllib3

from pathlib import Path

import pytest

from slocheck.core.errors import LoadError
from slocheck.load.scenario import load_scenario

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_third_party_locustfile_with_httpuser_loads_unchanged(data_dir: Path) -> None:
    scenario = load_scenario(data_dir / "thirdparty_locustfile.py")
    assert [u.__name__ for u in scenario.user_classes] == ["ShopUser"]
    assert scenario.shape_class is None


def test_a_fasthttpuser_file_loads(data_dir: Path) -> None:
    scenario = load_scenario(data_dir / "fasthttp_locustfile.py")
    assert [u.__name__ for u in scenario.user_classes] == ["FastUser"]


def test_a_file_with_its_own_load_test_shape_exposes_the_shape(data_dir: Path) -> None:
    scenario = load_scenario(data_dir / "shaped_locustfile.py")
    assert scenario.shape_class is not None
    assert scenario.shape_class.__name__ == "TwoSteps"


def test_the_bundled_scenarios_load(data_dir: Path) -> None:
    platform = load_scenario(REPO / "scenarios" / "agent_platform.py")
    smoke = load_scenario(REPO / "scenarios" / "smoke.py")
    assert [u.__name__ for u in platform.user_classes] == ["AgentPlatformUser"]
    assert [u.__name__ for u in smoke.user_classes] == ["SmokeUser"]


def test_the_same_file_is_imported_only_once_per_process(data_dir: Path) -> None:
    first = load_scenario(data_dir / "fasthttp_locustfile.py")
    second = load_scenario(data_dir / "fasthttp_locustfile.py")
    assert first is second


def test_imported_abstract_user_classes_are_not_users(tmp_path: Path) -> None:
    path = write(tmp_path, "only_imports.py", "from locust import HttpUser, FastHttpUser, User\n")
    with pytest.raises(LoadError, match="no User class found; define a class inheriting HttpUser or FastHttpUser"):
        load_scenario(path)


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.py", "from locust import HttpUser\n\nclass U(HttpUser:\n    pass\n")
    with pytest.raises(LoadError) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(f"{path}:3: syntax error")
    assert "\n" not in str(caught.value)


def test_an_exception_at_import_names_type_message_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "raising.py", "import os\n\nraise RuntimeError('no config\\nfound')\n")
    with pytest.raises(LoadError) as caught:
        load_scenario(path)
    assert str(caught.value) == f"{path}:3: importing the scenario raised RuntimeError: no config found"


def test_a_missing_import_in_the_scenario_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "missing_module.py", "\nimport not_a_real_module_xyz\n")
    with pytest.raises(LoadError, match=r"missing_module.py:2: importing the scenario raised ModuleNotFoundError"):
        load_scenario(path)


def test_a_missing_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"nope\.py: scenario file does not exist"):
        load_scenario(tmp_path / "nope.py")


def test_a_file_without_user_classes_is_a_load_error(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.py", "X = 1\n")
    with pytest.raises(LoadError) as caught:
        load_scenario(path)
    assert str(caught.value) == f"{path}: no User class found; define a class inheriting HttpUser or FastHttpUser"


def test_helper_modules_beside_the_scenario_can_be_imported(tmp_path: Path) -> None:
    write(tmp_path, "scenario_helpers_abc.py", "PATH = '/from-helper'\n")
    path = write(
        tmp_path,
        "uses_helper.py",
        (
            "from locust import HttpUser, task\nfrom scenario_helpers_abc import PATH\n\n"
            "class U(HttpUser):\n    @task\n    def t(self):\n        self.client.get(PATH)\n"
        ),
    )
    assert [u.__name__ for u in load_scenario(path).user_classes] == ["U"]
