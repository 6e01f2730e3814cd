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
from sentinel.delivery.topic import TOPIC, TopicPost, find_topic, publish_once
from sentinel.naming import severity_topic
from sentinel.store import Store
from sentinel.store.outbox import Sender


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
        name = severity_topic(config, targets.severity)
        topic = find_topic(factory, name)
        if topic is None:
            detail = f"SNS topic {name} does not exist (sentinel apply creates it)"
            results.append(DeliveryResult("not configured", name, detail, TOPIC))
        else:
            sender = (sender_overrides or {}).get("sns") or SnsSender(factory)
            key_of = f"{key}:severity:{targets.severity}"
            results.append(publish_once(topic, key_of, parts.topic, store, sender))
    return results
