"""Reports by email through Amazon SES: a plain-text and HTML message, the chart attached.

The sender is ``SENTINEL_EMAIL_FROM`` (an SES-verified identity); without it, ``sentinel@`` the
recipient's domain, which SES accepts once that domain is verified (as the router's email does).
SES takes a raw message of at most 10 MB (attachments included, after base64) and a subject
that fits one line; a message over that is refused here, before SES is asked.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

import botocore.exceptions

from sentinel.delivery.outcome import DeliveryResult
from sentinel.errors import DeliveryFailed
from sentinel.store import Store
from sentinel.store.outbox import Delivery, Outbox

EMAIL = "email"
EMAIL_FROM = "SENTINEL_EMAIL_FROM"
# SES SendRawEmail: "The maximum message size, including attachments, is 10 MB".
RAW_MESSAGE_LIMIT = 10 * 1024 * 1024
SUBJECT_LIMIT = 200


@dataclass(frozen=True)
class EmailPost:
    """A report as mail: its subject, the text (and HTML) body, and the chart to attach."""

    subject: str
    text: str
    html: str | None = None
    chart: bytes | None = None
    chart_name: str | None = None


def sender_address(recipient: str) -> str:
    return os.environ.get(EMAIL_FROM) or f"sentinel@{recipient.rsplit('@', 1)[-1]}"


def email_payload(post: EmailPost, recipient: str) -> dict[str, Any]:
    return {
        "to": recipient,
        "from": sender_address(recipient),
        "subject": " ".join(post.subject.split())[:SUBJECT_LIMIT],
        "text": post.text,
        "html": post.html,
    }


def raw_message(payload: Mapping[str, Any], attachment: bytes | None, name: str | None) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = payload["from"]
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message.set_content(payload["text"])
    if payload.get("html"):
        message.add_alternative(payload["html"], subtype="html")
    if attachment:
        message.add_attachment(
            attachment, maintype="image", subtype="png", filename=name or "chart.png"
        )
    return message.as_bytes()


class SesSender:
    """Mails a delivery through SES SendRawEmail, once: the message id is its progress."""

    def __init__(self, ses: Callable[[], Any]) -> None:
        self._ses = ses

    def send(self, delivery: Delivery, progress: Callable[[Mapping[str, Any]], None]) -> None:
        if "message_id" in delivery.progress:
            return
        raw = raw_message(delivery.payload, delivery.attachment, delivery.attachment_name)
        if len(raw) > RAW_MESSAGE_LIMIT:
            raise DeliveryFailed(
                "SES", f"the message is {len(raw):,} bytes, over SES's {RAW_MESSAGE_LIMIT:,}"
            )
        try:
            response = self._ses().send_raw_email(
                Source=delivery.payload["from"],
                Destinations=[delivery.payload["to"]],
                RawMessage={"Data": raw},
            )
        except botocore.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "Error")
            message = exc.response.get("Error", {}).get("Message", "")
            raise DeliveryFailed("SES", f"{code}: {message}"[:200]) from None
        except botocore.exceptions.BotoCoreError as exc:
            raise DeliveryFailed("SES", type(exc).__name__) from None
        progress({"message_id": response["MessageId"]})


def mail_once(
    addresses: list[str],
    key_for: Callable[[str], str],
    build: Callable[[], EmailPost],
    store: Store,
    ses: Callable[[], Any],
) -> list[DeliveryResult]:
    """Mail ``build()`` to each address once per outbox key (``key_for(address)``).

    ``build`` runs at most once, and only when some address was never queued; a mail SES
    refuses stays queued for the daemon's ``deliveries`` job.
    """
    outbox = Outbox(store)
    sender = SesSender(ses)
    post: EmailPost | None = None
    results = []
    for address in addresses:
        key = key_for(address)
        existing = outbox.get(key)
        if existing is not None and existing.delivered:
            when = f"at {existing.delivered_at:%Y-%m-%d %H:%M} UTC"
            results.append(DeliveryResult("already posted", address, when, EMAIL))
            continue
        if existing is None:
            post = post or build()
            existing, _ = outbox.enqueue(
                key, EMAIL, address, email_payload(post, address), post.chart, post.chart_name
            )
        ok, error = outbox.deliver(existing, sender)
        if ok:
            results.append(DeliveryResult("posted", address, kind=EMAIL))
        else:
            results.append(
                DeliveryResult("queued", address, error or "being sent elsewhere", EMAIL)
            )
    return results
