"""Burn-rate alarms through plan and apply: created, converged, deleted with their SLO."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.sync.alarms import Alarms
from sentinel.sync.burn_rate import BurnRateAlarms
from sentinel.sync.composites import CompositeAlarms
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import apply, plan
from sentinel.sync.kind import Kind
from sentinel.sync.kinds import KIND_PATHS
from sentinel.sync.model import Action
from sentinel.sync.topics import Topics

from .project import write_project


def kinds() -> list[Kind]:
    return [Topics(), Alarms(), CompositeAlarms(), BurnRateAlarms()]


def context(root: Path, aws: SessionFactory) -> SyncContext:
    return SyncContext(config=load_config(root), factory=aws, region="us-east-1")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "orders")


def test_registered_after_the_composite_alarms() -> None:
    assert KIND_PATHS.index("sentinel.sync.burn_rate:BurnRateAlarms") > KIND_PATHS.index(
        "sentinel.sync.composites:CompositeAlarms"
    )


def test_plan_apply_and_a_second_plan_is_empty(project: Path, aws: SessionFactory) -> None:
    ctx = context(project, aws)
    first = plan(ctx, kinds())
    burn = [c for c in first.changes if c.kind == "burn-rate alarm"]
    # Availability: page and ticket, 4 windows x 3 alarms; latency: ticket only, 2 x 3.
    assert len(burn) == 18
    assert all(c.action is Action.CREATE for c in burn)
    sources = {c.key.split("/")[2]: c.source for c in burn}
    assert sources["checkout-availability"] == f"{project / 'monitors/slos.yaml'}:2"

    report = apply(ctx, first, kinds())
    assert report.ok, [r.error for r in report.failed]

    cloudwatch = aws.client("cloudwatch")
    described = cloudwatch.describe_alarms(
        AlarmNamePrefix="orders/slo/", AlarmTypes=["MetricAlarm", "CompositeAlarm"]
    )
    metric = {a["AlarmName"]: a for a in described["MetricAlarms"]}
    composite = {a["AlarmName"]: a for a in described["CompositeAlarms"]}
    assert (len(metric), len(composite)) == (12, 6)
    page = composite["orders/slo/checkout-availability/page-1h"]
    assert page["AlarmActions"] == [f"arn:aws:sns:us-east-1:{ctx.account_id}:orders-critical"]
    assert page["AlarmRule"] == (
        'ALARM("orders/slo/checkout-availability/page-1h/long") AND '
        'ALARM("orders/slo/checkout-availability/page-1h/short")'
    )
    long = metric["orders/slo/checkout-availability/page-1h/long"]
    assert long["Threshold"] == 14.4
    assert {q["MetricStat"]["Period"] for q in long["Metrics"] if "MetricStat" in q} == {3600}
    tags = cloudwatch.list_tags_for_resource(ResourceARN=long["AlarmArn"])["Tags"]
    assert {"Key": "sentinel:project", "Value": "orders"} in tags

    second = plan(ctx, kinds())
    assert second.is_empty, [(c.kind, c.key, c.action) for c in second.changes]
    assert second.managed["burn-rate alarm"] == 18
    # The metric and composite alarm kinds do not take them for their own.
    assert second.managed["alarm"] == 0 and second.managed["composite alarm"] == 0


def test_changing_an_objective_updates_and_removing_an_slo_deletes_its_alarms(
    project: Path, aws: SessionFactory
) -> None:
    ctx = context(project, aws)
    assert apply(ctx, plan(ctx, kinds()), kinds()).ok

    text = (project / "monitors/slos.yaml").read_text()
    write_project(project, {"monitors/slos.yaml": text.replace("objective: 95%", "objective: 90%")})
    changed = plan(context(project, aws), kinds())
    updates = {c.key: c for c in changed.changes}
    assert set(updates) == {
        f"orders/slo/checkout-latency/{base}{suffix}"
        for base in ("ticket-1d", "ticket-3d")
        for suffix in ("", "/long", "/short")
    }
    expression = next(
        f
        for f in updates["orders/slo/checkout-latency/ticket-1d/long"].fields
        if f.field.endswith("expression")
    )
    assert expression.old.endswith("/ 0.05") and expression.new.endswith("/ 0.1")

    availability_only = text.split("  - name: checkout-latency")[0]
    write_project(project, {"monitors/slos.yaml": availability_only})
    ctx = context(project, aws)
    removal = plan(ctx, kinds())
    deleted = [c.key for c in removal.changes if c.action is Action.DELETE]
    assert len(deleted) == 6 and all(k.startswith("orders/slo/checkout-latency/") for k in deleted)
    assert apply(ctx, removal, kinds()).ok
    assert plan(ctx, kinds()).is_empty
    left = aws.client("cloudwatch").describe_alarms(
        AlarmNamePrefix="orders/slo/", AlarmTypes=["MetricAlarm", "CompositeAlarm"]
    )
    assert len(left["MetricAlarms"]) + len(left["CompositeAlarms"]) == 12


def test_untagged_burn_rate_alarms_as_configured_are_adopted(
    project: Path, aws: SessionFactory
) -> None:
    ctx = context(project, aws)
    assert apply(ctx, plan(ctx, kinds()), kinds()).ok
    cloudwatch = aws.client("cloudwatch")
    described = cloudwatch.describe_alarms(
        AlarmNamePrefix="orders/slo/", AlarmTypes=["MetricAlarm", "CompositeAlarm"]
    )
    alarms = described["MetricAlarms"] + described["CompositeAlarms"]
    for alarm in alarms:  # as if made by hand: the same alarms, without the ownership tags
        cloudwatch.untag_resource(
            ResourceARN=alarm["AlarmArn"], TagKeys=["sentinel:project", "sentinel:managed-by"]
        )

    adoption = plan(context(project, aws), kinds())

    assert {c.action for c in adoption.changes} == {Action.ADOPT}
    assert len(adoption.changes) == len(alarms) == 18
    assert apply(context(project, aws), adoption, kinds()).ok
    for alarm in alarms:
        tags = cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
        assert {"Key": "sentinel:project", "Value": "orders"} in tags
    assert plan(context(project, aws), kinds()).is_empty
