"""The weekly right-sizing list as a daemon job: scanned, posted once a week to Slack.

Posted through the store's outbox under ``rightsizing:<project>:<ISO week>:<channel>``, so a
restart never posts it twice and a refused post is retried by the ``deliveries`` job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sentinel.aws.session import SessionFactory
from sentinel.config.units import parse_percent
from sentinel.cost.delivery import DeliveryResult, SlackPost, post_once
from sentinel.daemon.registry import JobContext, JobSpec
from sentinel.rightsizing.render import rightsizing_message, usd
from sentinel.rightsizing.scan import DEFAULT_HEADROOM, RightsizingReport, rightsize
from sentinel.store import Store
from sentinel.store.outbox import Sender


@dataclass(frozen=True)
class RightsizingRun:
    report: RightsizingReport
    delivery: DeliveryResult | None


def rightsizing_key(project: str, as_of: datetime, channel: str) -> str:
    year, week, _ = as_of.isocalendar()
    return f"rightsizing:{project}:{year}-W{week:02d}:{channel}"


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
    delivery = post_once(
        settings.slack if settings else None,
        lambda channel: rightsizing_key(config.name, report.as_of, channel),
        lambda: SlackPost(rightsizing_message(report, config.name)),
        store,
        factory,
        sender_overrides,
        unconfigured="no slack channel in monitors/ rightsizing",
    )
    return RightsizingRun(report, delivery)


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
    if run.delivery is not None:
        text += f"; {run.delivery.status} {run.delivery.target}".rstrip()
    return text


RIGHTSIZING = JobSpec(
    "rightsizing",
    "Weekly right-sizing findings, to Slack",
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
    ),
    reads_inventory=True,
)
