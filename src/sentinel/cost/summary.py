"""Sentences about a report that every rendering shares (terminal, Slack, HTML, Markdown)."""

from __future__ import annotations

from sentinel.aws.session import COST_EXPLORER_REQUEST_USD
from sentinel.cost.anomalies import CostAnomaly
from sentinel.cost.budgets import BudgetStatus
from sentinel.cost.commitments import CommitmentStatus, points, signed_points
from sentinel.cost.money import percent, signed_percent, signed_usd, usd
from sentinel.cost.report import Change, DailyReport


def change_text(change: Change, against: str) -> str:
    if change.amount is None:
        return f"{against}: {usd(change.previous)}"
    moved = f"{signed_usd(change.amount)} ({signed_percent(change.percent)})"
    return f"{moved} vs {against} {usd(change.previous)}"


def headline(report: DailyReport) -> str:
    day = report.day.strftime("%a %d %b %Y")
    return f"{report.project}: AWS cost for {day}"


def yesterday_lines(report: DailyReport) -> list[str]:
    lines = [f"Spend: {usd(report.yesterday.current)}"]
    lines.append(change_text(report.yesterday, "same weekday last week"))
    lines.append(f"7-day average: {usd(report.seven_day_average)}")
    return lines


def month_lines(report: DailyReport) -> list[str]:
    lines = [f"Month to date: {usd(report.month_to_date.current)}"]
    lines.append(change_text(report.month_to_date, "same days last month"))
    forecast = report.forecast
    if forecast is not None:
        text = f"Month-end forecast: {usd(forecast.total)} ({forecast.source})"
        if forecast.note:
            text += f"; {forecast.note}"
        lines.append(text)
    return lines


def budget_line(status: BudgetStatus) -> str:
    used = percent(status.used_percent)
    text = (
        f"{status.name}: {usd(status.actual)} of {usd(status.limit)} ({used})"
        f", forecast {usd(status.forecast)} ({percent(status.forecast_percent)})"
    )
    if status.alerts_crossed:
        text += " — crossed " + ", ".join(crossed_short(a) for a in status.alerts_crossed)
    if status.note:
        text += f" [{status.note}]"
    return text


def anomaly_line(anomaly: CostAnomaly) -> str:
    if anomaly.ongoing:
        when = f"since {anomaly.start:%d %b} (day {anomaly.days}, ongoing)"
    elif anomaly.days == 1:
        when = f"on {anomaly.start:%d %b}"
    else:
        when = f"{anomaly.start:%d %b} to {anomaly.end:%d %b}"
    if anomaly.is_drop:
        text = (
            f"{anomaly.series.label} {when}: spend dropped to {usd(anomaly.actual)} from "
            f"{usd(anomaly.expected)} expected, impact {signed_usd(anomaly.impact)}"
        )
    else:
        text = (
            f"{anomaly.series.label} {when}: {usd(anomaly.actual)} vs "
            f"{usd(anomaly.expected)} expected, impact {signed_usd(anomaly.impact)}"
        )
    if anomaly.drivers:
        text += "; driven by " + ", ".join(str(d) for d in anomaly.drivers)
    return text


def data_notes(report: DailyReport) -> list[str]:
    notes = [f"Missing data — {m}" for m in report.missing]
    if report.estimated:
        days = ", ".join(d.strftime("%d %b") for d in report.estimated)
        notes.append(f"Estimated by {report.source} (may still change): {days}")
    return notes


def requests_line(requests: int) -> str:
    return f"Cost Explorer requests: {requests} (${requests * COST_EXPLORER_REQUEST_USD:.2f})"


def crossed_short(alert: str) -> str:
    """``actual > 80%`` -> ``80%``; ``forecasted > 100%`` -> ``100% forecast``."""
    kind, _, threshold = alert.partition(" > ")
    return threshold if kind == "actual" else f"{threshold} forecast"


def budget_notes(budgets: list[BudgetStatus]) -> str:
    """Where the budgets' figures come from, and which are not applied yet."""
    sources: dict[str, list[str]] = {}
    for status in budgets:
        sources.setdefault(status.source, []).append(status.name)
    parts = []
    for source, names in sources.items():
        if source == "unavailable":
            reasons = sorted({s.note for s in budgets if s.source == source and s.note})
            parts.append(f"no figures for {', '.join(names)} ({'; '.join(reasons)})")
        else:
            every = "all" if len(names) == len(budgets) else ", ".join(names)
            parts.append(f"{every} from {source}")
    unapplied = [s.name for s in budgets if s.applied is False]
    if unapplied:
        every = "all" if len(unapplied) == len(budgets) else ", ".join(unapplied)
        parts.append(f"not applied in AWS yet: {every} (sentinel apply)")
    if any(s.applied is None for s in budgets):
        parts.append("AWS Budgets could not be read")
    return "Budget figures: " + "; ".join(parts) + "." if parts else ""


def commitment_line(status: CommitmentStatus) -> str:
    """``rds-ri: RI utilization (Amazon ElastiCache) 96.4% (target 80%), 01-30 Nov``."""
    span = f"{status.start:%d %b}-{status.end:%d %b}"
    if status.percent is None:
        return f"{status.name}: {status.label} n/a ({status.note}), {span}"
    text = f"{status.name}: {status.label} {points(status.percent)}%"
    if status.target is not None:
        text += f" (target {points(status.target)}%)"
    text += f", {span}"
    if status.change is not None:
        text += f", {signed_points(status.change)} pts vs the week before"
    if status.alerts_below:
        text += " — below " + ", ".join(f"{points(t)}%" for t in status.alerts_below)
    return text
