"""Slack delivery through slack_sdk's WebClient, as an outbox sender.

The bot token is a secret reference, resolved at send time and handed only to the client.
``RateLimitErrorRetryHandler`` (honouring Retry-After), ``ServerErrorRetryHandler`` and
``ConnectionErrorRetryHandler`` retry within one attempt; what still fails leaves the delivery
in the outbox for the next attempt. Each delivered part (the message, the chart) is recorded,
so a retry never posts the message again after only the upload failed.

Where Slack is comes from ``sentinel.routing.endpoints``, as for the alert router:
``SENTINEL_SLACK_API_URL`` (GovSlack, a proxy, a stand-in) and ``SENTINEL_CA_BUNDLE``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator

from sentinel.delivery.slack_client import web_client
from sentinel.errors import DeliveryFailed, SecretError
from sentinel.routing.endpoints import SLACK_API_URL, ServiceEndpoints
from sentinel.store.outbox import Delivery

BASE_URL_ENV = SLACK_API_URL
CHANNEL = "slack"
# Waits between retries of a 5xx or a dropped connection: 0.5 s, 1 s (with jitter).
RETRY_INTERVAL: RetryIntervalCalculator = BackoffRetryIntervalCalculator(backoff_factor=0.5)


def slack_client(token: str, base_url: str | None = None) -> WebClient:
    interval = RETRY_INTERVAL
    handlers = [
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2, interval_calculator=interval),
        ConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=interval),
    ]
    return web_client(token, ServiceEndpoints.from_env(), 30, handlers, base_url=base_url)


def slack_payload(
    channel: str, token_ref: str, message: Mapping[str, Any], thread_of: str | None = None
) -> dict[str, Any]:
    """What the outbox keeps: the channel, the token's *reference*, the message."""
    payload = {"channel": channel, "token": token_ref, **message}
    if thread_of:
        payload["thread_of"] = thread_of
    return payload


class SlackSender:
    """Posts a delivery's blocks, then uploads its attachment (the chart) to the same channel."""

    def __init__(
        self,
        resolve: Callable[[str], str],
        thread_ts: Callable[[str], str | None] = lambda key: None,
        base_url: str | None = None,
    ) -> None:
        self.resolve = resolve
        self.thread_ts = thread_ts
        self.base_url = base_url

    def send(self, delivery: Delivery, progress: Callable[[Mapping[str, Any]], None]) -> None:
        payload = delivery.payload
        try:
            token = self.resolve(payload["token"])
        except SecretError as exc:
            raise DeliveryFailed("Slack", str(exc)) from None
        client = slack_client(token, self.base_url)
        done = dict(delivery.progress)
        try:
            if "ts" not in done:
                extra: dict[str, Any] = {}
                parent = payload.get("thread_of")
                if parent:
                    ts = self.thread_ts(parent)
                    if ts:
                        extra["thread_ts"] = ts
                response = client.chat_postMessage(
                    channel=payload["channel"],
                    text=payload["text"],
                    blocks=payload["blocks"],
                    unfurl_links=False,
                    unfurl_media=False,
                    metadata={
                        "event_type": "sentinel_delivery",
                        "event_payload": {"key": delivery.key},
                    },
                    **extra,
                )
                done = {"ts": response["ts"], "channel_id": response["channel"]}
                progress(done)
            if delivery.attachment and "file" not in done:
                upload = client.files_upload_v2(
                    channel=done["channel_id"],
                    content=delivery.attachment,
                    filename=delivery.attachment_name or "chart.png",
                    title=payload.get("attachment_title") or delivery.attachment_name,
                )
                files = upload.get("files") or [upload.get("file") or {}]
                progress({"file": files[0].get("id", "")})
        except SlackApiError as exc:
            status = exc.response.status_code
            error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            raise DeliveryFailed("Slack", f"answered {status} {error or ''}".strip()) from None
        except (SlackClientError, OSError) as exc:
            raise DeliveryFailed("Slack", f"request failed: {type(exc).__name__}") from None
