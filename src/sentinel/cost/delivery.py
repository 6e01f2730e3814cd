"""The daily cost report, delivered once a day to each place monitors/ names
(the senders and the outbox are ``sentinel.delivery``'s)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sentinel.aws.session import SessionFactory
from sentinel.config.models.routing import Slack
from sentinel.cost.chart import render_chart
from sentinel.cost.render_slack import report_message
from sentinel.cost.render_weekly import weekly_message
from sentinel.cost.report import DailyReport
from sentinel.cost.weekly import WeeklyReport
from sentinel.delivery.outcome import DeliveryResult
from sentinel.delivery.posting import SlackPost, post_once
from sentinel.store import Store
from sentinel.store.outbox import Sender


def report_key(project: str, day: Any, channel: str) -> str:
    return f"cost-report:{project}:{day}:{channel}"


def deliver_report(
    report: DailyReport,
    config: Any,
    store: Store,
    factory: SessionFactory | None,
    sender_overrides: Mapping[str, Sender] | None = None,
) -> DeliveryResult:
    """Post the report to the cost report's Slack channel, once per day and channel."""

    def build() -> SlackPost:
        return SlackPost(
            report_message(report),
            title=f"Daily cost, {report.day:%d %b %Y}",
            chart=render_chart(
                report.chart, f"{report.project}: daily cost by service, and forecast"
            ),
            chart_name=f"cost-{report.project}-{report.day}.png",
        )

    return post_once(
        config.cost_report.slack if config.cost_report else None,
        lambda channel: report_key(config.name, report.day, channel),
        build,
        store,
        factory,
        sender_overrides,
        unconfigured="no slack channel in monitors/ cost_report",
    )


def weekly_report_key(project: str, week: str, channel: str) -> str:
    return f"cost-report-weekly:{project}:{week}:{channel}"


def weekly_slack(config: Any) -> Slack | None:
    """The weekly report's channel: its own, or the daily report's."""
    report = config.cost_report
    if report is None:
        return None
    return (report.weekly.slack if report.weekly else None) or report.slack


def deliver_weekly_report(
    report: WeeklyReport,
    config: Any,
    store: Store,
    factory: SessionFactory | None,
    sender_overrides: Mapping[str, Sender] | None = None,
) -> DeliveryResult:
    """Post the weekly report to its Slack channel, once per ISO week and channel."""

    def build() -> SlackPost:
        return SlackPost(weekly_message(report), title=f"Weekly cost, {report.week}")

    return post_once(
        weekly_slack(config),
        lambda channel: weekly_report_key(config.name, report.week, channel),
        build,
        store,
        factory,
        sender_overrides,
        unconfigured="no slack channel in monitors/ cost_report (weekly)",
    )
