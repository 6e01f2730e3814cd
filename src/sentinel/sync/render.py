"""Plans, drift and apply results as a terraform-like text, or JSON for machines."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from rich.console import Console
from rich.markup import escape

from sentinel.sync.bill import bill_json, line_text, money, monthly_cost
from sentinel.sync.model import Action, ApplyReport, Change, Plan, Result

_STYLE = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.REPLACE: "magenta",
    Action.DELETE: "red",
    Action.ADOPT: "cyan",
}


def _value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if value is None:
        return "(none)"
    return json.dumps(value, sort_keys=True, default=str)


def render_plan(plan: Plan, console: Console, compact: bool = False) -> None:
    """The plan as terraform shows one; ``compact`` gives one line per resource."""
    for conflict in plan.conflicts:
        console.print(
            f"[bold red]![/] {conflict.kind} {escape(conflict.key)}: {escape(conflict.message)}"
        )
    for change in plan.changes:
        _render_change(change, console, compact)
    for kept in plan.kept:
        console.print(
            f"[cyan]= kept:[/] {kept.kind} {escape(kept.key)} [dim]({escape(kept.reason)})[/]"
        )
    console.print()
    for warning in plan.warnings:
        console.print(f"[yellow]{escape(str(warning))}[/]", soft_wrap=True)
    if not plan.is_empty:
        render_bill(plan, console)
    console.print(f"[bold]{plan.summary()}[/]")


def render_bill(plan: Plan, console: Console) -> None:
    """What the plan adds to the monthly CloudWatch bill, line by line, with the price source."""
    bill = monthly_cost(plan)
    console.print(f"[bold]Monthly CloudWatch cost of this change: {money(bill.delta)}[/]")
    for line in bill.changed:
        console.print(f"  {escape(line_text(bill, line))}")
    if not bill.changed:
        console.print("  (no alarm or dashboard is added or removed)")
    prices = bill.prices
    about = (
        f"{prices.region} prices from {prices.source}, read {prices.read}; "
        + "; ".join(bill.notes)
        + "."
    )
    width = max(40, min(console.width, 100) - 2)
    for text in textwrap.wrap(about, width=width, break_on_hyphens=False, break_long_words=False):
        console.print(f"  [dim]{escape(text)}[/]", soft_wrap=True)
    console.print()


def _render_change(change: Change, console: Console, compact: bool) -> None:
    style = _STYLE[change.action]
    where = f"  [dim]({escape(change.source)})[/]" if change.source else ""
    changed = f" [dim]({len(change.fields)} fields)[/]" if compact and change.fields else ""
    # An adoption writes only the ownership tags: it has no fields to show, its word says it.
    verb = " adopt" if change.action is Action.ADOPT else ""
    console.print(
        f"[{style}]{change.action.symbol}{verb} {change.kind}[/] [bold]{escape(change.key)}[/]"
        f"{changed}{where}"
    )
    if change.action in (Action.DELETE, Action.ADOPT) or compact:
        return
    for field in change.fields:
        old, new = field.shown()
        name = escape(field.field)
        if change.action is Action.CREATE:
            if new not in ("", [], {}):  # AWS's empty defaults say nothing in a new resource
                console.print(f"      {name}: {escape(_value(new))}")
        else:
            arrow = f"[{style}]->[/]"
            console.print(f"      {name}: {escape(_value(old))} {arrow} {escape(_value(new))}")


def render_drift(plan: Plan, console: Console) -> None:
    """The same comparison, told from AWS's side: what changed outside Sentinel."""
    for kept in plan.kept:  # tolerated by the config, so not drift; still worth knowing
        console.print(
            f"[cyan]kept[/] {kept.kind} [bold]{escape(kept.key)}[/]: in AWS, {escape(kept.reason)}"
        )
    for change in plan.changes:  # as configured, only not tagged yet: not drift either
        if change.action is Action.ADOPT:
            console.print(
                f"[cyan]unowned[/] {change.kind} [bold]{escape(change.key)}[/]: in AWS as "
                "configured, without the sentinel:project tag (apply adopts it)"
            )
    if not plan.drift:
        console.print("[bold]No drift.[/] AWS matches the configuration.")
        return
    for change in plan.drift:
        key = escape(change.key)
        if change.action is Action.CREATE:
            console.print(
                f"[red]missing[/] {change.kind} [bold]{key}[/]: in the config, not in AWS "
                "(deleted outside Sentinel, or never applied)"
            )
        elif change.action is Action.DELETE:
            console.print(
                f"[red]extra[/] {change.kind} [bold]{key}[/]: in AWS with this project's tag, "
                "not in the config"
            )
        else:
            console.print(f"[yellow]changed[/] {change.kind} [bold]{key}[/]:")
            for field in change.fields:
                aws_value, config_value = field.shown()
                console.print(
                    f"      {escape(field.field)}: config {escape(_value(config_value))}, "
                    f"AWS {escape(_value(aws_value))}"
                )
    console.print()
    console.print(f"[bold]Drift: {len(plan.drift)} resource(s) differ from the configuration.[/]")


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "project": plan.project,
        "region": plan.region,
        "summary": {action.value: plan.count(action) for action in Action},
        "unchanged": plan.unchanged,
        "conflicts": [
            {"kind": c.kind, "name": c.key, "message": c.message} for c in plan.conflicts
        ],
        "warnings": [{"source": w.source, "message": w.message} for w in plan.warnings],
        "kept": [{"kind": k.kind, "name": k.key, "reason": k.reason} for k in plan.kept],
        "changes": [
            {
                "kind": c.kind,
                "name": c.key,
                "action": c.action.value,
                "source": c.source,
                "fields": [
                    {"field": f.field, "old": f.shown()[0], "new": f.shown()[1]} for f in c.fields
                ],
            }
            for c in plan.changes
        ],
        "monthly_cost": bill_json(monthly_cost(plan)),
    }


def render_result(result: Result, console: Console) -> None:
    change = result.change
    verb = {
        Action.CREATE: "created",
        Action.UPDATE: "updated",
        Action.REPLACE: "replaced",
        Action.DELETE: "deleted",
        Action.ADOPT: "adopted",
    }[change.action]
    if result.ok:
        console.print(f"[green]✓[/] {verb} {change.kind} {escape(change.key)}")
    else:
        console.print(
            f"[red]✗[/] {change.action.value} {change.kind} {escape(change.key)} failed: "
            f"{escape(result.error or '')}"
        )


def render_report(report: ApplyReport, console: Console) -> None:
    done = len(report.results) - len(report.failed)
    console.print()
    if report.ok:
        console.print(f"[bold green]Apply complete:[/] {done} change(s) applied.")
    else:
        console.print(
            f"[bold red]Apply incomplete:[/] {done} applied, {len(report.failed)} failed:"
        )
        for result in report.failed:
            change = result.change
            console.print(f"  - {change.kind} {escape(change.key)}: {escape(result.error or '')}")
        console.print("Run `sentinel apply` again to finish; every write is idempotent.")
