"""``sentinel plan``, ``sentinel apply`` and ``sentinel drift``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from sentinel.aws.accounts import check_account
from sentinel.aws.places import PlaceError, Places, fans_out, project_places
from sentinel.cli.fanout import (
    ApplyOptions,
    account_option,
    apply_places,
    drift_places,
    one_place_kinds,
    parallel_option,
    place_context,
    plan_places,
)
from sentinel.cli.options import Workspace, common_options
from sentinel.cli.replan import plan_again
from sentinel.cli.unlock import lock_timeout_option, report_lock, waiting
from sentinel.clock import now
from sentinel.config import Config
from sentinel.errors import RefusedError, TargetError
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import DEFAULT_CONCURRENCY, apply, plan
from sentinel.sync.lock import apply_lock
from sentinel.sync.mass_delete import check_mass_delete
from sentinel.sync.model import Plan
from sentinel.sync.plan_file import (
    check_fresh,
    check_saved,
    load_plan,
    saved_plan,
    saved_targets,
    write_plan,
)
from sentinel.sync.render import plan_json, render_drift, render_plan, render_report, render_result
from sentinel.sync.render_markdown import render_markdown
from sentinel.sync.targets import Target, parse_targets, plan_targets

ONE_PLACE = (
    "{what} of one account and region, and this run covers several: narrow it with "
    "--account and --region"
)


def _config(ws: Workspace) -> Config:
    config = ws.load_config()  # invalid config: ConfigError before any AWS call
    for warning in config.warnings:
        click.echo(str(warning), err=True)
    return config


def _places(ws: Workspace, config: Config, accounts: tuple[str, ...]) -> Places | None:
    """Every (account, region) of a project of several accounts (None for one of one)."""
    if not fans_out(config.project):
        if accounts:
            raise PlaceError(
                "--account narrows a project whose `accounts:` give a `role:` (or that has "
                "`organization:`); this one works in the account of the credentials"
            )
        return None
    return project_places(config.project, ws.factory, accounts, ws.region)


def _one_place(ws: Workspace, config: Config, places: Places | None) -> SyncContext | None:
    """The context of a run in one (account, region); None when it covers several."""
    if places is None:
        return _context(ws, config)
    if len(places.places) == 1 and not places.problems:
        return place_context(ws, config, places.places[0])
    return None


def _context(ws: Workspace, config: Config | None = None) -> SyncContext:
    config = config or _config(ws)
    region = ws.region or config.project.regions[0]
    others = [r for r in config.project.regions if r != region]
    if others and not ws.region:
        ws.err.print(
            f"[yellow]note:[/] this run covers {region}; run it again with --region for "
            + ", ".join(others)
        )
    home = config.project.regions[0]
    if region != home and config.budgets:
        ws.err.print(
            f"[yellow]note:[/] budgets belong to the account: they are planned in {home}, "
            "the project's first region"
        )
    factory = ws.factory
    factory.region = region
    account = check_account(factory, config)
    name = next((a.name for a in config.project.accounts if a.id == account), None)
    return SyncContext(config=config.placed(account, name, region), factory=factory, region=region)


def _plan(ws: Workspace, ctx: SyncContext, targets: list[Target] | None = None) -> Plan:
    kinds = one_place_kinds(ctx)
    with ws.err.status("Reading AWS state..."):
        return plan_targets(ctx, targets, kinds) if targets else plan(ctx, kinds)


def _targets(_ctx: click.Context, _param: click.Parameter, texts: tuple[str, ...]) -> list[Any]:
    try:
        return parse_targets(texts)
    except TargetError as exc:
        raise click.BadParameter(str(exc)) from exc


target_option = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="KIND[:NAME]",
    callback=_targets,
    help="Only the resources of this kind (topic, subscription, alarm, composite, dashboard, "
    "budget, ...) whose name matches NAME (`*`, `?` patterns; with or without the project "
    "prefix). Repeatable. Exits 1 when one matches nothing.",
)


@click.command("plan")
@common_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="markdown: for a pull-request comment (under GitHub's 65,536 characters).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (--format json).")
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there are no changes, 2 when there are, 1 on error.",
)
@click.option("--compact", is_flag=True, help="One line per resource, without the field values.")
@target_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Save the plan to this file, for `sentinel apply FILE` to apply exactly it.",
)
@account_option
@parallel_option
def plan_command(
    ws: Workspace,
    output_format: str,
    as_json: bool,
    detailed_exitcode: bool,
    compact: bool,
    targets: list[Target],
    out: Path | None,
    accounts: tuple[str, ...],
    parallel: int,
) -> None:
    """Show what apply would create, update, delete and adopt, and its monthly cost.

    Reads only (but for --out FILE, which saves the plan for `sentinel apply FILE`).
    """
    if as_json and output_format not in ("text", "json"):
        raise click.UsageError(f"--json and --format {output_format} disagree: pass one")
    output_format = "json" if as_json else output_format
    config = _config(ws)
    places = _places(ws, config, accounts)
    ctx = _one_place(ws, config, places)
    if ctx is None:
        assert places is not None
        if out is not None:
            raise PlaceError(ONE_PLACE.format(what="--out saves the plan"))
        plan_places(
            ws, config, places, targets, parallel, output_format, compact, detailed_exitcode
        )
        return
    read_at = now()
    result = _plan(ws, ctx, targets)
    if out is not None:
        saved = saved_plan(result, ctx.config, ctx.account_id, read_at, [str(t) for t in targets])
        write_plan(saved, out)
    if output_format == "json":
        click.echo(json.dumps(plan_json(result), indent=2, default=str))
    elif output_format == "markdown":
        click.echo(render_markdown(result), nl=False)
    else:
        render_plan(result, ws.console, compact=compact)
    if out is not None:
        click.echo(f"Saved the plan to {out}: apply it with `sentinel apply {out}`.", err=True)
    if detailed_exitcode and not result.is_empty:
        sys.exit(2)


@click.command("apply")
@common_options
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--auto-approve",
    is_flag=True,
    help="Apply without asking (required off a terminal; implied with a saved PLAN_FILE).",
)
@click.option(
    "--allow-mass-delete",
    is_flag=True,
    help="Allow deleting over half (or over 25) of a kind's managed resources.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="Writes in flight at once.",
)
@click.option("--compact", is_flag=True, help="One line per resource, without the field values.")
@target_option
@lock_timeout_option
@account_option
@parallel_option
def apply_command(
    ws: Workspace,
    plan_file: Path | None,
    auto_approve: bool,
    allow_mass_delete: bool,
    concurrency: int,
    compact: bool,
    targets: list[Target],
    lock_timeout: int,
    accounts: tuple[str, ...],
    parallel: int,
) -> None:
    """Apply the plan: topics, subscriptions, alarms, composites, dashboards, budgets.

    Shows the plan first and asks for confirmation on a terminal. Exits 1 when any resource
    failed, naming it; running apply again finishes the job.

    With PLAN_FILE (written by `sentinel plan --out PLAN_FILE`), applies exactly that plan,
    with its targets and region, without a prompt (it was reviewed when it was made); it exits 1
    and writes nothing when the file is of another project or format version, or when the
    configuration or any resource it covers changed in AWS since, naming them.

    Writes while holding the project's apply lock (kept in AWS): while another apply holds it,
    exits 1 naming the holder, or waits up to --lock-timeout and reads the plan again.
    """
    saved = load_plan(plan_file) if plan_file is not None else None
    if saved is not None and plan_file is not None:
        targets = saved_targets(saved, plan_file, targets)
        ws.region = ws.region or saved.region
    config = _config(ws)
    places = _places(ws, config, accounts)
    ctx = _one_place(ws, config, places)
    if ctx is None:
        assert places is not None
        if saved is not None:
            raise PlaceError(ONE_PLACE.format(what="a saved plan holds the plan"))
        options = ApplyOptions(auto_approve, allow_mass_delete, concurrency, compact, lock_timeout)
        apply_places(ws, config, places, targets, parallel, options)
        return
    if saved is not None and plan_file is not None:
        check_saved(saved, plan_file, ctx.config, ctx.region, ctx.account_id)
    result = _plan(ws, ctx, targets)
    if saved is not None and plan_file is not None:
        fresh = saved_plan(result, ctx.config, ctx.account_id, saved.read_at, saved.targets)
        check_fresh(saved, fresh, plan_file)
    render_plan(result, ws.console, compact=compact)
    if result.is_empty:
        return
    check_mass_delete(result, allow_mass_delete)
    if not auto_approve and saved is None:
        if not sys.stdin.isatty():
            raise RefusedError("not on a terminal: pass --auto-approve to apply without a prompt")
        if not click.confirm("Apply these changes?", default=False):
            raise RefusedError("apply cancelled; nothing was changed")
    ws.console.print()
    lock = apply_lock(ctx.factory, ctx.config, ctx.region)
    with lock.holding(lock_timeout, on_wait=lambda held: waiting(held, lock_timeout, ws.err)):
        if lock.waited_for is not None:
            if saved is not None and plan_file is not None:
                result = _plan(ws, ctx, targets)
                fresh = saved_plan(result, ctx.config, ctx.account_id, saved.read_at, saved.targets)
                check_fresh(saved, fresh, plan_file)
            else:
                result = _plan_again(
                    ws, ctx, result, targets, auto_approve, allow_mass_delete, compact
                )
        report = apply(
            ctx, result, concurrency=concurrency, on_result=lambda r: render_result(r, ws.console)
        )
    render_report(report, ws.console)
    if report_lock(lock, ws.err) or not report.ok:
        sys.exit(1)


def _plan_again(
    ws: Workspace,
    ctx: SyncContext,
    confirmed: Plan,
    targets: list[Target],
    auto_approve: bool,
    allow_mass_delete: bool,
    compact: bool,
) -> Plan:
    """After waiting for another apply: the plan as AWS is now (see cli/replan.py)."""
    fresh = _plan(ws, ctx, targets)
    return plan_again(ws.console, confirmed, fresh, auto_approve, allow_mass_delete, compact)


@click.command("drift")
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
@target_option
@account_option
@parallel_option
def drift_command(
    ws: Workspace,
    as_json: bool,
    targets: list[Target],
    accounts: tuple[str, ...],
    parallel: int,
) -> None:
    """Report what was changed in AWS outside Sentinel. Exit 2 when there is drift.

    A resource as configured but not yet tagged as the project's (one apply adopts) is listed
    as unowned, and is not drift.
    """
    config = _config(ws)
    places = _places(ws, config, accounts)
    ctx = _one_place(ws, config, places)
    if ctx is None:
        assert places is not None
        drift_places(ws, config, places, targets, parallel, as_json)
        return
    result = _plan(ws, ctx, targets)
    if as_json:
        click.echo(json.dumps(plan_json(result), indent=2, default=str))
    else:
        render_drift(result, ws.console)
    if result.drift:
        sys.exit(2)
