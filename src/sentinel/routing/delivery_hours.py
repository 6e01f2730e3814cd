"""Destinations by the hour: ``when: business hours`` or ``when: outside business hours``.

Outside its hours a destination gets no new alarms; it still gets the resolution of what it was
told (the reply in a Slack thread it holds, a PagerDuty resolve, which closes an incident it
opened and is ignored for one it never opened), so nothing it shows stays open.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sentinel.config.models.routing import BusinessHours, When

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def in_business_hours(hours: BusinessHours, at: datetime, tz: ZoneInfo) -> bool:
    """Whether ``at`` falls on a working day between start and end, on the wall clock of ``tz``
    (so a DST change moves nothing: 09:00 is 09:00 on both sides of it)."""
    local = at.astimezone(tz)
    if _DAYS[local.weekday()] not in hours.days:
        return False
    return _clock(hours.start) <= local.time() < _clock(hours.end)


def open_at(when: When, hours: BusinessHours | None, at: datetime, tz: ZoneInfo) -> bool:
    """Whether a destination with ``when`` takes new alarms at ``at``."""
    if when == "always" or hours is None:
        return True
    inside = in_business_hours(hours, at, tz)
    return inside if when == "business hours" else not inside


def hours_zone(hours: BusinessHours, project_zone: str) -> ZoneInfo:
    return ZoneInfo(hours.timezone or project_zone)


class DeliveryHours:
    """Each (severity, destination id)'s ``when``, with the business hours they refer to."""

    def __init__(
        self, hours: BusinessHours | None, zone: ZoneInfo, when: dict[tuple[str, str], When]
    ) -> None:
        self.hours = hours
        self.zone = zone
        self.when = {key: value for key, value in when.items() if value != "always"}

    def open(self, severity: str, destination_id: str, at: datetime) -> bool:
        when: When = self.when.get((severity, destination_id), "always")
        return open_at(when, self.hours, at, self.zone)

    def takes(
        self, severity: str, destination_id: str, at: datetime, resolution: bool, told: bool
    ) -> bool:
        """Whether to send now: open, or the resolution of an alarm the destination was told."""
        return self.open(severity, destination_id, at) or (resolution and told)
