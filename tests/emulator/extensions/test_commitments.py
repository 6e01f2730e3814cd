"""The emulated reservation and Savings Plans reads: figures from the records, AWS's shapes,
every page, and the requests Cost Explorer refuses."""

from __future__ import annotations

from datetime import date, timedelta

import botocore.exceptions
import pytest

from sentinel.aws.session import SessionFactory
from sentinel.emulator.commitments import Commitments, ReservationDay, SavingsPlanDay
from sentinel.emulator.extensions.costexplorer import load_commitments

RDS = "Amazon Relational Database Service"
EC2 = "Amazon Elastic Compute Cloud - Compute"
JUNE = {"Start": "2026-06-01", "End": "2026-07-01"}


@pytest.fixture
def ce(aws: SessionFactory) -> object:
    data = Commitments()
    for n in range(40):
        day = date(2026, 5, 25) + timedelta(days=n)
        data.reservations.append(ReservationDay(day, RDS, 24, 18, 48))
        data.reservations.append(ReservationDay(day, EC2, 10, 10, 10, region="eu-west-1"))
        data.savings_plans.append(SavingsPlanDay(day, 5.0, 4.0, 4.0))
    load_commitments(data)
    return aws.client("ce", region="us-east-1")


def test_figures_by_service_with_every_page(ce: object) -> None:
    pages, token = [], None
    while True:
        page = ce.get_reservation_utilization(  # type: ignore[attr-defined]
            TimePeriod=JUNE,
            Granularity="DAILY",
            Filter={"Dimensions": {"Key": "SERVICE", "Values": [RDS]}},
            MaxResults=7,
            **({"NextPageToken": token} if token else {}),
        )
        pages.append(page)
        token = page.get("NextPageToken")
        if not token:
            break
    assert [len(p["UtilizationsByTime"]) for p in pages] == [7, 7, 7, 7, 2]
    assert pages[0]["Total"]["UtilizationPercentage"] == "75"
    assert pages[0]["UtilizationsByTime"][0]["TimePeriod"] == {
        "Start": "2026-06-01",
        "End": "2026-06-02",
    }
    # Coverage without a SERVICE filter is EC2's, as Cost Explorer answers it.
    coverage = ce.get_reservation_coverage(TimePeriod=JUNE)  # type: ignore[attr-defined]
    assert coverage["Total"]["CoverageHours"]["CoverageHoursPercentage"] == "100"
    rds = ce.get_reservation_coverage(  # type: ignore[attr-defined]
        TimePeriod=JUNE, Filter={"Dimensions": {"Key": "SERVICE", "Values": [RDS]}}
    )
    assert rds["Total"]["CoverageHours"]["CoverageHoursPercentage"] == "37.5"
    used = ce.get_savings_plans_utilization(TimePeriod=JUNE)  # type: ignore[attr-defined]
    assert used["Total"]["Utilization"]["UtilizationPercentage"] == "80"
    first = ce.get_savings_plans_coverage(  # type: ignore[attr-defined]
        TimePeriod={"Start": "2026-05-01", "End": "2026-07-01"}, MaxResults=1
    )
    rest = ce.get_savings_plans_coverage(  # type: ignore[attr-defined]
        TimePeriod={"Start": "2026-05-01", "End": "2026-07-01"},
        MaxResults=1,
        NextToken=first["NextToken"],
    )
    assert "NextToken" not in rest
    assert [c["Coverage"]["CoveragePercentage"] for c in first["SavingsPlansCoverages"]] == ["50"]
    assert rest["SavingsPlansCoverages"][0]["TimePeriod"]["Start"] == "2026-06-01"


def test_requests_cost_explorer_refuses(ce: object, aws: SessionFactory) -> None:
    refused = [
        (
            "get_reservation_utilization",
            {"TimePeriod": {"Start": "2026-06-02", "End": "2026-06-01"}},
        ),
        ("get_reservation_coverage", {"TimePeriod": JUNE, "Granularity": "HOURLY"}),
        ("get_reservation_utilization", {"TimePeriod": JUNE, "NextPageToken": "bogus"}),
    ]
    for operation, params in refused:
        with pytest.raises(botocore.exceptions.ClientError):
            getattr(ce, operation)(**params)
    load_commitments(Commitments())
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        ce.get_savings_plans_utilization(TimePeriod=JUNE)  # type: ignore[attr-defined]
    assert caught.value.response["Error"]["Code"] == "DataUnavailableException"
