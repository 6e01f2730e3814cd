"""The daily report's figures, against a bill whose every number is known."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from moto.ce.responses import CostExplorerResponse
from moto.core.exceptions import JsonRESTError

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.config.loader import Config
from sentinel.cost.cache import CostCache
from sentinel.cost.report import build_report
from sentinel.cost.sources import CostExplorerSource, ce_requests, previous_month
from sentinel.emulator.cost_table import CostTable
from sentinel.emulator.extensions.costexplorer import load_cost_table
from sentinel.naming import budget_name
from sentinel.store import Store
from sentinel.sync.budgets import Budgets
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import apply, plan

from .bills import bill as make_bill
from .bills import expected_total
from .project import write_config

S3 = "Amazon Simple Storage Service"
EC2 = "Amazon Elastic Compute Cloud - Compute"
S3_TAGS = {
    "Environment": "Production",
    "Service": "storage",
    "Owner": "team-web",
    "CostCenter": "eng-300",
}


class Unavailable(JsonRESTError):
    code = 503

    def __init__(self) -> None:
        super().__init__("ServiceUnavailableException", "Cost Explorer is unavailable")


def s3_growth(today: date) -> CostTable:
    """The bill, with S3 costing $30 a day more over the last seven days."""
    extra = [(ago, S3, "Requests-Tier1", 30.0, S3_TAGS) for ago in range(1, 8)]
    return make_bill(today, extra=extra)


def close(value: Decimal | None, expected: float) -> bool:
    return value is not None and float(value) == pytest.approx(expected, abs=1e-6)


def test_report_figures(aws: SessionFactory, config: Config, store: Store, today: date) -> None:
    table = s3_growth(today)
    load_cost_table(table)
    day = today - timedelta(days=1)
    report = build_report(config, CostCache(store, CostExplorerSource(aws)), aws, day, today)

    assert report.complete
    assert close(report.yesterday.current, expected_total(table, day, day))
    week_ago = day - timedelta(days=7)
    assert close(report.yesterday.previous, expected_total(table, week_ago, week_ago))
    seven = expected_total(table, day - timedelta(days=7), day - timedelta(days=1)) / 7
    assert float(report.seven_day_average or 0) == pytest.approx(seven, abs=0.006)

    month = day.replace(day=1)
    assert close(report.month_to_date.current, expected_total(table, month, day))
    last_month = previous_month(day)
    same_days_end = min(last_month + timedelta(days=day.day - 1), month - timedelta(days=1))
    assert close(report.month_to_date.previous, expected_total(table, last_month, same_days_end))

    forecast = report.forecast
    assert forecast is not None
    assert forecast.total == forecast.actual + sum(forecast.daily.values(), Decimal(0))
    if today.day == 1:  # yesterday closed its month: nothing is left to forecast
        assert (forecast.source, forecast.daily) == ("month complete", {})
    else:
        assert forecast.source == "Sentinel projection"  # the emulator has no GetCostForecast
        assert "forecast unavailable" in forecast.note
        month_end = (month + timedelta(days=31)).replace(day=1)
        rest = (month_end - today).days
        assert sorted(forecast.daily) == [today + timedelta(days=i) for i in range(rest)]

    assert report.movers[0].service == S3
    assert float(report.movers[0].change.amount or 0) == pytest.approx(210, abs=2)

    coverage = {c.key: c for c in report.tagging}
    assert close(
        coverage["Environment"].untagged,
        expected_total(table, month, day, service="AmazonCloudWatch"),
    )
    assert list(coverage["Environment"].bad_values) == ["Production"]
    assert close(coverage["Environment"].mistagged, expected_total(table, month, day, service=S3))
    assert coverage["Service"].mistagged == 0
    assert list(coverage["CostCenter"].bad_values) == ["ENG-300"]
    # Owner is a required key outside group_by_tags: month-level data covers it.
    assert coverage["Owner"].available
    assert close(
        coverage["Owner"].untagged, expected_total(table, month, day, service="AmazonCloudWatch")
    )

    budgets = {b.name: b for b in report.budgets}
    assert budgets["total"].source == "Cost Explorer"
    assert budgets["total"].applied is False
    assert close(budgets["total"].actual, expected_total(table, month, day))
    assert close(
        budgets["production"].actual,
        expected_total(table, month, day, **{"tag:Environment": "production"}),
    )
    assert close(budgets["compute"].actual, expected_total(table, month, day, service=EC2))
    # Usage types are not in the report's data, and the budget is not applied: no figure.
    assert budgets["boxes"].source == "unavailable" and budgets["boxes"].actual is None
    assert report.anomalies == []
    assert report.top_services[0][0] == EC2
    assert len(report.chart.days) == 30
    assert set(report.chart.services) == {*(s for s, _ in report.top_services[:4]), "Other"}


@pytest.mark.parametrize("closes_month", [False, True])
def test_forecast_of_a_month_with_days_left_and_of_a_closed_month(
    aws: SessionFactory,
    bill: CostTable,
    config: Config,
    store: Store,
    today: date,
    closes_month: bool,
) -> None:
    # Reports made on a past 1st or 15th inside the bill, whatever day today is.
    made_on = (today - timedelta(days=40)).replace(day=1 if closes_month else 15)
    day = made_on - timedelta(days=1)
    report = build_report(config, CostCache(store, CostExplorerSource(aws)), aws, day, made_on)
    forecast = report.forecast
    assert forecast is not None
    assert close(forecast.actual, expected_total(bill, day.replace(day=1), day))
    if closes_month:
        assert (forecast.source, forecast.daily, forecast.remaining) == (
            "month complete",
            {},
            Decimal(0),
        )
    else:
        assert forecast.source == "Sentinel projection"
        month_end = (made_on + timedelta(days=31)).replace(day=1)
        assert sorted(forecast.daily) == [
            made_on + timedelta(days=i) for i in range((month_end - made_on).days)
        ]
        assert forecast.remaining > 0


def test_budget_applied_in_aws_is_read_from_describe_budgets(
    aws: SessionFactory, bill: CostTable, config: Config, store: Store, today: date
) -> None:
    aws.client("budgets").create_budget(
        AccountId="123456789012",
        Budget={
            "BudgetName": budget_name(config.name, "boxes"),
            "BudgetLimit": {"Amount": "100", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
            "CostFilters": {"UsageType": ["BoxUsage:m5.large"]},
        },
    )
    day = today - timedelta(days=1)
    report = build_report(config, CostCache(store, CostExplorerSource(aws)), aws, day, today)
    boxes = next(b for b in report.budgets if b.name == "boxes")
    assert boxes.applied is True
    if day.month != today.month:  # the 1st: AWS Budgets counts the new month already
        assert (boxes.source, boxes.actual) == ("unavailable", None)
        assert "next period" in boxes.note
        return
    assert boxes.source == "AWS Budgets"
    # What the emulated AWS Budgets calculates from the bill: this month's m5.large hours.
    month = today.replace(day=1)
    assert close(boxes.actual, expected_total(bill, month, day, usage_type="BoxUsage:m5.large"))


def test_cost_explorer_forecast_is_used_when_it_answers(
    aws: SessionFactory,
    bill: CostTable,
    config: Config,
    store: Store,
    today: date,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[dict] = []

    def get_cost_forecast(self: CostExplorerResponse) -> str:
        request = json.loads(self.body)
        asked.append(request)
        start = date.fromisoformat(request["TimePeriod"]["Start"])
        end = date.fromisoformat(request["TimePeriod"]["End"])
        days = [start + timedelta(days=i) for i in range((end - start).days)]
        return json.dumps(
            {
                "Total": {"Amount": f"{100 * len(days)}", "Unit": "USD"},
                "ForecastResultsByTime": [
                    {
                        "TimePeriod": {"Start": str(d), "End": str(d + timedelta(days=1))},
                        "MeanValue": "100",
                    }
                    for d in days
                ],
            }
        )

    monkeypatch.setattr(CostExplorerResponse, "get_cost_forecast", get_cost_forecast, raising=False)
    cache = CostCache(store, CostExplorerSource(aws))
    # A mid-month morning inside the bill, so the month always has days left to forecast.
    mid_month = (
        today.replace(day=15) if today.day > 15 else (today - timedelta(days=20)).replace(day=15)
    )
    day = mid_month - timedelta(days=1)
    report = build_report(config, cache, aws, day, mid_month)
    forecast = report.forecast
    assert forecast is not None
    assert forecast.source == "Cost Explorer"
    assert asked[0]["TimePeriod"]["Start"] == mid_month.isoformat()
    assert asked[0]["Granularity"] == "DAILY"
    assert forecast.remaining == Decimal(100 * len(forecast.daily))
    build_report(config, cache, aws, day, mid_month)
    assert len(asked) == 1  # one forecast a day


def test_steady_state_report_makes_at_most_four_requests(
    aws: SessionFactory, config: Config, store: Store, today: date
) -> None:
    load_cost_table(make_bill(today))
    cache = CostCache(store, CostExplorerSource(aws))
    cold = build_report(config, cache, aws, today - timedelta(days=1), today)
    assert cold.ce_requests == ce_requests(aws) > 20
    for days in (1, 2):
        with time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=False):
            now = today + timedelta(days=days)
            load_cost_table(make_bill(now))
            aws.counter.reset()
            report = build_report(config, cache, aws, now - timedelta(days=1), now)
            assert report.complete
            assert ce_requests(aws) == report.ce_requests <= 4


def test_missing_data_is_stated_not_guessed(
    aws: SessionFactory,
    bill: CostTable,
    config: Config,
    store: Store,
    today: date,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    day = today - timedelta(days=1)
    # Cached up to four days ago; estimated days are fetched again on every load (max_age 0).
    build_report(
        config, CostCache(store, CostExplorerSource(aws)), aws, day - timedelta(days=3), today
    )
    answered = CostExplorerResponse.get_cost_and_usage

    def failing_daily(self: CostExplorerResponse) -> str:
        if json.loads(self.body).get("Granularity") == "DAILY":
            raise Unavailable()
        return answered(self)

    monkeypatch.setattr(CostExplorerResponse, "get_cost_and_usage", failing_daily)
    # Failing past its retries (two attempts here, to keep the test short).
    impatient = SessionFactory(session=aws.session(), region="us-east-1", max_attempts=2)
    cache = CostCache(store, CostExplorerSource(impatient), max_age=timedelta(0))
    report = build_report(config, cache, impatient, day, today)
    assert impatient.counter.total("cost-explorer", "GetCostAndUsage") >= 2
    assert not report.complete
    assert report.yesterday.current is None
    assert report.month_to_date.current is None
    assert report.forecast is None
    assert report.movers == []
    assert all(not c.available or c.total == 0 for c in report.tagging)
    assert all("ServiceUnavailableException" in m.reason for m in report.missing)
    assert {m.what for m in report.missing} == {
        "SERVICE|TAG:Environment",
        "TAG:Service|TAG:CostCenter",
    }
    assert all(m.end == day for m in report.missing)
    # What was cached before the failure is still shown: the chart stops at the last good day.
    assert report.chart.days[-1] < day - timedelta(days=2)


TWO_TAG_BUDGETS = """\
budgets:
  - name: backend-eng-100
    amount: 3000 USD
    filters: {tags: {Service: backend, CostCenter: eng-100}}
    alerts: [100%]
    notify: [warning]
  - name: production-backend
    amount: 3000 USD
    filters: {tags: {Environment: production, Service: backend}}
    alerts: [100%]
    notify: [warning]
"""


@pytest.mark.parametrize("today", [date(2026, 6, 16), date(2026, 3, 1)])
def test_budgets_on_two_tags_count_the_costs_carrying_both(
    aws: SessionFactory, store: Store, tmp_path: Path, today: date
) -> None:
    """Service and CostCenter are one grouping of the report: computed from its data.
    Environment and Service are not: AWS Budgets' figure, from the FilterExpression applied."""
    config = load_config(write_config(tmp_path / "two-tags", budgets=TWO_TAG_BUDGETS))
    table = make_bill(today)
    load_cost_table(table)
    day = today - timedelta(days=1)
    with time_machine.travel(datetime.combine(today, time(12), UTC), tick=False):
        ctx = SyncContext(config=config, factory=aws, region="us-east-1")
        assert apply(ctx, plan(ctx, [Budgets()])).ok
        report = build_report(config, CostCache(store, CostExplorerSource(aws)), aws, day, today)
    budgets = {b.name: b for b in report.budgets}
    month = day.replace(day=1)

    paired = budgets["backend-eng-100"]
    assert paired.source == "Cost Explorer"
    both = {"tag:Service": "backend", "tag:CostCenter": "eng-100"}
    assert close(paired.actual, expected_total(table, month, day, **both))

    apart = budgets["production-backend"]
    both = {"tag:Environment": "production", "tag:Service": "backend"}
    if day.month != today.month:
        assert (apart.source, apart.actual) == ("unavailable", None)
        return
    assert apart.source == "AWS Budgets"
    assert close(apart.actual, expected_total(table, month, day, **both))
    # m5.large and Lambda: not the staging t3.medium (backend) nor RDS (production).
    either = expected_total(table, month, day, **{"tag:Environment": "production"}) + (
        expected_total(table, month, day, usage_type="BoxUsage:t3.medium")
    )
    assert float(apart.actual or 0) < either
