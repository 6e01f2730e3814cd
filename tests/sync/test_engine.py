"""Plan and apply over all kinds: ownership, other projects, mass deletion, faults, drift."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from moto.cloudwatch.exceptions import InvalidParameterValue
from moto.cloudwatch.responses import CloudWatchResponse

from sentinel.aws.session import SessionFactory
from sentinel.errors import RefusedError
from sentinel.sync.engine import apply, plan
from sentinel.sync.mass_delete import LIMITS, MassDeleteLimits, check_mass_delete, mass_deletions
from sentinel.sync.model import Action, Change, Plan, State

from .shop import PROJECT, context, shop_files, throttle, write_config


def _put_alarm(aws: SessionFactory, name: str, threshold: float = 1.0, **extra) -> None:
    aws.client("cloudwatch").put_metric_alarm(
        AlarmName=name,
        Namespace="Custom",
        MetricName="Orders",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=threshold,
        ComparisonOperator="LessThanThreshold",
        **extra,
    )


def _alarm_names(aws: SessionFactory) -> set[str]:
    alarms = aws.client("cloudwatch").describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    return {a["AlarmName"] for a in alarms["MetricAlarms"] + alarms["CompositeAlarms"]}


def _converge(aws: SessionFactory, root: Path) -> None:
    ctx = context(aws, root)
    report = apply(ctx, plan(ctx))
    assert report.ok, [(r.change.key, r.error) for r in report.failed]


def test_hand_made_alarms_with_the_prefix_survive(aws: SessionFactory, shop: Path) -> None:
    _put_alarm(aws, "shop-orders-dropped")  # by hand: the prefix, no tag
    _put_alarm(aws, "shop-api-errors", Tags=[{"Key": "Owner", "Value": "someone"}])

    ctx = context(aws, shop)
    planned = plan(ctx)

    assert not any(c.key in ("shop-orders-dropped", "shop-api-errors") for c in planned.changes)
    [conflict] = planned.conflicts
    assert conflict.key == "shop-api-errors"
    assert "no Sentinel project" in conflict.message
    assert apply(ctx, planned).ok
    assert {"shop-orders-dropped", "shop-api-errors"} <= _alarm_names(aws)
    alarms = aws.client("cloudwatch").describe_alarms(AlarmNames=["shop-api-errors"])
    assert alarms["MetricAlarms"][0]["Threshold"] == 1.0  # not overwritten
    again = plan(context(aws, shop))
    assert [c.key for c in again.conflicts] == ["shop-api-errors"]
    assert again.managed["alarm"] == 2  # the alarm of someone else is not counted as managed


def test_two_projects_sharing_a_prefix_do_not_see_each_other(
    aws: SessionFactory, tmp_path: Path
) -> None:
    shop = write_config(tmp_path / "shop", shop_files())
    staging = write_config(
        tmp_path / "staging",
        shop_files({"sentinel.yaml": PROJECT.replace("project: shop", "project: shop-staging")}),
    )
    _converge(aws, shop)
    _converge(aws, staging)
    before = _alarm_names(aws)
    assert {"shop-api-errors", "shop-staging-api-errors"} <= before

    for root in (shop, staging):
        again = plan(context(aws, root))
        assert again.is_empty and not again.conflicts
    # An empty shop config deletes shop's resources only, never shop-staging's.
    write_config(shop, {"alarms/shop.yaml": ""})
    ctx = context(aws, shop)
    emptied = plan(ctx)
    deleted = {c.key for c in emptied.changes if c.kind == "alarm"}
    assert deleted == {"shop-api-errors", "shop-api-latency-p95", "shop-api-error-rate"}
    assert apply(ctx, emptied).ok
    assert {a for a in _alarm_names(aws) if a.startswith("shop-staging-")} == {
        a for a in before if a.startswith("shop-staging-")
    }


def test_empty_alarms_directory_is_a_refused_mass_deletion(aws: SessionFactory, shop: Path) -> None:
    _converge(aws, shop)
    write_config(shop, {"alarms/shop.yaml": "", "alarms/routing.yaml": ""})

    emptied = plan(context(aws, shop))

    assert emptied.count(Action.DELETE) == emptied.managed_total == 11
    with pytest.raises(RefusedError) as refused:
        check_mass_delete(emptied, allow_mass_delete=False)
    assert str(refused.value).startswith(
        "the plan deletes 11 of 11 managed resources, everything: 2 of 2 managed topics "
        "(more than 50%); 5 of 5 managed subscriptions (more than 50%); 3 of 3 managed alarms "
        "(more than 50%). "
    )
    check_mass_delete(emptied, allow_mass_delete=True)


def _queue_rules(first: int, last: int) -> str:
    rules = "\n".join(
        f"  - {{name: queue-{n:02d}, severity: warning, namespace: AWS/SQS, "
        f"metric: ApproximateNumberOfMessagesVisible, dimensions: {{QueueName: q{n}}}, "
        f'statistic: Maximum, condition: "> 100"}}'
        for n in range(first, last)
    )
    return f"alarms:\n{rules}\n"


def test_a_file_left_out_deleting_most_of_a_kind_is_refused(
    aws: SessionFactory, tmp_path: Path, small_tagging_pages: int
) -> None:
    files = {"alarms/shop.yaml": _queue_rules(0, 13), "alarms/more.yaml": _queue_rules(13, 15)}
    root = write_config(tmp_path / "queues", shop_files(files))
    _converge(aws, root)
    write_config(root, {"alarms/shop.yaml": ""})  # one file left out

    partial = plan(context(aws, root))

    assert partial.count(Action.DELETE) == 13
    assert partial.managed_total == 22  # 15 alarms, 2 topics, 5 subscriptions: 13 is not half
    with pytest.raises(RefusedError, match=r"deletes 13 of 15 managed alarms \(more than 50%\)"):
        check_mass_delete(partial, allow_mass_delete=False)
    assert "topic" not in str(_refusal(partial)) and "subscription" not in str(_refusal(partial))
    # One rule removed of the fifteen: an ordinary change.
    write_config(root, {"alarms/shop.yaml": _queue_rules(0, 12)})
    one = plan(context(aws, root))
    assert [c.key for c in one.deletions] == ["shop-queue-12"]
    check_mass_delete(one, allow_mass_delete=False)


def _refusal(planned: Plan) -> RefusedError:
    with pytest.raises(RefusedError) as refused:
        check_mass_delete(planned, allow_mass_delete=False)
    return refused.value


def test_the_limits_per_kind_share_floor_and_count() -> None:
    def planned(kind: str, deleting: int, managed: int) -> Plan:
        result = Plan(project="shop", region="us-east-1")
        result.managed[kind] = managed
        result.managed["topic"] = 2
        result.changes = [
            Change(kind, f"{kind}-{n}", Action.DELETE, actual=State(kind, f"{kind}-{n}", {}))
            for n in range(deleting)
        ]
        return result

    assert MassDeleteLimits(share=0.5, floor=2, count=25) == LIMITS
    assert mass_deletions(planned("dashboard", 1, 1)) == []  # the one dashboard, renamed
    assert mass_deletions(planned("alarm", 5, 10)) == []  # half is not more than half
    [over] = mass_deletions(planned("alarm", 6, 10))
    assert str(over) == "6 of 10 managed alarms (more than 50%)"
    [many] = mass_deletions(planned("alarm", 26, 400))
    assert str(many) == "26 of 400 managed alarms (more than 25 at once)"
    assert mass_deletions(planned("alarm", 25, 400)) == []


def test_hard_error_on_one_alarm_leaves_the_others_and_a_rerun_finishes(
    aws: SessionFactory, shop: Path, inject_faults
) -> None:
    def reject(response: CloudWatchResponse) -> Exception | None:
        if response._get_param("AlarmName") == "shop-api-latency-p95":
            return InvalidParameterValue("The value p95 for parameter ExtendedStatistic is odd.")
        return None

    inject_faults(CloudWatchResponse, "put_metric_alarm", reject)
    ctx = context(aws, shop)
    report = apply(ctx, plan(ctx))

    [failed] = report.failed
    assert failed.change.key == "shop-api-latency-p95"
    assert failed.error == (
        "InvalidParameterValue: The value p95 for parameter ExtendedStatistic is odd."
    )
    assert {"shop-api-errors", "shop-api-error-rate", "shop-api-down"} <= _alarm_names(aws)
    assert "shop-api-latency-p95" not in _alarm_names(aws)

    inject_faults(CloudWatchResponse, "put_metric_alarm", lambda _: None)
    _converge(aws, shop)
    assert "shop-api-latency-p95" in _alarm_names(aws)
    assert plan(context(aws, shop)).is_empty


@pytest.mark.real_clock  # adaptive retry's waits hang under libfaketime
def test_throttled_writes_are_retried_until_applied(
    aws: SessionFactory, tmp_path: Path, inject_faults
) -> None:
    rules = "\n".join(
        f"  - {{name: queue-{n:02d}, severity: warning, namespace: AWS/SQS, "
        f"metric: ApproximateNumberOfMessagesVisible, dimensions: {{QueueName: q{n}}}, "
        f'statistic: Maximum, condition: "> 100"}}'
        for n in range(5)
    )
    root = write_config(tmp_path / "queues", shop_files({"alarms/shop.yaml": f"alarms:\n{rules}"}))
    calls = {"served": 0, "throttled": 0}
    lock = threading.Lock()
    decide = throttle(0.3)

    def counted(response: object) -> Exception | None:
        error = decide(response)
        with lock:
            calls["throttled" if error else "served"] += 1
        return error

    inject_faults(CloudWatchResponse, "put_metric_alarm", counted)
    ctx = context(aws, root)
    report = apply(ctx, plan(ctx))

    assert report.ok, [(r.change.key, r.error) for r in report.failed]
    assert calls["served"] == 5
    assert calls["throttled"] >= 2  # the retries really happened
    assert plan(context(aws, root)).is_empty


def test_drift_after_console_edits(aws: SessionFactory, shop: Path) -> None:
    _converge(aws, shop)
    cloudwatch = aws.client("cloudwatch")
    edited = cloudwatch.describe_alarms(AlarmNames=["shop-api-errors"])["MetricAlarms"][0]
    keep = ["AlarmName", "Namespace", "MetricName", "Dimensions", "Statistic", "Period"]
    keep += ["EvaluationPeriods", "DatapointsToAlarm", "ComparisonOperator", "TreatMissingData"]
    keep += ["AlarmActions", "OKActions", "AlarmDescription"]
    cloudwatch.put_metric_alarm(**{k: edited[k] for k in keep}, Threshold=500.0)
    cloudwatch.delete_alarms(AlarmNames=["shop-api-latency-p95"])
    sns = aws.client("sns")
    topic = "arn:aws:sns:us-east-1:123456789012:shop-warning"
    [email] = [
        s
        for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        if s["Protocol"] == "email"
    ]
    sns.unsubscribe(SubscriptionArn=email["SubscriptionArn"])

    drift = plan(context(aws, shop))

    found = {(c.kind, c.key, c.action) for c in drift.changes}
    assert found == {
        ("alarm", "shop-api-errors", Action.UPDATE),
        ("alarm", "shop-api-latency-p95", Action.CREATE),
        ("subscription", "shop-warning/email:team@shop.example.com", Action.CREATE),
    }
    [threshold] = next(c for c in drift.changes if c.key == "shop-api-errors").fields
    assert (threshold.field, threshold.old, threshold.new) == ("threshold", 500.0, 50.0)
