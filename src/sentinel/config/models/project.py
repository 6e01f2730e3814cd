"""``sentinel.yaml``: the project, its accounts and regions, and defaults."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from sentinel.config.models.base import AccountId, Model, Name, Period, Region, TimeZone
from sentinel.config.units import Duration

# IAM's roleNameType (botocore): 1 to 64 of these; a role ARN may carry a path before it.
ROLE_NAME = r"[\w+=,.@-]{1,64}"
ROLE = rf"^(arn:aws[a-z-]*:iam::\d{{12}}:role/([\x21-\x7e]{{1,510}}/)?{ROLE_NAME}|{ROLE_NAME})$"
# Organizations' ParentId: a root (r-...) or an organizational unit (ou-...).
PARENT_ID = r"^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$"


def role_arn(role: str, account_id: str, partition: str = "aws") -> str:
    """The ARN of ``role`` (an ARN already, or a role name in ``account_id``)."""
    if role.startswith("arn:"):
        return role
    return f"arn:{partition}:iam::{account_id}:role/{role}"


class Account(Model):
    id: AccountId
    name: str = Field(min_length=1, max_length=64)
    role: str | None = Field(
        default=None,
        pattern=ROLE,
        description="the role to assume in the account: its ARN, or its name in the account",
    )

    @model_validator(mode="after")
    def _role_in_the_account(self) -> Account:
        if self.role and self.role.startswith("arn:") and self.role.split(":")[4] != self.id:
            raise ValueError(
                f"role {self.role} is in account {self.role.split(':')[4]}, not {self.id}: "
                "assuming it would work in that other account"
            )
        return self


class Organization(Model):
    """Accounts found through AWS Organizations (from the management or a delegated account)."""

    ous: list[str] = Field(
        min_length=1,
        description="organizational units (ou-...) or the root (r-...): their accounts and "
        "those of the units under them",
    )
    exclude: list[AccountId] = Field(default=[], description="accounts to leave out")
    role: str = Field(pattern=ROLE_NAME.join("^$"), description="the role name in each account")

    @field_validator("ous")
    @classmethod
    def _parent_ids(cls, ous: list[str]) -> list[str]:
        wrong = [ou for ou in ous if not re.fullmatch(PARENT_ID, ou)]
        if wrong:
            raise ValueError(
                f"{', '.join(map(repr, wrong))}: expected an organizational unit id like "
                "ou-ab12-34cd56ef or a root id like r-ab12"
            )
        return ous


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
    organization: Organization | None = Field(
        default=None, description="accounts to work in, found through AWS Organizations"
    )
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
