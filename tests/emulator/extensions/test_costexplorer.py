"""Cost Explorer through boto3 against the extended moto: answers come from the loaded records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import botocore.exceptions
import pytest
import requests
import time_machine
from moto.ce.responses import CostExplorerResponse

from sentinel.aws.session import SessionFactory
from sentinel.emulator import cost_explorer
from sentinel.emulator.cost_table import CostRecord
from sentinel.emulator.extensions import install
from sentinel.emulator.extensions.costexplorer import cost_table, load_cost_records

from ..bill import CLOUDWATCH, EC2, S3, bill_records

PERIOD = {"Start": "2024-01-28", "End": "2024-02-05"}


@pytest.fixture
def ce(aws: SessionFactory) -> Any:
    load_cost_records(bill_records(), account_id="123456789012")
    return aws.client("ce")


def test_cost_and_usage_answers_the_query_asked(ce: Any) -> None:
    by_service = ce.get_cost_and_usage(
        TimePeriod={"Start": "2024-02-03", "End": "2024-02-04"},
        Granularity="DAILY",
        Metrics=["UnblendedCost"],
        GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}],
    )
    production = ce.get_cost_and_usage(
        TimePeriod={"Start": "2024-02-01", "End": "2024-02-03"},
        Granularity="MONTHLY",
        Metrics=["UnblendedCost"],
        Filter={"Tags": {"Key": "Environment", "Values": ["production"]}},
    )

    result = by_service["ResultsByTime"][0]
    assert {g["Keys"][0]: g["Metrics"]["UnblendedCost"]["Amount"] for g in result["Groups"]} == {
        EC2: "6.6",
        S3: "1.25",
        CLOUDWATCH: "0.5",
    }
    assert result["Total"] == {}
    assert by_service["GroupDefinitions"] == [{"Type": "DIMENSION", "Key": "SERVICE"}]
    assert production["ResultsByTime"][0]["Total"]["UnblendedCost"] == {
        "Amount": "4",
        "Unit": "USD",
    }


def test_invalid_request_is_a_validation_exception(ce: Any) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as error:
        ce.get_cost_and_usage(
            TimePeriod={"Start": "2024-02-03", "End": "2024-02-03"},
            Granularity="DAILY",
            Metrics=["UnblendedCost"],
        )

    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert "before end date" in error.value.response["Error"]["Message"]
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_paging_through_next_page_token(ce: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cost_explorer, "GROUPED_PAGE_SIZE", 3)
    request = {
        "TimePeriod": PERIOD,
        "Granularity": "DAILY",
        "Metrics": ["UnblendedCost"],
        "GroupBy": [{"Type": "TAG", "Key": "Environment"}],
    }
    days, pages, token = [], 0, None
    while True:
        page = ce.get_cost_and_usage(**request, **({"NextPageToken": token} if token else {}))
        days += [r["TimePeriod"]["Start"] for r in page["ResultsByTime"]]
        pages += 1
        token = page.get("NextPageToken")
        if not token:
            break

    assert pages == 3
    assert days == [f"2024-01-{d}" for d in (28, 29, 30, 31)] + [
        f"2024-02-0{d}" for d in range(1, 5)
    ]


def test_recent_days_are_estimated(aws: SessionFactory) -> None:
    today = date(2028, 3, 1)  # the days before it close February of a leap year
    days = [today - timedelta(days=n) for n in (3, 2, 1)]
    load_cost_records([CostRecord(day, EC2, "BoxUsage:t3.large", 2.0) for day in days])

    with time_machine.travel(datetime(2028, 3, 1, 12, tzinfo=UTC), tick=False):
        response = aws.client("ce").get_cost_and_usage(
            TimePeriod={"Start": days[0].isoformat(), "End": today.isoformat()},
            Granularity="DAILY",
            Metrics=["UnblendedCost"],
        )

    assert [r["Estimated"] for r in response["ResultsByTime"]] == [False, True, True]


def test_dimension_values_and_tags(ce: Any) -> None:
    services = ce.get_dimension_values(TimePeriod=PERIOD, Dimension="SERVICE")
    environments = ce.get_tags(TimePeriod=PERIOD, TagKey="Environment")

    assert [v["Value"] for v in services["DimensionValues"]] == [EC2, S3, CLOUDWATCH]
    assert environments["Tags"] == ["production", "staging"]


def test_each_account_has_its_own_records(aws: SessionFactory) -> None:
    load_cost_records(bill_records(), account_id="123456789012")

    assert len(cost_table("123456789012")) == len(bill_records())
    assert len(cost_table("210987654321")) == 0


def test_without_records_moto_queued_results_are_still_served(aws: SessionFactory) -> None:
    queued = {
        "ResultsByTime": [
            {
                "TimePeriod": {"Start": "2024-01-01", "End": "2024-01-02"},
                "Total": {"UnblendedCost": {"Amount": "42", "Unit": "USD"}},
                "Groups": [],
                "Estimated": False,
            }
        ]
    }
    requests.post(
        "http://motoapi.amazonaws.com/moto-api/static/ce/cost-and-usage-results",
        json={"results": [queued]},
        timeout=5,
    )

    response = aws.client("ce").get_cost_and_usage(
        TimePeriod={"Start": "2024-01-01", "End": "2024-01-02"},
        Granularity="DAILY",
        Metrics=["UnblendedCost"],
    )

    assert response["ResultsByTime"][0]["Total"]["UnblendedCost"]["Amount"] == "42"


def test_install_is_idempotent() -> None:
    handler = CostExplorerResponse.get_cost_and_usage

    install()

    assert CostExplorerResponse.get_cost_and_usage is handler


def test_forecast_is_refused_cleanly_as_for_an_account_without_history(
    aws: SessionFactory,
) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        aws.client("ce").get_cost_forecast(
            TimePeriod={"Start": "2026-11-23", "End": "2026-12-01"},
            Metric="UNBLENDED_COST",
            Granularity="DAILY",
        )
    assert refused.value.response["Error"]["Code"] == "DataUnavailableException"
