"""CloudWatch reads through boto3 over bulk-loaded series and PutMetricData together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.exceptions
import numpy as np
import pytest

from sentinel.aws.session import SessionFactory
from sentinel.emulator.extensions.cloudwatch import metric_store
from sentinel.emulator.metric_store import MetricKey, Samples

HOUR = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SERVICE = {"ClusterName": "p2p-production", "ServiceName": "p2p-backend"}
SERVICE_DIMENSIONS = [{"Name": k, "Value": v} for k, v in SERVICE.items()]


@pytest.fixture
def cloudwatch(aws: SessionFactory) -> Any:
    """One hour of per-minute CPU (0, 1, ..., 59 %) in the store."""
    minutes = int(HOUR.timestamp()) + 60 * np.arange(60)
    metric_store().put(
        MetricKey.of("AWS/ECS", "CPUUtilization", SERVICE),
        Samples.of_values(minutes, np.arange(60.0), "Percent"),
    )
    return aws.client("cloudwatch")


def test_list_metrics_names_each_metric_once(cloudwatch: Any) -> None:
    for value in (1.0, 2.0, 3.0):
        cloudwatch.put_metric_data(
            Namespace="P2P",
            MetricData=[
                {"MetricName": "Signups", "Dimensions": SERVICE_DIMENSIONS, "Value": value}
            ],
        )

    metrics = cloudwatch.list_metrics()["Metrics"]
    ecs = cloudwatch.list_metrics(Namespace="AWS/ECS", Dimensions=[{"Name": "ServiceName"}])

    assert sorted((m["Namespace"], m["MetricName"]) for m in metrics) == [
        ("AWS/ECS", "CPUUtilization"),
        ("P2P", "Signups"),
    ]
    assert ecs["Metrics"] == [
        {"Namespace": "AWS/ECS", "MetricName": "CPUUtilization", "Dimensions": SERVICE_DIMENSIONS}
    ]


def test_metric_statistics_per_period(cloudwatch: Any) -> None:
    response = cloudwatch.get_metric_statistics(
        Namespace="AWS/ECS",
        MetricName="CPUUtilization",
        Dimensions=list(reversed(SERVICE_DIMENSIONS)),
        StartTime=HOUR,
        EndTime=HOUR + timedelta(hours=1),
        Period=1800,
        Statistics=["Average", "Maximum", "SampleCount"],
        ExtendedStatistics=["p90"],
    )

    points = sorted(response["Datapoints"], key=lambda p: p["Timestamp"])
    assert [p["Timestamp"] for p in points] == [HOUR, HOUR + timedelta(minutes=30)]
    assert [(p["Average"], p["Maximum"], p["SampleCount"]) for p in points] == [
        (14.5, 29.0, 30.0),
        (44.5, 59.0, 30.0),
    ]
    assert [p["ExtendedStatistics"]["p90"] for p in points] == [26.0, 56.0]
    assert {p["Unit"] for p in points} == {"Percent"}


def test_a_metric_is_matched_on_its_exact_dimensions(cloudwatch: Any) -> None:
    response = cloudwatch.get_metric_statistics(
        Namespace="AWS/ECS",
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "ClusterName", "Value": "p2p-production"}],
        StartTime=HOUR,
        EndTime=HOUR + timedelta(hours=1),
        Period=3600,
        Statistics=["Average"],
    )

    assert response["Datapoints"] == []


def test_more_than_1440_datapoints_is_refused(cloudwatch: Any) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as error:
        cloudwatch.get_metric_statistics(
            Namespace="AWS/ECS",
            MetricName="CPUUtilization",
            Dimensions=SERVICE_DIMENSIONS,
            StartTime=HOUR - timedelta(days=1),
            EndTime=HOUR + timedelta(minutes=1),
            Period=60,
            Statistics=["Average"],
        )

    assert error.value.response["Error"]["Code"] == "InvalidParameterCombination"
    assert "1,441 datapoints" in error.value.response["Error"]["Message"]


def test_metric_data_merges_stored_and_put_samples(cloudwatch: Any) -> None:
    cloudwatch.put_metric_data(
        Namespace="AWS/ECS",
        MetricData=[
            {
                "MetricName": "CPUUtilization",
                "Dimensions": SERVICE_DIMENSIONS,
                "Timestamp": HOUR + timedelta(minutes=59, seconds=30),
                "Value": 100.0,
                "Unit": "Percent",
            }
        ],
    )
    stat = {
        "Metric": {
            "Namespace": "AWS/ECS",
            "MetricName": "CPUUtilization",
            "Dimensions": SERVICE_DIMENSIONS,
        },
        "Period": 1800,
    }

    response = cloudwatch.get_metric_data(
        StartTime=HOUR,
        EndTime=HOUR + timedelta(hours=1),
        MetricDataQueries=[
            {"Id": "peak", "MetricStat": {**stat, "Stat": "Maximum"}},
            {"Id": "p50", "MetricStat": {**stat, "Stat": "p50"}, "Label": "median"},
            {"Id": "hidden", "MetricStat": {**stat, "Stat": "Sum"}, "ReturnData": False},
        ],
    )

    results = {r["Id"]: r for r in response["MetricDataResults"]}
    assert set(results) == {"peak", "p50"}
    # Newest first, as GetMetricData returns by default.
    assert results["peak"]["Timestamps"] == [HOUR + timedelta(minutes=30), HOUR]
    assert results["peak"]["Values"] == [100.0, 29.0]
    assert results["p50"]["Values"] == [45.0, 14.0]
    assert results["p50"]["Label"] == "median"
    assert results["peak"]["StatusCode"] == "Complete"


def test_metric_data_ascending_when_asked(cloudwatch: Any) -> None:
    response = cloudwatch.get_metric_data(
        StartTime=HOUR,
        EndTime=HOUR + timedelta(minutes=3),
        ScanBy="TimestampAscending",
        MetricDataQueries=[
            {
                "Id": "cpu",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/ECS",
                        "MetricName": "CPUUtilization",
                        "Dimensions": SERVICE_DIMENSIONS,
                    },
                    "Period": 60,
                    "Stat": "Average",
                },
            }
        ],
    )

    assert response["MetricDataResults"][0]["Values"] == [0.0, 1.0, 2.0]


def test_more_than_100_alarm_names_are_refused_as_aws_does(cloudwatch: Any) -> None:
    cloudwatch.put_metric_alarm(
        AlarmName="alarm-007",
        Namespace="AWS/EC2",
        MetricName="CPUUtilization",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=90.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    names = [f"alarm-{n:03d}" for n in range(101)]

    with pytest.raises(botocore.exceptions.ClientError) as error:
        cloudwatch.describe_alarms(AlarmNames=names)

    assert error.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert "at most 100" in error.value.response["Error"]["Message"]
    found = cloudwatch.describe_alarms(AlarmNames=names[:100])["MetricAlarms"]
    assert [alarm["AlarmName"] for alarm in found] == ["alarm-007"]
