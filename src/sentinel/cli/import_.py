"""``sentinel import``: write the configuration of what an account already has."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from sentinel.aws.places import PlaceError
from sentinel.aws.session import SessionFactory
from sentinel.cli.fanout import account_option, fanned_out, place_context
from sentinel.cli.options import Workspace, common_options
from sentinel.importer.estate import KINDS, Selection
from sentinel.importer.render import render_import
from sentinel.importer.run import import_config
from sentinel.importer.writer import existing_project


def _kinds(value: str | None) -> frozenset[str]:
    if not value:
        return frozenset(KINDS)
    chosen = [k.strip() for k in value.split(",") if k.strip()]
    unknown = [k for k in chosen if k not in KINDS]
    if unknown:
        raise click.BadParameter(f"unknown kind {unknown[0]!r}; kinds: {', '.join(KINDS)}")
    return frozenset(chosen)


def _account_factory(ws: Workspace, accounts: tuple[str, ...]) -> SessionFactory:
    """The factory of the one account --account names, through its role."""
    several = fanned_out(ws, accounts)
    assert several is not None  # --account on a project of one account is refused
    config, places = several
    if len({place.account_id for place in places.places}) != 1:
        raise PlaceError("import reads one account: name one with --account")
    return place_context(ws, config, places.places[0]).factory


def _tag(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    key, found, tag_value = value.partition("=")
    if not found or not key:
        raise click.BadParameter(f"{value!r}: expected KEY=VALUE")
    return key, tag_value


@click.command("import")
@common_options
@click.option(
    "--kinds", default=None, help=f"Comma-separated kinds (default: all): {','.join(KINDS)}."
)
@click.option("--prefix", default="", help="Only resources whose names start with this.")
@click.option("--tag", default=None, help="Only resources with this tag, KEY=VALUE.")
@click.option("--project", default=None, help="Project name when DIR has no sentinel.yaml.")
@click.option("--force", is_flag=True, help="Write into a directory that is not empty.")
@account_option
def import_command(
    ws: Workspace,
    kinds: str | None,
    prefix: str,
    tag: str | None,
    project: str | None,
    force: bool,
    accounts: tuple[str, ...],
) -> None:
    """Write the configuration of the account's alarms, dashboards, topics and budgets.

    Reads in pages and writes into -C DIR: severities from the topics, alarms per severity
    (those differing only by resource as for_each templates), composites, dashboards, budgets.
    Every resource keeps its AWS name; secrets in subscription endpoints become env:
    references, named in the output. What cannot be represented, or another Sentinel project
    manages, is listed. `sentinel plan -C DIR` then shows adoptions only, which apply tags.
    Writes nothing to AWS; refuses a non-empty DIR unless --force.

    With --account NAME|ID, reads that account of DIR's sentinel.yaml, through its `role:`.
    """
    selection = Selection(kinds=_kinds(kinds), prefix=prefix, tag=_tag(tag))
    existing = existing_project(ws.config_dir) if ws.config_dir.is_dir() else None
    regions = (existing or {}).get("regions") or []
    region = ws.region or (regions[0] if regions else None) or ws.factory.region
    factory = _account_factory(ws, accounts) if accounts else ws.factory
    factory.region = region
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=ws.err,
        transient=True,
    ) as bar:
        task = bar.add_task("Reading AWS...", total=None)

        def progress(what: str, count: int) -> None:
            bar.update(task, description=f"Reading AWS: {count} {what}")

        result = import_config(
            factory, Path(ws.config_dir), region, selection, project, force, progress
        )
    render_import(result, ws.console)
