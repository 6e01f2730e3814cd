"""Anomaly-band and error-rate alarms: what lands in CloudWatch, read back, and a quiet replan."""

from __future__ import annotations

from pathlib import Path

from sentinel.aws.session import SessionFactory
from sentinel.sync.engine import apply, plan

from .shop import context, rds_instance, shop_files, write_config

BANDS = """\
alarms:
  - name: api-traffic
    severity: warning
    namespace: AWS/ApplicationELB
    metric: RequestCount
    dimensions: {LoadBalancer: app/shop-alb/0123456789abcdef}
    statistic: Sum
    condition: "outside band 2"
  - name: api-5xx-rate
    severity: critical
    ratio:
      errors: {namespace: AWS/ApplicationELB, metric: HTTPCode_Target_5XX_Count, stat: Sum}
      total: {namespace: AWS/ApplicationELB, metric: RequestCount, stat: Sum}
    dimensions: {LoadBalancer: app/shop-alb/0123456789abcdef}
    condition: "> 5%"
"""
TEMPLATED = """\
alarms:
  - name: db-connections
    severity: warning
    for_each: {resource: "rds:db"}
    namespace: AWS/RDS
    metric: DatabaseConnections
    dimensions: {DBInstanceIdentifier: "{id}"}
    statistic: Average
    condition: "above band 3"
"""
BALANCER = [{"Name": "LoadBalancer", "Value": "app/shop-alb/0123456789abcdef"}]


def _alarm(aws: SessionFactory, name: str) -> dict:
    [alarm] = aws.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return alarm


def _converge(aws: SessionFactory, root: Path) -> None:
    ctx = context(aws, root)
    report = apply(ctx, plan(ctx))
    assert report.ok, [r.error for r in report.failed]


def test_band_alarm_reads_back_with_its_band_as_threshold(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = write_config(tmp_path / "bands", shop_files({"alarms/shop.yaml": BANDS}))
    _converge(aws, root)

    alarm = _alarm(aws, "shop-api-traffic")
    assert alarm["ComparisonOperator"] == "LessThanLowerOrGreaterThanUpperThreshold"
    assert alarm["ThresholdMetricId"] == "ad1"
    assert "Threshold" not in alarm
    assert "MetricName" not in alarm
    metrics = {q["Id"]: q for q in alarm["Metrics"]}
    assert metrics["ad1"]["Expression"] == "ANOMALY_DETECTION_BAND(m1, 2)"
    assert metrics["ad1"]["ReturnData"] is True
    assert metrics["m1"]["ReturnData"] is True
    assert metrics["m1"]["MetricStat"]["Metric"] == {
        "Namespace": "AWS/ApplicationELB",
        "MetricName": "RequestCount",
        "Dimensions": BALANCER,
    }
    assert metrics["m1"]["MetricStat"]["Stat"] == "Sum"

    again = plan(context(aws, root))
    assert again.is_empty, [(c.key, c.fields) for c in again.changes]


def test_ratio_alarm_is_errors_over_total_in_percent(aws: SessionFactory, tmp_path: Path) -> None:
    root = write_config(tmp_path / "ratio", shop_files({"alarms/shop.yaml": BANDS}))
    _converge(aws, root)

    alarm = _alarm(aws, "shop-api-5xx-rate")
    assert alarm["Threshold"] == 5.0
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    metrics = {q["Id"]: q for q in alarm["Metrics"]}
    assert metrics["e1"]["Expression"] == "IF(total > 0, 100 * FILL(errors, 0) / total)"
    assert metrics["e1"]["ReturnData"] is True
    assert metrics["errors"]["MetricStat"]["Metric"]["MetricName"] == "HTTPCode_Target_5XX_Count"
    assert metrics["total"]["MetricStat"]["Metric"]["MetricName"] == "RequestCount"
    assert metrics["errors"]["MetricStat"]["Metric"]["Dimensions"] == BALANCER
    assert metrics["total"]["MetricStat"]["Metric"]["Dimensions"] == BALANCER
    assert not metrics["errors"]["ReturnData"] and not metrics["total"]["ReturnData"]


def test_a_wider_band_in_the_config_is_a_field_level_change(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = write_config(tmp_path / "bands", shop_files({"alarms/shop.yaml": BANDS}))
    _converge(aws, root)
    wider = BANDS.replace("outside band 2", "outside band 3")
    root = write_config(tmp_path / "wider", shop_files({"alarms/shop.yaml": wider}))

    [change] = plan(context(aws, root)).changes

    assert change.key == "shop-api-traffic"
    assert [(f.field, f.old, f.new) for f in change.fields] == [
        (
            "metrics.ad1.expression",
            "ANOMALY_DETECTION_BAND(m1, 2)",
            "ANOMALY_DETECTION_BAND(m1, 3)",
        )
    ]


def test_an_operator_changed_by_hand_is_drift_on_the_comparison(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = write_config(tmp_path / "bands", shop_files({"alarms/shop.yaml": BANDS}))
    _converge(aws, root)
    cloudwatch = aws.client("cloudwatch")
    alarm = _alarm(aws, "shop-api-traffic")
    given = ["AlarmName", "EvaluationPeriods", "DatapointsToAlarm", "Metrics", "AlarmActions"]
    given += ["OKActions", "InsufficientDataActions", "TreatMissingData", "ThresholdMetricId"]
    cloudwatch.put_metric_alarm(
        **{k: alarm[k] for k in given if k in alarm},
        ComparisonOperator="GreaterThanUpperThreshold",
    )

    [change] = plan(context(aws, root)).changes

    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("comparison", "GreaterThanUpperThreshold", "LessThanLowerOrGreaterThanUpperThreshold")
    ]


def test_removing_the_rule_deletes_the_alarm(aws: SessionFactory, tmp_path: Path) -> None:
    root = write_config(tmp_path / "bands", shop_files({"alarms/shop.yaml": BANDS}))
    _converge(aws, root)
    ratio_only = BANDS.split("  - name: api-5xx-rate")[1]
    root = write_config(
        tmp_path / "fewer",
        shop_files({"alarms/shop.yaml": "alarms:\n  - name: api-5xx-rate" + ratio_only}),
    )
    _converge(aws, root)

    names = [a["AlarmName"] for a in aws.client("cloudwatch").describe_alarms()["MetricAlarms"]]
    assert "shop-api-traffic" not in names
    assert "shop-api-5xx-rate" in names


def test_templated_band_alarm_per_resource(aws: SessionFactory, tmp_path: Path) -> None:
    for name in ("orders-db", "users-db"):
        rds_instance(aws, name)
    root = write_config(tmp_path / "templated", shop_files({"alarms/shop.yaml": TEMPLATED}))
    _converge(aws, root)

    alarm = _alarm(aws, "shop-db-connections-users-db")
    assert alarm["ComparisonOperator"] == "GreaterThanUpperThreshold"
    metrics = {q["Id"]: q for q in alarm["Metrics"]}
    assert metrics["ad1"]["Expression"] == "ANOMALY_DETECTION_BAND(m1, 3)"
    assert metrics["m1"]["MetricStat"]["Metric"]["Dimensions"] == [
        {"Name": "DBInstanceIdentifier", "Value": "users-db"}
    ]
    assert plan(context(aws, root)).is_empty
