"""CLI commands for Grafana: `annotate start|stop` and `dashboards provision|generate`.

`annotate` serves pipelines that drive load with other tools (k6, JMeter, Gatling): open a region before the
load, close it after, tag it with the verdict. Heavy imports (requests, the Grafana adapter) happen inside the
commands so `slocheck validate` stays fast and `import locust` can still come first in a load process.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from slocheck.cli import options
from slocheck.cli.app import app
from slocheck.cli.options import (
    CaBundleOption,
    ConfigOption,
    DebugOption,
    GrafanaUrlOption,
    InsecureOption,
    SloFiles,
    VarOption,
)
from slocheck.config.settings import GrafanaSettings, load_settings
from slocheck.core.errors import EXIT_INCONCLUSIVE, ConfigError

if TYPE_CHECKING:
    from slocheck.grafana.client import GrafanaBackend

VERDICTS = ("pass", "warn", "fail", "inconclusive")
DEFAULT_DASHBOARDS = Path("dashboards")

annotate_app = typer.Typer(
    help="Grafana run annotations for load driven by other tools (k6, JMeter, Gatling).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
dashboards_app = typer.Typer(
    help="Grafana dashboards: upload dashboards/*.json, or generate one from SLO files.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(annotate_app, name="annotate")
app.add_typer(dashboards_app, name="dashboards")


def grafana_settings(
    config: Path | None, grafana_url: str | None, ca_bundle: Path | None = None, insecure: bool = False
) -> GrafanaSettings:
    """backends.grafana from slocheck.yaml, SLOCHECK_GRAFANA_* and these flags; the URL is required here."""
    overrides: dict[tuple[str, str], object] = {("grafana", "url"): grafana_url}
    if ca_bundle is not None:
        overrides[("grafana", "ca_bundle")] = str(ca_bundle)
    if insecure:
        overrides[("grafana", "insecure")] = True
    settings = load_settings(config, cli_overrides=overrides).backends.grafana
    if not settings.url:
        raise ConfigError(
            "no Grafana URL: pass --grafana-url, set SLOCHECK_GRAFANA_URL, or add backends.grafana.url to slocheck.yaml"
        )
    return settings


def _backend(settings: GrafanaSettings) -> GrafanaBackend:
    from slocheck.grafana.client import GrafanaBackend

    return GrafanaBackend(settings)


def _unique(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))


@annotate_app.command("start")
def annotate_start(
    text: Annotated[str, typer.Option("--text", help="What the annotation says (e.g. 'k6 soak test, build 1234').")],
    tag: Annotated[list[str], typer.Option("--tag", help="A tag (repeatable); 'slocheck' is added.")] = [],  # noqa: B006
    dashboard_uid: Annotated[
        str | None,
        typer.Option(
            "--dashboard-uid", help="Pin it to one dashboard (default: backends.grafana.dashboard_uid, else org-wide)."
        ),
    ] = None,
    panel_id: Annotated[int | None, typer.Option("--panel-id", help="Pin it to one panel of that dashboard.")] = None,
    config: ConfigOption = None,
    grafana_url: GrafanaUrlOption = None,
    ca_bundle: CaBundleOption = None,
    insecure: InsecureOption = False,
    debug: DebugOption = False,
) -> int:
    """Open a region annotation starting now; prints its id (only) on stdout."""
    from slocheck.grafana.annotator import BASE_TAG
    from slocheck.grafana.types import NewAnnotation

    if not text.strip():
        raise ConfigError("--text must not be empty (Grafana refuses an annotation without text)")
    settings = grafana_settings(config, grafana_url, ca_bundle, insecure)
    if dashboard_uid is None and settings.dashboard_uid:  # backends.grafana.dashboard_uid / panel_id, like `run`
        dashboard_uid, panel_id = settings.dashboard_uid, panel_id if panel_id is not None else settings.panel_id
    if panel_id is not None and dashboard_uid is None:
        raise ConfigError("--panel-id needs --dashboard-uid (a panel belongs to a dashboard)")
    api = _backend(settings)
    try:
        annotation_id = api.create_annotation(
            NewAnnotation(
                time=options.clock(),
                text=text,
                tags=tuple(_unique([BASE_TAG, *tag])),
                dashboard_uid=dashboard_uid,
                panel_id=panel_id,
            )
        )
    finally:
        api.close()
    typer.echo(str(annotation_id))
    return 0


@annotate_app.command("stop")
def annotate_stop(
    annotation_id: Annotated[int, typer.Argument(help="The id `slocheck annotate start` printed.")],
    verdict: Annotated[
        str | None, typer.Option("--verdict", help="Tag the run verdict:<pass|warn|fail|inconclusive>.")
    ] = None,
    text: Annotated[str | None, typer.Option("--text", help="A line appended to the annotation's text.")] = None,
    config: ConfigOption = None,
    grafana_url: GrafanaUrlOption = None,
    ca_bundle: CaBundleOption = None,
    insecure: InsecureOption = False,
    debug: DebugOption = False,
) -> int:
    """Close a region annotation now, keeping its tags (and adding the verdict tag)."""
    from slocheck.grafana.annotator import with_verdict

    if verdict is not None and verdict.lower() not in VERDICTS:
        raise ConfigError(f'--verdict "{verdict}": choose one of {", ".join(VERDICTS)}')
    settings = grafana_settings(config, grafana_url, ca_bundle, insecure)
    api = _backend(settings)
    try:
        existing = api.get_annotation(annotation_id)
        tags = with_verdict(existing.tags, verdict) if verdict else list(existing.tags)
        lines = [existing.text]
        if verdict:
            lines.append(f"verdict {verdict.upper()}")
        if text:
            lines.append(text)
        new_text = "\n".join(lines) if len(lines) > 1 else None
        end = options.clock()
        api.patch_annotation(annotation_id, tags=tags, text=new_text, time_end=end)
    finally:
        api.close()
    options.stderr_console().print(
        f"annotation {annotation_id} closed at {end.isoformat(timespec='seconds')}; tags: {', '.join(tags)}",
        markup=False,
    )
    return 0


@dashboards_app.command("provision")
def dashboards_provision(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Dashboard JSON files or directories (default: dashboards/).")
    ] = None,
    folder: Annotated[
        str | None, typer.Option("--folder", help="Folder title (created when missing; default: General).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Compare with Grafana and report; change nothing.")
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace concurrent edits, same-title and plugin dashboards.")
    ] = False,
    config: ConfigOption = None,
    grafana_url: GrafanaUrlOption = None,
    ca_bundle: CaBundleOption = None,
    insecure: InsecureOption = False,
    debug: DebugOption = False,
) -> int:
    """Upload dashboards idempotently by uid; reports created / updated / unchanged per file."""
    from slocheck.grafana.dashboards.files import expand_paths, load_dashboard_files
    from slocheck.grafana.dashboards.provision import Action, Outcome, provision, resolve_folder

    sources = list(paths or [DEFAULT_DASHBOARDS])
    files = load_dashboard_files(expand_paths(sources))
    if not files:
        raise ConfigError(f"no dashboard files (*.json) in {', '.join(map(str, sources))}")
    settings = grafana_settings(config, grafana_url, ca_bundle, insecure)
    out, err = options.stdout_console(), options.stderr_console()
    width = max(len(str(f.path)) for f in files)
    for file in files:
        if file.derived_uid:
            out.print(f'{file.path}: no uid; using "{file.uid}", derived from the title "{file.title}"', markup=False)

    def report(outcome: Outcome) -> None:
        if outcome.action is Action.FAILED:
            err.print(f"error: {outcome.file.path}: {outcome.detail}", markup=False)
            return
        facts = [f"uid {outcome.file.uid}"]
        if outcome.version is not None:
            facts.append(f"version {outcome.version}")
        if outcome.detail:
            facts.append(outcome.detail)
        link = f"  {api.url}{outcome.url}" if outcome.url else ""
        out.print(f"{outcome.action.value:<12}  {outcome.file.path!s:<{width}}  {', '.join(facts)}{link}", markup=False)

    api = _backend(settings)
    try:
        target = resolve_folder(api, folder, dry_run=dry_run)
        if target.created:
            out.print(f'created folder "{target.title}" (uid {target.uid})', markup=False)
        elif not target.exists:
            out.print(f'would create folder "{target.title}"', markup=False)
        outcomes = provision(api, files, target, dry_run=dry_run, overwrite=overwrite, on_outcome=report)
    finally:
        api.close()
    failed = sum(1 for o in outcomes if o.action is Action.FAILED)
    if failed:
        err.print(f"{failed} of {len(outcomes)} dashboard(s) were not provisioned", markup=False)
        return EXIT_INCONCLUSIVE
    return 0


@dashboards_app.command("generate")
def dashboards_generate(
    files: SloFiles,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the dashboard JSON ('-' = stdout).")],
    title: Annotated[str | None, typer.Option("--title", help="Dashboard title (default: SLOs: <set names>).")] = None,
    uid: Annotated[str | None, typer.Option("--uid", help="Dashboard uid (default: from the SLO set names).")] = None,
    var: VarOption = [],  # noqa: B006
    debug: DebugOption = False,
) -> int:
    """A dashboard with one panel per Prometheus/Loki objective, its bars as thresholds, and the run annotations."""
    import json

    from slocheck.app.backends import parse_vars
    from slocheck.app.files import write_atomic
    from slocheck.core.spec.loader import load_slo_files
    from slocheck.grafana.dashboards.files import MAX_UID_LENGTH
    from slocheck.grafana.dashboards.generate import generate_dashboard

    if uid is not None and not 0 < len(uid) <= MAX_UID_LENGTH:
        raise ConfigError(f'--uid "{uid}": must be 1 to {MAX_UID_LENGTH} characters')
    sets = load_slo_files(files, parse_vars(var))
    dashboard = generate_dashboard(sets, title=title, uid=uid)
    text = json.dumps(dashboard, indent=2, ensure_ascii=False) + "\n"
    panels = sum(1 for p in dashboard["panels"] if p["type"] != "row")
    if str(output) == "-":
        typer.echo(text, nl=False)
    else:
        try:
            write_atomic(output, text)
        except OSError as exc:
            raise ConfigError(f"{output}: cannot write the dashboard ({exc.strerror or exc})") from None
    options.stderr_console().print(
        f'dashboard "{dashboard["title"]}" (uid {dashboard["uid"]}): {panels} panel(s) → {output}', markup=False
    )
    return 0
