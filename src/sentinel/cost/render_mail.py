"""The cost reports as mail and as a topic message: the terminal view's text, the HTML page.

The text is what ``sentinel cost report`` prints, without colour, 100 columns wide; the daily
report's HTML is the page ``--out report.html`` writes, chart embedded, and the chart is also
attached (many mail readers show no embedded image).
"""

from __future__ import annotations

from rich.console import RenderableType

from sentinel.cost.chart import render_chart
from sentinel.cost.money import usd
from sentinel.cost.render_document import report_html
from sentinel.cost.render_terminal import report_view
from sentinel.cost.render_weekly import weekly_view
from sentinel.cost.report import DailyReport
from sentinel.cost.weekly import WeeklyReport
from sentinel.delivery.email import EmailPost
from sentinel.delivery.text import console_text
from sentinel.delivery.topic import TopicPost


def plain_text(view: RenderableType) -> str:
    return console_text(lambda console: console.print(view))


def daily_title(report: DailyReport) -> str:
    return f"Daily cost, {report.day:%d %b %Y}: {usd(report.yesterday.current)}"


def daily_email(report: DailyReport) -> EmailPost:
    chart = render_chart(report.chart, f"{report.project}: daily cost by service, and forecast")
    return EmailPost(
        f"[{report.project}] {daily_title(report)}",
        plain_text(report_view(report)),
        report_html(report, chart),
        chart,
        f"cost-{report.project}-{report.day}.png",
    )


def daily_topic(report: DailyReport) -> TopicPost:
    return TopicPost("cost", report.project, daily_title(report), plain_text(report_view(report)))


def weekly_title(report: WeeklyReport) -> str:
    return f"Weekly cost, {report.start:%d %b} to {report.end:%d %b %Y}"


def weekly_email(report: WeeklyReport) -> EmailPost:
    text = plain_text(weekly_view(report))
    return EmailPost(f"[{report.project}] {weekly_title(report)}", text)


def weekly_topic(report: WeeklyReport) -> TopicPost:
    text = plain_text(weekly_view(report))
    return TopicPost("cost-weekly", report.project, weekly_title(report), text)
