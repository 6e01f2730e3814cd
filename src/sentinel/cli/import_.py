"""``sentinel import``: write the configuration of what an account already has."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from sentinel.aws.places import PlaceError, Places
from sentinel.cli.fanout import (
    account_option,
    failure,
    fanned_out,
    parallel_option,
    place_context,
)
from sentinel.cli.options import Workspace, common_options
from sentinel.cli.place_processes import counted_status
from sentinel.importer.estate import KINDS, Selection
from sentinel.importer.fanout import import_places, read_with
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
@parallel_option
def import_command(
    ws: Workspace,
    kinds: str | None,
    prefix: str,
    tag: str | None,
    project: str | None,
    force: bool,
    accounts: tuple[str, ...],
    parallel: int,
) -> None:
    """Write the configuration of the account's alarms, dashboards, topics and budgets.

    Reads in pages and writes into -C DIR: severities from the topics, alarms per severity
    (those differing only by resource as for_each templates), composites, dashboards, budgets.
    Every resource keeps its AWS name; secrets in subscription endpoints become env:
    references, named in the output. What cannot be represented, or another Sentinel project
    manages, is listed. `sentinel plan -C DIR` then shows adoptions only, which apply tags.
    What already carries this project's sentinel:project tag and is not written is listed as
    deleted by the next apply. Writes nothing to AWS; refuses a non-empty DIR unless --force.

    When DIR's sentinel.yaml lists accounts with a `role:` (or has `organization:`), reads
    every account and region of it, --parallel at a time, and writes one configuration: what
    is the same everywhere once, what is in some places only with `accounts:` and `regions:`;
    what differs between places is kept as the first place has it and listed for the others.
    --account NAME|ID and --region narrow the accounts and regions read.
    """
    selection = Selection(kinds=_kinds(kinds), prefix=prefix, tag=_tag(tag))
    existing = existing_project(ws.config_dir) if ws.config_dir.is_dir() else None
    regions = (existing or {}).get("regions") or []
    region = ws.region or (regions[0] if regions else None) or ws.factory.region
    factory = ws.factory
    several = fanned_out(ws, accounts)
    if several is not None:
        config, places = several
        if len(places.places) != 1 or places.problems:
            _import_places(ws, config, places, selection, force, parallel)
            return
        factory = place_context(ws, config, places.places[0]).factory
        region = places.places[0].region
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


def _import_places(
    ws: Workspace,
    config: Any,
    places: Places,
    selection: Selection,
    force: bool,
    parallel: int,
) -> None:
    """Import every (account, region) of the project into one configuration."""
    if not places.places:
        for problem in places.problems:
            ws.err.print(f"[red]error:[/] {escape(problem)}", soft_wrap=True)
        raise PlaceError("no account and region to import from")
    read = read_with(
        lambda place: place_context(ws, config, place).factory,
        Path(ws.config_dir),
        config.project.project,
        selection,
    )
    with counted_status(
        ws.err,
        len(places.places),
        lambda done, total: f"Reading {total} accounts and regions: {done} read...",
    ) as (progress, waiting):

        def read_one() -> None:
            progress.advance()
            waiting()

        done = import_places(
            places.places,
            read,
            Path(ws.config_dir),
            config.project.project,
            failure,
            force=force,
            parallel=parallel,
            read_one=read_one,
        )
    render_import(done.result, ws.console)
    for problem in places.problems:
        ws.err.print(f"[red]error:[/] {escape(problem)}", soft_wrap=True)
    for place, why in done.failed:
        ws.err.print(f"[red]error:[/] {escape(str(place))}: {escape(why)}", soft_wrap=True)
    if done.failed or places.problems:
        read_from = len(places.places) - len(done.failed)
        ws.err.print(
            f"[red]error:[/] {len(done.failed)} of {len(places.places)} account-region(s) could "
            f"not be read; the configuration holds the other {read_from}",
            soft_wrap=True,
        )
        sys.exit(1)
