"""PagerDuty Events API v2 (``pagerduty_events``): trigger on ALARM, resolve on OK.

The alarm ARN is the ``dedup_key``, so every change of one alarm lands on one incident and a
repeated trigger (a retry, a duplicate) is absorbed by PagerDuty. The sender does not retry
inside the call: the router retries later, honouring ``Retry-After``.

A page not acknowledged within its severity's response time is re-paged: a trigger under a key
of its own (``repage_key``), so that it opens a new incident even on the same service, resolved
with the alarm.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sentinel.errors import DeliveryFailed
from sentinel.routing.alert import AlertState, pagerduty_severity
from sentinel.routing.destinations.base import DigestEntry, Notification, Sent, retry_after_seconds
from sentinel.routing.destinations.pagerduty_events import (
    EventNotSent,
    EventRejected,
    EventsSender,
)
from sentinel.routing.endpoints import ServiceEndpoints
from sentinel.routing.noise import settled
from sentinel.routing.ratelimit import TokenBucket
from sentinel.routing.state import Thread
from sentinel.routing.wording import PAGERDUTY_SUMMARY_LIMIT, custom_details, summary

DEDUP_KEY_LIMIT = 255


def dedup_key(alert_key: str) -> str:
    """The alarm ARN, or a digest of it when it is longer than PagerDuty's 255 characters."""
    if len(alert_key) <= DEDUP_KEY_LIMIT:
        return alert_key
    return "sentinel:" + hashlib.sha256(alert_key.encode()).hexdigest()


def repage_key(alert_key: str) -> str:
    """The dedup key of an alarm's re-page: apart from its page's, so PagerDuty pages again."""
    return dedup_key(f"{alert_key}#repage")


def events_client(routing_key: str, endpoints: ServiceEndpoints) -> EventsSender:
    """An Events API v2 sender that answers at once: no sleeping retries inside the call."""
    return EventsSender(routing_key, endpoints.pagerduty_events, endpoints.ssl_context)


class PagerDutyDestination:
    def __init__(
        self,
        integration_key: str,
        resolve: Callable[[str], str],
        endpoints: ServiceEndpoints,
        bucket: TokenBucket,
    ) -> None:
        self.reference = integration_key
        self.id = f"pagerduty:{integration_key}"
        self.label = "PagerDuty"
        self._resolve = resolve
        self.endpoints = endpoints
        self.bucket = bucket
        self._client: EventsSender | None = None

    def __repr__(self) -> str:  # the key itself is never shown
        return f"PagerDutyDestination({self.reference})"

    def client(self) -> EventsSender:
        if self._client is None:
            self._client = events_client(self._resolve(self.reference), self.endpoints)
        return self._client

    def send(self, notification: Notification, thread: Thread | None) -> Sent:
        alert = notification.alert
        key = dedup_key(alert.key)
        if alert.state is AlertState.OK:
            self._call(lambda client: client.resolve(key))
            return Sent("resolve")
        if alert.state is AlertState.INSUFFICIENT_DATA:
            return Sent("none (insufficient data neither pages nor resolves)")
        self._call(lambda client: client.trigger(**self.event(notification)))
        return Sent("trigger")

    def event(self, notification: Notification) -> dict[str, Any]:
        alert = notification.alert
        source = f"{alert.account}/{alert.region}" if alert.account and alert.region else None
        return {
            "summary": summary(notification),
            "source": source or notification.project,
            "dedup_key": dedup_key(alert.key),
            "severity": pagerduty_severity(notification.severity, notification.page),
            "payload": {
                "timestamp": alert.event_time.isoformat(),
                "component": notification.rule or alert.name,
                "group": notification.project,
                "class": alert.kind.value,
            },
            "custom_details": custom_details(notification),
            "links": [{"href": link.href, "text": link.text} for link in notification.links],
        }

    def send_digest(self, severity: str, entries: list[DigestEntry], at: datetime) -> Sent:
        """PagerDuty has no digest: each alarm whose state changed overnight gets its event."""
        sent = 0
        for entry in entries:
            n = entry.notification
            if not settled(n.alert.state, n.told):
                self.send(n, None)
                sent += 1
        return Sent(f"{sent} event(s)")

    def escalate(
        self, notification: Notification, contact: str, waited: str, thread: Thread | None
    ) -> Sent:
        return Sent("none (PagerDuty escalates by its own policy)")

    def repage(self, notification: Notification, waited: str) -> Sent:
        """Page again: the page of ``notification`` was not acknowledged within ``waited``."""
        event = self.event(notification)
        event["dedup_key"] = repage_key(notification.alert.key)
        prefix = f"Not acknowledged within {waited}: "
        event["summary"] = prefix + summary(notification, PAGERDUTY_SUMMARY_LIMIT - len(prefix))
        event["custom_details"] = {
            **event["custom_details"],
            "re-paged": f"the page was not acknowledged within {waited}",
            "page dedup_key": dedup_key(notification.alert.key),
        }
        self._call(lambda client: client.trigger(**event))
        return Sent("re-page")

    def resolve_repage(self, alert_key: str) -> Sent:
        self._call(lambda client: client.resolve(repage_key(alert_key)))
        return Sent("resolve re-page")

    def _call(self, request: Callable[[EventsSender], Any]) -> None:
        self.bucket.acquire()
        try:
            request(self.client())
        except EventRejected as exc:
            if exc.status == 429:
                wait = retry_after_seconds(exc.retry_after)
                self.bucket.pause(wait if wait is not None else 60.0)
                raise DeliveryFailed(self.label, "429 rate limited", retry_after=wait) from None
            if exc.status >= 500:
                raise DeliveryFailed(self.label, f"HTTP {exc.status}") from None
            reason = f"HTTP {exc.status}: rejected"
            raise DeliveryFailed(self.label, reason, permanent=True) from None
        except EventNotSent as exc:
            raise DeliveryFailed(self.label, _short(exc)) from None


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
