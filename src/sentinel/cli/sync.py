"""``sentinel plan``, ``sentinel apply`` and ``sentinel drift``."""

from __future__ import annotations

import json
import sys

import click

from sentinel.aws.accounts import check_account
from sentinel.cli.options import Workspace, common_options
from sentinel.errors import RefusedError
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import DEFAULT_CONCURRENCY, apply, plan
from sentinel.sync.mass_delete import check_mass_delete
from sentinel.sync.model import Plan
from sentinel.sync.render import plan_json, render_drift, render_plan, render_report, render_result


def _context(ws: Workspace) -> SyncContext:
    config = ws.load_config()  # invalid config: ConfigError before any AWS call
    for warning in config.warnings:
        click.echo(str(warning), err=True)
    region = ws.region or config.project.regions[0]
    others = [r for r in config.project.regions if r != region]
    if others and not ws.region:
        ws.err.print(
            f"[yellow]note:[/] this run covers {region}; run it again with --region for "
            + ", ".join(others)
        )
    factory = ws.factory
    factory.region = region
    check_account(factory, config)
    return SyncContext(config=config, factory=factory, region=region)


def _plan(ws: Workspace, ctx: SyncContext) -> Plan:
    with ws.err.status("Reading AWS state..."):
        return plan(ctx)


@click.command("plan")
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there are no changes, 2 when there are, 1 on error.",
)
@click.option("--compact", is_flag=True, help="One line per resource, without the field values.")
def plan_command(ws: Workspace, as_json: bool, detailed_exitcode: bool, compact: bool) -> None:
    """Show what apply would create, update, delete and adopt. Reads only."""
    ctx = _context(ws)
    result = _plan(ws, ctx)
    if as_json:
        click.echo(json.dumps(plan_json(result), indent=2, default=str))
    else:
        render_plan(result, ws.console, compact=compact)
    if detailed_exitcode and not result.is_empty:
        sys.exit(2)


@click.command("apply")
@common_options
@click.option(
    "--auto-approve", is_flag=True, help="Apply without asking (required off a terminal)."
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
def apply_command(
    ws: Workspace, auto_approve: bool, allow_mass_delete: bool, concurrency: int, compact: bool
) -> None:
    """Apply the plan: topics, subscriptions, alarms, composites, dashboards, budgets.

    Shows the plan first and asks for confirmation on a terminal. Exits 1 when any resource
    failed, naming it; running apply again finishes the job.
    """
    ctx = _context(ws)
    result = _plan(ws, ctx)
    render_plan(result, ws.console, compact=compact)
    if result.is_empty:
        return
    check_mass_delete(result, allow_mass_delete)
    if not auto_approve:
        if not sys.stdin.isatty():
            raise RefusedError("not on a terminal: pass --auto-approve to apply without a prompt")
        if not click.confirm("Apply these changes?", default=False):
            raise RefusedError("apply cancelled; nothing was changed")
    ws.console.print()
    report = apply(
        ctx, result, concurrency=concurrency, on_result=lambda r: render_result(r, ws.console)
    )
    render_report(report, ws.console)
    if not report.ok:
        sys.exit(1)


@click.command("drift")
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
def drift_command(ws: Workspace, as_json: bool) -> None:
    """Report what was changed in AWS outside Sentinel. Exit 2 when there is drift.

    A resource as configured but not yet tagged as the project's (one apply adopts) is listed
    as unowned, and is not drift.
    """
    ctx = _context(ws)
    result = _plan(ws, ctx)
    if as_json:
        click.echo(json.dumps(plan_json(result), indent=2, default=str))
    else:
        render_drift(result, ws.console)
    if result.drift:
        sys.exit(2)
