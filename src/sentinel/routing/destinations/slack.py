"""Slack through slack_sdk: one message per alarm, later changes in its thread.

The first notification of an alarm posts a Block Kit message naming the on-call person. Every
later change updates that message to the new state (``chat.update``) and replies in its thread,
so a channel shows one line per incident, not one per state change. The update comes first:
it is idempotent, so a retry after a failed reply never posts the reply twice.

Every post carries message metadata naming its alarm and SNS message, so that a router handling
a message that may have gone out unrecorded (a replica died mid-delivery, an answer was lost)
finds the post (``find_sent``) instead of posting it again. One connection per destination is
kept alive across calls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from sentinel.delivery.slack_client import web_client
from sentinel.errors import DeliveryFailed
from sentinel.routing.destinations.base import (
    DigestEntry,
    Found,
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
from sentinel.routing.report_messages import Report
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
log = logging.getLogger("sentinel.routing")
_SDK_LOG = logging.getLogger("sentinel.routing.slack.http")
_SDK_LOG.addHandler(logging.NullHandler())
_SDK_LOG.propagate = False  # slack_sdk logs every refused connection itself; the router reports it


METADATA_EVENT = "sentinel_alert"
HISTORY_PAGE = 200
ROUTER_TIMEOUT = 10
# Slack's clock and ours differ a little: look a bit before the unfinished claim began.
HISTORY_SLACK = timedelta(seconds=60)


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
        # Conversations are read by id; the configuration may name the channel instead.
        self.channel_id: str | None = channel if channel[:1] in ("C", "G") else None

    def __repr__(self) -> str:
        return f"SlackDestination({self.channel}, token={self.token_reference})"

    def client(self) -> WebClient:
        if self._client is None:
            # No retries inside a call: the router retries through its queue.
            self._client = web_client(
                self._resolve(self.token_reference), self.endpoints, ROUTER_TIMEOUT, [], _SDK_LOG
            )
        return self._client

    def send(self, notification: Notification, thread: Thread | None) -> Sent:
        text, blocks = fallback_text(notification), alarm_blocks(notification)
        metadata = _metadata(notification)
        if thread is None:
            return self._post(text, blocks, metadata)
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
            return self._post(text, blocks, metadata)
        self._call(
            lambda c: c.chat_postMessage(
                channel=thread.channel,
                thread_ts=thread.ts,
                text=reply_text(notification),
                blocks=reply_blocks(notification),
                metadata=metadata,
            )
        )
        return Sent("updated + replied in thread", thread)

    def send_report(self, report: Report) -> Sent:
        """A report on the severity's topic: its title, then its text (a terminal view, in
        columns) as a code block, which Slack shows in a fixed-width font and leaves unformatted."""
        self._call(
            lambda c: c.chat_postMessage(
                channel=self.channel,
                text=f"*{report.title}*\n```\n{report.text.rstrip()}\n```",
                unfurl_links=False,
                unfurl_media=False,
            )
        )
        return Sent("report posted")

    def _post(self, text: str, blocks: list[dict[str, Any]], metadata: dict[str, Any]) -> Sent:
        response = self._call(
            lambda c: c.chat_postMessage(
                channel=self.channel, text=text, blocks=blocks, metadata=metadata
            )
        )
        self.channel_id = str(response["channel"])
        return Sent("posted", Thread(self.channel_id, str(response["ts"])))

    def find_sent(
        self,
        notification: Notification,
        thread: Thread | None,
        since: datetime,
        channel: str | None = None,
    ) -> Found:
        """What was posted of this alarm after ``since`` without being recorded (its sender
        died, or its answer was lost): its thread, and whether this notification is there.
        ``channel``: the id earlier posts went to. Unknown (no channel id yet, Slack
        unreachable) counts as not there: the post is sent, at worst twice, never lost."""
        alert = notification.alert
        self.channel_id = self.channel_id or channel
        oldest = f"{(since - HISTORY_SLACK).timestamp():.6f}"
        try:
            if thread is None:
                self.channel_id = self.channel_id or self._look_up_channel()
                if self.channel_id is None:
                    return Found()
                for message in self._history(self.channel_id, oldest):
                    payload = _payload(message)
                    if payload.get("alert_key") == alert.key and not _is_reply(message):
                        found = Thread(self.channel_id, str(message["ts"]))
                        if payload.get("message_id") == alert.message_id:
                            return Found(found, Sent("posted (found, not sent again)", found))
                        thread = found
                        break
                else:
                    return Found()
            for message in self._replies(thread, oldest):
                if _payload(message).get("message_id") == alert.message_id:
                    return Found(thread, Sent("replied in thread (found, not sent again)", thread))
        except DeliveryFailed as exc:
            log.warning("%s: cannot look for an unfinished post (%s); posting", self.label, exc)
            return Found()
        return Found(thread)

    def _look_up_channel(self) -> str | None:
        """The id of the configured channel name (history is read by id)."""
        name = self.channel.lstrip("#")
        for channel in self._pages(
            lambda c, cursor: c.conversations_list(
                types="public_channel,private_channel", limit=HISTORY_PAGE, cursor=cursor
            ),
            "channels",
        ):
            if channel.get("name") == name:
                return str(channel["id"])
        return None

    def _history(self, channel: str, oldest: str) -> Iterator[dict[str, Any]]:
        yield from self._pages(
            lambda c, cursor: c.conversations_history(
                channel=channel,
                oldest=oldest,
                limit=HISTORY_PAGE,
                include_all_metadata=True,
                cursor=cursor,
            )
        )

    def _replies(self, thread: Thread, oldest: str) -> Iterator[dict[str, Any]]:
        yield from self._pages(
            lambda c, cursor: c.conversations_replies(
                channel=thread.channel,
                ts=thread.ts,
                oldest=oldest,
                limit=HISTORY_PAGE,
                include_all_metadata=True,
                cursor=cursor,
            )
        )

    def _pages(self, call: Callable[..., Any], items: str = "messages") -> Iterator[dict[str, Any]]:
        cursor: str | None = None
        while True:
            response = self._call(partial(call, cursor=cursor))
            yield from response.get(items) or []
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return

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
            raise DeliveryFailed(self.label, _short(exc), unanswered=True) from None


def _metadata(notification: Notification) -> dict[str, Any]:
    alert = notification.alert
    return {
        "event_type": METADATA_EVENT,
        "event_payload": {"alert_key": alert.key, "message_id": alert.message_id},
    }


def _payload(message: dict[str, Any]) -> dict[str, Any]:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != METADATA_EVENT:
        return {}
    return metadata.get("event_payload") or {}


def _is_reply(message: dict[str, Any]) -> bool:
    return message.get("thread_ts") not in (None, message.get("ts"))


def _short(exc: Exception) -> str:
    return (str(exc).splitlines()[0] if str(exc) else type(exc).__name__)[:200]
