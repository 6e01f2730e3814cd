"""The weekly report on a terminal (rich) and as a Slack message (Block Kit, within limits)."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sentinel.cost.money import signed_percent, signed_usd, usd
from sentinel.cost.render_slack import (
    STATE_EMOJI,
    _mrkdwn,
    _section,
    commitments_section,
    escape,
    fit,
    opening_blocks,
)
from sentinel.cost.render_terminal import _budgets_table, _spaced, _table, commitments_table
from sentinel.cost.summary import budget_line, budget_notes, change_text, requests_line
from sentinel.cost.weekly import MonthOutlook, WeeklyReport


def weekly_headline(report: WeeklyReport) -> str:
    return (
        f"{report.project}: AWS cost for the week {report.week} "
        f"({report.start:%a %d %b} - {report.end:%a %d %b %Y})"
    )


def week_lines(report: WeeklyReport) -> list[str]:
    return [
        f"Week: {usd(report.total.current)}",
        change_text(report.total, "the week before"),
        "Days: " + ", ".join(f"{d:%a} {usd(a)}" for d, a in report.days),
    ]


def outlook_lines(report: WeeklyReport) -> list[str]:
    return [outlook_line(m, report) for m in report.months]


def outlook_line(outlook: MonthOutlook, report: WeeklyReport) -> str:
    name = f"{outlook.month:%B %Y}"
    if outlook.closed:
        return f"{name} closed at {usd(outlook.actual)}"
    text = f"{name}: {usd(outlook.actual)} to {report.end:%d %b}"
    forecast = outlook.forecast
    if forecast is not None:
        text += f", month-end forecast {usd(forecast.total)} ({forecast.source})"
        if forecast.note:
            text += f"; {forecast.note}"
    return text


def data_lines(report: WeeklyReport) -> list[str]:
    notes = [f"Missing data — {m}" for m in report.missing]
    if report.estimated:
        days = ", ".join(d.strftime("%d %b") for d in report.estimated)
        notes.append(f"Estimated by {report.source} (may still change): {days}")
    notes.append(requests_line(report.ce_requests))
    return notes


# --- terminal ---------------------------------------------------------------------------------


def weekly_view(report: WeeklyReport) -> RenderableType:
    parts: list[RenderableType] = []
    overview = Table.grid(padding=(0, 4))
    overview.add_column()
    overview.add_column()
    overview.add_row("\n".join(week_lines(report)), "\n".join(outlook_lines(report)))
    parts.append(overview)
    for movers in report.movers:
        table = _table(
            f"Top movers by {movers.dimension} (week vs the week before)",
            movers.dimension,
            ">this week",
            ">week before",
            ">change",
            ">%",
        )
        for move in movers.moves:
            change = move.change
            table.add_row(
                move.name,
                usd(change.current),
                usd(change.previous),
                signed_usd(change.amount),
                signed_percent(change.percent),
            )
        parts.append(table)
    if report.budgets:
        parts.append(_budgets_table(report.budgets, f"Budgets (at {report.end:%d %b})"))
    if report.commitments:
        parts.append(commitments_table(report.commitments, weekly=True))
    parts.append(Text("\n".join(data_lines(report)), style="dim"))
    return Panel(Group(*_spaced(parts)), title=weekly_headline(report), title_align="left")


# --- Slack ------------------------------------------------------------------------------------


def weekly_message(report: WeeklyReport) -> dict[str, Any]:
    """``text`` (notification fallback) and ``blocks`` of the weekly report."""
    blocks = opening_blocks(
        weekly_headline(report),
        ("The week", week_lines(report)),
        ("Month-end outlook", outlook_lines(report)),
    )
    for movers in report.movers:
        lines = [
            f"• {escape(m.name)}: {usd(m.change.current)} "
            f"({signed_usd(m.change.amount)}, {signed_percent(m.change.percent)})"
            for m in movers.moves
        ]
        blocks.append(_section(f"*Top movers by {escape(movers.dimension)}*\n" + "\n".join(lines)))
    if report.budgets:
        lines = [
            f"{STATE_EMOJI.get(s.state, '')} {escape(budget_line(s))}".strip()
            for s in report.budgets
        ]
        sources = budget_notes(report.budgets)
        if sources:
            lines.append(f"_{escape(sources)}_")
        blocks.append(_section(f"*Budgets* (at {report.end:%d %b})\n" + "\n".join(lines)))
    if report.commitments:
        blocks.append(commitments_section(report.commitments))
    blocks.append({"type": "context", "elements": [_mrkdwn(escape(n)) for n in data_lines(report)]})
    text = (
        f"{weekly_headline(report)}: {usd(report.total.current)} "
        f"({signed_usd(report.total.amount)} vs the week before)"
    )
    return {"text": text, "blocks": fit(blocks)}
