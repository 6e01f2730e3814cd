"""What cost is grouped by, and which requests cover a configuration's groupings.

Cost Explorer groups by at most two keys a request, and every request costs $0.01, so the
dimensions a report needs are paired: SERVICE with the first tag key, then tag keys (and
LINKED_ACCOUNT) two by two. Any single dimension's daily series is the sum over the other key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

TOTAL_LABEL = "TOTAL"


@dataclass(frozen=True, order=True)
class Dimension:
    """A Cost Explorer group key: a dimension (SERVICE, USAGE_TYPE, LINKED_ACCOUNT) or a tag."""

    kind: Literal["DIMENSION", "TAG"]
    key: str

    @classmethod
    def tag(cls, key: str) -> Dimension:
        return cls("TAG", key)

    @classmethod
    def parse(cls, label: str) -> Dimension:
        if label.startswith("TAG:"):
            return cls("TAG", label[4:])
        return cls("DIMENSION", label)

    @property
    def label(self) -> str:
        """Stable text form, used as cache key: ``SERVICE``, ``TAG:Environment``."""
        return f"TAG:{self.key}" if self.kind == "TAG" else self.key

    @property
    def title(self) -> str:
        """How a person reads it: ``service``, ``Environment``, ``account``."""
        return (
            {"SERVICE": "service", "USAGE_TYPE": "usage type", "LINKED_ACCOUNT": "account"}.get(
                self.key, self.key
            )
            if self.kind == "DIMENSION"
            else self.key
        )

    def request(self) -> dict[str, str]:
        return {"Type": self.kind, "Key": self.key}

    def value_from_key(self, key: str) -> str:
        """Cost Explorer's group key -> value; tags come as ``Key$value`` ("" when untagged)."""
        if self.kind == "TAG":
            return key.split("$", 1)[1] if "$" in key else key
        return key

    def filter(self, value: str) -> dict[str, Any]:
        """A Cost Explorer filter expression selecting one value ("" = untagged)."""
        if self.kind == "TAG":
            if value == "":
                return {"Tags": {"Key": self.key, "MatchOptions": ["ABSENT"]}}
            return {"Tags": {"Key": self.key, "Values": [value], "MatchOptions": ["EQUALS"]}}
        return {"Dimensions": {"Key": self.key, "Values": [value], "MatchOptions": ["EQUALS"]}}


SERVICE = Dimension("DIMENSION", "SERVICE")
USAGE_TYPE = Dimension("DIMENSION", "USAGE_TYPE")
LINKED_ACCOUNT = Dimension("DIMENSION", "LINKED_ACCOUNT")

Grouping = tuple[Dimension, ...]


def grouping_label(grouping: Grouping) -> str:
    return "|".join(d.label for d in grouping) or TOTAL_LABEL


def parse_grouping(label: str) -> Grouping:
    return () if label == TOTAL_LABEL else tuple(Dimension.parse(p) for p in label.split("|"))


@dataclass(frozen=True)
class SeriesKey:
    """One cost series: the total (``dimension`` None), or one value of one dimension."""

    dimension: Dimension | None = None
    value: str = ""

    @property
    def label(self) -> str:
        if self.dimension is None:
            return "total"
        value = self.value if self.value != "" else "(untagged)"
        if self.dimension == SERVICE:
            return value
        return f"{self.dimension.title}={value}"

    @property
    def id(self) -> str:
        return TOTAL_LABEL if self.dimension is None else f"{self.dimension.label}={self.value}"

    @classmethod
    def parse(cls, text: str) -> SeriesKey:
        if text == TOTAL_LABEL:
            return cls()
        label, _, value = text.partition("=")
        return cls(Dimension.parse(label), value)


TOTAL = SeriesKey()


@dataclass(frozen=True)
class CostPlan:
    """The requests that cover a configuration: daily groupings and month-level groupings.

    ``monthly`` groupings carry the tag keys only needed month to date (untagged spend of a
    required key not in ``group_by_tags``); the first monthly request also checks that the
    current and previous months' cached days still add up to what Cost Explorer says now.
    """

    daily: tuple[Grouping, ...]
    monthly: tuple[Grouping, ...]
    tag_keys: tuple[str, ...]
    required_tag_keys: tuple[str, ...]
    accounts: bool

    @property
    def daily_dimensions(self) -> list[Dimension]:
        return [d for grouping in self.daily for d in grouping]


def pair(dimensions: list[Dimension], max_group_by: int = 2) -> tuple[Grouping, ...]:
    return tuple(
        tuple(dimensions[i : i + max_group_by]) for i in range(0, len(dimensions), max_group_by)
    )


def plan_for(config: Any, max_group_by: int = 2) -> CostPlan:
    """Groupings for a loaded ``Config``: SERVICE, the report's tag keys, accounts if several."""
    required = [rule.key for rule in config.tagging.required] if config.tagging else []
    report = config.cost_report
    tag_keys = list(report.group_by_tags) if report and report.group_by_tags else list(required)
    accounts = len(config.project.accounts) > 1
    daily = [SERVICE, *(Dimension.tag(k) for k in tag_keys)]
    if accounts:
        daily.append(LINKED_ACCOUNT)
    monthly_only = [Dimension.tag(k) for k in required if k not in tag_keys]
    return CostPlan(
        daily=pair(daily, max_group_by),
        monthly=pair(monthly_only, max_group_by) or ((),),
        tag_keys=tuple(tag_keys),
        required_tag_keys=tuple(required),
        accounts=accounts,
    )
