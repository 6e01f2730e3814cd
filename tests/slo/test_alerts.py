"""Burn-rate alarm parameters: windows, factors, the low-traffic guard and composites."""

from __future__ import annotations

from typing import Any

import yaml

from sentinel.config.models.monitors import MonitorsFile, Slo
from sentinel.slo.alerts import BurnRateAlarm, burn_rate_alarms

from .project import SLOS

ACTIONS = {
    "critical": {"alarm_actions": ["arn:critical"], "ok_actions": ["arn:critical"]},
    "warning": {"alarm_actions": ["arn:warning"]},
}


def slos(text: str = SLOS) -> list[Slo]:
    return MonitorsFile.model_validate(yaml.safe_load(text)).slos


def by_name(alarms: list[BurnRateAlarm]) -> dict[str, dict[str, Any]]:
    return {a.name: a.params for a in alarms}


def test_each_routed_window_is_two_metric_math_alarms_and_a_composite() -> None:
    availability = slos()[0]
    alarms = burn_rate_alarms("orders", availability, ACTIONS, {"Team": "orders"})

    assert [a.name for a in alarms] == [
        f"orders/slo/checkout-availability/{alert}{suffix}"
        for alert in ("page-1h", "page-6h", "ticket-1d", "ticket-3d")
        for suffix in ("/long", "/short", "")
    ]
    params = by_name(alarms)
    # Every window: the burn rate as metric math, each metric's period equal to the window.
    windows = {"page-1h": (3600, 300), "page-6h": (21600, 1800), "ticket-1d": (86400, 7200)}
    windows["ticket-3d"] = (259200, 21600)
    factors = {"page-1h": 14.4, "page-6h": 6.0, "ticket-1d": 3.0, "ticket-3d": 1.0}
    for base, (long, short) in windows.items():
        for role, period in (("long", long), ("short", short)):
            alarm = params[f"orders/slo/checkout-availability/{base}/{role}"]
            stats = [q for q in alarm["Metrics"] if "MetricStat" in q]
            assert {q["MetricStat"]["Period"] for q in stats} == {period}
            assert alarm["Threshold"] == factors[base]
            assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
            assert alarm["AlarmActions"] == []  # the composite notifies
        composite = params[f"orders/slo/checkout-availability/{base}"]
        assert composite["AlarmRule"] == (
            f'ALARM("orders/slo/checkout-availability/{base}/long") AND '
            f'ALARM("orders/slo/checkout-availability/{base}/short")'
        )
    assert params["orders/slo/checkout-availability/page-1h"]["AlarmActions"] == ["arn:critical"]
    assert params["orders/slo/checkout-availability/ticket-3d"]["AlarmActions"] == ["arn:warning"]
    assert all(p["Tags"] == [{"Key": "Team", "Value": "orders"}] for p in params.values())


def test_the_long_window_ignores_traffic_below_min_requests() -> None:
    params = by_name(burn_rate_alarms("orders", slos()[0], ACTIONS, {}))
    expression = {
        role: next(
            q["Expression"]
            for q in params[f"orders/slo/checkout-availability/page-1h/{role}"]["Metrics"]
            if "Expression" in q
        )
        for role in ("long", "short")
    }
    assert expression["long"] == "IF(total >= 100, (FILL(errors, 0) / total) / 0.001, 0)"
    assert expression["short"] == "(FILL(errors, 0) / total) / 0.001"


def test_latency_windows_use_the_percentile_rank_of_the_threshold_and_28d_factors() -> None:
    latency = slos()[1]
    params = by_name(burn_rate_alarms("orders", latency, ACTIONS, {}))

    # Only the ticket severity is routed: no page windows.
    assert sorted(params) == sorted(
        f"orders/slo/checkout-latency/{base}{suffix}"
        for base in ("ticket-1d", "ticket-3d")
        for suffix in ("", "/long", "/short")
    )
    alarm = params["orders/slo/checkout-latency/ticket-3d/long"]
    stats = {q["Id"]: q["MetricStat"] for q in alarm["Metrics"] if "MetricStat" in q}
    assert stats["fast"]["Stat"] == "PR(:0.2)"
    assert stats["fast"]["Metric"]["MetricName"] == "TargetResponseTime"
    assert stats["total"]["Metric"]["MetricName"] == "RequestCount"
    assert alarm["Threshold"] == round(0.1 * 28 / 3, 6)  # 0.933333
    assert params["orders/slo/checkout-latency/ticket-1d/long"]["Threshold"] == 2.8


def test_milliseconds_metrics_get_the_threshold_in_milliseconds() -> None:
    text = """
slos:
  - name: api-latency
    objective: 99%
    window: 30d
    latency:
      metric: {namespace: AWS/ApiGateway, metric: Latency, dimensions: {ApiName: orders}}
      threshold: 2s
    alerting: {page: critical}
"""
    params = by_name(burn_rate_alarms("orders", slos(text)[0], ACTIONS, {}))
    stats = {
        q["Id"]: q["MetricStat"]
        for q in params["orders/slo/api-latency/page-1h/long"]["Metrics"]
        if "MetricStat" in q
    }
    assert stats["fast"]["Stat"] == "PR(:2000)"
    assert stats["total"]["Stat"] == "SampleCount"


def test_a_period_based_percentile_slo_alarms_on_bad_periods_out_of_the_window() -> None:
    text = """
slos:
  - name: p95
    objective: 99%
    window: 30d
    latency:
      metric: {namespace: AWS/ApplicationELB, metric: TargetResponseTime, period: 1m}
      threshold: 300ms
      percentile: p95
    alerting: {page: critical, ticket: warning}
"""
    params = by_name(burn_rate_alarms("orders", slos(text)[0], ACTIONS, {}))
    long = params["orders/slo/p95/page-1h/long"]
    assert (long["ExtendedStatistic"], long["Threshold"]) == ("p95", 0.3)
    # 60 one-minute periods; burn rate 14.4 on a 1 % budget allows 8.64 bad minutes an hour.
    assert (long["Period"], long["EvaluationPeriods"], long["DatapointsToAlarm"]) == (60, 60, 9)
    day = params["orders/slo/p95/ticket-1d/long"]
    assert (day["Period"], day["EvaluationPeriods"], day["DatapointsToAlarm"]) == (60, 1440, 44)
    # CloudWatch evaluates sub-hour periods over one day at most: three days count hours.
    three = params["orders/slo/p95/ticket-3d/long"]
    assert (three["Period"], three["EvaluationPeriods"], three["DatapointsToAlarm"]) == (
        3600,
        72,
        1,
    )


def test_no_alerting_no_alarms() -> None:
    text = """
slos:
  - name: quiet
    objective: 99%
    availability:
      good: {namespace: Shop, metric: Good}
      total: {namespace: Shop, metric: Total}
"""
    assert burn_rate_alarms("orders", slos(text)[0], ACTIONS, {}) == []
