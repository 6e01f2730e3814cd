"""``sentinel tags audit``: resources against the tagging rules, and ``--fix`` for defaults."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.console import Console

from sentinel.aws.accounts import check_account
from sentinel.aws.places import Places
from sentinel.cli.fanout import (
    account_option,
    exit_code,
    fanned_out,
    parallel_option,
    print_sections,
    read_places,
    sections_json,
)
from sentinel.cli.options import Workspace, common_options
from sentinel.config import Config
from sentinel.config.models import Tagging
from sentinel.errors import RefusedError, SentinelError
from sentinel.inventory import Inventory, resource_type
from sentinel.sync.context import SyncContext
from sentinel.tags import AuditReport, FixResult, apply_fix, audit, plan_fix
from sentinel.tags.render import (
    audit_csv,
    audit_json,
    render_audit,
    render_fix_plan,
    render_fix_results,
)

VIOLATIONS_EXIT_CODE = 2


@click.group("tags")
def tags() -> None:
    """Tagging rules (budgets/): audit resources against them, add the tags they default."""


@tags.command("audit")
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table for people, json or csv (one row per problem) for scripts.",
)
@click.option(
    "--type", "types", multiple=True, metavar="TYPE", help="Only this resource type (repeatable)."
)
@click.option("--fix", is_flag=True, help="Add missing tags whose rule has a `default`.")
@click.option(
    "--auto-approve",
    is_flag=True,
    help="With --fix: add tags without asking (needed off a terminal).",
)
@common_options
@account_option
@parallel_option
def audit_command(
    ws: Workspace,
    output: str,
    types: tuple[str, ...],
    fix: bool,
    auto_approve: bool,
    accounts: tuple[str, ...],
    parallel: int,
) -> None:
    """Every resource whose tags break the rules, and compliance per type and per tag key.

    Exits 2 when resources do not comply (for CI), 0 when all do. --fix shows the tags it would
    add, asks, and adds them; it never removes or changes a tag that is set.
    """
    config = ws.load_config()
    if config.tagging is None:
        raise SentinelError(
            "no tagging rules in this configuration: add `tagging: {required: [...]}` to a file "
            "in budgets/"
        )
    for name in types:
        resource_type(name)
    several = fanned_out(ws, accounts, config)
    if several is not None:
        _audit_places(ws, *several, output, types, fix, auto_approve, parallel)
        return
    if fix:
        check_account(ws.factory, config)
    regions = [ws.region] if ws.region else list(config.project.regions)
    with ws.err.status("Reading resources and their tags..."):
        report = audit(Inventory(ws.factory, regions), config.tagging, types or None)
    if output == "json":
        ws.console.print_json(data=audit_json(report))
    elif output == "csv":
        click.echo(audit_csv(report), nl=False)
    else:
        render_audit(report, ws.console)
    unresolved = len(report.findings)
    if fix:
        unresolved = _fix(ws, report, config.tagging, auto_approve, to_stdout=output == "table")
    if unresolved:
        sys.exit(VIOLATIONS_EXIT_CODE)


def _audit_places(
    ws: Workspace,
    config: Config,
    places: Places,
    output: str,
    types: tuple[str, ...],
    fix: bool,
    auto_approve: bool,
    parallel: int,
) -> None:
    """The audit (and --fix) in each account and region of a project of several accounts."""
    if output == "csv":
        raise SentinelError(
            "--format csv lists one account and region: narrow the run with --account and "
            "--region, or use --format json"
        )
    if fix and not auto_approve and len(places.places) > 1:
        raise RefusedError(
            "--fix in several accounts and regions adds tags without a prompt per account: "
            "pass --auto-approve, or narrow the run with --account and --region"
        )

    def one(ctx: SyncContext, console: Console) -> tuple[int, Any]:
        tagging = ctx.config.tagging
        if tagging is None:
            console.print("No tagging rules for this account and region.")
            return 0, {"findings": []}
        report = audit(Inventory(ctx.factory, [ctx.region]), tagging, types or None)
        if output == "json":
            return (VIOLATIONS_EXIT_CODE if report.findings else 0), audit_json(report)
        render_audit(report, console)
        unresolved = len(report.findings)
        if fix:
            fixed = Workspace(ws.config_dir, ws.profile, ctx.region, ws.verbose, console, console)
            fixed._factory = ctx.factory
            try:
                unresolved = _fix(fixed, report, tagging, True, to_stdout=True)
            except SystemExit as exit:
                return int(exit.code or 1), None
        return (VIOLATIONS_EXIT_CODE if unresolved else 0), None

    sections = read_places(ws, config, places, parallel, one)
    if output == "json":
        ws.console.print_json(data=sections_json(config, places, sections))
        code = exit_code(ws, places, sections)
    else:
        code = print_sections(ws, places, sections)
    if code:
        sys.exit(code)


def _fix(
    ws: Workspace, report: AuditReport, tagging: Tagging, auto_approve: bool, to_stdout: bool
) -> int:
    """Plan, confirm and apply the fix; the number of findings still open afterwards."""
    out = ws.console if to_stdout else ws.err
    out.print()
    plan = plan_fix(report, tagging)
    render_fix_plan(plan, out)
    if plan.is_empty:
        return len(report.findings)
    if not auto_approve:
        if not sys.stdin.isatty():
            raise RefusedError(
                "not on a terminal: pass --auto-approve to add tags without a prompt"
            )
        if not click.confirm("Add these tags?", default=False, err=not to_stdout):
            raise RefusedError("fix cancelled; no tag was added")
    results = apply_fix(ws.factory, plan)
    out.print()
    render_fix_results(results, out)
    if any(not r.ok for r in results):
        sys.exit(1)
    return _still_open(report, results)


def _still_open(report: AuditReport, results: list[FixResult]) -> int:
    added: dict[str, set[str]] = {}
    for result in results:
        added.setdefault(result.addition.resource.arn, set()).update(result.added)
    return sum(
        1
        for finding in report.findings
        if finding.invalid or set(finding.missing) - added.get(finding.resource.arn, set())
    )
