"""Alarm rules with ``logs:``: a metric filter on the group and an alarm on its metric."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.sync import metric_filters
from sentinel.sync.alarms import Alarms
from sentinel.sync.engine import apply, plan
from sentinel.sync.metric_filters import MetricFilters
from sentinel.sync.model import Action
from sentinel.sync.topics import Topics

from .shop import context, shop_files, write_config

GROUP = "/ecs/shop-api"
PATTERN = '{ $.level = "ERROR" && $.message = "*connection*" }'
ALARMS = f"""\
alarms:
  - name: db-connection-errors
    severity: critical
    logs:
      group: {GROUP}
      pattern: '{PATTERN}'
    condition: "> 5"
    for: 5m
  - name: slow-requests
    severity: warning
    logs:
      group: {GROUP}
      pattern: "[ip, user, ..., status = 5*, ms > 1000]"
      value: $ms
      default_value: null
    condition: ">= 1"
"""
KINDS = [Topics(), MetricFilters(), Alarms()]


def _config(tmp_path: Path, alarms: str = ALARMS) -> Path:
    return write_config(tmp_path / "shop", shop_files({"alarms/critical.yaml": alarms}))


def _converge(aws: SessionFactory, root: Path) -> None:
    ctx = context(aws, root)
    report = apply(ctx, plan(ctx, KINDS))
    assert report.ok, [r.error for r in report.failed]


def _filters(aws: SessionFactory) -> dict[str, dict]:
    pages = aws.client("logs").get_paginator("describe_metric_filters").paginate(logGroupName=GROUP)
    return {f["filterName"]: f for page in pages for f in page["metricFilters"]}


@pytest.fixture
def group(aws: SessionFactory) -> str:
    aws.client("logs").create_log_group(logGroupName=GROUP)
    return GROUP


def test_a_filter_and_its_alarm_are_made(aws: SessionFactory, tmp_path: Path, group: str) -> None:
    root = _config(tmp_path)

    _converge(aws, root)

    filters = _filters(aws)
    assert set(filters) == {"shop-db-connection-errors", "shop-slow-requests"}
    errors = filters["shop-db-connection-errors"]
    assert errors["filterPattern"] == PATTERN
    assert errors["metricTransformations"] == [
        {
            "metricName": "db-connection-errors",
            "metricNamespace": "Sentinel/Logs/shop",
            "metricValue": "1",
            "defaultValue": 0.0,
        }
    ]
    slow = filters["shop-slow-requests"]["metricTransformations"][0]
    assert slow["metricValue"] == "$ms" and "defaultValue" not in slow
    alarm = aws.client("cloudwatch").describe_alarms(AlarmNames=["shop-db-connection-errors"])[
        "MetricAlarms"
    ][0]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (
        "Sentinel/Logs/shop",
        "db-connection-errors",
        "Sum",
    )
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 5.0)
    assert plan(context(aws, root), KINDS).changes == []


def test_drift_names_the_field_and_removal_deletes_the_filter(
    aws: SessionFactory, tmp_path: Path, group: str
) -> None:
    root = _config(tmp_path)
    _converge(aws, root)
    aws.client("logs").put_metric_filter(
        logGroupName=GROUP,
        filterName="shop-db-connection-errors",
        filterPattern="ERROR",
        metricTransformations=[
            {
                "metricName": "db-connection-errors",
                "metricNamespace": "Sentinel/Logs/shop",
                "metricValue": "1",
                "defaultValue": 0,
            }
        ],
    )

    drift = plan(context(aws, root), [MetricFilters()]).changes

    assert [(c.action, [f.field for f in c.fields]) for c in drift] == [
        (Action.UPDATE, ["pattern"])
    ]
    one = _config(tmp_path, ALARMS.split("  - name: slow-requests")[0])
    _converge(aws, one)
    assert set(_filters(aws)) == {"shop-db-connection-errors"}
    assert _filters(aws)["shop-db-connection-errors"]["filterPattern"] == PATTERN
    assert plan(context(aws, one), KINDS).changes == []


def test_a_filter_of_another_namespace_is_not_touched(
    aws: SessionFactory, tmp_path: Path, group: str
) -> None:
    aws.client("logs").put_metric_filter(
        logGroupName=GROUP,
        filterName="shop-by-hand",
        filterPattern="WARN",
        metricTransformations=[
            {"metricName": "warnings", "metricNamespace": "Team/Logs", "metricValue": "1"}
        ],
    )

    _converge(aws, _config(tmp_path))

    assert "shop-by-hand" in _filters(aws)


def test_every_page_of_filters_is_read(
    aws: SessionFactory, tmp_path: Path, group: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(metric_filters, "PAGE", 1)
    root = _config(tmp_path)
    _converge(aws, root)

    assert plan(context(aws, root), [MetricFilters()]).changes == []
    first = aws.client("logs").describe_metric_filters(logGroupName=GROUP, limit=1)
    assert len(first["metricFilters"]) == 1 and first["nextToken"]


def test_a_missing_group_is_created_before_its_filter(aws: SessionFactory, tmp_path: Path) -> None:
    _converge(aws, _config(tmp_path))

    groups = aws.client("logs").describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"]
    assert [g["logGroupName"] for g in groups] == [GROUP]
    assert set(_filters(aws)) == {"shop-db-connection-errors", "shop-slow-requests"}


def test_a_filter_on_a_group_no_rule_names_any_more_is_deleted(
    aws: SessionFactory, tmp_path: Path, group: str
) -> None:
    _converge(aws, _config(tmp_path))
    moved = ALARMS.replace(GROUP, "/ecs/shop-worker")

    _converge(aws, _config(tmp_path, moved))

    assert _filters(aws) == {}
    pages = aws.client("logs").get_paginator("describe_metric_filters").paginate()
    left = {(f["logGroupName"], f["filterName"]) for p in pages for f in p["metricFilters"]}
    assert left == {
        ("/ecs/shop-worker", "shop-db-connection-errors"),
        ("/ecs/shop-worker", "shop-slow-requests"),
    }
    groups = aws.client("logs").describe_log_groups(logGroupNamePrefix=GROUP)["logGroups"]
    assert [g["logGroupName"] for g in groups] == [GROUP]  # the group itself stays
    assert plan(context(aws, _config(tmp_path, moved)), KINDS).changes == []
