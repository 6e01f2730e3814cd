"""``sentinel rightsize``: idle, over- and under-provisioned resources, by monthly saving."""

from __future__ import annotations

import click

from sentinel.cli.options import Workspace, common_options


@click.command("rightsize")
@common_options
@click.option(
    "--lookback",
    type=click.Choice(["14d", "32d", "93d"]),
    default=None,
    help="Days of metrics to judge by (default: monitors/ rightsizing, else 14d).",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
def rightsize(ws: Workspace, lookback: str | None, output: str) -> None:
    """EC2 and RDS instances, ECS services, ElastiCache clusters, Lambda functions and Aurora
    Serverless v2 clusters, judged by usage.

    Idle: Trusted Advisor's rule (daily CPU <= 10 % and network I/O <= 5 MB on 4 of the last
    14 days; RDS: no connection in 7 days). Over-provisioned: the peak still leaves the
    headroom free on a smaller size of the family. Under-provisioned: CPU above 90 % in at
    least a tenth of the hours. Lambda memory: the p99 of the REPORT lines' Max Memory Used
    (Logs Insights), or Compute Optimizer's finding where the account has opted in. Aurora
    Serverless v2: the ACU range against ServerlessDatabaseCapacity. Savings at on-demand
    rates from the bundled price tables.
    """
    from sentinel.config.units import parse_percent
    from sentinel.rightsizing.render import render_table, to_csv, to_json
    from sentinel.rightsizing.scan import DEFAULT_HEADROOM
    from sentinel.rightsizing.scan import rightsize as scan

    config = ws.load_config()
    settings = config.rightsizing
    regions = [ws.region] if ws.region else list(config.project.regions)
    with ws.err.status("Reading the inventory, CloudWatch and the Lambda logs..."):
        report = scan(
            ws.factory,
            regions,
            lookback=lookback or (settings.lookback if settings else "14d"),
            headroom=float(parse_percent(settings.headroom)) if settings else DEFAULT_HEADROOM,
        )
    if output == "json":
        click.echo(to_json(report))
    elif output == "csv":
        click.echo(to_csv(report), nl=False)
    else:
        render_table(report, ws.console)
