"""SLO status and review for the terminal, JSON, and Slack Block Kit."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sentinel.cost.render_slack import escape, fit
from sentinel.slo.budget import SloState, SloStatus
from sentinel.slo.review import BudgetSpend, SloReviewReport
from sentinel.slo.status import SloReport

STATE_STYLE = {
    SloState.OK: "green",
    SloState.WARNING: "yellow",
    SloState.BREACHED: "bold red",
    SloState.NO_DATA: "dim",
}
STATE_EMOJI = {
    SloState.OK: ":large_green_circle:",
    SloState.WARNING: ":large_yellow_circle:",
    SloState.BREACHED: ":red_circle:",
    SloState.NO_DATA: ":white_circle:",
}


def percent(value: float | None, decimals: int = 3) -> str:
    return "-" if value is None else f"{value:.{decimals}f}%"


def count(value: float, unit: str) -> str:
    return f"{value:,.0f} {'req' if unit == 'requests' else 'min'}"


def compact(value: float) -> str:
    """A count in at most five characters: 9,999 / 56.7k / 114k / 5.68M."""
    size = abs(value)
    if size < 10_000:
        return f"{value:,.0f}"
    for limit, suffix in ((1e6, "k"), (1e9, "M"), (float("inf"), "G")):
        if size < limit:
            scaled = value / (limit / 1000)
            return f"{scaled:.3g}{suffix}" if abs(scaled) < 100 else f"{scaled:.0f}{suffix}"
    return f"{value:.3g}"


def rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def budget_line(status: SloStatus) -> str:
    budget = status.budget
    if budget.remaining_percent is None:
        return "no traffic in the window"
    unit = "requests" if status.unit == "requests" else "bad minutes"
    return (
        f"{budget.remaining_percent:.1f}% of the error budget left: "
        f"{budget.consumed:,.0f} of {budget.allowed:,.0f} {unit} spent"
    )


def render_status(report: SloReport, console: Console) -> None:
    windows = [b.label for b in report.statuses[0].burn_rates] if report.statuses else []
    table = Table(
        title=(
            f"SLOs at {report.as_of:%Y-%m-%d %H:%M} UTC (whole hours): error budget left and "
            f"spent, burn rate over {', '.join(windows)}"
        ),
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("SLO", no_wrap=True)
    for column in ("objective", "SLI", "left", "spent of budget", *windows):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for status in report.statuses:
        budget = status.budget
        rates = {b.label: b for b in status.burn_rates}
        table.add_row(
            status.name,
            f"{status.objective:g}%/{status.window_label}",
            percent(status.sli),
            percent(budget.remaining_percent, 1),
            f"{compact(budget.consumed)} of {compact(budget.allowed)} "
            f"{'req' if status.unit == 'requests' else 'min'}",
            *[
                Text(rate(rates[w].rate), style="bold red" if rates[w].alerting else "")
                for w in windows
            ],
            Text(status.state.value, style=STATE_STYLE[status.state]),
        )
    console.print(table)


def render_review(review: SloReviewReport, console: Console) -> None:
    console.print(f"[bold]SLO review: {review.project}, as of {review.as_of:%Y-%m-%d %H:%M} UTC[/]")
    for entry in review.entries:
        status = entry.status
        console.print(
            f"[{STATE_STYLE[status.state]}]{status.state.value:>8}[/] [bold]{status.name}[/] "
            f"{percent(status.sli)} over {status.window_label} (objective {status.objective:g}%)"
        )
        console.print(f"          {budget_line(status)}; {trend_text(entry.trend)}")
        for spend in entry.spends:
            console.print(f"          {spend_text(spend)}")


def spend_text(spend: BudgetSpend) -> str:
    hours = round((spend.end - spend.start).total_seconds() / 3600)
    return (
        f"{spend.start:%d %b %H:%M}-{spend.end:%H:%M} UTC ({hours}h): "
        f"{spend.share:.0f}% of the budget spent in the window so far"
    )


def trend_text(trend: float | None) -> str:
    if trend is None:
        return "no trend (no data a week ago)"
    if abs(trend) < 0.05:
        return "unchanged since last week"
    return f"{'up' if trend > 0 else 'down'} {abs(trend):.1f} points since last week"


def review_message(review: SloReviewReport) -> dict[str, Any]:
    """``text`` and ``blocks`` of the weekly review (the chart is uploaded with it)."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": f"SLO review: {review.project}"},
        }
    ]
    for entry in review.entries:
        status = entry.status
        service = f" · {escape(status.service)}" if status.service else ""
        rates = " · ".join(f"{b.label} {rate(b.rate)}" for b in status.burn_rates)
        arrow = (
            ""
            if entry.trend is None or abs(entry.trend) < 0.05
            else (":arrow_up_small: " if entry.trend > 0 else ":arrow_down_small: ")
        )
        text = (
            f"{STATE_EMOJI[status.state]} *{escape(status.name)}*{service} — "
            f"{status.state.value}\n"
            f"Attainment {percent(status.sli)} over {status.window_label} "
            f"(objective {status.objective:g}%)\n"
            f"{escape(budget_line(status))}\n"
            f"{arrow}{escape(trend_text(entry.trend))} · burn rate {rates}"
        )
        if entry.spends:
            text += "\nWhere it went: " + "; ".join(spend_text(s) for s in entry.spends)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": (
                        f"Request-weighted over whole hours to {review.as_of:%d %b %Y %H:%M} UTC. "
                        "Burn rate 1.0x spends the budget exactly over the window."
                    ),
                }
            ],
        }
    )
    summary = ", ".join(
        f"{e.status.name} {percent(e.status.budget.remaining_percent, 1)} left"
        for e in review.entries
    )
    return {"text": f"SLO review for {review.project}: {summary}", "blocks": fit(blocks)}
