"""``log_groups:`` in monitors/*.yaml: how long CloudWatch Logs keeps each group's events."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema, field_validator

from sentinel.config.models.base import Model, Name

# botocore's logs model gives ``Days`` no enum, so this is AWS's documented list
# (PutRetentionPolicy, retentionInDays); any other number is rejected by the API.
RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
# botocore's LogGroupName pattern and length, plus the glob characters a pattern may use.
LOG_GROUP_NAME = r"[\.\-_/#A-Za-z0-9]+"
LOG_GROUP_NAME_MAX = 512
_NAME_CHARACTERS = re.compile(LOG_GROUP_NAME)
_GLOB_CHARACTERS = re.compile(r"[\.\-_/#A-Za-z0-9*?\[\]]+")
_RETENTION = re.compile(r"^\s*(\d+)\s*(d|w|y)?\s*$")
_UNIT_DAYS = {"d": 1, "w": 7, "y": 365}


def nearest_retentions(days: int) -> tuple[int, ...]:
    """The allowed values either side of ``days``, for a message."""
    i = bisect_left(RETENTION_DAYS, days)
    return tuple(RETENTION_DAYS[max(i - 1, 0) : i + 1])


def parse_retention(value: Any) -> int:
    """``30d``, ``2w``, ``1y`` or a number of days -> days, one CloudWatch Logs offers."""
    days: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        days = value
    elif isinstance(value, str) and (match := _RETENTION.match(value)):
        days = int(match.group(1)) * _UNIT_DAYS[match.group(2) or "d"]
    if days is None:
        raise ValueError(f"invalid retention {value!r}: expected days, like 30d")
    if days not in RETENTION_DAYS:
        near = " or ".join(f"{d}d" for d in nearest_retentions(days))
        raise ValueError(
            f"retention {value!r} is not offered by CloudWatch Logs: the nearest are {near}"
        )
    return days


Retention = Annotated[
    int,
    BeforeValidator(parse_retention),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*\d+\s*(d|w|y)?\s*$"},
                {"type": "integer", "enum": list(RETENTION_DAYS)},
            ],
            "examples": ["30d", "7d"],
        }
    ),
]


def is_pattern(name: str) -> bool:
    return any(c in name for c in "*?[")


def literal_prefix(pattern: str) -> str:
    """The part before the first glob character: DescribeLogGroups' logGroupNamePrefix."""
    return re.split(r"[*?\[]", pattern, maxsplit=1)[0]


class LogGroups(Model):
    """Retention for the log groups named exactly or matched by glob patterns."""

    name: Name
    groups: list[str]
    retention: Retention
    # A group Sentinel does not manage keeps a longer retention unless adopted: shortening
    # retention deletes events, which no one may have agreed to.
    adopt: bool = False

    @field_validator("groups")
    @classmethod
    def _check_groups(cls, groups: list[str]) -> list[str]:
        if not groups:
            raise ValueError("groups is empty: name at least one log group or pattern")
        for group in groups:
            characters = _GLOB_CHARACTERS if is_pattern(group) else _NAME_CHARACTERS
            if not characters.fullmatch(group) or len(group) > LOG_GROUP_NAME_MAX:
                raise ValueError(
                    f"invalid log group {group!r}: up to {LOG_GROUP_NAME_MAX} of letters, "
                    "digits and ._-/#, with * and ? in a pattern"
                )
        return groups


__all__ = [
    "LOG_GROUP_NAME",
    "LOG_GROUP_NAME_MAX",
    "RETENTION_DAYS",
    "LogGroups",
    "is_pattern",
    "literal_prefix",
    "parse_retention",
]
