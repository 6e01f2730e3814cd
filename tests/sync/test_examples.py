"""Every shipped configuration (the repository root and examples/*) on the demo account's
resources: plan and apply cleanly, then plan again with no changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.emulator.demo.resources import create_resources
from sentinel.sync.engine import apply, plan

from .shop import context

REPOSITORY = Path(__file__).resolve().parents[2]
CONFIGS = [REPOSITORY, *sorted(p.parent for p in (REPOSITORY / "examples").glob("*/sentinel.yaml"))]
SECRETS = ["P2P_PAGERDUTY_KEY", "CAJA_PAGERDUTY_KEY", "CALCAPP_PAGERDUTY_KEY", "CHAT_PAGERDUTY_KEY"]


def test_every_configuration_applies_and_then_plans_empty(
    aws: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in SECRETS:
        monkeypatch.setenv(name, f"demo-{name.lower()}")
    create_resources(aws)
    assert len(CONFIGS) == 5

    for root in CONFIGS:
        ctx = context(aws, root)
        first = plan(ctx)
        assert first.changes and not first.conflicts, root
        report = apply(ctx, first)
        assert report.ok, (root, [(r.change.key, r.error) for r in report.failed])

        again = plan(context(aws, root))
        assert again.is_empty, (root, [(c.kind, c.key, c.fields) for c in again.changes])

    # The root config's templates expanded over the demo account's resources.
    alarms = aws.client("cloudwatch").describe_alarms(AlarmNamePrefix="p2p-")["MetricAlarms"]
    names = {a["AlarmName"] for a in alarms}
    assert {
        "p2p-rds-cpu-high-p2p-postgres",
        "p2p-ecs-cpu-high-p2p-backend",
        "p2p-ecs-service-unhealthy-p2p-backend-tg",
        "p2p-api-error-rate-p2p-alb",
        "p2p-cache-memory-high-p2p-redis",
        "p2p-api-latency-p95-critical-p2p-alb",
        "p2p-alb-5xx-burst-p2p-alb",
    } <= names
    composites = aws.client("cloudwatch").describe_alarms(
        AlarmNamePrefix="p2p-api-down", AlarmTypes=["CompositeAlarm"]
    )["CompositeAlarms"]
    assert [(c["AlarmName"], c["AlarmRule"]) for c in composites] == [
        (
            "p2p-api-down-p2p-alb",
            'ALARM("p2p-api-latency-p95-critical-p2p-alb") AND ALARM("p2p-alb-5xx-burst-p2p-alb")',
        )
    ]
    # Aggregates over the production services' alarms, one alarm per service or target group.
    aggregates = aws.client("cloudwatch").describe_alarms(
        AlarmNames=["p2p-all-services-unhealthy", "p2p-services-cpu-high"],
        AlarmTypes=["CompositeAlarm"],
    )["CompositeAlarms"]
    assert {c["AlarmName"]: c["AlarmRule"] for c in aggregates} == {
        "p2p-all-services-unhealthy": (
            '(ALARM("p2p-ecs-service-unhealthy-p2p-backend-tg") AND '
            'ALARM("p2p-ecs-service-unhealthy-p2p-frontend-tg"))'
        ),
        "p2p-services-cpu-high": (
            'AT_LEAST(2, ALARM, ("p2p-ecs-cpu-high-p2p-backend", "p2p-ecs-cpu-high-p2p-frontend"))'
        ),
    }


# Each example's load balancer where the example runs, tagged as its templates select it, and a
# neighbour they must leave out. Their ids are AWS's (the emulator's), never the configuration's.
BALANCERS = {
    "caja": ("us-east-1", "caja-prod-alb", {"Project": "caja", "Environment": "prod"}),
    "chat": ("us-west-2", "chat-app-alb", {"Project": "chat-app", "Environment": "production"}),
    "ips": ("ap-south-1", "ips-api-alb", {"Project": "ips", "Environment": "Production"}),
}


def _load_balancer_values(aws: SessionFactory, region: str, project: str) -> set[str]:
    """Every LoadBalancer dimension the project's alarms and dashboards use in ``region``."""
    cloudwatch = aws.client("cloudwatch", region=region)
    found = cloudwatch.describe_alarms(AlarmNamePrefix=project)["MetricAlarms"]
    dimensions = [d for a in found for d in a.get("Dimensions", [])]
    for alarm in found:
        for query in alarm.get("Metrics", []):
            if "MetricStat" in query:
                dimensions += query["MetricStat"]["Metric"]["Dimensions"]
    values = {d["Value"] for d in dimensions if d["Name"] == "LoadBalancer"}
    for entry in cloudwatch.list_dashboards(DashboardNamePrefix=f"{project}-")["DashboardEntries"]:
        body = cloudwatch.get_dashboard(DashboardName=entry["DashboardName"])["DashboardBody"]
        for widget in json.loads(body)["widgets"]:
            for line in widget["properties"].get("metrics", []):
                # [namespace, metric, name, value, ..., {options}], or [{expression}]
                pairs = [str(item) for item in line if not isinstance(item, dict)][2:]
                dims = dict(zip(pairs[::2], pairs[1::2], strict=True))
                values |= {dims["LoadBalancer"]} if "LoadBalancer" in dims else set()
    return values


@pytest.mark.parametrize("example", sorted(BALANCERS))
def test_examples_measure_the_load_balancers_they_find(
    aws: SessionFactory, monkeypatch: pytest.MonkeyPatch, load_balancer: Any, example: str
) -> None:
    for name in SECRETS:
        monkeypatch.setenv(name, f"demo-{name.lower()}")
    region, name, tags = BALANCERS[example]
    dimension = load_balancer(name, tags, region=region)
    load_balancer(f"{name}-other", {**tags, "Project": "other"}, region=region)
    root = REPOSITORY / "examples" / example

    ctx = context(aws, root)
    first = plan(ctx)
    report = apply(ctx, first)
    assert report.ok, [(r.change.key, r.error) for r in report.failed]
    assert plan(context(aws, root)).is_empty

    project = ctx.project
    burn = {c.key.split("/")[2] for c in first.changes if c.kind == "burn-rate alarm"}
    assert burn == {f"api-availability-{name}", f"api-latency-{name}"}
    assert _load_balancer_values(aws, region, project) == {dimension}
    if example != "ips":  # the IPS plan's alarms carry no dimensions
        composites = {c.key for c in first.changes if c.kind == "composite alarm"}
        outage = {"caja": "api-outage", "chat": "api-degraded"}[example]
        assert f"{project}-{outage}-{name}" in composites


def test_the_chat_redis_composite_fires_when_two_nodes_are_down(
    aws: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in SECRETS:
        monkeypatch.setenv(name, f"demo-{name.lower()}")
    ec2 = aws.client("ec2", region="us-west-2")
    image = ec2.describe_images()["Images"][0]["ImageId"]
    nodes = [
        i["InstanceId"]
        for i in ec2.run_instances(
            ImageId=image,
            MinCount=6,
            MaxCount=6,
            TagSpecifications=[
                {
                    "ResourceType": "instance",
                    "Tags": [
                        {"Key": "Role", "Value": "redis-cluster"},
                        {"Key": "Environment", "Value": "production"},
                    ],
                }
            ],
        )["Instances"]
    ]
    root = REPOSITORY / "examples" / "chat"
    ctx = context(aws, root)
    assert apply(ctx, plan(ctx)).ok
    assert plan(context(aws, root)).is_empty

    cloudwatch = aws.client("cloudwatch", region="us-west-2")

    def composite() -> dict[str, Any]:
        [found] = cloudwatch.describe_alarms(
            AlarmNames=["chat-redis-nodes-down"], AlarmTypes=["CompositeAlarm"]
        )["CompositeAlarms"]
        return dict(found)

    listed = ", ".join(f'"chat-redis-node-down-{node}"' for node in sorted(nodes))
    assert composite()["AlarmRule"] == f"AT_LEAST(2, ALARM, ({listed}))"
    for node, expected in zip(nodes[:2], ("OK", "ALARM"), strict=True):
        cloudwatch.set_alarm_state(
            AlarmName=f"chat-redis-node-down-{node}", StateValue="ALARM", StateReason="no pid"
        )
        assert composite()["StateValue"] == expected
