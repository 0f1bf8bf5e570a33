"""deploy/kubernetes and the gate image: valid against the Kubernetes schemas (kubernetes-validate ships them, so
this runs offline), wired together (names, ports, replicas), and every slocheck option in them exists."""

from __future__ import annotations

import fnmatch
import re
import shlex
from importlib.metadata import version
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from slocheck.__main__ import main
from slocheck.load.scenario import load_scenario
from slocheck.load.worker import _parser as worker_parser
from tests.support.paths import REPO_ROOT

from .cli_flags import options_of, unknown_flags

MANIFESTS = REPO_ROOT / "deploy" / "kubernetes"
DOCKERFILE = REPO_ROOT / "deploy" / "gate" / "Dockerfile"


def _documents() -> dict[str, dict[str, Any]]:
    """kind → document, for every manifest file (the kustomization is not a cluster resource)."""
    found = {}
    for path in sorted(MANIFESTS.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            for document in yaml.safe_load_all(path.read_text()):
                found[document["kind"]] = document
    return found


def _container(kind: str) -> dict[str, Any]:
    return _documents()[kind]["spec"]["template"]["spec"]["containers"][0]  # type: ignore[no-any-return]


def _arg(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


@pytest.mark.parametrize("kind", ["ConfigMap", "Service", "Job", "Deployment"])
def test_each_manifest_is_valid_against_the_kubernetes_schemas(kind: str) -> None:
    document = _documents()[kind]
    assert kubernetes_validate.validate(document, kubernetes_validate.latest_version(), strict=True)


def test_the_schema_check_refuses_a_wrong_field_so_the_checks_above_mean_something() -> None:
    broken = _documents()["Deployment"]
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, kubernetes_validate.latest_version(), strict=True)


def test_the_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())
    files = {p.name for p in MANIFESTS.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def test_the_master_job_exits_with_the_verdict_and_is_never_retried() -> None:
    job = _documents()["Job"]["spec"]
    assert job["backoffLimit"] == 0
    assert job["template"]["spec"]["restartPolicy"] == "Never"
    args = _container("Job")["args"]
    assert options_of(["slocheck", *args])[0] == "slocheck run"
    assert unknown_flags(["slocheck", *args]) == []


def test_the_master_waits_for_as_many_workers_as_the_deployment_runs() -> None:
    args = _container("Job")["args"]
    assert int(_arg(args, "--expect-workers")) == _documents()["Deployment"]["spec"]["replicas"]
    assert _arg(args, "--master-bind-host") == "0.0.0.0"


def test_workers_reach_the_master_through_the_headless_service_on_5557() -> None:
    service = _documents()["Service"]
    args = _container("Deployment")["args"]
    assert unknown_flags(["slocheck", *args]) == []
    parsed = worker_parser().parse_args(args[1:])
    assert service["spec"]["clusterIP"] == "None"
    assert parsed.master_host == service["metadata"]["name"]
    assert parsed.master_port == service["spec"]["ports"][0]["port"] == 5557
    master_labels = _documents()["Job"]["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= master_labels.items()


def test_the_slo_file_and_scenario_both_pods_mount_come_from_the_configmap(tmp_path: Path) -> None:
    configmap = _documents()["ConfigMap"]
    for kind in ("Job", "Deployment"):
        pod = _documents()[kind]["spec"]["template"]["spec"]
        mount = next(m for m in _container(kind)["volumeMounts"] if m["name"] == "files")
        volume = next(v for v in pod["volumes"] if v["name"] == "files")
        assert volume["configMap"]["name"] == configmap["metadata"]["name"]
        paths = [a for a in _container(kind)["args"] if a.startswith(mount["mountPath"] + "/")]
        assert paths
        assert all(p.rsplit("/", 1)[1] in configmap["data"] for p in paths)


def test_the_configmap_slo_file_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "gate.yaml"
    path.write_text(_documents()["ConfigMap"]["data"]["gate.yaml"])
    assert main(["validate", str(path)]) == 0


def test_the_configmap_scenario_loads_as_a_locust_scenario(tmp_path: Path) -> None:
    path = tmp_path / "scenario.py"
    path.write_text(_documents()["ConfigMap"]["data"]["scenario.py"])
    assert [c.__name__ for c in load_scenario(path).user_classes] == ["ApiUser"]


def _dockerignored(path: str) -> bool:
    patterns = [p for p in (REPO_ROOT / ".dockerignore").read_text().splitlines() if p and not p.startswith("#")]
    return any(fnmatch.fnmatch(path, p) or path.startswith(p.rstrip("/") + "/") for p in patterns)


def test_the_gate_image_is_built_on_the_official_locust_image_of_the_locust_slocheck_uses() -> None:
    text = DOCKERFILE.read_text()
    (base,) = re.findall(r"^FROM (\S+)", text, re.M)
    assert base == f"locustio/locust:{version('locust')}"
    assert 'ENTRYPOINT ["slocheck"]' in text


def test_the_gate_image_copies_only_what_the_build_context_sends() -> None:
    sources = [s for line in re.findall(r"^COPY (.+) \S+$", DOCKERFILE.read_text(), re.M) for s in line.split()]
    assert sources == ["pyproject.toml", "README.md", "src"]
    assert all((REPO_ROOT / s).exists() and not _dockerignored(s) for s in sources)


def test_the_kubernetes_manifests_run_the_gate_image() -> None:
    assert {_container(k)["image"].split(":")[0] for k in ("Job", "Deployment")} == {"slocheck-gate"}
    assert "-t slocheck-gate" in DOCKERFILE.read_text()


def test_every_slocheck_command_the_load_docs_show_uses_only_options_the_cli_has() -> None:
    text = (REPO_ROOT / "docs" / "load.md").read_text()
    commands = [shlex.split(c) for c in re.findall(r"`(slocheck [^`]+)`", text)]
    assert any(c[1] == "run" and "--expect-workers" in c for c in commands)
    assert [unknown_flags(c) for c in commands] == [[] for _ in commands]
