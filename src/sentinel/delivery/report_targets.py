"""A report to every place its monitors/ entry names: Slack, email addresses, a severity.

Each place has its own outbox key (``<report key>:<channel>``, ``...:email:<address>``,
``...:severity:<name>``), so a report reaches each once, and a place that failed is tried again
by the daemon's ``deliveries`` job while the others are done.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sentinel.aws.session import SessionFactory
from sentinel.config.models.routing import Slack
from sentinel.delivery.email import EmailPost, mail_once
from sentinel.delivery.outcome import DeliveryResult
from sentinel.delivery.posting import SlackPost, post_once
from sentinel.delivery.sns import SnsSender
from sentinel.delivery.topic import TOPIC, TopicPost, lookup_topic, publish_once
from sentinel.naming import severity_topic
from sentinel.store import Store
from sentinel.store.outbox import Outbox, Sender


class Targets(Protocol):
    @property
    def slack(self) -> Slack | None: ...
    @property
    def email(self) -> list[str]: ...
    @property
    def severity(self) -> str | None: ...


@dataclass(frozen=True)
class ReportParts:
    """How to build the report for each kind of place (each built only when needed)."""

    slack: Callable[[], SlackPost]
    email: Callable[[], EmailPost]
    topic: Callable[[], TopicPost]


def deliver_to_targets(
    targets: Targets | None,
    key: str,
    parts: ReportParts,
    config: Any,
    store: Store,
    factory: SessionFactory | None,
    sender_overrides: Mapping[str, Sender] | None = None,
    unconfigured: str = "no slack channel, email or severity",
) -> list[DeliveryResult]:
    if targets is None or not (targets.slack or targets.email or targets.severity):
        return [DeliveryResult("not configured", detail=unconfigured)]
    results = []
    if targets.slack is not None:
        results.append(
            post_once(
                targets.slack,
                lambda channel: f"{key}:{channel}",
                parts.slack,
                store,
                factory,
                sender_overrides,
            )
        )
    if targets.email and factory is not None:
        results += mail_once(
            targets.email,
            lambda address: f"{key}:email:{address}",
            parts.email,
            store,
            lambda: factory.client("ses"),
        )
    if targets.severity and factory is not None:
        results.append(
            _to_severity(targets.severity, key, parts, config, store, factory, sender_overrides)
        )
    return results


def _to_severity(
    severity: str,
    key: str,
    parts: ReportParts,
    config: Any,
    store: Store,
    factory: SessionFactory,
    sender_overrides: Mapping[str, Sender] | None,
) -> DeliveryResult:
    """The report to the severity's topic: the outbox first (a report delivered or queued
    knows its topic), then the topic; topics SNS will not list leave the report queued to
    the topic's ARN, which the ``deliveries`` job retries."""
    name = severity_topic(config, severity)
    key_of = f"{key}:severity:{severity}"
    sender = (sender_overrides or {}).get("sns") or SnsSender(factory)
    existing = Outbox(store).get(key_of)
    if existing is not None:
        return publish_once(existing.target, key_of, parts.topic, store, sender)
    found = lookup_topic(factory, name)
    if found.arn is None:
        if found.unlisted:
            detail = f"{found.problem}: the report to {severity} not sent"
            return DeliveryResult("failed", name, detail, TOPIC)
        return DeliveryResult("not configured", name, found.problem or "", TOPIC)
    result = publish_once(found.arn, key_of, parts.topic, store, sender)
    if found.unlisted is None or result.delivered:
        return result
    detail = f"SNS topics not listed ({found.unlisted}); {result.detail}"
    return DeliveryResult(result.status, found.arn, detail, TOPIC)
