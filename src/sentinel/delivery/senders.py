"""Every channel's outbox sender: what the daemon's ``deliveries`` job sends pending ones with."""

from __future__ import annotations

from sentinel.aws.session import SessionFactory
from sentinel.config.secrets import resolve_secret
from sentinel.delivery.email import EMAIL, SesSender
from sentinel.delivery.slack import CHANNEL as SLACK
from sentinel.delivery.slack import SlackSender
from sentinel.delivery.sns import SNS, SnsSender
from sentinel.store.outbox import Outbox, Sender


def senders(factory: SessionFactory | None, outbox: Outbox) -> dict[str, Sender]:
    def thread_ts(key: str) -> str | None:
        parent = outbox.get(key)
        return parent.progress.get("ts") if parent else None

    out: dict[str, Sender] = {
        SLACK: SlackSender(resolve=lambda ref: resolve_secret(ref, factory), thread_ts=thread_ts)
    }
    if factory is not None:
        out[SNS] = SnsSender(factory)
        out[EMAIL] = SesSender(lambda: factory.client("ses"))
    return out
