"""``sentinel.yaml``: the project, its accounts and regions, and defaults."""

from __future__ import annotations

from pydantic import Field

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
