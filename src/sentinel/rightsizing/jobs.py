"""The weekly right-sizing list as a daemon job: scanned, sent once a week to each place
monitors/ rightsizing names (Slack, email, a severity).

Sent through the store's outbox under ``rightsizing:<project>:<ISO week>:<place>``, so a
restart never sends it twice and a refused one is retried by the ``deliveries`` job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sentinel.aws.session import SessionFactory
from sentinel.config.units import parse_percent
from sentinel.daemon.registry import JobContext, JobSpec
from sentinel.delivery.calls import REPORT_CALLS
from sentinel.delivery.email import EmailPost
from sentinel.delivery.outcome import DeliveryResult
from sentinel.delivery.posting import SlackPost
from sentinel.delivery.report_targets import ReportParts, deliver_to_targets
from sentinel.delivery.text import console_text
from sentinel.delivery.topic import TopicPost
from sentinel.rightsizing.render import render_table, rightsizing_message, usd
from sentinel.rightsizing.scan import DEFAULT_HEADROOM, RightsizingReport, rightsize
from sentinel.store import Store
from sentinel.store.outbox import Sender


@dataclass(frozen=True)
class RightsizingRun:
    report: RightsizingReport
    deliveries: list[DeliveryResult]


def rightsizing_key(project: str, as_of: datetime) -> str:
    year, week, _ = as_of.isocalendar()
    return f"rightsizing:{project}:{year}-W{week:02d}"


def _parts(report: RightsizingReport, project: str) -> ReportParts:
    title = f"Right-sizing, week of {report.as_of:%d %b %Y}: {usd(report.monthly_saving)} a month"

    def text() -> str:
        return console_text(lambda console: render_table(report, console))

    return ReportParts(
        lambda: SlackPost(rightsizing_message(report, project)),
        lambda: EmailPost(f"[{project}] {title}", text()),
        lambda: TopicPost("rightsizing", project, title, text()),
    )


def run_rightsizing(
    config: Any,
    factory: SessionFactory,
    store: Store,
    now: datetime | None = None,
    sender_overrides: Mapping[str, Sender] | None = None,
) -> RightsizingRun:
    settings = config.rightsizing
    report = rightsize(
        factory,
        list(config.project.regions),
        lookback=settings.lookback if settings else "14d",
        headroom=float(parse_percent(settings.headroom)) if settings else DEFAULT_HEADROOM,
        now=now,
    )
    deliveries = deliver_to_targets(
        settings,
        rightsizing_key(config.name, report.as_of),
        _parts(report, config.name),
        config,
        store,
        factory,
        sender_overrides,
        unconfigured="no slack channel, email or severity in monitors/ rightsizing",
    )
    return RightsizingRun(report, deliveries)


def _schedule(config: Any) -> str | None:
    return str(config.rightsizing.schedule) if config.rightsizing else None


def _run(context: JobContext) -> str:
    run = run_rightsizing(context.config, context.factory, context.store, context.scheduled)
    report = run.report
    text = (
        f"{len(report.findings)} findings, {usd(report.monthly_saving)} a month, "
        f"{sum(report.examined.values())} resources, {report.metric_calls} GetMetricData calls"
    )
    if report.log_queries:
        text += f", {report.log_queries} Logs Insights queries"
    for delivery in run.deliveries:
        text += f"; {delivery.status} {delivery.target}".rstrip()
    return text


RIGHTSIZING = JobSpec(
    "rightsizing",
    "Weekly right-sizing findings, to Slack, email or a severity",
    _schedule,
    _run,
    period="week",
    calls=(
        "cloudwatch:GetMetricData",
        "compute-optimizer:GetEnrollmentStatus",
        "compute-optimizer:GetLambdaFunctionRecommendations",
        "logs:DescribeLogGroups",
        "logs:StartQuery",
        "logs:GetQueryResults",
        "logs:StopQuery",
        *REPORT_CALLS,
    ),
    reads_inventory=True,
)
