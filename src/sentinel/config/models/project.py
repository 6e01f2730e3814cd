"""``sentinel.yaml``: the project, its accounts and regions, and defaults."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from sentinel.config.models.base import AccountId, Model, Name, Period, Region, TimeZone
from sentinel.config.units import Duration


class Account(Model):
    id: AccountId
    name: str
    role: str | None = Field(
        default=None, pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$", description="role to assume"
    )


class AlarmDefaults(Model):
    period: Period = 300
    for_: Duration | None = Field(default=None, alias="for")
    treat_missing: str = Field(
        default="missing", pattern="^(breaching|notBreaching|ignore|missing)$"
    )


class Defaults(Model):
    alarms: AlarmDefaults = AlarmDefaults()


Component = Literal["router", "daemon"]


class SelfMonitoring(Model):
    """Alarms on Sentinel's own heartbeat: one per long-running component, to a severity."""

    severity: str = Field(description="the severity whose topic hears a stopped component")
    components: list[Component] = Field(
        default=["router", "daemon"],
        min_length=1,
        description="which of `sentinel route` and `sentinel daemon` run as services",
    )
    for_: Duration = Field(
        default=300, alias="for", description="how long without a heartbeat before the alarm"
    )

    @field_validator("for_")
    @classmethod
    def _whole_minutes(cls, seconds: int) -> int:
        # One heartbeat a minute, counted per minute: at least two minutes, at most a day.
        if seconds % 60 or not 120 <= seconds <= 86400:
            raise ValueError("`for` must be whole minutes, from 2m to 1d")
        return seconds

    @field_validator("components")
    @classmethod
    def _once_each(cls, components: list[str]) -> list[str]:
        if len(set(components)) != len(components):
            raise ValueError("each component is named once")
        return components


class Project(Model):
    """The project: its name prefixes every managed resource and tags it ``sentinel:project``."""

    project: Name = Field(description="prefix of every managed name, e.g. p2p")
    description: str | None = None
    regions: list[Region] = Field(default=["us-east-1"], min_length=1)
    accounts: list[Account] = []
    timezone: TimeZone = "UTC"
    tags: dict[str, str] = Field(default={}, description="tags put on every managed resource")
    store: str = Field(
        default="sqlite:///.sentinel/sentinel.db",
        description="SQLAlchemy URL of the daemon's store (jobs, cost cache, ledger)",
    )
    defaults: Defaults = Defaults()
    self_monitoring: SelfMonitoring | None = Field(
        default=None,
        description="alarm when `sentinel route` or `sentinel daemon` stops sending its heartbeat",
    )
