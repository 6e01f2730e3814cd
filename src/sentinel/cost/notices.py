"""Anomaly notices: each anomaly is announced once, then updated, never announced anew.

The ``cost_anomalies`` table remembers every anomaly announced: its series, direction (a spike
or a drop), first day, last day seen and the impact last announced. A scan's anomaly that
continues a known one (same series and direction, within two days of its last day) is the same
anomaly (a drop right after a spike of the same series is another one): an update is sent in
the thread of the first notice when its impact has grown by half since the last notice (fallen
by half more, for a drop), and once when it ends.
Notices go to the severity's SNS topic (when it exists) and to Slack (see ``destinations``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Date, DateTime, Integer, String, Table, insert, select, update

from sentinel.aws.session import SessionFactory
from sentinel.config.secrets import resolve_secret
from sentinel.cost.anomalies import CostAnomaly
from sentinel.cost.detection import SPIKE
from sentinel.cost.money import signed_usd, usd
from sentinel.cost.render_slack import anomaly_message
from sentinel.cost.summary import anomaly_line
from sentinel.delivery.senders import senders
from sentinel.delivery.slack import CHANNEL as SLACK
from sentinel.delivery.slack import slack_payload
from sentinel.delivery.sns import SNS
from sentinel.delivery.topic import lookup_topic
from sentinel.errors import SecretError
from sentinel.naming import severity_topic
from sentinel.store import Store
from sentinel.store.database import METADATA, utcnow
from sentinel.store.outbox import Outbox, Sender

# An ongoing anomaly is announced again when its impact has grown by this factor.
UPDATE_GROWTH = Decimal("1.5")
# A gap of up to this many days between two runs of a series' anomaly still makes one anomaly.
CONTINUATION_DAYS = 2

ANOMALIES = Table(
    "cost_anomalies",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project", String(100), nullable=False),
    Column("series", String(700), nullable=False),
    Column("direction", String(5), nullable=False, server_default=SPIKE),  # spike, drop
    Column("start", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("impact", String(40), nullable=False),
    Column("notified_impact", String(40), nullable=False),
    Column("notices", Integer, nullable=False),
    Column("status", String(10), nullable=False),  # open, ended
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)


@dataclass
class NoticeResult:
    new: list[CostAnomaly] = field(default_factory=list)
    updated: list[CostAnomaly] = field(default_factory=list)
    unchanged: list[CostAnomaly] = field(default_factory=list)
    queued: list[str] = field(default_factory=list)  # delivery keys not delivered yet
    destinations: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why a destination is not used
    unannounced: list[CostAnomaly] = field(default_factory=list)  # no destination: kept for later


@dataclass(frozen=True)
class Destinations:
    slack_channel: str | None
    slack_token: str | None
    topic_arn: str | None
    severity: str | None
    skipped: list[str]


def destinations(config: Any, factory: SessionFactory | None) -> Destinations:
    """Where anomaly notices go.

    The severity's SNS topic, when it exists. Slack: ``anomaly_detection.slack`` when set;
    otherwise the severity's own Slack destination, posted directly unless the alert router
    (``router:`` in routing.yaml) is subscribed to that topic and delivers it itself, which
    would post it twice. Without a severity, the cost report's channel.
    """
    detection = config.anomaly_detection
    severity = detection.severity if detection else None
    skipped: list[str] = []
    topic = None
    if severity and factory is not None:
        found = lookup_topic(factory, severity_topic(config, severity))
        topic = found.arn
        if found.problem:
            skipped.append(found.problem)
    slack = detection.slack if detection else None
    if slack is None and severity and config.routing:
        tier = config.routing.severities.get(severity)
        tier_slack = next((d.slack for d in (tier.notify if tier else []) if d.slack), None)
        router = config.routing.router
        if tier_slack is not None and router is not None and router.enabled and topic:
            skipped.append(
                f"Slack {tier_slack.channel}: delivered by the alert router from the topic"
            )
        else:
            slack = tier_slack
    if slack is None and not severity and config.cost_report:
        slack = config.cost_report.slack
    channel = token = None
    if slack is not None:
        try:
            resolve_secret(slack.token, factory)
            channel, token = slack.channel, slack.token
        except SecretError as exc:
            skipped.append(f"Slack {slack.channel}: {exc}")
    return Destinations(channel, token, topic, severity, skipped)


def notify_anomalies(
    config: Any,
    store: Store,
    factory: SessionFactory | None,
    anomalies: list[CostAnomaly],
    sender_overrides: dict[str, Sender] | None = None,
) -> NoticeResult:
    store.ensure([ANOMALIES])
    outbox = Outbox(store)
    where = destinations(config, factory)
    result = NoticeResult(skipped=list(where.skipped))
    if where.slack_channel:
        result.destinations.append(f"Slack {where.slack_channel}")
    if where.topic_arn:
        result.destinations.append(f"SNS {where.topic_arn.rsplit(':', 1)[-1]}")
    if not result.destinations:
        # Nothing could be told: remember nothing, so the anomalies are announced once a
        # destination exists.
        result.unannounced = list(anomalies)
        return result
    keys: list[str] = []
    for anomaly in sorted(anomalies, key=lambda a: a.start):
        known = _known(store, config.name, anomaly)
        if known is None:
            row_id = _record(store, config.name, anomaly)
            keys += _enqueue(outbox, where, config, anomaly, row_id, 0)
            result.new.append(anomaly)
            continue
        grew = abs(anomaly.impact) >= abs(Decimal(known["notified_impact"])) * UPDATE_GROWTH
        ended = known["status"] == "open" and not anomaly.ongoing
        later = anomaly.end > known["last_day"]
        if ended or (later and grew):
            keys += _enqueue(outbox, where, config, anomaly, known["id"], known["notices"])
            _advance(store, known["id"], anomaly, notified=True, notices=known["notices"] + 1)
            result.updated.append(anomaly)
        else:
            _advance(store, known["id"], anomaly, notified=False, notices=known["notices"])
            result.unchanged.append(anomaly)
    active = {**senders(factory, outbox), **(sender_overrides or {})}
    for key in keys:
        delivery = outbox.get(key)
        if delivery is None or delivery.delivered:
            continue
        ok, _ = outbox.deliver(delivery, active[delivery.channel])
        if not ok:
            result.queued.append(key)
    return result


def notice_key(project: str, row_id: int, number: int, channel: str) -> str:
    return f"anomaly:{project}:{row_id}:{number}:{channel}"


def _enqueue(
    outbox: Outbox, where: Destinations, config: Any, anomaly: CostAnomaly, row_id: int, number: int
) -> list[str]:
    keys = []
    update_notice = number > 0
    if where.slack_channel and where.slack_token:
        key = notice_key(config.name, row_id, number, SLACK)
        parent = notice_key(config.name, row_id, 0, SLACK) if update_notice else None
        message = anomaly_message(anomaly, config.name, update=update_notice)
        outbox.enqueue(
            key,
            SLACK,
            where.slack_channel,
            slack_payload(where.slack_channel, where.slack_token, message, parent),
        )
        keys.append(key)
    if where.topic_arn:
        key = notice_key(config.name, row_id, number, SNS)
        outbox.enqueue(
            key, SNS, where.topic_arn, _sns_payload(config, anomaly, where.severity, update_notice)
        )
        keys.append(key)
    return keys


def _sns_payload(
    config: Any, anomaly: CostAnomaly, severity: str | None, is_update: bool
) -> dict[str, Any]:
    kind = "spend drop" if anomaly.is_drop else "cost anomaly"
    text = f"{config.name}: {kind}{' update' if is_update else ''}: {anomaly_line(anomaly)}"
    event = {
        "source": "sentinel.cost-anomaly",
        "project": config.name,
        "severity": severity,
        "update": is_update,
        "series": anomaly.series.label,
        "direction": anomaly.direction,
        "start": anomaly.start.isoformat(),
        "end": anomaly.end.isoformat(),
        "ongoing": anomaly.ongoing,
        "actual": str(anomaly.actual),
        "expected": str(anomaly.expected),
        "impact": str(anomaly.impact),
        "drivers": [
            {"kind": d.kind, "name": d.name, "impact": str(d.impact)} for d in anomaly.drivers
        ],
    }
    impact = signed_usd(anomaly.impact)
    subject = f"[{severity or 'cost'}] {config.name} {kind}: {anomaly.series.label} {impact}"
    body = {"default": text, "email": text + f"\nExpected {usd(anomaly.expected)} a day."}
    for protocol in ("sqs", "lambda", "https", "http", "application", "firehose"):
        body[protocol] = _json(event)
    return {
        "subject": subject,
        "message": body,
        "attributes": {"event": "cost-anomaly", "severity": severity or "", "project": config.name},
    }


def _json(event: dict[str, Any]) -> str:
    return json.dumps(event, sort_keys=True)


def _known(store: Store, project: str, anomaly: CostAnomaly) -> dict[str, Any] | None:
    with store.engine.connect() as db:
        row = (
            db.execute(
                select(ANOMALIES)
                .where(
                    ANOMALIES.c.project == project,
                    ANOMALIES.c.series == anomaly.series.id,
                    ANOMALIES.c.direction == anomaly.direction,
                    ANOMALIES.c.start <= anomaly.end,
                    ANOMALIES.c.last_day >= anomaly.start - timedelta(days=CONTINUATION_DAYS),
                )
                .order_by(ANOMALIES.c.start.desc())
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None


def _record(store: Store, project: str, anomaly: CostAnomaly) -> int:
    now = utcnow()
    with store.engine.begin() as db:
        result = db.execute(
            insert(ANOMALIES).values(
                project=project,
                series=anomaly.series.id,
                direction=anomaly.direction,
                start=anomaly.start,
                last_day=anomaly.end,
                impact=str(anomaly.impact),
                notified_impact=str(anomaly.impact),
                notices=1,
                status="open" if anomaly.ongoing else "ended",
                created_at=now,
                updated_at=now,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])


def _advance(store: Store, row_id: int, anomaly: CostAnomaly, notified: bool, notices: int) -> None:
    values: dict[str, Any] = {
        "last_day": anomaly.end,
        "impact": str(anomaly.impact),
        "status": "open" if anomaly.ongoing else "ended",
        "notices": notices,
        "updated_at": utcnow(),
    }
    if notified:
        values["notified_impact"] = str(anomaly.impact)
    with store.engine.begin() as db:
        db.execute(update(ANOMALIES).where(ANOMALIES.c.id == row_id).values(**values))
