"""``alarms/routing.yaml``: severity tiers, their topics and destinations, and on-call."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from sentinel.config.models.base import AwsName, Model, Name, TimeZone
from sentinel.config.recurrence import Recurrence, rrule_problem
from sentinel.config.secrets import SecretRef
from sentinel.config.units import Duration, format_duration

_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _check_clock(value: str) -> str:
    if not isinstance(value, str) or not _CLOCK.match(value):
        raise ValueError(f"invalid time {value!r}: expected HH:MM, like 09:00")
    return value


Clock = Annotated[str, BeforeValidator(_check_clock)]


def _check_handoff(value: Any) -> str:
    parts = str(value).split()
    if len(parts) != 2 or parts[0].lower() not in _WEEKDAYS or not _CLOCK.match(parts[1]):
        raise ValueError(
            f"invalid handoff {value!r}: expected a weekday and HH:MM, like Monday 09:00"
        )
    return f"{parts[0].capitalize()} {parts[1]}"


Handoff = Annotated[str, BeforeValidator(_check_handoff)]


class PagerDuty(Model):
    integration_key: SecretRef = Field(description="Events API v2 / CloudWatch integration key")


class Slack(Model):
    channel: str = Field(pattern=r"^[#@]?[\w.-]+$")
    token: SecretRef = "env:SLACK_BOT_TOKEN"


When = Literal["always", "business hours", "outside business hours"]


class Destination(Model):
    """Exactly one of the keys: where a severity's notifications go."""

    pagerduty: PagerDuty | None = None
    email: str | None = Field(default=None, pattern=_EMAIL)
    slack: Slack | None = None
    sqs: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:sqs:.+")
    lambda_: str | None = Field(default=None, alias="lambda", pattern=r"^arn:aws[a-z-]*:lambda:.+")
    https: SecretRef | None = Field(default=None, description="webhook URL, as a secret reference")
    when: When = Field(
        default="always",
        description="the hours it gets new alarms: always, business hours, outside business hours",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Destination:
        chosen = [name for name in self.kinds() if getattr(self, name.replace("lambda", "lambda_"))]
        if len(chosen) != 1:
            has = f"{' and '.join(chosen)}: write each as its own list item" if chosen else "none"
            raise ValueError(
                "a destination has exactly one of: pagerduty, email, slack, sqs, lambda, https; "
                f"this one has {has}"
            )
        return self

    @staticmethod
    def kinds() -> tuple[str, ...]:
        return ("pagerduty", "email", "slack", "sqs", "lambda", "https")

    @property
    def kind(self) -> str:
        return next(k for k in self.kinds() if getattr(self, k.replace("lambda", "lambda_")))


class BusinessHours(Model):
    """The team's working week: ``when: business hours`` destinations are open in it."""

    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(
        default=["mon", "tue", "wed", "thu", "fri"], min_length=1
    )
    start: Clock = "09:00"
    end: Clock = "17:00"
    timezone: TimeZone | None = None

    @model_validator(mode="after")
    def _start_before_end(self) -> BusinessHours:
        if self.start >= self.end:
            raise ValueError(
                f"business hours {self.start}-{self.end}: the day starts before it ends"
            )
        return self


class QuietHours(Model):
    """Hold notifications between ``start`` and ``end`` and deliver them as one digest."""

    start: Clock = "22:00"
    end: Clock = "08:00"
    timezone: TimeZone | None = None


class Severity(Model):
    description: str | None = None
    response_time: Duration | None = Field(
        default=None,
        description="a page not acknowledged this long is re-paged to the escalation target",
    )
    page: bool = Field(default=False, description="wake someone up (PagerDuty)")
    topic: Name | None = Field(default=None, description="SNS topic suffix; default: severity name")
    aws_name: AwsName | None = Field(
        default=None, description="the SNS topic's full name, in place of <project>-<topic>"
    )
    display_name: str | None = Field(
        default=None,
        max_length=100,
        description="the topic's display name; default: project and severity",
    )
    topic_policy: dict[str, Any] | Literal["aws-default"] | None = Field(
        default=None,
        description="the topic's access policy as AWS holds it (for a topic made by hand), or "
        "aws-default: the policy SNS gives a topic made without one, for the topic's own ARN "
        "and account wherever it is; default: the account's CloudWatch, Budgets and "
        "EventBridge may publish",
    )
    notify: list[Destination] = []
    ok_actions: bool = True
    insufficient_data_actions: bool = False
    quiet_hours: QuietHours | None = None
    escalate_after: Duration | None = Field(
        default=None, description="notify the escalation contact if unacknowledged this long"
    )
    exclusive: bool = Field(
        default=False,
        description="remove subscriptions of the severity's topic that are not in the config",
    )

    @model_validator(mode="after")
    def _one_topic_name(self) -> Severity:
        if self.topic is not None and self.aws_name is not None:
            raise ValueError(
                "`topic` names a suffix after the project prefix and `aws_name` the whole SNS "
                "topic name: set one of them"
            )
        return self


def _member_from_name(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


class Member(Model):
    name: str
    email: str | None = Field(default=None, pattern=_EMAIL)
    slack: str | None = Field(default=None, description="Slack user id, e.g. U0123ABCD")
    phone: str | None = None


class Override(Model):
    start: datetime
    end: datetime
    member: str

    @model_validator(mode="after")
    def _ordered(self) -> Override:
        if self.end <= self.start:
            raise ValueError("an override must end after it starts")
        return self


class Escalation(Model):
    contact: str
    email: str | None = Field(default=None, pattern=_EMAIL)
    after: Duration = 1800
    pagerduty: PagerDuty | None = Field(
        default=None,
        description="the service re-paged when a page outlasts its response_time; "
        "default: the severity's own PagerDuty service, as a new incident",
    )


class OnCall(Model):
    timezone: TimeZone | None = None
    rotation: Literal["weekly", "daily"] = "weekly"
    handoff: Handoff = "Monday 09:00"
    start: date = Field(description="first day of the first member's shift")
    members: list[
        Annotated[Member, BeforeValidator(_member_from_name, json_schema_input_type=str | Member)]
    ] = Field(min_length=1)
    overrides: list[Override] = []
    escalation: Escalation | None = None
    pagerduty_schedule: str | None = Field(default=None, description="PagerDuty schedule id")
    pagerduty_token: SecretRef | None = None

    @model_validator(mode="after")
    def _overrides_name_members(self) -> OnCall:
        names = {m.name for m in self.members}
        unknown = [o.member for o in self.overrides if o.member not in names]
        if unknown:
            raise ValueError(f"override names {unknown[0]!r}, who is not among the members")
        return self


class Router(Model):
    """An SQS queue subscribed to every severity topic, consumed by ``sentinel route``."""

    enabled: bool = True
    max_receives: int = Field(default=5, ge=1, le=1000)
    group_wait: Duration = 60
    digest_at: Clock = "08:00"
    account: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="a project of several accounts: the account (a name or id of "
        "sentinel.yaml's `accounts:`) whose one queue every account's severity topics feed; "
        "default the first account",
    )


def _check_pattern(value: str) -> str:
    if not value:
        raise ValueError("empty alarm pattern")
    return value


def _check_every(value: str) -> str:
    # The crontab grammar (and its weekday numbering) is the monitors' one; imported here
    # because monitors.py itself imports this module.
    from sentinel.config.models.monitors import _check_cron

    value = _check_cron(value)
    # As for an rrule: at most hourly. Every start of a year is worked out to check the
    # duration against the gaps, which at one a minute would take minutes.
    if not value.split()[0].isdigit():
        raise ValueError(
            f"crontab {value!r}: a maintenance window recurs at most hourly: "
            "give the minute as one number, like 0 2 * * SUN"
        )
    return value


class MaintenanceNotice(Model):
    """A Slack post ``before`` each occurrence of a recurring window starts: to ``slack`` (a
    channel), or to the Slack channel of ``severity``."""

    before: Duration = Field(description="how long before the start the notice goes out")
    slack: str | None = Field(
        default=None, pattern=r"^[#@]?[\w.-]+$", description="the channel to post to"
    )
    severity: Name | None = Field(
        default=None, description="post to this severity's Slack destination instead"
    )
    token: SecretRef = "env:SLACK_BOT_TOKEN"

    @model_validator(mode="after")
    def _one_channel(self) -> MaintenanceNotice:
        if (self.slack is None) == (self.severity is None):
            raise ValueError("a notice has exactly one of: slack (a channel), severity")
        return self


class MaintenanceWindow(Model):
    """Alarms held while the window is open: dated (start and end) or recurring (every or
    rrule, each occurrence lasting ``duration``)."""

    name: Name
    alarms: list[Annotated[str, AfterValidator(_check_pattern)]] = Field(
        min_length=1, description="alarm rule names or glob patterns"
    )
    start: datetime | None = None
    end: datetime | None = None
    every: Annotated[str, AfterValidator(_check_every)] | None = Field(
        default=None, description="crontab line (minute hour day month weekday), local time"
    )
    rrule: str | None = Field(
        default=None, description="RFC 5545 RRULE, optionally after a DTSTART line, local time"
    )
    duration: Duration | None = Field(
        default=None, description="how long each occurrence of a recurring window lasts"
    )
    timezone: TimeZone | None = Field(
        default=None, description="the schedule's wall clock; default: the project's timezone"
    )
    notice: MaintenanceNotice | None = None
    reason: str | None = None

    @model_validator(mode="after")
    def _one_schedule(self) -> MaintenanceWindow:
        dated = self.start is not None or self.end is not None
        chosen = [
            k
            for k, on in (("start/end", dated), ("every", self.every), ("rrule", self.rrule))
            if on
        ]
        if len(chosen) != 1:
            has = " and ".join(chosen) if chosen else "none"
            raise ValueError(
                "a maintenance window has exactly one of: start and end, every, rrule; "
                f"this one has {has}"
            )
        if dated:
            if self.start is None or self.end is None:
                raise ValueError("a dated maintenance window needs both start and end")
            if self.end <= self.start:
                raise ValueError("a maintenance window must end after it starts")
            for key in ("duration", "timezone", "notice"):
                if getattr(self, key) is not None:
                    raise ValueError(f"`{key}` belongs to a recurring window (every or rrule)")
            return self
        if self.duration is None:
            raise ValueError("a recurring maintenance window needs a duration, like 2h")
        if self.rrule is not None:
            problem = rrule_problem(self.rrule)
            if problem:
                raise ValueError(problem)
        if self.timezone is not None:
            problem = schedule_problem(self, self.timezone)
            if problem:
                raise ValueError(problem)
        return self

    @property
    def recurring(self) -> bool:
        return self.start is None

    def recurrence(self, default_zone: str) -> Recurrence:
        """The window's start times, on its own timezone or else ``default_zone``."""
        zone = self.timezone or default_zone
        if self.every is not None:
            return Recurrence("cron", self.every, zone)
        assert self.rrule is not None, "a dated window has no recurrence"
        return Recurrence("rrule", self.rrule, zone)


def schedule_problem(window: MaintenanceWindow, zone: str) -> str | None:
    """Why a recurring window's schedule cannot work on ``zone``'s clock: it never fires, or an
    occurrence would last into the next one (measured over the year from now)."""
    from sentinel import clock

    recurrence = window.recurrence(zone)
    what = f"every {window.every!r}" if window.every else f"rrule {window.rrule!r}"
    first = recurrence.first_start()
    if first is None:
        return f"{what} never fires"
    assert window.duration is not None
    since = max(first, clock.now())
    gap = recurrence.minimum_gap(since)
    if gap is None:
        gap = recurrence.minimum_gap(first)
    if gap is not None and timedelta(seconds=window.duration) > gap:
        return (
            f"duration {format_duration(window.duration)} is longer than the "
            f"{_gap_text(gap)} between two starts of {what} on {zone}'s clock: "
            "the occurrences would overlap"
        )
    return None


def _gap_text(gap: timedelta) -> str:
    seconds = int(gap.total_seconds())
    return format_duration(seconds) if seconds > 0 else "no time"


class Routing(Model):
    severities: dict[Name, Severity] = Field(min_length=1)
    oncall: OnCall | None = None
    router: Router | None = None
    maintenance: list[MaintenanceWindow] = []
    business_hours: BusinessHours | None = None

    @model_validator(mode="after")
    def _repage_has_a_target(self) -> Routing:
        escalation = self.oncall.escalation if self.oncall else None
        if escalation is not None and escalation.pagerduty is not None:
            return self
        stranded = [
            name
            for name, tier in self.severities.items()
            if tier.page
            and tier.response_time is not None
            and not any(d.pagerduty for d in tier.notify)
        ]
        if stranded:
            raise ValueError(
                f"severity {stranded[0]!r} pages with a response_time but has no PagerDuty "
                "destination to re-page: add one to its notify, or set "
                "oncall.escalation.pagerduty"
            )
        return self
