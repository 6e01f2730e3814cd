"""What every destination receives and returns, and how it says "not now" or "never"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

from sentinel import clock
from sentinel.routing.alert import Alert, AlertState, Link
from sentinel.routing.oncall import Person
from sentinel.routing.state import Thread


@dataclass(frozen=True)
class Notification:
    """An alert with everything the configuration adds: severity, rule, links, who is on call."""

    alert: Alert
    project: str
    severity: str
    page: bool
    rule: str | None
    links: tuple[Link, ...]
    oncall: Person | None
    told: AlertState | None = None  # what people were last told about this alarm


@dataclass(frozen=True)
class DigestEntry:
    """One alarm in a morning digest: where it ended up, and how many changes that took."""

    notification: Notification
    first_state: AlertState
    transitions: int
    held_at: datetime


@dataclass(frozen=True)
class Sent:
    """What a destination did (``trigger``, ``resolve``, ``posted``, ``replied``, ...)."""

    action: str
    thread: Thread | None = None


@dataclass(frozen=True)
class Found:
    """What a destination already shows of an alarm after an attempt that was never recorded:
    the alarm's thread, and whether this very notification is there (``sent``)."""

    thread: Thread | None = None
    sent: Sent | None = None


class Destination(Protocol):
    """Where a severity's notifications go. ``id`` is stable across restarts and configs."""

    id: str
    label: str

    def send(self, notification: Notification, thread: Thread | None) -> Sent: ...

    def send_digest(self, severity: str, entries: list[DigestEntry], at: datetime) -> Sent: ...

    def escalate(
        self, notification: Notification, contact: str, waited: str, thread: Thread | None
    ) -> Sent: ...


class Reconcilable(Protocol):
    """A destination that can tell whether an unrecorded attempt reached it (a repeated post
    would show twice); the others are sent again, which PagerDuty's dedup_key absorbs."""

    def find_sent(
        self,
        notification: Notification,
        thread: Thread | None,
        since: datetime,
        channel: str | None = None,
    ) -> Found: ...


def retry_after_seconds(value: str | None) -> float | None:
    """A ``Retry-After`` header: seconds, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - clock.now()).total_seconds())
