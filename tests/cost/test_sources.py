"""Cost Explorer source against the emulated Cost Explorer: paging, decimals, tags, errors."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from moto.ce.responses import CostExplorerResponse
from moto.core.exceptions import JsonRESTError

from sentinel.aws.session import SessionFactory
from sentinel.cost.groupings import SERVICE, Dimension
from sentinel.cost.sources import CostDataUnavailable, CostExplorerSource, CostQuery, ce_requests
from sentinel.emulator.cost_table import CostTable

from .bills import expected_total

ENVIRONMENT = Dimension.tag("Environment")


def test_grouped_daily_costs_are_paged_and_exact(
    aws: SessionFactory, bill: CostTable, today: date
) -> None:
    source = CostExplorerSource(aws)
    start, end = today - timedelta(days=12), today
    answer = source.costs(CostQuery((SERVICE, ENVIRONMENT), start, end))

    # 12 days at five periods a page: three pages, three billed requests.
    assert answer.requests == 3
    assert aws.counter.total("cost-explorer", "GetCostAndUsage") == 3
    assert ce_requests(aws) == 3
    assert sorted(answer.periods) == [start + timedelta(days=i) for i in range(12)]
    assert all(isinstance(amount, Decimal) for _, _, amount in answer.rows)
    day = today - timedelta(days=5)
    ec2 = sum(
        a
        for d, k, a in answer.rows
        if d == day and k == ("Amazon Elastic Compute Cloud - Compute", "production")
    )
    assert float(ec2) == pytest.approx(
        expected_total(bill, day, day, service="Amazon Elastic Compute Cloud - Compute")
        - expected_total(
            bill,
            day,
            day,
            service="Amazon Elastic Compute Cloud - Compute",
            **{"tag:Environment": "staging"},
        ),
        abs=1e-9,
    )
    # Untagged spend comes back as the empty value of the tag.
    assert any(k == ("AmazonCloudWatch", "") for _, k, _ in answer.rows)
    # The last days before today are still estimated.
    assert answer.estimated == {today - timedelta(days=2), today - timedelta(days=1)}


def test_filtered_and_monthly_queries(aws: SessionFactory, bill: CostTable, today: date) -> None:
    source = CostExplorerSource(aws)
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    monthly = source.costs(CostQuery((), first, today, granularity="MONTHLY"))
    assert [d for d, _, _ in monthly.rows] == sorted(
        {first, today.replace(day=1)} - ({today.replace(day=1)} if today.day == 1 else set())
    )
    assert float(sum(a for _, _, a in monthly.rows)) == pytest.approx(
        expected_total(bill, first, today - timedelta(days=1)), abs=1e-6
    )
    staging = source.costs(
        CostQuery((SERVICE,), today - timedelta(days=3), today, where=(ENVIRONMENT, "staging"))
    )
    assert {k[0] for _, k, _ in staging.rows} == {"Amazon Elastic Compute Cloud - Compute"}
    untagged = source.costs(
        CostQuery((SERVICE,), today - timedelta(days=3), today, where=(ENVIRONMENT, ""))
    )
    assert {k[0] for _, k, _ in untagged.rows} == {"AmazonCloudWatch"}


@pytest.mark.real_clock  # adaptive retry's waits hang under libfaketime
def test_throttling_is_retried_and_counted_once(
    aws: SessionFactory, bill: CostTable, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    answered = CostExplorerResponse.get_cost_and_usage
    throttles = iter([True])

    def throttled(self: CostExplorerResponse) -> str:
        if next(throttles, False):
            raise JsonRESTError("ThrottlingException", "Rate exceeded")
        return answered(self)

    monkeypatch.setattr(CostExplorerResponse, "get_cost_and_usage", throttled)
    answer = CostExplorerSource(aws).costs(CostQuery((), today - timedelta(days=3), today))
    assert len(answer.rows) == 3
    assert ce_requests(aws) == 1  # retries are not new requests


def test_a_failing_cost_explorer_raises_cost_data_unavailable(
    aws: SessionFactory, bill: CostTable, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(self: CostExplorerResponse) -> str:
        raise JsonRESTError("AccessDeniedException", "not authorized to perform ce:GetCostAndUsage")

    monkeypatch.setattr(CostExplorerResponse, "get_cost_and_usage", failing)
    with pytest.raises(CostDataUnavailable, match="AccessDeniedException") as caught:
        CostExplorerSource(aws).costs(CostQuery((), today - timedelta(days=3), today))
    assert caught.value.code == "AccessDeniedException"


def test_forecast_unavailable_in_the_emulator(
    aws: SessionFactory, bill: CostTable, today: date
) -> None:
    with pytest.raises(CostDataUnavailable):
        CostExplorerSource(aws).forecast(today, today + timedelta(days=3))


def test_source_name_scopes_the_cache_to_the_account(aws: SessionFactory) -> None:
    assert CostExplorerSource(aws).name == "ce:123456789012:UnblendedCost"
    assert date.today()  # the name needs no Cost Explorer request
    assert ce_requests(aws) == 0
