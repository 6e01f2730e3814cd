"""Anomaly detectors behind band alarms: written before the alarm, read in pages, deleted
with the last alarm that uses them, and never another team's."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.sync import anomaly_detectors
from sentinel.sync.anomaly_detectors import AnomalyDetectors, detector_pages
from sentinel.sync.engine import apply, plan

from .shop import context, shop_files, write_config
from .test_band_alarms import BALANCER, BANDS

RATIO_ONLY = "alarms:\n  - name: api-5xx-rate" + BANDS.split("  - name: api-5xx-rate")[1]


def _converge(aws: SessionFactory, root: Path) -> None:
    ctx = context(aws, root)
    report = apply(ctx, plan(ctx))
    assert report.ok, [r.error for r in report.failed]


def _detectors(aws: SessionFactory) -> list[dict]:
    return list(detector_pages(aws.client("cloudwatch")))


def test_a_band_alarm_gets_its_detector(aws: SessionFactory, tmp_path: Path) -> None:
    root = write_config(tmp_path / "bands", shop_files({"alarms/shop.yaml": BANDS}))
    _converge(aws, root)

    [detector] = _detectors(aws)
    assert detector["SingleMetricAnomalyDetector"] == {
        "Namespace": "AWS/ApplicationELB",
        "MetricName": "RequestCount",
        "Dimensions": BALANCER,
        "Stat": "Sum",
    }
    again = plan(context(aws, root))
    assert again.is_empty, [(c.key, c.fields) for c in again.changes]


def test_removing_the_band_rule_deletes_alarm_and_detector(
    aws: SessionFactory, tmp_path: Path
) -> None:
    _converge(aws, write_config(tmp_path / "bands", shop_files({"alarms/shop.yaml": BANDS})))
    root = write_config(tmp_path / "fewer", shop_files({"alarms/shop.yaml": RATIO_ONLY}))

    changes = plan(context(aws, root)).changes
    assert sorted((c.kind, c.key) for c in changes) == [
        ("alarm", "shop-api-traffic"),
        (
            "anomaly detector",
            "AWS/ApplicationELB/RequestCount[LoadBalancer=app/shop-alb/0123456789abcdef]/Sum",
        ),
    ]
    _converge(aws, root)

    assert _detectors(aws) == []
    assert plan(context(aws, root)).is_empty


def test_another_teams_detector_is_never_read(aws: SessionFactory, tmp_path: Path) -> None:
    other = {
        "Namespace": "AWS/EC2",
        "MetricName": "CPUUtilization",
        "Dimensions": [],
        "Stat": "Average",
    }
    aws.client("cloudwatch").put_anomaly_detector(SingleMetricAnomalyDetector=other)
    root = write_config(tmp_path / "fewer", shop_files({"alarms/shop.yaml": RATIO_ONLY}))

    assert AnomalyDetectors().actual(context(aws, root)) == []
    _converge(aws, root)
    assert [d["SingleMetricAnomalyDetector"] for d in _detectors(aws)] == [other]


def test_detectors_are_read_in_small_pages(
    aws: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloudwatch = aws.client("cloudwatch")
    for index in range(5):
        cloudwatch.put_anomaly_detector(
            SingleMetricAnomalyDetector={
                "Namespace": "Shop",
                "MetricName": f"m{index}",
                "Dimensions": [],
                "Stat": "Sum",
            }
        )
    first = cloudwatch.describe_anomaly_detectors(MaxResults=2)
    assert len(first["AnomalyDetectors"]) == 2 and first["NextToken"]
    seen = []
    token = None
    while True:
        page = cloudwatch.describe_anomaly_detectors(
            MaxResults=2, **({"NextToken": token} if token else {})
        )
        seen += [d["SingleMetricAnomalyDetector"]["MetricName"] for d in page["AnomalyDetectors"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == [f"m{i}" for i in range(5)]

    monkeypatch.setattr(anomaly_detectors, "PAGE_SIZE", 2)
    aws.counter.reset()
    assert len(list(detector_pages(cloudwatch))) == 5
    assert aws.counter.total("cloudwatch", "DescribeAnomalyDetectors") == 3


def test_the_emulator_refuses_a_band_without_threshold_metric_id(aws: SessionFactory) -> None:
    from botocore.exceptions import ClientError

    band = [
        {
            "Id": "m1",
            "MetricStat": {
                "Metric": {"Namespace": "Shop", "MetricName": "m"},
                "Period": 60,
                "Stat": "Sum",
            },
            "ReturnData": True,
        },
        {"Id": "ad1", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)", "ReturnData": True},
    ]
    cloudwatch = aws.client("cloudwatch")
    common = {"AlarmName": "shop-band", "EvaluationPeriods": 1, "Metrics": band}
    with pytest.raises(ClientError, match="needs ThresholdMetricId"):
        cloudwatch.put_metric_alarm(**common, ComparisonOperator="GreaterThanUpperThreshold")
    with pytest.raises(ClientError, match="must name an expression"):
        cloudwatch.put_metric_alarm(
            **common, ComparisonOperator="GreaterThanUpperThreshold", ThresholdMetricId="m1"
        )
    with pytest.raises(ClientError, match="band comparison operator"):
        cloudwatch.put_metric_alarm(
            **common, ComparisonOperator="GreaterThanThreshold", ThresholdMetricId="ad1"
        )
