"""Email through Amazon SES: alarms, digests and escalations as plain-text mail.

The sender is ``SENTINEL_EMAIL_FROM`` (an SES-verified identity); without it, ``sentinel@`` the
recipient's domain, which SES accepts once that domain is verified.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

import botocore.exceptions

from sentinel.errors import DeliveryFailed
from sentinel.routing.destinations.base import DigestEntry, Notification, Sent
from sentinel.routing.destinations.slack_blocks import escalation_text
from sentinel.routing.report_messages import Report
from sentinel.routing.state import Thread
from sentinel.routing.wording import STATE_WORDS, clip, headline, plain_text, when

SUBJECT_LIMIT = 200
RETRYABLE = frozenset(
    {"Throttling", "ThrottlingException", "ServiceUnavailable", "InternalFailure", "RequestTimeout"}
)


class EmailDestination:
    calls: ClassVar[tuple[str, ...]] = ("ses:SendEmail",)

    def __init__(self, address: str, ses: Callable[[], Any], sender: str | None = None) -> None:
        self.address = address
        self.id = f"email:{address}"
        self.label = f"email {address}"
        self._ses = ses
        self.sender = sender or f"sentinel@{address.rsplit('@', 1)[-1]}"

    def send(self, notification: Notification, thread: Thread | None) -> Sent:
        subject = f"[{notification.project}] {headline(notification)}"
        self._mail(subject, plain_text(notification))
        return Sent("mailed")

    def send_digest(self, severity: str, entries: list[DigestEntry], at: datetime) -> Sent:
        project = entries[0].notification.project if entries else ""
        lines = [
            f"{len(entries)} {severity} alert(s) were held during quiet hours ({when(at)}).",
            "",
        ]
        for entry in entries:
            alert = entry.notification.alert
            path = f"{STATE_WORDS[entry.first_state]} -> " if entry.transitions > 1 else ""
            lines.append(
                f"- {alert.name}: {path}{STATE_WORDS[alert.state]} ({entry.transitions} change(s))"
            )
            lines.append(f"  {alert.reason}")
        self._mail(
            f"[{project}] Digest: {len(entries)} {severity} alert(s)", "\n".join(lines) + "\n"
        )
        return Sent(f"digest of {len(entries)}")

    def send_report(self, report: Report) -> Sent:
        self._mail(f"[{report.project}] {report.title}", report.text + "\n")
        return Sent("report mailed")

    def escalate(
        self, notification: Notification, contact: str, waited: str, thread: Thread | None
    ) -> Sent:
        body = escalation_text(notification, contact, waited) + "\n\n" + plain_text(notification)
        self._mail(f"[{notification.project}] ESCALATED {headline(notification)}", body)
        return Sent("escalation mailed")

    def _mail(self, subject: str, body: str) -> None:
        try:
            self._ses().send_email(
                Source=self.sender,
                Destination={"ToAddresses": [self.address]},
                Message={
                    "Subject": {"Data": clip(subject, SUBJECT_LIMIT), "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
                },
            )
        except botocore.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "Error")
            message = exc.response.get("Error", {}).get("Message", "")
            raise DeliveryFailed(
                self.label, f"SES {code}: {message}"[:200], permanent=code not in RETRYABLE
            ) from None
        except botocore.exceptions.BotoCoreError as exc:
            raise DeliveryFailed(self.label, f"SES: {exc}"[:200]) from None
