"""Slack through slack_sdk: one message per alarm, later changes in its thread.

The first notification of an alarm posts a Block Kit message naming the on-call person. Every
later change updates that message to the new state (``chat.update``) and replies in its thread,
so a channel shows one line per incident, not one per state change. The update comes first:
it is idempotent, so a retry after a failed reply never posts the reply twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from sentinel.routing.destinations.base import (
    DeliveryFailed,
    DigestEntry,
    Notification,
    Sent,
    retry_after_seconds,
)
from sentinel.routing.destinations.slack_blocks import (
    alarm_blocks,
    digest_blocks,
    escalation_text,
    fallback_text,
    reply_blocks,
    reply_text,
)
from sentinel.routing.endpoints import ServiceEndpoints
from sentinel.routing.state import Thread

# Errors that no retry fixes: the token, the channel or the message itself is wrong.
PERMANENT = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_blocks",
        "msg_too_long",
        "restricted_action",
    }
)
_SDK_LOG = logging.getLogger("sentinel.routing.slack.http")
_SDK_LOG.addHandler(logging.NullHandler())
_SDK_LOG.propagate = False  # slack_sdk logs every refused connection itself; the router reports it


class SlackDestination:
    def __init__(
        self,
        channel: str,
        token: str,
        resolve: Callable[[str], str],
        endpoints: ServiceEndpoints,
    ) -> None:
        self.channel = channel
        self.token_reference = token
        self.id = f"slack:{channel}"
        self.label = f"Slack {channel}"
        self._resolve = resolve
        self.endpoints = endpoints
        self._client: WebClient | None = None

    def __repr__(self) -> str:
        return f"SlackDestination({self.channel}, token={self.token_reference})"

    def client(self) -> WebClient:
        if self._client is None:
            self._client = WebClient(
                token=self._resolve(self.token_reference),
                base_url=self.endpoints.slack_api,
                ssl=self.endpoints.ssl_context,
                timeout=10,
                retry_handlers=[],
                logger=_SDK_LOG,
            )
        return self._client

    def send(self, notification: Notification, thread: Thread | None) -> Sent:
        text, blocks = fallback_text(notification), alarm_blocks(notification)
        if thread is None:
            response = self._call(
                lambda c: c.chat_postMessage(channel=self.channel, text=text, blocks=blocks)
            )
            return Sent("posted", Thread(str(response["channel"]), str(response["ts"])))
        try:
            self._call(
                lambda c: c.chat_update(
                    channel=thread.channel, ts=thread.ts, text=text, blocks=blocks
                )
            )
        except DeliveryFailed as exc:
            if "message_not_found" not in exc.reason:
                raise
            # The original was deleted: start a new message for the alarm.
            response = self._call(
                lambda c: c.chat_postMessage(channel=self.channel, text=text, blocks=blocks)
            )
            return Sent("posted", Thread(str(response["channel"]), str(response["ts"])))
        self._call(
            lambda c: c.chat_postMessage(
                channel=thread.channel,
                thread_ts=thread.ts,
                text=reply_text(notification),
                blocks=reply_blocks(notification),
            )
        )
        return Sent("updated + replied in thread", thread)

    def send_digest(self, severity: str, entries: list[DigestEntry], at: datetime) -> Sent:
        blocks = digest_blocks(severity, entries, at)
        text = f"Digest: {len(entries)} {severity} alert(s) held during quiet hours"
        self._call(lambda c: c.chat_postMessage(channel=self.channel, text=text, blocks=blocks))
        return Sent(f"digest of {len(entries)}")

    def escalate(
        self, notification: Notification, contact: str, waited: str, thread: Thread | None
    ) -> Sent:
        text = escalation_text(notification, contact, waited)
        if thread is None:
            self._call(lambda c: c.chat_postMessage(channel=self.channel, text=text))
            return Sent("escalation posted")
        self._call(
            lambda c: c.chat_postMessage(
                channel=thread.channel, thread_ts=thread.ts, text=text, reply_broadcast=True
            )
        )
        return Sent("escalation in thread", thread)

    def _call(self, request: Callable[[WebClient], Any]) -> Any:
        try:
            return request(self.client())
        except SlackApiError as exc:
            response = exc.response
            status = response.status_code
            error = response.data.get("error") if isinstance(response.data, dict) else None
            if status == 429 or error == "ratelimited":
                wait = retry_after_seconds(
                    response.headers.get("Retry-After") or response.headers.get("retry-after")
                )
                raise DeliveryFailed(self.label, "429 rate limited", retry_after=wait) from None
            if error in PERMANENT:
                raise DeliveryFailed(self.label, error, permanent=True) from None
            raise DeliveryFailed(self.label, error or f"HTTP {status}") from None
        except (SlackClientError, OSError) as exc:
            raise DeliveryFailed(self.label, _short(exc)) from None


def _short(exc: Exception) -> str:
    return (str(exc).splitlines()[0] if str(exc) else type(exc).__name__)[:200]
