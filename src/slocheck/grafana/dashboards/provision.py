"""Upload dashboard files to Grafana, idempotently by uid: unchanged / created / updated per file.

"Unchanged" means Grafana already holds the same JSON (ignoring `id` and `version`, which Grafana rewrites on
every save) in the same folder; nothing is sent then. An update sends the version Grafana reported, so a change
someone makes between our read and our write is refused (412) instead of silently overwritten — unless
`overwrite` is set.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from slocheck.core.errors import BackendUnavailable, QueryError
from slocheck.grafana.dashboards.files import DashboardFile, comparable
from slocheck.grafana.types import GENERAL_FOLDER, DashboardRejected, GrafanaAPI, StoredDashboard

SAVE_MESSAGE = "provisioned by slocheck"


class Action(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    WOULD_CREATE = "would create"
    WOULD_UPDATE = "would update"
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    file: DashboardFile
    action: Action
    detail: str = ""
    version: int | None = None
    url: str = ""


@dataclass(frozen=True)
class Target:
    """Where the dashboards go: a folder uid ("" is General) and its title, for messages."""

    uid: str
    title: str
    created: bool = False
    exists: bool = True


def resolve_folder(api: GrafanaAPI, title: str | None, *, dry_run: bool) -> Target:
    """The folder called `title` (created when missing, unless dry-run); None is the General folder."""
    if title is None:
        return Target(GENERAL_FOLDER, "General")
    folders = api.folders()
    found = next((f for f in folders if f.title == title), None) or next(
        (f for f in folders if f.title.casefold() == title.casefold()), None
    )
    if found is not None:
        return Target(found.uid, found.title)
    if dry_run:
        return Target("", title, exists=False)
    folder = api.create_folder(title)
    return Target(folder.uid, folder.title or title, created=True)


def provision(
    api: GrafanaAPI,
    files: Sequence[DashboardFile],
    target: Target,
    *,
    dry_run: bool = False,
    overwrite: bool = False,
    on_outcome: Callable[[Outcome], None] = lambda _: None,
) -> list[Outcome]:
    """Bring every file into Grafana; a file Grafana rejects is reported and the others still go through.

    BackendUnavailable (Grafana down) stops everything: no point trying the next file."""
    outcomes = []
    for file in files:
        outcome = _provision_one(api, file, target, dry_run=dry_run, overwrite=overwrite)
        on_outcome(outcome)
        outcomes.append(outcome)
    return outcomes


def _provision_one(api: GrafanaAPI, file: DashboardFile, target: Target, *, dry_run: bool, overwrite: bool) -> Outcome:
    try:
        existing = api.get_dashboard(file.uid)
    except BackendUnavailable:
        raise
    except QueryError as exc:
        return Outcome(file, Action.FAILED, exc.detail)
    if existing is not None and _same(existing, file, target):
        return Outcome(file, Action.UNCHANGED, version=existing.version, url=existing.url)
    if existing is not None and existing.provisioned and not overwrite:
        return Outcome(
            file,
            Action.FAILED,
            f'dashboard uid "{file.uid}" is provisioned from files inside Grafana and differs from this file; '
            "change it in Grafana's provisioning directory instead",
        )
    if dry_run:
        if existing is None:
            return Outcome(file, Action.WOULD_CREATE, _where(existing, target))
        detail = f"from version {existing.version}{_where(existing, target)}"
        return Outcome(file, Action.WOULD_UPDATE, detail, version=existing.version, url=existing.url)
    payload = dict(file.dashboard)
    payload["id"] = None  # ids are per Grafana instance; the uid identifies the dashboard
    if existing is None:
        payload.pop("version", None)
    else:
        payload["version"] = existing.version
    try:
        saved = api.save_dashboard(payload, folder_uid=target.uid, overwrite=overwrite, message=SAVE_MESSAGE)
    except DashboardRejected as exc:
        return Outcome(file, Action.FAILED, explain_rejection(exc, file, target))
    except BackendUnavailable:
        raise
    except QueryError as exc:
        return Outcome(file, Action.FAILED, exc.detail)
    if existing is None:
        return Outcome(file, Action.CREATED, _where(None, target), version=saved.version, url=saved.url)
    detail = f"version {existing.version} → {saved.version}{_where(existing, target)}"
    return Outcome(file, Action.UPDATED, detail, version=saved.version, url=saved.url)


def _same(existing: StoredDashboard, file: DashboardFile, target: Target) -> bool:
    return existing.folder_uid == target.uid and comparable(existing.dashboard) == comparable(file.dashboard)


def _where(existing: StoredDashboard | None, target: Target) -> str:
    if existing is None:
        return f"in {target.title}" + ("" if target.exists else " (a new folder)")
    if existing.folder_uid != target.uid:
        return f"; moves from {existing.folder_title} to {target.title}"
    return ""


def explain_rejection(exc: DashboardRejected, file: DashboardFile, target: Target) -> str:
    """One line for each 412 Grafana gives on a dashboard save, with what to do."""
    if exc.status == "version-mismatch":
        return (
            f'Grafana refused the save (412 version-mismatch): dashboard uid "{file.uid}" was changed by someone '
            "else meanwhile; rerun to pick up their version, or pass --overwrite to replace their changes"
        )
    if exc.status == "name-exists":
        return (
            f'Grafana refused the save (412 name-exists): another dashboard titled "{file.title}" is already in '
            f'folder "{target.title}"; rename one of them, or pass --overwrite to replace it'
        )
    if exc.status == "plugin-dashboard":
        return (
            f'Grafana refused the save (412 plugin-dashboard): uid "{file.uid}" belongs to a plugin '
            f"({exc.detail}); give this file another uid, or pass --overwrite to replace the plugin's dashboard"
        )
    return f"Grafana refused the save ({exc.detail}); pass --overwrite to force it"
