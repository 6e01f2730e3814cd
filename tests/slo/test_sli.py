"""SLIs from CloudWatch: request-weighted over hours of different traffic, latency in its unit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from sentinel.aws.session import SessionFactory
from sentinel.config.models.monitors import LatencySli, MonitorsFile, Slo
from sentinel.slo.status import slo_status

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)
LB = {"LoadBalancer": "app/orders-alb/0123456789abcdef"}


def slo(text: str) -> Slo:
    return MonitorsFile.model_validate(yaml.safe_load(text)).slos[0]


AVAILABILITY = slo(
    """
slos:
  - name: availability
    objective: 99%
    window: 7d
    availability:
      errors: {namespace: AWS/ApplicationELB, metric: HTTPCode_Target_5XX_Count,
               dimensions: {LoadBalancer: app/orders-alb/0123456789abcdef}, stat: Sum}
      total: {namespace: AWS/ApplicationELB, metric: RequestCount,
              dimensions: {LoadBalancer: app/orders-alb/0123456789abcdef}, stat: Sum}
"""
)


def put(
    aws: SessionFactory,
    namespace: str,
    metric: str,
    points: list[tuple[datetime, float]],
    dimensions: dict[str, str] = LB,
    unit: str = "Count",
) -> None:
    data: list[dict[str, Any]] = [
        {
            "MetricName": metric,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
            "Timestamp": moment,
            "Value": value,
            "Unit": unit,
        }
        for moment, value in points
    ]
    cloudwatch = aws.client("cloudwatch")
    for start in range(0, len(data), 1000):
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=data[start : start + 1000])


def hours_ago(hours: int, minutes: int = 10) -> datetime:
    return NOW.replace(minute=0) - timedelta(hours=hours) + timedelta(minutes=minutes)


def test_availability_is_weighted_by_requests_not_an_average_of_hourly_ratios(
    aws: SessionFactory,
) -> None:
    # A busy hour with 1 % errors and a quiet hour with 50 % errors.
    put(aws, "AWS/ApplicationELB", "RequestCount", [(hours_ago(3), 10_000), (hours_ago(2), 10)])
    put(
        aws,
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        [(hours_ago(3), 100), (hours_ago(2), 5)],
    )

    status = slo_status([AVAILABILITY], aws, now=NOW).statuses[0]

    assert status.total == 10_010
    assert status.good == 10_010 - 105
    assert status.sli == pytest.approx(100 * (1 - 105 / 10_010))  # 98.951 %
    average_of_ratios = 100 * (1 - (0.01 + 0.5) / 2)  # 74.5 %: what this must not be
    assert abs(status.sli - average_of_ratios) > 20
    # Budget: 1 % of 10,010 requests is 100.1 bad requests allowed; 105 were bad.
    assert status.budget.allowed == pytest.approx(100.1)
    assert status.budget.consumed == 105
    assert status.budget.remaining_percent == pytest.approx(100 - 100 * 105 / 100.1)
    assert status.state.value == "BREACHED"


def test_hours_without_a_5xx_datapoint_count_as_no_errors(aws: SessionFactory) -> None:
    put(aws, "AWS/ApplicationELB", "RequestCount", [(hours_ago(h), 1_000) for h in range(1, 5)])
    put(aws, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", [(hours_ago(4), 1)])

    status = slo_status([AVAILABILITY], aws, now=NOW).statuses[0]

    assert (status.good, status.total) == (3_999, 4_000)
    rates = {b.label: b.rate for b in status.burn_rates}
    # The last hour had no errors; over 6h one error in 4,000 requests, 1 % allowed.
    assert rates["1h"] == 0
    assert rates["6h"] == pytest.approx((1 / 4_000) / 0.01)
    assert status.state.value == "OK"


def test_no_requests_is_no_data(aws: SessionFactory) -> None:
    status = slo_status([AVAILABILITY], aws, now=NOW).statuses[0]
    assert status.sli is None
    assert status.state.value == "NO DATA"
    assert all(b.rate is None for b in status.burn_rates)


def latency_slo(namespace: str, metric: str, dimensions: str, extra: str = "") -> Slo:
    return slo(
        f"""
slos:
  - name: latency
    objective: 90%
    window: 7d
    latency:
      metric: {{namespace: {namespace}, metric: {metric}, dimensions: {dimensions}}}
      threshold: 200ms{extra}
"""
    )


def test_latency_counts_requests_at_or_under_the_threshold_in_seconds(aws: SessionFactory) -> None:
    # ALB TargetResponseTime is in seconds: one sample per request.
    fast = [(hours_ago(2, m % 50), 0.05 + 0.001 * (m % 100)) for m in range(300)]
    slow = [(hours_ago(2, m % 50), 0.2 + 0.3 * (m % 3)) for m in range(100)]  # 0.2 counts as fast
    other = {"LoadBalancer": "app/x/1"}
    put(aws, "AWS/ApplicationELB", "TargetResponseTime", fast + slow, other, unit="Seconds")
    latency = latency_slo("AWS/ApplicationELB", "TargetResponseTime", "{LoadBalancer: app/x/1}")

    status = slo_status([latency], aws, now=NOW).statuses[0]

    # Without `total`, the latency metric's SampleCount is the request count.
    assert status.total == 400
    assert status.good == pytest.approx(300 + 34)  # every value at 0.2 s is within 200ms
    assert status.unit == "requests"


def test_latency_in_milliseconds_compares_200ms_as_200(aws: SessionFactory) -> None:
    api = {"ApiName": "orders-api"}
    values = [
        (hours_ago(1, m % 50), float(v)) for m, v in enumerate([120, 180, 199, 200, 201, 950])
    ]
    put(aws, "AWS/ApiGateway", "Latency", values, dimensions=api, unit="Milliseconds")
    put(aws, "AWS/ApiGateway", "Count", [(hours_ago(1), 6)], dimensions=api)
    latency = latency_slo(
        "AWS/ApiGateway",
        "Latency",
        "{ApiName: orders-api}",
        "\n      total: {namespace: AWS/ApiGateway, metric: Count, "
        "dimensions: {ApiName: orders-api}, stat: Sum}",
    )
    assert latency.latency is not None and latency.latency.metric_threshold == 200

    status = slo_status([latency], aws, now=NOW).statuses[0]

    assert (status.good, status.total) == (pytest.approx(4), 6)


def test_latency_units_inferred_or_written() -> None:
    def sli(namespace: str, metric: str, **extra: Any) -> LatencySli:
        return LatencySli.model_validate(
            {"metric": {"namespace": namespace, "metric": metric}, "threshold": "200ms", **extra}
        )

    assert sli("AWS/ApplicationELB", "TargetResponseTime").metric_threshold == 0.2
    assert sli("AWS/ApiGateway", "Latency").metric_threshold == 200
    assert sli("AWS/Lambda", "Duration").metric_threshold == 200
    assert sli("Shop/Checkout", "Latency", unit="ms").metric_threshold == 200
    assert sli("AWS/ApiGateway", "Latency", unit="s").metric_threshold == 0.2
    with pytest.raises(ValidationError, match="add `unit: ms` or `unit: s`"):
        sli("Shop/Checkout", "Latency")


def test_period_based_percentile_counts_good_minutes(aws: SessionFactory) -> None:
    # p95 per 5-minute period: two periods slow, ten fast, in the last hour.
    points = []
    for period in range(12):
        value = 0.9 if period in (3, 7) else 0.1
        start = NOW.replace(minute=0) - timedelta(hours=1) + timedelta(minutes=5 * period)
        points += [(start + timedelta(seconds=20 * i), value) for i in range(10)]
    put(aws, "AWS/ApplicationELB", "TargetResponseTime", points, unit="Seconds")
    latency = slo(
        f"""
slos:
  - name: p95
    objective: 99%
    window: 7d
    latency:
      metric: {{namespace: AWS/ApplicationELB, metric: TargetResponseTime, dimensions: {LB}}}
      threshold: 200ms
      percentile: p95
"""
    )

    status = slo_status([latency], aws, now=NOW).statuses[0]

    assert status.unit == "minutes"
    assert (status.good, status.total) == (50, 60)
    assert status.budget.allowed == pytest.approx(0.6)  # 1 % of an hour of minutes
    assert status.budget.consumed == 10
