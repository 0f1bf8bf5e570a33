"""`slocheck dashboards provision` against the fake Grafana: what Grafana ends up holding, and what is reported."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from slocheck.__main__ import main
from tests.support.fake_grafana import FakeGrafana
from tests.support.net import closed_port
from tests.support.paths import REPO_ROOT

Capture = pytest.CaptureFixture[str]


def dashboard(uid: str = "svc", title: str = "Service", **extra: Any) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "schemaVersion": 39,
        "panels": [{"id": 1, "type": "timeseries", "title": "rps", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0}}],
        **extra,
    }


def write(directory: Path, name: str, document: Any) -> Path:
    path = directory / name
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def lines(text: str) -> list[list[str]]:
    """Each output line split into its columns (runs of two or more spaces separate them)."""
    return [re.split(r"\s{2,}", line.strip()) for line in text.strip().splitlines()]


def test_a_new_dashboard_is_created_and_reported_with_its_version_and_link(
    grafana_env: FakeGrafana, clean_env: Path, capsys: Capture
) -> None:
    write(clean_env, "svc.json", dashboard())
    code = main(["dashboards", "provision", "svc.json"])
    out = capsys.readouterr().out
    stored = grafana_env.dashboards["svc"]
    assert code == 0
    assert lines(out) == [["created", "svc.json", "uid svc, version 1, in General", f"{grafana_env.url}/d/svc/service"]]
    assert stored.model["panels"] == dashboard()["panels"]
    assert stored.folder_uid == ""


def test_provisioning_the_same_file_twice_reports_unchanged_and_sends_no_write(
    grafana_env: FakeGrafana, clean_env: Path, capsys: Capture
) -> None:
    write(clean_env, "svc.json", dashboard())
    main(["dashboards", "provision", "svc.json"])
    capsys.readouterr()
    writes_before = len(grafana_env.writes())
    code = main(["dashboards", "provision", "svc.json"])
    assert code == 0
    assert lines(capsys.readouterr().out)[0][:2] == ["unchanged", "svc.json"]
    assert len(grafana_env.writes()) == writes_before
    assert grafana_env.dashboards["svc"].version == 1


def test_a_changed_file_updates_the_dashboard_to_the_next_version(
    grafana_env: FakeGrafana, clean_env: Path, capsys: Capture
) -> None:
    write(clean_env, "svc.json", dashboard())
    main(["dashboards", "provision", "svc.json"])
    write(clean_env, "svc.json", dashboard(title="Service (v2)"))
    capsys.readouterr()
    code = main(["dashboards", "provision", "svc.json"])
    assert code == 0
    assert lines(capsys.readouterr().out)[0][:3] == ["updated", "svc.json", "uid svc, version 2, version 1 → 2"]
    assert grafana_env.dashboards["svc"].model["title"] == "Service (v2)"


def test_ids_and_versions_in_the_file_do_not_count_as_changes(
    grafana_env: FakeGrafana, clean_env: Path, capsys: Capture
) -> None:
    main(["dashboards", "provision", str(write(clean_env, "svc.json", dashboard()))])
    exported = write(clean_env, "svc.json", dashboard(id=987, version=42))
    capsys.readouterr()
    main(["dashboards", "provision", str(exported)])
    assert lines(capsys.readouterr().out)[0][0] == "unchanged"


def test_the_export_envelope_is_unwrapped(grafana_env: FakeGrafana, clean_env: Path, capsys: Capture) -> None:
    envelope = {"dashboard": dashboard(uid="exported", id=7, version=3), "meta": {"folderUid": "x", "version": 3}}
    code = main(["dashboards", "provision", str(write(clean_env, "export.json", envelope))])
    assert code == 0
    stored = grafana_env.dashboards["exported"]
    assert (stored.version, stored.title, "meta" in stored.model) == (1, "Service", False)


def test_a_legacy_dashboard_with_graph_panels_is_uploaded_as_it_is(
    grafana_env: FakeGrafana, clean_env: Path, capsys: Capture
) -> None:
    legacy = {
        "uid": "legacy",
        "title": "Legacy",
        "schemaVersion": 16,
        "panels": [{"id": 1, "type": "graph", "title": "rps", "targets": [{"expr": "up", "refId": "A"}]}],
    }
    assert main(["dashboards", "provision", str(write(clean_env, "legacy.json", legacy))]) == 0
    assert grafana_env.dashboards["legacy"].model["panels"][0]["type"] == "graph"


def test_a_missing_folder_is_created_and_the_dashboard_goes_into_it(
    grafana_env: FakeGrafana, clean_env: Path, capsys: Capture
) -> None:
    code = main(["dashboards", "provision", str(write(clean_env, "svc.json", dashboard())), "--folder", "SLOs"])
    out = capsys.readouterr().out
    (folder,) = grafana_env.folders.values()
    assert code == 0
    assert folder["title"] == "SLOs"
    assert grafana_env.dashboards["svc"].folder_uid == folder["uid"]
    assert out.splitlines()[0] == f'created folder "SLOs" (uid {folder["uid"]})'


def test_an_existing_folder_is_reused(grafana_env: FakeGrafana, clean_env: Path, capsys: Capture) -> None:
    path = write(clean_env, "svc.json", dashboard())
    main(["dashboards", "provision", str(path), "--folder", "SLOs"])
    main(["dashboards", "provision", str(path), "--folder", "SLOs"])
    assert len(grafana_env.folders) == 1
    assert lines(capsys.readouterr().out)[-1][0] == "unchanged"


def test_moving_a_dashboard_to_another_folder_is_an_update(
    grafana_env: FakeGrafana, clean_env: Path, capsys: Capture
) -> None:
    path = write(clean_env, "svc.json", dashboard())
    main(["dashboards", "provision", str(path)])
    capsys.readouterr()
    main(["dashboards", "provision", str(path), "--folder", "SLOs"])
    assert lines(capsys.readouterr().out)[-1][2].endswith("; moves from General to SLOs")


def test_dry_run_reports_what_would_change_and_writes_nothing(
    grafana_env: FakeGrafana, clean_env: Path, capsys: Capture
) -> None:
    main(["dashboards", "provision", str(write(clean_env, "a.json", dashboard(uid="a")))])
    write(clean_env, "a.json", dashboard(uid="a", title="A changed"))
    write(clean_env, "b.json", dashboard(uid="b"))
    writes_before = len(grafana_env.writes())
    capsys.readouterr()
    code = main(
        [
            "dashboards",
            "provision",
            str(clean_env / "a.json"),
            str(clean_env / "b.json"),
            "--folder",
            "New",
            "--dry-run",
        ]
    )
    out = lines(capsys.readouterr().out)
    assert code == 0
    assert out[0] == ['would create folder "New"']
    assert [row[0] for row in out[1:]] == ["would update", "would create"]
    assert len(grafana_env.writes()) == writes_before
    assert grafana_env.folders == {}
    assert "b" not in grafana_env.dashboards


def test_a_dashboard_changed_by_someone_else_meanwhile_is_refused_with_a_412_explained(
    grafana_env: FakeGrafana, clean_env: Path, capsys: Capture
) -> None:
    path = write(clean_env, "svc.json", dashboard())
    main(["dashboards", "provision", str(path)])
    write(clean_env, "svc.json", dashboard(title="Mine"))
    grafana_env.edit_after_next_read("svc")
    capsys.readouterr()
    code = main(["dashboards", "provision", str(path)])
    err = capsys.readouterr().err.splitlines()
    assert code == 3
    assert err[0] == (
        f'error: {path}: Grafana refused the save (412 version-mismatch): dashboard uid "svc" was changed by '
        "someone else meanwhile; rerun to pick up their version, or pass --overwrite to replace their changes"
    )
    assert err[1] == "1 of 1 dashboard(s) were not provisioned"
    assert grafana_env.dashboards["svc"].model["description"] == "edited in the UI"


def test_overwrite_replaces_a_concurrent_edit(grafana_env: FakeGrafana, clean_env: Path, capsys: Capture) -> None:
    path = write(clean_env, "svc.json", dashboard())
    main(["dashboards", "provision", str(path)])
    write(clean_env, "svc.json", dashboard(title="Mine"))
    grafana_env.edit_after_next_read("svc")
    assert main(["dashboards", "provision", str(path), "--overwrite"]) == 0
    assert grafana_env.dashboards["svc"].model["title"] == "Mine"
    assert "description" not in grafana_env.dashboards["svc"].model


def test_a_same_title_in_the_folder_on_grafana_10_is_explained(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    from tests.support.fake_grafana import TOKEN

    with FakeGrafana(version="10.4.5") as grafana:
        grafana.add_dashboard({"uid": "theirs", "title": "Service"})
        monkeypatch.setenv("SLOCHECK_GRAFANA_URL", grafana.url)
        monkeypatch.setenv("SLOCHECK_GRAFANA_TOKEN", TOKEN)
        path = write(clean_env, "svc.json", dashboard())
        code = main(["dashboards", "provision", str(path)])
        assert code == 3
        assert capsys.readouterr().err.splitlines()[0] == (
            f'error: {path}: Grafana refused the save (412 name-exists): another dashboard titled "Service" is '
            'already in folder "General"; rename one of them, or pass --overwrite to replace it'
        )
        assert set(grafana.dashboards) == {"theirs"}


def test_a_plugin_dashboard_with_the_same_uid_is_explained(
    grafana_env: FakeGrafana, clean_env: Path, capsys: Capture
) -> None:
    grafana_env.add_dashboard({"uid": "svc", "title": "Plugin board"}, plugin_id="grafana-piechart-panel")
    path = write(clean_env, "svc.json", dashboard())
    assert main(["dashboards", "provision", str(path)]) == 3
    assert capsys.readouterr().err.splitlines()[0] == (
        f'error: {path}: Grafana refused the save (412 plugin-dashboard): uid "svc" belongs to a plugin '
        "(412 plugin-dashboard: The dashboard belongs to plugin grafana-piechart-panel.); give this file another "
        "uid, or pass --overwrite to replace the plugin's dashboard"
    )


def test_one_rejected_file_does_not_stop_the_others(grafana_env: FakeGrafana, clean_env: Path, capsys: Capture) -> None:
    grafana_env.add_dashboard({"uid": "a", "title": "Plugin board"}, plugin_id="some-app")
    a = write(clean_env, "a.json", dashboard(uid="a"))
    b = write(clean_env, "b.json", dashboard(uid="b"))
    assert main(["dashboards", "provision", str(a), str(b)]) == 3
    assert "b" in grafana_env.dashboards


def test_invalid_files_are_reported_together_and_nothing_is_sent(
    grafana_env: FakeGrafana, clean_env: Path, capsys: Capture
) -> None:
    (clean_env / "broken.json").write_text('{"uid": "x",\n  "title": }', encoding="utf-8")
    write(clean_env, "untitled.json", {"uid": "y", "panels": []})
    write(clean_env, "no-uid.json", {"title": "Z", "uid": 5})
    code = main(["dashboards", "provision", str(clean_env)])
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    assert err[:3] == [
        f"error: {clean_env / 'broken.json'}:2:12: invalid JSON: Expecting value",
        f'error: {clean_env / "no-uid.json"}: "uid" must be text (≤ 40 characters), or left out to derive one '
        "from the title",
        f'error: {clean_env / "untitled.json"}: has no "title"; Grafana refuses a dashboard without one',
    ]
    assert grafana_env.requests == []


def test_a_grafana_that_is_down_stops_provisioning_with_exit_3(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    monkeypatch.setenv("SLOCHECK_GRAFANA_URL", f"http://127.0.0.1:{closed_port()}")
    (clean_env / "slocheck.yaml").write_text("backends:\n  grafana:\n    retry_budget: 300ms\n", encoding="utf-8")
    code = main(["dashboards", "provision", str(write(clean_env, "svc.json", dashboard()))])
    err = capsys.readouterr().err
    assert code == 3
    assert re.match(r"^error: Grafana: cannot reach http://127\.0\.0\.1:\d+: Connection refused \(gave up after", err)


def test_the_repository_dashboards_are_provisioned_by_default_then_unchanged(
    grafana_env: FakeGrafana, clean_env: Path, capsys: Capture
) -> None:
    shutil.copytree(REPO_ROOT / "dashboards", clean_env / "dashboards")
    assert main(["dashboards", "provision"]) == 0
    first = lines(capsys.readouterr().out)
    assert main(["dashboards", "provision"]) == 0
    second = lines(capsys.readouterr().out)
    assert sorted(row[:2] for row in first) == [
        ["created", "dashboards/slocheck-llm.json"],
        ["created", "dashboards/slocheck-overview.json"],
    ]
    assert [row[0] for row in second] == ["unchanged", "unchanged"]
    assert set(grafana_env.dashboards) == {"slocheck-overview", "slocheck-llm"}


def test_a_dashboard_without_uid_provisions_twice_into_one_dashboard_with_a_printed_uid(
    grafana_env: FakeGrafana, clean_env: Path, capsys: Capture
) -> None:
    exported = {"dashboard": {"id": 12, "uid": None, "title": "Checkout API (prod)", "panels": []}, "meta": {}}
    path = write(clean_env, "checkout.json", exported)
    assert main(["dashboards", "provision", str(path)]) == 0
    first = capsys.readouterr().out.splitlines()
    (uid,) = grafana_env.dashboards
    assert first[0] == f'{path}: no uid; using "{uid}", derived from the title "Checkout API (prod)"'
    assert uid.startswith("checkout-api-prod-")
    exported["dashboard"]["panels"] = [{"id": 1, "type": "graph", "title": "rps"}]  # type: ignore[index]
    write(clean_env, "checkout.json", exported)
    assert main(["dashboards", "provision", str(path)]) == 0
    assert list(grafana_env.dashboards) == [uid]
    assert lines(capsys.readouterr().out)[1][:2] == ["updated", str(path)]
    assert grafana_env.dashboards[uid].model["panels"][0]["type"] == "graph"


def test_two_uid_less_dashboards_with_the_same_title_are_refused_before_anything_is_sent(
    grafana_env: FakeGrafana, clean_env: Path, capsys: Capture
) -> None:
    write(clean_env, "a.json", {"title": "Same", "panels": []})
    write(clean_env, "b.json", {"title": "Same", "panels": []})
    assert main(["dashboards", "provision", str(clean_env)]) == 2
    err = capsys.readouterr().err
    assert "(derived from its title; give one file its own uid) is also used by" in err
    assert err.splitlines()[-1] == "1 problem(s) in 1 file(s); nothing was sent to Grafana"
    assert grafana_env.requests == []
