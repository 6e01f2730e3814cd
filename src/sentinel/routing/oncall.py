"""Who is on call: a rotation from routing.yaml, or a PagerDuty schedule read through its API.

Handoffs happen at a wall-clock time in the rotation's time zone ("Monday 09:00" in London is
09:00 UTC in winter and 08:00 UTC in summer), so shifts around a daylight-saving change are an
hour shorter or longer. Overrides (holidays, swaps) replace the rotation for their time span.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sentinel.config.models.routing import Member, OnCall, Override
from sentinel.errors import SentinelError

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# How far ahead a PagerDuty schedule is read to find the next shift.
SCHEDULE_HORIZON = timedelta(days=31)


class OnCallError(SentinelError):
    """The on-call schedule cannot be read (PagerDuty unreachable, bad token, no schedule)."""


@dataclass(frozen=True)
class Person:
    name: str
    email: str | None = None
    slack: str | None = None
    phone: str | None = None

    @classmethod
    def of(cls, member: Member) -> Person:
        return cls(member.name, member.email, member.slack, member.phone)


@dataclass(frozen=True)
class Shift:
    person: Person
    start: datetime
    end: datetime
    source: str  # "rotation", "override" or "pagerduty"


@dataclass(frozen=True)
class OnCallReport:
    """Who is on call at ``at`` and who comes next: what ``sentinel oncall`` prints."""

    at: datetime
    timezone: str
    current: Shift | None
    next: Shift | None
    escalation: str | None = None


class Rotation:
    """A weekly or daily rotation over ``members`` from ``start``, with overrides."""

    def __init__(self, oncall: OnCall, default_timezone: str = "UTC") -> None:
        self.oncall = oncall
        self.tz = ZoneInfo(oncall.timezone or default_timezone)
        day, clock = oncall.handoff.split()
        self.weekday = _WEEKDAYS.index(day.capitalize())
        hour, minute = clock.split(":")
        self.clock = time(int(hour), int(minute))
        self.people = [Person.of(m) for m in oncall.members]
        self.overrides = sorted(
            (self._aware(o.start), self._aware(o.end), o) for o in oncall.overrides
        )

    def _aware(self, moment: datetime) -> datetime:
        return (moment if moment.tzinfo else moment.replace(tzinfo=self.tz)).astimezone(UTC)

    def _handoff_date(self, index: int) -> date:
        """The local date of the ``index``-th handoff; handoff 0 starts the first shift."""
        if self.oncall.rotation == "daily" or index == 0:
            return self.oncall.start + timedelta(days=index)
        first = self.oncall.start + timedelta(
            days=(self.weekday - self.oncall.start.weekday()) % 7 or 7
        )
        return first + timedelta(weeks=index - 1)

    def handoff(self, index: int) -> datetime:
        """When handoff ``index`` happens: the wall-clock time in the zone, as UTC.

        UTC, because Python subtracts and compares datetimes that share a zone by wall clock,
        which would make a shift across a DST change look exactly seven days long.
        """
        return datetime.combine(self._handoff_date(index), self.clock, tzinfo=self.tz).astimezone(
            UTC
        )

    def _index(self, at: datetime) -> int | None:
        """Which shift of the plain rotation covers ``at``; None before the first."""
        if at < self.handoff(0):
            return None
        local = at.astimezone(self.tz)
        day = local.date()
        if self.oncall.rotation == "daily":
            if local.time() < self.clock:
                day -= timedelta(days=1)
            return (day - self.oncall.start).days
        day -= timedelta(days=(day.weekday() - self.weekday) % 7)
        if day == local.date() and local.time() < self.clock:
            day -= timedelta(weeks=1)
        first = self._handoff_date(1)
        return 0 if day < first else (day - first).days // 7 + 1

    def rotation_shift(self, at: datetime) -> Shift | None:
        index = self._index(at)
        if index is None:
            return None
        person = self.people[index % len(self.people)]
        return Shift(person, self.handoff(index), self.handoff(index + 1), "rotation")

    def shift_at(self, at: datetime) -> Shift | None:
        """The shift covering ``at``, overrides included, cut where an override begins or ends."""
        at = self._aware(at)
        for start, end, override in self.overrides:
            if start <= at < end:
                return Shift(self._member(override), start, end, "override")
        base = self.rotation_shift(at)
        if base is None:
            return None
        start, end = base.start, base.end
        for o_start, o_end, _ in self.overrides:
            if start < o_end <= at:
                start = o_end
            if at < o_start < end:
                end = o_start
        return Shift(base.person, start, end, "rotation")

    def _member(self, override: Override) -> Person:
        return next(p for p in self.people if p.name == override.member)

    def report(self, at: datetime) -> OnCallReport:
        current = self.shift_at(at)
        upcoming = self.shift_at(current.end if current else self.handoff(0))
        # An override by the same person, or a one-person rotation: look one step further.
        for _ in range(len(self.people) + len(self.overrides)):
            if upcoming is None or current is None or upcoming.person != current.person:
                break
            upcoming = self.shift_at(upcoming.end)
        return OnCallReport(at, str(self.tz), current, upcoming, _escalation(self.oncall))


def _escalation(oncall: OnCall) -> str | None:
    if oncall.escalation is None:
        return None
    contact = oncall.escalation.contact
    return f"{contact} <{oncall.escalation.email}>" if oncall.escalation.email else contact


class PagerDutySchedule:
    """On-call of a PagerDuty schedule, from ``GET /oncalls`` of the REST API v2."""

    def __init__(
        self,
        schedule_id: str,
        oncall: OnCall,
        client_factory: Callable[[], Any],
        default_timezone: str = "UTC",
    ) -> None:
        self.schedule_id = schedule_id
        self.oncall = oncall
        self.client_factory = client_factory
        self.tz = ZoneInfo(oncall.timezone or default_timezone)
        self.members = {m.email.lower(): Person.of(m) for m in oncall.members if m.email}

    def _entries(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        from pagerduty import Error as PagerDutyError

        params = {
            "schedule_ids[]": [self.schedule_id],
            "since": since.isoformat(),
            "until": until.isoformat(),
            "include[]": ["users"],
        }
        try:
            return list(self.client_factory().iter_all("/oncalls", params=params))
        except PagerDutyError as exc:
            raise OnCallError(f"PagerDuty schedule {self.schedule_id}: {exc}") from None

    def _shift(self, entry: dict[str, Any], at: datetime) -> Shift:
        user = entry.get("user") or {}
        email = str(user.get("email") or "").lower()
        person = self.members.get(email) or Person(
            str(user.get("name") or user.get("summary") or user.get("id")), email or None
        )
        start = _parse(entry.get("start")) or at
        end = _parse(entry.get("end")) or at + SCHEDULE_HORIZON
        return Shift(person, start, end, "pagerduty")

    def report(self, at: datetime) -> OnCallReport:
        entries = self._entries(at, at + SCHEDULE_HORIZON)
        shifts = sorted((self._shift(e, at) for e in entries), key=lambda s: s.start)
        current = next((s for s in shifts if s.start <= at < s.end), None)
        after = current.end if current else at
        upcoming = next(
            (
                s
                for s in shifts
                if s.start >= after and (current is None or s.person != current.person)
            ),
            None,
        )
        return OnCallReport(at, str(self.tz), current, upcoming, _escalation(self.oncall))

    def shift_at(self, at: datetime) -> Shift | None:
        return self.report(at).current


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def pagerduty_rest_client(token: str, base_url: str, verify: Any = True) -> Any:
    """A PagerDuty REST API v2 client that fails fast instead of sleeping through outages."""
    from pagerduty import RestApiV2Client

    client = RestApiV2Client(token, base_url=base_url, verify=verify)
    client.max_network_attempts = 0
    return client
