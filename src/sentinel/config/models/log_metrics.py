"""``logs:`` of an alarm rule: its metric counted from a log group by a metric filter."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from sentinel.config.filter_pattern import check_filter_pattern
from sentinel.config.models.base import Model
from sentinel.config.models.log_groups import LOG_GROUP_NAME, LOG_GROUP_NAME_MAX

LogGroupName = Annotated[
    str, Field(min_length=1, max_length=LOG_GROUP_NAME_MAX, pattern=f"^{LOG_GROUP_NAME}$")
]
_VALUE = re.compile(r"^(\$(\.[A-Za-z0-9_@\-]+)+|\$\w+|-?\d+(\.\d+)?)$")


class LogMetric(Model):
    """A metric filter on ``group``: each matching event adds ``value`` (1, or a ``$.field``
    of a JSON event, or a ``$field`` of a space-delimited one) to the rule's metric."""

    group: LogGroupName
    pattern: Annotated[str, AfterValidator(check_filter_pattern)]
    value: str = "1"
    # Published when no event matches in a period, so the alarm sees 0 instead of no data.
    default_value: float | None = 0

    @field_validator("value", mode="before")
    @classmethod
    def _check_value(cls, value: object) -> object:
        text = (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )
        if not isinstance(text, str) or not _VALUE.match(text):
            raise ValueError(
                f"invalid value {value!r}: a number, or a field like $.latency (JSON) or $bytes"
            )
        return text


__all__ = ["LogGroupName", "LogMetric"]
