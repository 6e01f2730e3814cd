"""``sentinel slo status`` and ``sentinel slo review``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sentinel.cli.options import Workspace, common_options


@click.group("slo")
def slo() -> None:
    """SLOs: error budgets and burn rates now, and the weekly review."""


@slo.command("status")
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(ws: Workspace, as_json: bool) -> None:
    """Each SLO over its window: SLI, error budget (total, spent, left), burn rates, status.

    Request-weighted over whole hours, from GetMetricData in batches: one call serves up to 500
    statistics. Status is OK, WARNING (a burn rate at its alert factor, or under 25 % of the
    budget left), BREACHED (the SLI below the objective) or NO DATA.
    """
    from sentinel.slo.render import render_status
    from sentinel.slo.status import slo_status
    from sentinel.slo.templates import config_slos

    config = ws.load_config()
    if not config.slos:
        ws.err.print("No SLOs in monitors/.")
        return
    region = ws.region or config.project.regions[0]
    with ws.err.status("Reading CloudWatch..."):
        slos = config_slos(config, ws.factory, region)
        if not slos:
            ws.err.print(f"No SLOs: the templates in monitors/ match no resource in {region}.")
            return
        report = slo_status(slos, ws.factory, region=region)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        render_status(report, ws.console)


@slo.command("review")
@common_options
@click.option("--dry-run", is_flag=True, help="Print the Slack Block Kit JSON; post nothing.")
@click.option(
    "--chart",
    "chart_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the burn-down chart (PNG) to this file.",
)
def review(ws: Workspace, dry_run: bool, chart_path: Path | None) -> None:
    """The weekly SLO review: to Slack when slo_review has a channel, else to the terminal.

    Attainment, error budget left and its change since last week, burn rates, and a burn-down
    chart. Posted once per ISO week and channel, as the daemon's slo-review job does.
    """
    from sentinel.slo.chart import burn_down_chart
    from sentinel.slo.jobs import run_review
    from sentinel.slo.render import render_review, review_message
    from sentinel.store import open_store

    config = ws.load_config()
    if not config.slos:
        ws.err.print("No SLOs in monitors/.")
        return
    store = None if dry_run else open_store(config)
    with ws.err.status("Reading CloudWatch..."):
        run = run_review(config, ws.factory, store, deliver=not dry_run)
    if dry_run:
        slack = config.slo_review.slack if config.slo_review else None
        message = {"channel": slack.channel if slack else None, **review_message(run.review)}
        click.echo(json.dumps(message, indent=2, ensure_ascii=False))
    else:
        render_review(run.review, ws.console)
        assert run.deliveries is not None
        for delivery in run.deliveries:
            where = delivery.target
            if delivery.status == "posted":
                chart = ", with its chart" if delivery.kind != "topic" else ""
                ws.console.print(f"[green]✓[/] Review sent to {where}{chart}.")
            elif delivery.status == "already posted":
                ws.console.print(f"Review already sent to {where} {delivery.detail}.")
            elif delivery.status == "queued":
                ws.console.print(
                    f"Review queued for {where} ({delivery.detail}); the daemon's "
                    "deliveries job will send it."
                )
            else:
                who = "Slack" if delivery.kind == "slack" else where
                ws.err.print(f"[dim]{who}: not used ({delivery.detail}).[/]")
    if chart_path is not None:
        chart_path.write_bytes(burn_down_chart(run.review))
        ws.err.print(f"Wrote {chart_path}")
