"""``cost_report: weekly:``: the weekly cost report's day, time and time zone."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field

from sentinel.config.models.base import Model
from sentinel.config.models.routing import Slack

_AT = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _check_at(value: str) -> str:
    if not _AT.match(value):
        raise ValueError(f"invalid time {value!r}: expected HH:MM on a 24-hour clock, like 09:00")
    return value


def _check_zone(value: str | None) -> str | None:
    if value is not None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}: expected an IANA name like Europe/London"
            ) from None
    return value


class WeeklyReport(Model):
    """The last full ISO week (Monday to Sunday) against the week before, posted once a week."""

    day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = (
        "monday"
    )
    at: Annotated[str, AfterValidator(_check_at)] = Field(default="09:00", description="HH:MM")
    timezone: Annotated[str | None, AfterValidator(_check_zone)] = Field(
        default=None, description="default: the project's time zone"
    )
    slack: Slack | None = Field(default=None, description="default: the daily report's channel")

    @property
    def cron(self) -> str:
        """The crontab line of the run: ``0 9 * * mon``."""
        hour, minute = self.at.split(":")
        return f"{int(minute)} {int(hour)} * * {self.day[:3]}"
