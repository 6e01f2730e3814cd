"""GetCostAndUsage, GetDimensionValues and GetTags computed from a bill, as the real API answers."""

from __future__ import annotations

from typing import Any

import pytest

from sentinel.emulator import cost_explorer
from sentinel.emulator.cost_errors import CostExplorerError
from sentinel.emulator.cost_explorer import (
    format_amount,
    get_cost_and_usage,
    get_dimension_values,
    get_tags,
)
from sentinel.emulator.cost_table import CostTable

from .bill import ACCOUNT, CLOUDWATCH, EC2, S3, TODAY

DAILY_COST = 2.0 + 0.5 + 1.25


def query(table: CostTable, start: str, end: str, **request: Any) -> dict[str, Any]:
    body = {
        "TimePeriod": {"Start": start, "End": end},
        "Granularity": "DAILY",
        "Metrics": ["UnblendedCost"],
        **request,
    }
    return get_cost_and_usage(table, body, today=TODAY)


def totals(response: dict[str, Any], metric: str = "UnblendedCost") -> list[float]:
    return [float(r["Total"][metric]["Amount"]) for r in response["ResultsByTime"]]


def groups(result: dict[str, Any], metric: str = "UnblendedCost") -> dict[tuple[str, ...], float]:
    return {tuple(g["Keys"]): float(g["Metrics"][metric]["Amount"]) for g in result["Groups"]}


def test_end_date_is_exclusive(bill: CostTable) -> None:
    response = query(bill, "2024-01-30", "2024-02-01")

    periods = [r["TimePeriod"] for r in response["ResultsByTime"]]
    assert periods == [
        {"Start": "2024-01-30", "End": "2024-01-31"},
        {"Start": "2024-01-31", "End": "2024-02-01"},
    ]
    assert totals(response) == [DAILY_COST, DAILY_COST]


def test_monthly_buckets_are_calendar_months_clipped_to_the_period(bill: CostTable) -> None:
    response = query(bill, "2024-01-29", "2024-02-03", Granularity="MONTHLY")

    periods = [r["TimePeriod"] for r in response["ResultsByTime"]]
    assert periods == [
        {"Start": "2024-01-29", "End": "2024-02-01"},
        {"Start": "2024-02-01", "End": "2024-02-03"},
    ]
    assert totals(response) == [3 * DAILY_COST, 2 * DAILY_COST]


def test_amounts_are_decimal_strings_with_units(bill: CostTable) -> None:
    response = query(bill, "2024-01-30", "2024-01-31", Metrics=["UnblendedCost", "UsageQuantity"])

    total = response["ResultsByTime"][0]["Total"]
    assert total["UnblendedCost"] == {"Amount": "3.75", "Unit": "USD"}
    # Usage of different units does not add up to one unit.
    assert total["UsageQuantity"] == {"Amount": "134", "Unit": "N/A"}
    assert response["ResultsByTime"][0]["Groups"] == []
    assert "GroupDefinitions" not in response


@pytest.mark.parametrize(
    ("value", "text"),
    [(12.3456789, "12.3456789"), (0.0, "0"), (1e-12, "0"), (3.0, "3"), (1 / 3, "0.3333333333")],
)
def test_format_amount(value: float, text: str) -> None:
    assert format_amount(value) == text


def test_every_cost_metric_is_answered(bill: CostTable) -> None:
    metrics = ["UnblendedCost", "BlendedCost", "AmortizedCost", "NetUnblendedCost"]
    response = query(bill, "2024-01-30", "2024-01-31", Metrics=metrics)

    total = response["ResultsByTime"][0]["Total"]
    assert {m: total[m]["Amount"] for m in metrics} == dict.fromkeys(metrics, "3.75")


def test_tag_groups_are_keyed_key_dollar_value_and_untagged_key_dollar(bill: CostTable) -> None:
    response = query(
        bill, "2024-01-30", "2024-01-31", GroupBy=[{"Type": "TAG", "Key": "Environment"}]
    )

    result = response["ResultsByTime"][0]
    assert result["Total"] == {}
    assert groups(result) == {
        ("Environment$",): 0.5,
        ("Environment$production",): 2.0,
        ("Environment$staging",): 1.25,
    }
    assert response["GroupDefinitions"] == [{"Type": "TAG", "Key": "Environment"}]


def test_group_by_a_tag_and_a_dimension(bill: CostTable) -> None:
    response = query(
        bill,
        "2024-02-03",
        "2024-02-04",
        Metrics=["UnblendedCost", "UsageQuantity"],
        GroupBy=[{"Type": "TAG", "Key": "Owner"}, {"Type": "DIMENSION", "Key": "USAGE_TYPE"}],
    )

    result = response["ResultsByTime"][0]
    assert groups(result) == {
        ("Owner$platform-team", "BoxUsage:t3.large"): 2.0,
        ("Owner$", "BoxUsage:m5.xlarge"): 4.6,
        ("Owner$", "CW:MetricMonitorUsage"): 0.5,
        ("Owner$", "TimedStorage-ByteHrs"): 1.25,
    }
    usage = {tuple(g["Keys"]): g["Metrics"]["UsageQuantity"] for g in result["Groups"]}
    assert usage[("Owner$", "TimedStorage-ByteHrs")] == {"Amount": "100", "Unit": "GB-Mo"}


def test_group_by_region_and_service(bill: CostTable) -> None:
    response = query(
        bill,
        "2024-01-30",
        "2024-01-31",
        GroupBy=[{"Type": "DIMENSION", "Key": "REGION"}, {"Type": "DIMENSION", "Key": "SERVICE"}],
    )

    assert groups(response["ResultsByTime"][0]) == {
        ("us-east-1", EC2): 2.0,
        ("us-east-1", CLOUDWATCH): 0.5,
        ("us-west-2", S3): 1.25,
    }


def test_linked_account_groups_carry_the_account_name(bill: CostTable) -> None:
    response = query(
        bill, "2024-01-30", "2024-01-31", GroupBy=[{"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}]
    )

    assert groups(response["ResultsByTime"][0]) == {(ACCOUNT,): DAILY_COST}
    assert response["DimensionValueAttributes"] == [
        {"Value": ACCOUNT, "Attributes": {"description": "demo"}}
    ]


def test_periods_without_costs_are_listed_with_zero(bill: CostTable) -> None:
    response = query(bill, "2024-03-01", "2024-03-03")

    assert [r["Total"]["UnblendedCost"] for r in response["ResultsByTime"]] == [
        {"Amount": "0", "Unit": "USD"}
    ] * 2
    grouped = query(
        bill, "2024-03-01", "2024-03-03", GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}]
    )
    assert [r["Groups"] for r in grouped["ResultsByTime"]] == [[], []]


def test_the_last_two_days_before_today_are_estimated(bill: CostTable) -> None:
    response = query(bill, "2024-01-28", "2024-02-05")

    estimated = {r["TimePeriod"]["Start"] for r in response["ResultsByTime"] if r["Estimated"]}
    assert estimated == {"2024-02-03", "2024-02-04"}
    monthly = query(bill, "2024-01-01", "2024-02-05", Granularity="MONTHLY")
    assert [r["Estimated"] for r in monthly["ResultsByTime"]] == [False, True]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ({"Tags": {"Key": "Environment", "MatchOptions": ["ABSENT"]}}, 0.5),
        ({"Tags": {"Key": "Environment", "Values": [""]}}, 0.5),
        ({"Tags": {"Key": "Environment", "Values": ["production"]}}, 2.0),
        (
            {
                "Tags": {
                    "Key": "Environment",
                    "Values": ["PRODUCTION"],
                    "MatchOptions": ["EQUALS", "CASE_INSENSITIVE"],
                }
            },
            2.0,
        ),
        ({"Not": {"Dimensions": {"Key": "SERVICE", "Values": [EC2]}}}, 1.75),
        (
            {
                "Or": [
                    {"Dimensions": {"Key": "REGION", "Values": ["us-west-2"]}},
                    {"Tags": {"Key": "Environment", "Values": ["production"]}},
                ]
            },
            3.25,
        ),
        (
            {
                "And": [
                    {"Dimensions": {"Key": "SERVICE", "Values": [EC2, S3]}},
                    {"Not": {"Tags": {"Key": "Environment", "Values": ["staging"]}}},
                ]
            },
            2.0,
        ),
        (
            {
                "Dimensions": {
                    "Key": "USAGE_TYPE",
                    "Values": ["BoxUsage"],
                    "MatchOptions": ["STARTS_WITH"],
                }
            },
            2.0,
        ),
        ({"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": ["999999999999"]}}, 0.0),
    ],
)
def test_filters(bill: CostTable, expression: dict[str, Any], expected: float) -> None:
    response = query(bill, "2024-01-30", "2024-01-31", Filter=expression)

    assert totals(response) == [expected]


def test_filter_applies_before_grouping(bill: CostTable) -> None:
    response = query(
        bill,
        "2024-02-03",
        "2024-02-04",
        Filter={"Dimensions": {"Key": "SERVICE", "Values": [EC2]}},
        GroupBy=[{"Type": "DIMENSION", "Key": "USAGE_TYPE"}],
    )

    assert groups(response["ResultsByTime"][0]) == {
        ("BoxUsage:m5.xlarge",): 4.6,
        ("BoxUsage:t3.large",): 2.0,
    }


def all_pages(table: CostTable, request: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    results, pages, token = [], 0, None
    while True:
        page = get_cost_and_usage(
            table, {**request, **({"NextPageToken": token} if token else {})}, today=TODAY
        )
        results += page["ResultsByTime"]
        pages += 1
        token = page.get("NextPageToken")
        if not token:
            return results, pages


def test_grouped_pages_concatenate_to_the_unpaged_answer(
    bill: CostTable, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = {
        "TimePeriod": {"Start": "2024-01-28", "End": "2024-02-05"},
        "Granularity": "DAILY",
        "Metrics": ["UnblendedCost", "UsageQuantity"],
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
    }
    monkeypatch.setattr(cost_explorer, "GROUPED_PAGE_SIZE", 100)
    unpaged = get_cost_and_usage(bill, request, today=TODAY)
    assert "NextPageToken" not in unpaged
    monkeypatch.setattr(cost_explorer, "GROUPED_PAGE_SIZE", 3)

    results, pages = all_pages(bill, request)

    assert pages == 3
    assert results == unpaged["ResultsByTime"]


def test_ungrouped_answers_are_not_paged(bill: CostTable, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cost_explorer, "GROUPED_PAGE_SIZE", 3)

    response = query(bill, "2024-01-28", "2024-02-05")

    assert len(response["ResultsByTime"]) == 8
    assert "NextPageToken" not in response


def test_a_page_token_only_continues_its_own_request(
    bill: CostTable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cost_explorer, "GROUPED_PAGE_SIZE", 3)
    by_service = [{"Type": "DIMENSION", "Key": "SERVICE"}]
    token = query(bill, "2024-01-28", "2024-02-05", GroupBy=by_service)["NextPageToken"]

    with pytest.raises(CostExplorerError) as changed:
        query(bill, "2024-01-28", "2024-02-04", GroupBy=by_service, NextPageToken=token)
    with pytest.raises(CostExplorerError) as invalid:
        query(bill, "2024-01-28", "2024-02-05", GroupBy=by_service, NextPageToken="not-a-token")

    assert changed.value.code == "RequestChangedException"
    assert invalid.value.code == "InvalidNextTokenException"


@pytest.mark.parametrize(
    ("request_changes", "message"),
    [
        ({"TimePeriod": {"Start": "2024-02-01", "End": "2024-02-01"}}, "should be before end"),
        ({"TimePeriod": {"Start": "2024-02-02", "End": "2024-02-01"}}, "should be before end"),
        ({"TimePeriod": {"Start": "2024/02/01", "End": "2024-02-03"}}, "YYYY-MM-DD"),
        ({"Granularity": "HOURLY"}, "DAILY or MONTHLY"),
        ({"Metrics": []}, "Metrics is required"),
        ({"Metrics": ["UnblendedCosts"]}, "Unsupported metric"),
        ({"GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}] * 2}, "Duplicate"),
        ({"GroupBy": [{"Type": "DIMENSION", "Key": "COLOUR"}]}, "COLOUR is invalid"),
        ({"GroupBy": [{"Type": "TAG", "Key": k} for k in ("A", "B", "C")]}, "up to two"),
        (
            {
                "Filter": {
                    "Dimensions": {"Key": "SERVICE", "Values": [EC2]},
                    "Tags": {"Key": "Environment", "Values": ["production"]},
                }
            },
            "exactly one",
        ),
        (
            {"Filter": {"And": [{"Dimensions": {"Key": "SERVICE", "Values": [EC2]}}]}},
            "at least two",
        ),
        ({"Filter": {"Dimensions": {"Key": "COLOUR", "Values": ["red"]}}}, "not allowed"),
    ],
)
def test_invalid_requests_are_rejected(
    bill: CostTable, request_changes: dict[str, Any], message: str
) -> None:
    request = {
        "TimePeriod": {"Start": "2024-02-01", "End": "2024-02-03"},
        "Granularity": "DAILY",
        "Metrics": ["UnblendedCost"],
        **request_changes,
    }

    with pytest.raises(CostExplorerError) as error:
        get_cost_and_usage(bill, request, today=TODAY)

    assert error.value.code == "ValidationException"
    assert message in error.value.message


def test_dimension_values_in_the_period(bill: CostTable) -> None:
    period = {"Start": "2024-01-28", "End": "2024-02-05"}

    services = get_dimension_values(bill, {"TimePeriod": period, "Dimension": "SERVICE"})
    accounts = get_dimension_values(bill, {"TimePeriod": period, "Dimension": "LINKED_ACCOUNT"})
    searched = get_dimension_values(
        bill, {"TimePeriod": period, "Dimension": "SERVICE", "SearchString": "amazon"}
    )

    assert [v["Value"] for v in services["DimensionValues"]] == [EC2, S3, CLOUDWATCH]
    assert services["TotalSize"] == 3
    assert accounts["DimensionValues"] == [
        {"Value": ACCOUNT, "Attributes": {"description": "demo"}}
    ]
    assert [v["Value"] for v in searched["DimensionValues"]] == [EC2, S3, CLOUDWATCH]


def test_dimension_values_sorted_by_cost_and_paged(bill: CostTable) -> None:
    request = {
        "TimePeriod": {"Start": "2024-01-28", "End": "2024-02-05"},
        "Dimension": "USAGE_TYPE",
        "SortBy": [{"Key": "UnblendedCost", "SortOrder": "DESCENDING"}],
        "MaxResults": 2,
    }

    first = get_dimension_values(bill, request)
    second = get_dimension_values(bill, {**request, "NextPageToken": first["NextPageToken"]})

    values = [v["Value"] for v in first["DimensionValues"] + second["DimensionValues"]]
    assert values == [
        "BoxUsage:t3.large",
        "TimedStorage-ByteHrs",
        "BoxUsage:m5.xlarge",
        "CW:MetricMonitorUsage",
    ]
    assert "NextPageToken" not in second


def test_tags_keys_and_values(bill: CostTable) -> None:
    period = {"Start": "2024-01-28", "End": "2024-02-05"}

    keys = get_tags(bill, {"TimePeriod": period})
    environments = get_tags(bill, {"TimePeriod": period, "TagKey": "Environment"})

    assert keys["Tags"] == ["Environment", "Owner"]
    assert environments["Tags"] == ["production", "staging"]
    assert environments["TotalSize"] == 2


def test_grouped_answers_come_five_periods_a_page(bill: CostTable) -> None:
    by_service = [{"Type": "DIMENSION", "Key": "SERVICE"}]

    first = query(bill, "2024-01-28", "2024-02-05", GroupBy=by_service)
    second = query(
        bill, "2024-01-28", "2024-02-05", GroupBy=by_service, NextPageToken=first["NextPageToken"]
    )

    assert cost_explorer.GROUPED_PAGE_SIZE == 5
    assert [len(first["ResultsByTime"]), len(second["ResultsByTime"])] == [5, 3]
    assert second["ResultsByTime"][0]["TimePeriod"]["Start"] == "2024-02-02"
    assert "NextPageToken" not in second
