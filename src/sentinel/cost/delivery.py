"""Getting reports and notices out: Slack and SNS senders over the outbox.

Every message is queued in the store's outbox under a key naming what it is (the report of a
day for a channel, the n-th notice of an anomaly) and sent at once; what fails stays queued and
the daemon's ``deliveries`` job sends it later. A key already delivered is never sent again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import botocore.exceptions

from sentinel.aws.session import SessionFactory
from sentinel.config.models.routing import Slack
from sentinel.config.secrets import resolve_secret
from sentinel.cost.chart import render_chart
from sentinel.cost.render_slack import report_message
from sentinel.cost.render_weekly import weekly_message
from sentinel.cost.report import DailyReport
from sentinel.cost.slack import CHANNEL as SLACK
from sentinel.cost.slack import SlackSender, slack_payload
from sentinel.cost.weekly import WeeklyReport
from sentinel.errors import SecretError
from sentinel.store import Store
from sentinel.store.outbox import Delivery, DeliveryFailed, Outbox, Sender

SNS = "sns"


@dataclass(frozen=True)
class DeliveryResult:
    """``posted``, ``queued`` (will be retried), ``already posted`` or ``not configured``."""

    status: str
    target: str = ""
    detail: str = ""

    @property
    def delivered(self) -> bool:
        return self.status in ("posted", "already posted")


class SnsSender:
    """Publishes a notice to a severity tier's topic (a text for people, JSON for machines)."""

    def __init__(self, factory: SessionFactory) -> None:
        self.factory = factory

    def send(self, delivery: Delivery, progress: Callable[[Mapping[str, Any]], None]) -> None:
        payload = delivery.payload
        try:
            response = self.factory.client("sns").publish(
                TopicArn=delivery.target,
                Subject=payload["subject"][:100],
                Message=json.dumps(payload["message"]),
                MessageStructure="json",
                MessageAttributes={
                    k: {"DataType": "String", "StringValue": str(v)}
                    for k, v in payload.get("attributes", {}).items()
                },
            )
        except botocore.exceptions.ClientError as exc:
            raise DeliveryFailed(
                f"SNS: {exc.response.get('Error', {}).get('Code', 'Error')}"
            ) from None
        except botocore.exceptions.BotoCoreError as exc:
            raise DeliveryFailed(f"SNS: {type(exc).__name__}") from None
        progress({"message_id": response["MessageId"]})


@dataclass(frozen=True)
class SlackPost:
    """A message for a monitor's Slack channel, with an optional chart to upload beside it."""

    message: Mapping[str, Any]
    title: str | None = None
    chart: bytes | None = None
    chart_name: str | None = None


def post_once(
    slack: Slack | None,
    key_for: Callable[[str], str],
    build: Callable[[], SlackPost],
    store: Store,
    factory: SessionFactory | None,
    sender_overrides: Mapping[str, Sender] | None = None,
    unconfigured: str = "no slack channel",
) -> DeliveryResult:
    """Post to ``slack`` once per outbox key (``key_for(channel)``), through the outbox.

    ``build`` runs only when the key was never queued; a post Slack refuses stays queued for the
    daemon's ``deliveries`` job, and a key already delivered is never posted again.
    """
    if slack is None:
        return DeliveryResult("not configured", detail=unconfigured)
    try:
        resolve_secret(slack.token, factory)
    except SecretError as exc:
        return DeliveryResult("not configured", slack.channel, str(exc))
    outbox = Outbox(store)
    key = key_for(slack.channel)
    existing = outbox.get(key)
    if existing is not None and existing.delivered:
        return DeliveryResult(
            "already posted", slack.channel, f"at {existing.delivered_at:%Y-%m-%d %H:%M} UTC"
        )
    if existing is None:
        post = build()
        payload = slack_payload(slack.channel, slack.token, post.message)
        if post.title:
            payload["attachment_title"] = post.title
        existing, _ = outbox.enqueue(
            key, SLACK, slack.channel, payload, post.chart, post.chart_name
        )
    active = {**senders(factory, outbox), **(sender_overrides or {})}
    ok, error = outbox.deliver(existing, active[SLACK])
    if ok:
        return DeliveryResult("posted", slack.channel)
    return DeliveryResult("queued", slack.channel, error or "being sent by another process")


def senders(factory: SessionFactory | None, outbox: Outbox) -> dict[str, Sender]:
    def thread_ts(key: str) -> str | None:
        parent = outbox.get(key)
        return parent.progress.get("ts") if parent else None

    out: dict[str, Sender] = {
        SLACK: SlackSender(resolve=lambda ref: resolve_secret(ref, factory), thread_ts=thread_ts)
    }
    if factory is not None:
        out[SNS] = SnsSender(factory)
    return out


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
