"""Common base and small shared types of the configuration models."""

from __future__ import annotations

import difflib
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from sentinel.aws.regions import region_problem
from sentinel.config.units import Duration


class Model(BaseModel):
    """Strict by default: unknown keys are errors, models are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Name = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=120),
    Field(description="lower-case letters, digits, '-', '_' and '.'"),
]


def _check_aws_name(value: str) -> str:
    if not value or value != value.strip():
        raise ValueError(f"aws_name {value!r} is empty or starts or ends with a space")
    return value


AwsName = Annotated[
    str,
    StringConstraints(max_length=1024),
    AfterValidator(_check_aws_name),
    Field(
        description="the resource's full AWS name, used as is (no project prefix); AWS's own "
        "rules for the kind's names apply"
    ),
]
AccountId = Annotated[
    str,
    BeforeValidator(lambda v: str(v), json_schema_input_type=str | int),
    StringConstraints(pattern=r"^\d{12}$"),
]


def _check_region(value: str) -> str:
    problem = region_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Region = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$"),
    AfterValidator(_check_region),
]


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        names = {name.lower(): name for name in available_timezones()}
        close = difflib.get_close_matches(str(value).lower(), sorted(names), n=1, cutoff=0.8)
        hint = (
            f"did you mean {names[close[0]]!r}?"
            if close
            else "expected an IANA name like Europe/London"
        )
        raise ValueError(f"unknown time zone {value!r}: {hint}") from None
    return value


TimeZone = Annotated[str, AfterValidator(_check_timezone)]


def _check_statistic(value: str) -> str:
    # The grammar and its ranges are AWS's documented ones, kept with the other limits.
    from sentinel.aws.documented_limits import statistic_problem

    problem = statistic_problem(value)
    if problem and " is not a statistic" in problem:
        raise ValueError(
            f"invalid statistic {value!r}: expected Average, Sum, Minimum, Maximum, SampleCount "
            "or a percentile like p95"
        )
    if problem:
        raise ValueError(f"invalid statistic {problem}")
    return value


Statistic = Annotated[str, AfterValidator(_check_statistic)]
STANDARD_STATISTICS = frozenset({"SampleCount", "Average", "Sum", "Minimum", "Maximum"})


def is_extended_statistic(stat: str) -> bool:
    return stat not in STANDARD_STATISTICS


def _check_cloudwatch_period(seconds: int) -> int:
    if seconds not in (10, 20, 30) and seconds % 60:
        raise ValueError(
            f"invalid period {seconds}s: CloudWatch allows 10s, 20s, 30s or a multiple of 1m"
        )
    return seconds


Period = Annotated[Duration, AfterValidator(_check_cloudwatch_period)]


def _as_list(value: Any) -> Any:
    return (
        [value] if isinstance(value, (str, int, float)) and not isinstance(value, bool) else value
    )


TagValues = Annotated[list[str], BeforeValidator(_as_list, json_schema_input_type=str | list[str])]
"""A tag filter value: one value or a list of acceptable values."""


class MetricRef(Model):
    """One CloudWatch metric: where it lives and how to aggregate it."""

    namespace: str
    metric: str
    dimensions: dict[str, str] = {}
    stat: Statistic = "Average"
    period: Period | None = None
    label: str | None = None


class ForEach(Model):
    """Expand a rule or widget once per discovered resource."""

    resource: str = Field(description="resource type, e.g. rds:db, ecs:service, ec2:instance")
    tags: dict[str, TagValues] = {}
    where: dict[str, TagValues] = Field(
        default={}, description="resource attributes to match, e.g. {engine: postgres}"
    )


class InAccounts(Model):
    """An item of a project of several accounts made in some of them only."""

    accounts: list[str] = Field(
        default=[],
        description="only in these accounts of sentinel.yaml (names or ids); empty: in every one",
    )

    def in_account(self, account_id: str | None, account_name: str | None) -> bool:
        if not self.accounts or account_id is None:
            return True
        return account_id in self.accounts or account_name in self.accounts


class Placed(InAccounts):
    """An item made in some of the project's accounts and regions only."""

    regions: list[Region] = Field(
        default=[], description="only in these regions of sentinel.yaml; empty: in every one"
    )

    def placed_in(self, account_id: str | None, account_name: str | None, region: str) -> bool:
        in_region = not self.regions or region in self.regions
        return in_region and self.in_account(account_id, account_name)
