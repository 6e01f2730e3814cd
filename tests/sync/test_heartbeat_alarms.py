"""``self_monitoring:`` plans the heartbeat alarms as alarms: applied, then nothing to do; a
console edit is drift that the next apply puts back."""

from __future__ import annotations

from pathlib import Path

from sentinel.aws.session import SessionFactory
from sentinel.sync.engine import apply, plan
from sentinel.sync.model import Action

from .shop import PROJECT, context, rewrite_alarm, shop_files, write_config

WATCHED = PROJECT + "self_monitoring:\n  severity: critical\n"
NAMES = ["shop-sentinel-daemon-heartbeat", "shop-sentinel-router-heartbeat"]


def test_heartbeat_alarms_are_planned_applied_and_then_nothing_to_do(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = write_config(tmp_path / "shop", shop_files({"sentinel.yaml": WATCHED}))
    ctx = context(aws, root)

    first = plan(ctx)
    creates = sorted(c.key for c in first.changes if c.action is Action.CREATE)
    assert set(NAMES) <= set(creates)
    assert apply(ctx, first).ok

    found = aws.client("cloudwatch").describe_alarms(AlarmNames=NAMES)["MetricAlarms"]
    router = next(a for a in found if a["AlarmName"] == "shop-sentinel-router-heartbeat")
    assert router["Namespace"] == "Sentinel"
    assert router["MetricName"] == "Heartbeat"
    assert sorted((d["Name"], d["Value"]) for d in router["Dimensions"]) == [
        ("Component", "router"),
        ("Project", "shop"),
    ]
    assert router["Statistic"] == "SampleCount"
    assert (router["Period"], router["EvaluationPeriods"], router["DatapointsToAlarm"]) == (
        60,
        5,
        5,
    )
    assert (router["ComparisonOperator"], router["Threshold"]) == ("LessThanThreshold", 1.0)
    assert router["TreatMissingData"] == "breaching"  # no heartbeat at all is an alarm
    assert router["AlarmActions"] == ["arn:aws:sns:us-east-1:123456789012:shop-critical"]
    assert "sent no heartbeat for 5 minutes" in router["AlarmDescription"]

    assert plan(context(aws, root)).is_empty

    rewrite_alarm(aws, "shop-sentinel-router-heartbeat", TreatMissingData="notBreaching")
    drifted = plan(context(aws, root))
    assert [(c.action, c.key) for c in drifted.changes] == [
        (Action.UPDATE, "shop-sentinel-router-heartbeat")
    ]


def test_only_the_components_named_and_the_silence_given(
    aws: SessionFactory, tmp_path: Path
) -> None:
    watched = PROJECT + "self_monitoring: {severity: critical, components: [router], for: 10m}\n"
    root = write_config(tmp_path / "shop", shop_files({"sentinel.yaml": watched}))
    ctx = context(aws, root)
    assert apply(ctx, plan(ctx)).ok
    cloudwatch = aws.client("cloudwatch")
    [alarm] = cloudwatch.describe_alarms(AlarmNamePrefix="shop-sentinel-")["MetricAlarms"]
    assert alarm["AlarmName"] == "shop-sentinel-router-heartbeat"
    assert alarm["EvaluationPeriods"] == 10
