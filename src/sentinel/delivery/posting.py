"""Posting a report to a Slack channel once, through the outbox."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sentinel.aws.session import SessionFactory
from sentinel.config.models.routing import Slack
from sentinel.config.secrets import resolve_secret
from sentinel.delivery.outcome import DeliveryResult
from sentinel.delivery.senders import senders
from sentinel.delivery.slack import CHANNEL, slack_payload
from sentinel.errors import SecretError
from sentinel.store import Store
from sentinel.store.outbox import Outbox, Sender


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
            key, CHANNEL, slack.channel, payload, post.chart, post.chart_name
        )
    active = {**senders(factory, outbox), **(sender_overrides or {})}
    ok, error = outbox.deliver(existing, active[CHANNEL])
    if ok:
        return DeliveryResult("posted", slack.channel)
    return DeliveryResult("queued", slack.channel, error or "being sent by another process")
