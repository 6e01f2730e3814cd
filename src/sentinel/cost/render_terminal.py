"""The report and anomaly scans on a terminal, with rich."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sentinel.cost.anomalies import CostAnomaly
from sentinel.cost.budgets import BudgetStatus
from sentinel.cost.commitments import CommitmentStatus, points, signed_points
from sentinel.cost.money import percent, signed_percent, signed_usd, usd
from sentinel.cost.report import DailyReport
from sentinel.cost.scan import AnomalyScan
from sentinel.cost.summary import (
    anomaly_line,
    budget_notes,
    crossed_short,
    data_notes,
    headline,
    month_lines,
    requests_line,
    yesterday_lines,
)

STATE_STYLE = {"over": "bold red", "forecast over": "yellow", "alert": "yellow", "ok": "green"}
COMMITMENT_STYLE = {"below": "bold red", "ok": "green", "unknown": "dim"}


def report_view(report: DailyReport) -> RenderableType:
    parts: list[RenderableType] = []
    overview = Table.grid(padding=(0, 4))
    overview.add_column()
    overview.add_column()
    overview.add_row("\n".join(yesterday_lines(report)), "\n".join(month_lines(report)))
    parts.append(overview)
    if report.budgets:
        parts.append(_budgets(report))
    if report.commitments:
        parts.append(commitments_table(report.commitments))
    if report.movers:
        table = _table(
            "Top movers (last 7 days vs the 7 before)", "service", ">last 7 days", ">change", ">%"
        )
        for move in report.movers:
            change = move.change
            table.add_row(
                move.service,
                usd(change.current),
                signed_usd(change.amount),
                signed_percent(change.percent),
            )
        parts.append(table)
    if report.top_services:
        table = _table(f"Biggest services on {report.day:%d %b}", "service", ">cost")
        for service, amount in report.top_services:
            table.add_row(service, usd(amount))
        parts.append(table)
    if report.tagging:
        table = _table(
            "Spend the tagging rules cannot attribute (month to date)",
            "tag key",
            ">untagged",
            ">mis-tagged",
            ">share",
            "values not allowed",
        )
        for coverage in report.tagging:
            if not coverage.available:
                table.add_row(coverage.key, "n/a", "n/a", "n/a", "data missing")
                continue
            bad = ", ".join(
                f"{v or '(empty)'} {usd(a)}" for v, a in list(coverage.bad_values.items())[:4]
            )
            table.add_row(
                coverage.key,
                usd(coverage.untagged),
                usd(coverage.mistagged),
                percent(coverage.percent),
                bad,
            )
        parts.append(table)
    parts.append(_anomaly_lines(report.anomalies))
    notes = data_notes(report)
    notes.append(requests_line(report.ce_requests))
    parts.append(Text("\n".join(notes), style="dim"))
    return Panel(Group(*_spaced(parts)), title=headline(report), title_align="left")


def anomalies_view(anomalies: list[CostAnomaly], title: str) -> RenderableType:
    if not anomalies:
        return Text(f"{title}: none", style="green")
    table = _table(
        title, "series (drivers; also seen in)", "days", ">actual", ">expected", ">impact"
    )
    for anomaly in anomalies:
        when = f"{anomaly.start:%d %b}" + (f" to {anomaly.end:%d %b}" if anomaly.days > 1 else "")
        if anomaly.ongoing:
            when += "\n(ongoing)"
        cell = Text(anomaly.series.label, style="bold")
        if anomaly.is_drop:
            cell.append("\nspend dropped", style="magenta")
        if anomaly.drivers:
            cell.append("\n" + ", ".join(str(d) for d in anomaly.drivers))
        if anomaly.related:
            cell.append("\nalso: " + ", ".join(anomaly.related), style="dim")
        table.add_row(
            cell,
            when,
            usd(anomaly.actual),
            usd(anomaly.expected),
            signed_usd(anomaly.impact),
        )
    return table


def _anomaly_lines(anomalies: list[CostAnomaly]) -> RenderableType:
    if not anomalies:
        return Text("Anomalies (last 7 days): none", style="green")
    text = Text("Anomalies (last 7 days)\n", style="bold")
    for anomaly in anomalies:
        text.append("• ", style="yellow")
        text.append(anomaly_line(anomaly) + "\n", style="")
        if anomaly.related:
            text.append(f"  also seen in: {', '.join(anomaly.related)}\n", style="dim")
    return text


def scan_view(scan: AnomalyScan) -> RenderableType:
    title = f"Cost anomalies {scan.start:%d %b} - {scan.end:%d %b %Y}"
    settings = scan.settings
    both_ways = "rises and drops" if settings.drops else "rises only, drops off"
    footer = [
        f"Thresholds: impact ≥ ${settings.min_impact:,.0f}/day and ≥ {settings.min_percent:g}% "
        f"({both_ways}); series with under {settings.min_history_days} days of history are not "
        "scanned.",
        requests_line(scan.requests),
    ]
    footer += [f"Missing data — {m}" for m in scan.missing]
    return Group(anomalies_view(scan.anomalies, title), Text("\n".join(footer), style="dim"))


def _budgets(report: DailyReport) -> RenderableType:
    return _budgets_table(report.budgets, "Budgets (this month)")


def _budgets_table(budgets: list[BudgetStatus], title: str) -> RenderableType:
    table = _table(title, "budget", ">spent", ">limit", ">used", ">forecast", "alerts crossed")
    for status in budgets:
        style = STATE_STYLE.get(status.state, "")
        table.add_row(
            status.name,
            usd(status.actual),
            usd(status.limit),
            Text(percent(status.used_percent), style=style),
            Text(f"{usd(status.forecast)} ({percent(status.forecast_percent)})", style=style),
            ", ".join(crossed_short(a) for a in status.alerts_crossed) or "-",
        )
    notes = budget_notes(budgets)
    return Group(table, Text(notes, style="dim")) if notes else table


def commitments_table(statuses: list[CommitmentStatus], weekly: bool = False) -> Table:
    """Utilization and coverage budgets: the figure against the target."""
    columns = ["budget", "measure", "days", ">figure", ">target", "below"]
    if weekly:
        columns.insert(4, ">vs week before")
    table = _table("Reservations and Savings Plans", *columns)
    for status in statuses:
        style = COMMITMENT_STYLE.get(status.state, "")
        figure = f"n/a ({status.note})"
        if status.percent is not None:
            figure = f"{points(status.percent)}%"
        row: list[str | Text] = [
            status.name,
            status.label,
            f"{status.start:%d %b}-{status.end:%d %b}",
            Text(figure, style=style),
            f"{points(status.target)}%" if status.target is not None else "-",
            ", ".join(f"{points(t)}%" for t in status.alerts_below) or "-",
        ]
        if weekly:
            change = status.change
            row.insert(4, f"{signed_points(change)} pts" if change is not None else "n/a")
        table.add_row(*row)
    return table


def _table(title: str, *columns: str) -> Table:
    """A titled table; a column named ``>name`` is right-aligned (amounts)."""
    table = Table(title=title, title_justify="left", title_style="bold")
    for column in columns:
        right = column.startswith(">")
        table.add_column(column.lstrip(">"), justify="right" if right else "left")
    return table


def _spaced(parts: list[RenderableType]) -> list[RenderableType]:
    out: list[RenderableType] = []
    for part in parts:
        if out:
            out.append(Text(""))
        out.append(part)
    return out
