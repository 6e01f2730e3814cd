"""Filter expressions over a cost frame."""

from __future__ import annotations

from typing import Any

import pytest

from sentinel.emulator.cost_errors import CostExplorerError
from sentinel.emulator.cost_filter import expression_mask
from sentinel.emulator.cost_table import CostTable


def selected(table: CostTable, expression: dict[str, Any]) -> set[str]:
    frame = table.frame[table.frame["day"] == table.frame["day"].min()]
    return set(frame[expression_mask(frame, expression)]["usage_type"])


@pytest.mark.parametrize(
    ("expression", "usage_types"),
    [
        (
            {
                "Dimensions": {
                    "Key": "USAGE_TYPE",
                    "Values": ["ByteHrs"],
                    "MatchOptions": ["ENDS_WITH"],
                }
            },
            {"TimedStorage-ByteHrs"},
        ),
        (
            {
                "Dimensions": {
                    "Key": "SERVICE",
                    "Values": ["watch"],
                    "MatchOptions": ["CONTAINS", "CASE_INSENSITIVE"],
                }
            },
            {"CW:MetricMonitorUsage"},
        ),
        (
            {"Dimensions": {"Key": "SERVICE", "Values": ["watch"], "MatchOptions": ["CONTAINS"]}},
            set(),
        ),
        (
            {"Tags": {"Key": "Owner", "MatchOptions": ["ABSENT"]}},
            {"CW:MetricMonitorUsage", "TimedStorage-ByteHrs"},
        ),
        (
            {"Tags": {"Key": "NoSuchTag", "Values": ["x"]}},
            set(),
        ),
        (
            {"CostCategories": {"Key": "Team", "MatchOptions": ["ABSENT"]}},
            {"BoxUsage:t3.large", "CW:MetricMonitorUsage", "TimedStorage-ByteHrs"},
        ),
        (
            {"CostCategories": {"Key": "Team", "Values": ["platform"]}},
            set(),
        ),
    ],
)
def test_match_options(bill: CostTable, expression: dict[str, Any], usage_types: set[str]) -> None:
    assert selected(bill, expression) == usage_types


@pytest.mark.parametrize(
    "expression",
    [
        {
            "Dimensions": {
                "Key": "SERVICE",
                "Values": ["x"],
                "MatchOptions": ["GREATER_THAN_OR_EQUAL"],
            }
        },
        {"Dimensions": {"Key": "SERVICE", "Values": ["x"], "MatchOptions": ["EQUALS", "CONTAINS"]}},
        {"Dimensions": {"Key": "SERVICE"}},
        {"Tags": {"Values": ["production"]}},
        {"Or": []},
        {"Colour": {"Key": "SERVICE", "Values": ["x"]}},
    ],
)
def test_malformed_expressions_are_rejected(bill: CostTable, expression: dict[str, Any]) -> None:
    with pytest.raises(CostExplorerError) as error:
        selected(bill, expression)

    assert error.value.code == "ValidationException"
