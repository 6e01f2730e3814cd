"""The daily cost report, delivered once a day to each place monitors/ names
(the senders and the outbox are ``sentinel.delivery``'s)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sentinel.aws.session import SessionFactory
from sentinel.config.models.routing import Slack
from sentinel.cost.chart import render_chart
from sentinel.cost.render_mail import daily_email, daily_topic, weekly_email, weekly_topic
from sentinel.cost.render_slack import report_message
from sentinel.cost.render_weekly import weekly_message
from sentinel.cost.report import DailyReport
from sentinel.cost.weekly import WeeklyReport
from sentinel.delivery.outcome import DeliveryResult
from sentinel.delivery.posting import SlackPost
from sentinel.delivery.report_targets import ReportParts, deliver_to_targets
from sentinel.store import Store
from sentinel.store.outbox import Sender


def deliver_report(
    report: DailyReport,
    config: Any,
    store: Store,
    factory: SessionFactory | None,
    sender_overrides: Mapping[str, Sender] | None = None,
) -> list[DeliveryResult]:
    """The report to each place monitors/ cost_report names (Slack, email, a severity), once
    per day and place."""

    def slack() -> SlackPost:
        return SlackPost(
            report_message(report),
            title=f"Daily cost, {report.day:%d %b %Y}",
            chart=render_chart(
                report.chart, f"{report.project}: daily cost by service, and forecast"
            ),
            chart_name=f"cost-{report.project}-{report.day}.png",
        )

    parts = ReportParts(slack, lambda: daily_email(report), lambda: daily_topic(report))
    return deliver_to_targets(
        config.cost_report,
        f"cost-report:{config.name}:{report.day}",
        parts,
        config,
        store,
        factory,
        sender_overrides,
        unconfigured="no slack channel, email or severity in monitors/ cost_report",
    )


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
) -> list[DeliveryResult]:
    """The weekly report to its Slack channel (its own, or the daily report's) and to the
    cost report's email addresses and severity, once per ISO week and place."""

    def slack() -> SlackPost:
        return SlackPost(weekly_message(report), title=f"Weekly cost, {report.week}")

    report_config = config.cost_report
    targets = None
    if report_config is not None:
        targets = WeeklyTargets(weekly_slack(config), report_config.email, report_config.severity)
    parts = ReportParts(slack, lambda: weekly_email(report), lambda: weekly_topic(report))
    return deliver_to_targets(
        targets,
        f"cost-report-weekly:{config.name}:{report.week}",
        parts,
        config,
        store,
        factory,
        sender_overrides,
        unconfigured="no slack channel, email or severity in monitors/ cost_report (weekly)",
    )


@dataclass(frozen=True)
class WeeklyTargets:
    slack: Slack | None
    email: list[str]
    severity: str | None
