"""``sentinel cost report`` and ``sentinel cost anomalies``."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from sentinel.cli.options import Workspace, common_options
from sentinel.delivery.outcome import DeliveryResult

_SOURCE = click.option(
    "--source",
    "source_name",
    type=click.Choice(["cost-explorer", "cur"]),
    default=None,
    help="Cost Explorer, or the AWS Data Exports export of cost_report.cur "
    "(default: cost_report.source).",
)


@click.group()
def cost() -> None:
    """Cost reports and anomalies from Cost Explorer (each request costs $0.01; -v counts them)
    or from an AWS Data Exports export (--source cur)."""


@cost.command()
@common_options
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Day to report on (default: yesterday in the project's time zone).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the report to report.html (chart embedded) or report.md (chart beside).",
)
@click.option("--dry-run", is_flag=True, help="Print the Slack Block Kit JSON; post nothing.")
@click.option(
    "--weekly",
    is_flag=True,
    help="The weekly report instead: the ISO week (Mon-Sun) holding --date, by default the "
    "last full week.",
)
@_SOURCE
def report(
    ws: Workspace,
    day: datetime | None,
    out: Path | None,
    dry_run: bool,
    weekly: bool,
    source_name: str | None,
) -> None:
    """The daily cost report, printed, and sent to Slack, email or a severity as configured.

    Yesterday against the same weekday last week and the 7-day average, month to date against
    last month, month-end forecast, budgets (with reservation and Savings Plans utilization and
    coverage), top movers, unattributed spend, anomalies. Posted once per day and channel: a
    second run says it was posted already. With --weekly: the week against the week before,
    its top movers by service and by each grouping, the month-end outlook, budgets; posted once
    per week and channel.
    """
    if weekly:
        _weekly_report(ws, day, out, dry_run, source_name)
        return
    from sentinel.cost.render_slack import report_message
    from sentinel.cost.render_terminal import report_view
    from sentinel.cost.runs import run_report
    from sentinel.store import open_store

    if out is not None and out.suffix.lower() not in (".html", ".htm", ".md", ".markdown"):
        raise click.BadParameter("use a .html or .md file name", param_hint="--out")
    from sentinel.cost.source_choice import source_for

    config = ws.load_config()
    source = source_for(config, ws.factory, source_name)
    run = run_report(
        config, ws.factory, open_store(config), _day(day), deliver=not dry_run, source=source
    )
    if dry_run:
        slack = config.cost_report.slack if config.cost_report else None
        message = {"channel": slack.channel if slack else None, **report_message(run.report)}
        click.echo(json.dumps(message, indent=2, ensure_ascii=False))
    else:
        assert run.deliveries is not None
        ws.console.print(report_view(run.report))
        for delivery in run.deliveries:
            _print_delivery(ws, delivery)
    if out is not None:
        from sentinel.cost.render_document import write_report

        for path in write_report(run.report, out):
            ws.err.print(f"Wrote {path}")


def _weekly_report(
    ws: Workspace, day: datetime | None, out: Path | None, dry_run: bool, source_name: str | None
) -> None:
    from sentinel.cost.delivery import weekly_slack
    from sentinel.cost.render_weekly import weekly_message, weekly_view
    from sentinel.cost.runs import report_week, run_weekly_report
    from sentinel.cost.weekly import week_of
    from sentinel.store import open_store

    if out is not None:
        raise click.BadParameter("the weekly report is printed and posted only", param_hint="--out")
    config = ws.load_config()
    monday = None
    if day is not None:
        monday, sunday = week_of(day.date())
        if sunday >= report_week(config) + timedelta(days=7):
            raise click.BadParameter(
                f"the week of {day.date()} ({monday} to {sunday}) is not over yet",
                param_hint="--date",
            )
    from sentinel.cost.source_choice import source_for

    source = source_for(config, ws.factory, source_name)
    run = run_weekly_report(
        config, ws.factory, open_store(config), monday, deliver=not dry_run, source=source
    )
    if dry_run:
        slack = weekly_slack(config)
        message = {"channel": slack.channel if slack else None, **weekly_message(run.report)}
        click.echo(json.dumps(message, indent=2, ensure_ascii=False))
        return
    assert run.deliveries is not None
    ws.console.print(weekly_view(run.report))
    for delivery in run.deliveries:
        _print_delivery(ws, delivery, chart=False)


@cost.command()
@common_options
@click.option(
    "--days",
    type=click.IntRange(1, 400),
    default=30,
    show_default=True,
    help="Days to scan, up to the end day.",
)
@click.option(
    "--date",
    "end",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last day scanned (default: yesterday in the project's time zone).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the anomalies as JSON.")
@click.option(
    "--notify",
    is_flag=True,
    help="Announce anomalies not announced yet, as the daemon's scan does.",
)
@_SOURCE
def anomalies(
    ws: Workspace,
    days: int,
    end: datetime | None,
    as_json: bool,
    notify: bool,
    source_name: str | None,
) -> None:
    """Cost anomalies per series: the total, each service, tag value and account.

    Robust to weekly seasonality and trend; thresholds from monitors/ anomaly_detection
    (default $50 a day and 20%), for rises and for drops (drops: false turns drops off);
    series with under 14 days of history are not scanned.
    """
    from sentinel.cost.render_terminal import scan_view
    from sentinel.cost.runs import run_scan
    from sentinel.cost.source_choice import source_for
    from sentinel.store import open_store

    config = ws.load_config()
    source = source_for(config, ws.factory, source_name)
    run = run_scan(
        config, ws.factory, open_store(config), days, _day(end), notify=notify, source=source
    )
    if as_json:
        click.echo(json.dumps(_scan_json(run.scan), indent=2))
    else:
        ws.console.print(scan_view(run.scan))
    if run.notices is not None:
        notices = run.notices
        ws.err.print(
            f"Notices: {len(notices.new)} new, {len(notices.updated)} updates"
            + (f" to {', '.join(notices.destinations)}" if notices.destinations else "")
            + (f"; {len(notices.queued)} queued for retry" if notices.queued else "")
        )
        for reason in notices.skipped:
            ws.err.print(f"[dim]{reason}[/]")


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _print_delivery(ws: Workspace, delivery: DeliveryResult, chart: bool = True) -> None:
    target, detail = delivery.target, delivery.detail
    if delivery.kind == "topic":
        where, verb, extra = f"SNS topic {target.rsplit(':', 1)[-1]}", "published", ""
    elif delivery.kind == "email":
        where, verb, extra = target, "mailed", ""
    else:
        where, verb, extra = target, "posted", ", with its chart" if chart else ""
    if delivery.status == "not configured":
        ws.err.print(
            f"[dim]{where if delivery.kind != 'slack' else 'Slack'}: not used ({detail}).[/]"
        )
    elif delivery.status == "posted":
        ws.console.print(f"[green]✓[/] Report {verb} to {where}{extra}.")
    elif delivery.status == "already posted":
        ws.console.print(f"Report already {verb} to {where} {detail}: not sent again.")
    else:
        ws.console.print(
            f"[yellow]![/] {where} did not take the report ({detail}); it is kept and will be "
            "sent by the daemon (or: sentinel daemon --once deliveries)."
        )


def _scan_json(scan: Any) -> dict[str, Any]:
    return {
        "start": scan.start.isoformat(),
        "end": scan.end.isoformat(),
        "thresholds": {
            "min_impact_usd": scan.settings.min_impact,
            "min_percent": scan.settings.min_percent,
            "min_history_days": scan.settings.min_history_days,
            "drops": scan.settings.drops,
        },
        "anomalies": [
            {
                "series": a.series.label,
                "dimension": a.series.dimension.label if a.series.dimension else None,
                "value": a.series.value if a.series.dimension else None,
                "direction": a.direction,
                "start": a.start.isoformat(),
                "end": a.end.isoformat(),
                "days": a.days,
                "ongoing": a.ongoing,
                "actual": str(a.actual),
                "expected": str(a.expected),
                "impact": str(a.impact),
                "daily": [
                    {"date": d.isoformat(), "actual": str(x), "expected": str(e)}
                    for d, x, e in a.daily
                ],
                "drivers": [
                    {"kind": d.kind, "name": d.name, "impact": str(d.impact)} for d in a.drivers
                ],
                "related": a.related,
            }
            for a in scan.anomalies
        ],
        "missing": [str(m) for m in scan.missing],
        "cost_explorer_requests": scan.requests,
    }
