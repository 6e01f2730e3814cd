"""Demo steps of on-call routing: an alarm fires and recovers, the router pages and posts.

The emulator never evaluates alarms, so the demo publishes CloudWatch-format ALARM and OK
messages of one critical P2P alarm to its severity topic, as CloudWatch would. ``sentinel route
--drain`` then delivers them from the router queue to local stand-ins for PagerDuty and Slack
started here, and the last step shows what those received: the trigger and the resolve, and the
Slack message with its thread reply.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from rich.table import Table
from rich.text import Text

from sentinel import clock
from sentinel.config import load_config
from sentinel.demo.runner import Action, Command, DemoContext, Step
from sentinel.errors import SentinelError
from sentinel.routing import queue_name
from sentinel.routing.messages import cloudwatch_time
from sentinel.routing.regions import region_name
from sentinel.routing.standins import StandIns, stand_ins

ALARM = "p2p-rds-cpu-high-p2p-postgres"
SEVERITY = "critical"
SECRETS = ("P2P_PAGERDUTY_KEY", "SLACK_BOT_TOKEN")
# A store of its own, so the demo's Slack threads never mix with a real router's.
STORE = Path(tempfile.gettempdir()) / f"sentinel-demo-router-{os.getpid()}.db"
_running: dict[str, Any] = {}


def _session(ctx: DemoContext) -> boto3.Session:
    return boto3.Session(
        aws_access_key_id=ctx.env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=ctx.env["AWS_SECRET_ACCESS_KEY"],
        region_name=ctx.region,
    )


def _client(ctx: DemoContext, service: str) -> Any:
    return _session(ctx).client(service, endpoint_url=ctx.endpoint_url)


def _alarm(ctx: DemoContext) -> tuple[str, str]:
    """The alarm that fires, and the ARN of the topic it notifies: ALARM, else the project's
    first alarm with an action on one of its severity topics."""
    cloudwatch = _client(ctx, "cloudwatch")
    found = cloudwatch.describe_alarms(AlarmNames=[ALARM])["MetricAlarms"]
    candidates = found or [
        alarm
        for page in cloudwatch.get_paginator("describe_alarms").paginate(
            AlarmNamePrefix=f"{ctx.config.name}-", AlarmTypes=["MetricAlarm"]
        )
        for alarm in page["MetricAlarms"]
    ]
    # A single-metric alarm first: its notification names the metric the way responders read.
    for alarm in sorted(candidates, key=lambda a: "MetricName" not in a):
        for action in alarm.get("AlarmActions", []):
            if action.startswith("arn:aws:sns:"):
                return alarm["AlarmName"], action
    if found:  # ALARM made by hand, without actions: its severity's topic
        account = _client(ctx, "sts").get_caller_identity()["Account"]
        region = ctx.region
        return ALARM, f"arn:aws:sns:{region}:{account}:p2p-{SEVERITY}"
    raise SentinelError(f"no alarm of {ctx.config.name} notifies a topic: nothing to route")


def _routed(ctx: DemoContext) -> bool:
    if ctx.has("router"):
        return True
    ctx.console.print(f"(skipped: {ctx.config_dir} has no router: in alarms/routing.yaml)")
    return False


def show_router_queue(ctx: DemoContext) -> None:
    """The queue `sentinel apply` made for routing.yaml's `router:` (made here if it has not)."""
    if not _routed(ctx):
        return
    sqs = _client(ctx, "sqs")
    name = queue_name(load_config(ctx.config_dir).name)
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        _apply_routing(ctx)
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attributes["RedrivePolicy"])
    queue_arn = attributes["QueueArn"]
    pages = _client(ctx, "sns").get_paginator("list_subscriptions").paginate()
    topics = sorted(
        s["TopicArn"].rsplit(":", 1)[-1]
        for page in pages
        for s in page.get("Subscriptions", [])
        if s["Endpoint"] == queue_arn
    )
    ctx.console.print(
        f"Queue {name}: visibility {attributes['VisibilityTimeout']}s, long polling "
        f"{attributes['ReceiveMessageWaitTimeSeconds']}s"
    )
    ctx.console.print(
        f"Dead letters: {redrive['deadLetterTargetArn'].rsplit(':', 1)[-1]} after "
        f"{redrive['maxReceiveCount']} receives"
    )
    ctx.console.print(f"Subscribed to: {', '.join(topics)}")


def _apply_routing(ctx: DemoContext) -> None:
    from sentinel.aws.session import SessionFactory
    from sentinel.sync.context import SyncContext
    from sentinel.sync.engine import apply, plan
    from sentinel.sync.router_queue import RouterQueueKind
    from sentinel.sync.topics import Topics

    factory = SessionFactory(session=_session(ctx), endpoint_url=ctx.endpoint_url)
    sync = SyncContext(load_config(ctx.config_dir), factory, factory.region)
    kinds = [Topics(), RouterQueueKind()]
    apply(sync, plan(sync, kinds), kinds)


def start_stand_ins(ctx: DemoContext) -> None:
    if not _routed(ctx):
        return
    context = stand_ins()
    running: StandIns = context.__enter__()
    _running.update(context=context, standins=running)
    ctx.resources.callback(_stop_stand_ins)  # also when a later step fails
    ctx.env.update(running.environment())
    for name in SECRETS:
        ctx.env.setdefault(name, f"demo-{name.lower().replace('_', '-')}")
    ctx.console.print(f"PagerDuty Events API stand-in: {running.pagerduty.url} (TLS, its own CA)")
    ctx.console.print(f"Slack Web API stand-in:       {running.slack.url}/api/")
    ctx.console.print(
        "`sentinel route` is pointed at them with SENTINEL_PAGERDUTY_EVENTS_URL, "
        "SENTINEL_SLACK_API_URL and SENTINEL_CA_BUNDLE."
    )


def _stop_stand_ins() -> None:
    context = _running.pop("context", None)
    if context is not None:
        context.__exit__(None, None, None)


def _message(ctx: DemoContext, state: str, changed: datetime, name: str = ALARM) -> tuple[str, str]:
    """A CloudWatch alarm notification for the alarm as it exists in the account."""
    [alarm] = _client(ctx, "cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    verb, value = ("greater", 97.4) if state == "ALARM" else ("not greater", 41.0)
    reason = (
        f"Threshold Crossed: 5 out of the last 5 datapoints [{value}] were {verb} than the "
        f"threshold ({alarm['Threshold']:.1f})."
    )
    region = alarm["AlarmArn"].split(":")[3]
    message = {
        "AlarmName": name,
        "AlarmDescription": alarm.get("AlarmDescription"),
        "AWSAccountId": alarm["AlarmArn"].split(":")[4],
        "NewStateValue": state,
        "NewStateReason": reason,
        "StateChangeTime": cloudwatch_time(changed),
        "Region": region_name(region),
        "AlarmArn": alarm["AlarmArn"],
        "OldStateValue": "OK" if state == "ALARM" else "ALARM",
        "OKActions": alarm.get("OKActions", []),
        "AlarmActions": alarm.get("AlarmActions", []),
        "InsufficientDataActions": alarm.get("InsufficientDataActions", []),
        "Trigger": {
            "MetricName": alarm["MetricName"],
            "Namespace": alarm["Namespace"],
            "StatisticType": "Statistic",
            "Statistic": str(alarm.get("Statistic", "Average")).upper(),
            "Unit": None,
            "Dimensions": [
                {"value": d["Value"], "name": d["Name"]} for d in alarm.get("Dimensions", [])
            ],
            "Period": alarm["Period"],
            "EvaluationPeriods": alarm["EvaluationPeriods"],
            "ComparisonOperator": alarm["ComparisonOperator"],
            "Threshold": alarm["Threshold"],
            "TreatMissingData": alarm.get("TreatMissingData", "missing"),
            "EvaluateLowSampleCountPercentile": "",
        },
    }
    return json.dumps(message), f'{state}: "{name}" in {message["Region"]}'


def _publish(ctx: DemoContext, state: str, changed: datetime) -> None:
    if not _routed(ctx):
        return
    name, topic_arn = _alarm(ctx)
    body, subject = _message(ctx, state, changed, name)
    _client(ctx, "sns").publish(TopicArn=topic_arn, Message=body, Subject=subject)
    ctx.console.print(
        f"Published to {topic_arn.rsplit(':', 1)[-1]}: {subject} "
        f"(StateChangeTime {json.loads(body)['StateChangeTime']})"
    )


def publish_alarm(ctx: DemoContext) -> None:
    # Three minutes ago: past the one-minute group wait, so the router sends it at once.
    _publish(ctx, "ALARM", clock.now() - timedelta(minutes=3))


def publish_ok(ctx: DemoContext) -> None:
    _publish(ctx, "OK", clock.now())


def show_received(ctx: DemoContext) -> None:
    if not _routed(ctx):
        return
    running: StandIns = _running["standins"]
    events = Table(title="PagerDuty stand-in: Events API v2", title_justify="left")
    for column in ("action", "severity", "dedup_key", "summary"):
        events.add_column(column, overflow="fold")
    for event in running.pagerduty.events:
        payload = event.get("payload", {})
        cells = (
            event["event_action"],
            payload.get("severity", ""),
            event["dedup_key"],
            payload.get("summary", "")[:90],
        )
        events.add_row(*(Text(cell) for cell in cells))  # "[critical]" is text, not markup
    ctx.console.print(events)
    slack = Table(title="Slack stand-in: Web API", title_justify="left")
    for column in ("method", "channel", "thread_ts", "text"):
        slack.add_column(column, overflow="fold")
    for request in running.slack.requests:
        body = request.body or {}
        cells = (
            request.path.rsplit("/", 1)[-1],
            str(body.get("channel", "")),
            str(body.get("thread_ts") or body.get("ts") or ""),
            str(body.get("text", ""))[:90],
        )
        slack.add_row(*(Text(cell) for cell in cells))
    ctx.console.print(slack)
    _stop_stand_ins()
    with contextlib.suppress(OSError):
        STORE.unlink()


ROUTE = ["route", "--drain", "--store", f"sqlite:///{STORE}"]

STEPS: list[Step] = [
    Action("Routing: the router queue subscribed to every severity topic", show_router_queue),
    Action("Local stand-ins for PagerDuty and Slack", start_stand_ins),
    Action("CloudWatch sends ALARM for an alarm to its severity's topic", publish_alarm),
    Command(
        "The router pages PagerDuty and posts to Slack, naming who is on call",
        ROUTE,
        shows="router",
    ),
    Action("CloudWatch sends OK for the same alarm", publish_ok),
    Command(
        "The router resolves the incident and replies in the Slack thread", ROUTE, shows="router"
    ),
    Command("Who is on call now and next", ["oncall"], shows="oncall"),
    Action("What the stand-ins received", show_received),
]
