"""Right-sizing findings as a terminal table, JSON, CSV, and a Slack message."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sentinel.cost.render_slack import escape, fit
from sentinel.rightsizing.findings import FindingKind
from sentinel.rightsizing.scan import RightsizingReport

KIND_STYLE = {FindingKind.IDLE: "red", FindingKind.OVER: "yellow", FindingKind.UNDER: "magenta"}
CSV_FIELDS = (
    "resource_type",
    "resource_id",
    "name",
    "region",
    "finding",
    "current",
    "recommended",
    "monthly_cost_usd",
    "recommended_cost_usd",
    "monthly_saving_usd",
    "evidence",
    "notes",
)
SLACK_ROWS = 15


def usd(value: float | None) -> str:
    if value is None:
        return "-"
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def render_table(report: RightsizingReport, console: Console) -> None:
    examined = ", ".join(f"{n} {t}" for t, n in sorted(report.examined.items())) or "nothing"
    table = Table(
        title=(
            f"Right-sizing over the {report.lookback} to {report.as_of:%Y-%m-%d} "
            f"({report.headroom:g}% headroom): {examined}"
        ),
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    for column in ("#", "resource", "type", "finding", "current", "recommended", "saving/month"):
        table.add_column(
            column,
            justify="right" if column in ("#", "saving/month") else "left",
            no_wrap=column in ("resource", "saving/month"),
        )
    for number, finding in enumerate(report.findings, 1):
        table.add_row(
            str(number),
            finding.name,
            finding.resource_type,
            Text(finding.kind.value, style=KIND_STYLE[finding.kind]),
            finding.current,
            finding.recommended,
            usd(finding.monthly_saving),
        )
    console.print(table)
    for number, finding in enumerate(report.findings, 1):
        why = "; ".join([finding.evidence, *finding.notes])
        console.print(f"[dim]{number:>3}.[/] {finding.resource_id}: {why}")
    for item in report.not_enough_data:
        console.print(
            f"[dim]not enough data:[/] {item.name} ({item.resource_type}): {item.reason}",
            highlight=False,
        )
    console.print(
        f"[bold]{len(report.findings)} findings, {usd(report.monthly_saving)} a month[/] at "
        f"on-demand rates. {report.metric_calls} GetMetricData "
        f"call{'' if report.metric_calls == 1 else 's'} "
        f"(one GetMetricStatistics per resource and metric would be {report.naive_calls})."
    )
    for region, source in sorted(report.lambda_sources.items()):
        queries = report.log_queries
        asked = f", {queries} Logs Insights quer{'y' if queries == 1 else 'ies'}" if queries else ""
        console.print(f"Lambda memory in {region}: {source}{asked}.", highlight=False)


def to_json(report: RightsizingReport) -> str:
    return json.dumps(report.as_dict(), indent=2)


def to_csv(report: RightsizingReport) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for finding in report.findings:
        row = finding.as_dict()
        row["notes"] = "; ".join(row["notes"])
        writer.writerow({k: ("" if row[k] is None else row[k]) for k in CSV_FIELDS})
    return out.getvalue()


def rightsizing_message(report: RightsizingReport, project: str) -> dict[str, Any]:
    """``text`` and ``blocks``: the week's findings, largest saving first."""
    lines = []
    for finding in report.findings[:SLACK_ROWS]:
        lines.append(
            f"• *{escape(finding.name)}* ({escape(finding.resource_type)}) {finding.kind.value}: "
            f"{escape(finding.current)} → {escape(finding.recommended)}, "
            f"*{usd(finding.monthly_saving)}*/month"
        )
    if len(report.findings) > SLACK_ROWS:
        lines.append(f"…and {len(report.findings) - SLACK_ROWS} more (`sentinel rightsize`)")
    if report.not_enough_data:
        names = ", ".join(escape(n.name) for n in report.not_enough_data[:SLACK_ROWS])
        more = len(report.not_enough_data) - SLACK_ROWS
        lines.append(f"Not enough data: {names}" + (f" and {more} more" if more > 0 else ""))
    headline = (
        f"Right-sizing: {project}, {usd(report.monthly_saving)} a month in "
        f"{len(report.findings)} findings"
    )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": headline}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "\n".join(lines) or "Everything is sized right."},
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": (
                        f"Last {report.lookback} to {report.as_of:%d %b %Y}, "
                        f"{report.headroom:g}% headroom kept; on-demand rates from the bundled "
                        "price tables."
                        + "".join(
                            f" Lambda memory in {region}: {escape(source)}."
                            for region, source in sorted(report.lambda_sources.items())
                        )
                    ),
                }
            ],
        },
    ]
    return {"text": headline, "blocks": fit(blocks)}
