"""Demo steps of SLOs and right-sizing: status with the latency incident's cost, the burn-rate
alarms the plan created, and the right-sizing table of the demo account.

The configuration's SLOs are templates over its load balancers (``for_each``), so they measure
whatever ALB the account has, the emulator's seeded one included.
"""

from __future__ import annotations

from pathlib import Path

import boto3
from rich.table import Table

from sentinel.config.units import format_duration
from sentinel.demo.runner import Action, Command, DemoContext, Step


def _client(ctx: DemoContext, service: str, region: str | None = None) -> object:
    return boto3.Session(
        aws_access_key_id=ctx.env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=ctx.env["AWS_SECRET_ACCESS_KEY"],
        region_name=region or ctx.region,
    ).client(service, endpoint_url=ctx.endpoint_url)


def _sentinel(ctx: DemoContext, args: list[str], cwd: Path) -> None:
    ctx.sentinel(args, cwd=cwd)


def slo_status(ctx: DemoContext) -> None:
    if not ctx.has("slos"):
        ctx.console.print(f"(skipped: {ctx.config_dir} has no SLOs)")
        return
    _sentinel(ctx, ["slo", "status"], ctx.config_dir)
    _spends(ctx, ctx.config_dir)


def _spends(ctx: DemoContext, config_dir: Path) -> None:
    """Where each SLO's budget went, from the same library the weekly review uses."""
    from sentinel.config import load_config
    from sentinel.emulator.demo import emulator_factory
    from sentinel.slo.render import spend_text
    from sentinel.slo.review import slo_review
    from sentinel.slo.templates import config_slos

    config = load_config(config_dir)
    factory = emulator_factory(ctx.endpoint_url)
    slos = config_slos(config, factory, config.project.regions[0])
    review = slo_review(config.name, slos, factory)
    for entry in review.entries:
        ctx.console.print(f"Where the [bold]{entry.status.name}[/] budget went:")
        for spend in entry.spends or []:
            ctx.console.print(f"  {spend_text(spend)}")
        if not entry.spends:
            ctx.console.print("  no hour burned faster than the budget allows")


def burn_rate_alarms(ctx: DemoContext) -> None:
    if not ctx.has("slos"):
        ctx.console.print(f"(skipped: {ctx.config_dir} has no SLOs)")
        return
    cloudwatch = _client(ctx, "cloudwatch")
    found = cloudwatch.describe_alarms(  # type: ignore[attr-defined]
        AlarmNamePrefix=f"{ctx.config.name}/slo/", AlarmTypes=["MetricAlarm", "CompositeAlarm"]
    )
    metric = {a["AlarmName"]: a for a in found["MetricAlarms"]}
    table = Table(title="Burn-rate alarms in the demo account", title_justify="left")
    for column in ("composite alarm", "rule", "burn rate", "notifies"):
        table.add_column(column)
    for composite in found["CompositeAlarms"]:
        name = composite["AlarmName"]
        long = metric.get(f"{name}/long", {})
        periods = [
            q["MetricStat"]["Period"] for q in long.get("Metrics", []) if "MetricStat" in q
        ] or [long.get("Period", 0)]
        table.add_row(
            name,
            "long AND short window",
            f">= {long.get('Threshold', 0):g} over {format_duration(periods[0])}",
            ", ".join(a.rsplit(":", 1)[-1] for a in composite.get("AlarmActions", [])),
        )
    ctx.console.print(table)
    ctx.console.print(
        f"{len(metric)} metric-math window alarms and {len(found['CompositeAlarms'])} composites, "
        "created by the apply above from the plan's burn-rate alarm lines."
    )


STEPS: list[Step] = [
    Action("SLO status: the latency incident nine days ago ate the latency budget", slo_status),
    Action("The burn-rate alarms the plan created", burn_rate_alarms),
    Command("Right-sizing of the demo account, largest saving first", ["rightsize"]),
]
