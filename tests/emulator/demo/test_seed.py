"""The seeded demo account, read back through the AWS API as Sentinel's features will read it.

One module-scoped account, seeded twice to prove the seed deterministic; tests only read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import numpy as np
import pandas as pd
import pytest
from moto import mock_aws

from sentinel.aws.session import SessionFactory
from sentinel.emulator.demo import (
    ALLOWED_ENVIRONMENTS,
    BUSY_INSTANCES,
    DEMO_ANOMALIES,
    IDLE_INSTANCES,
    LATENCY_INCIDENT,
    OVERSIZED,
    REQUIRED_TAGS,
    TAG_VIOLATIONS,
    SeedSummary,
    TagViolation,
    seed_demo_account,
)
from sentinel.emulator.demo.costs import history_start
from sentinel.emulator.extensions import install
from sentinel.emulator.extensions.cloudwatch import metric_store
from sentinel.emulator.extensions.costexplorer import cost_table
from sentinel.emulator.metric_store import MetricKey, Samples

REGION = "us-east-1"


@dataclass
class Seeded:
    factory: SessionFactory
    summary: SeedSummary
    now: datetime
    first_summary: SeedSummary
    first_costs: pd.DataFrame
    first_metrics: dict[MetricKey, Samples]

    def client(self, service: str) -> Any:
        return self.factory.client(service, REGION)


def _factory() -> SessionFactory:
    return SessionFactory(session=boto3.Session(region_name=REGION), region=REGION)


@pytest.fixture(scope="module")
def seeded() -> Iterator[Seeded]:
    install()
    now = datetime.now(UTC).replace(microsecond=0)
    with mock_aws():
        first_summary = seed_demo_account(_factory(), now=now)
        first_costs = cost_table().frame.copy()
        store = metric_store()
        first_metrics = {key: store.get(key) for key in store.metrics()}
    with mock_aws():
        factory = _factory()
        summary = seed_demo_account(factory, now=now)
        yield Seeded(factory, summary, now, first_summary, first_costs, first_metrics)  # type: ignore[arg-type]


def test_seeding_twice_gives_the_same_account(seeded: Seeded) -> None:
    pd.testing.assert_frame_equal(cost_table().frame, seeded.first_costs)
    store = metric_store()
    assert set(store.metrics()) == set(seeded.first_metrics)
    for key, first in seeded.first_metrics.items():
        again = store.get(key)
        assert again is not None
        np.testing.assert_array_equal(again.timestamps, first.timestamps)
        np.testing.assert_array_equal(again.sums, first.sums)
    assert seeded.summary.instance_ids == seeded.first_summary.instance_ids


def test_summary(seeded: Seeded) -> None:
    summary = seeded.summary

    assert summary.account_id == "123456789012"
    assert summary.seconds < 20
    assert summary.resources["ec2:instance"] == 6
    assert summary.resources["ecs:service"] == 4
    assert summary.resources["rds:db"] == 5
    assert summary.resources["lambda:function"] == 3
    assert summary.resources["rds:cluster"] == 2  # DocumentDB, and Aurora Serverless v2
    assert summary.metric_series == len(metric_store())
    assert summary.metric_datapoints == metric_store().datapoints() > 500_000
    assert summary.cost_records == len(cost_table()) > 20_000
    assert re.fullmatch(r"app/p2p-alb/[0-9a-f]{16}", summary.load_balancer_dimension)


def test_ecs_services_and_task_sizes(seeded: Seeded) -> None:
    ecs = seeded.client("ecs")
    production = ecs.describe_services(
        cluster="p2p-production", services=["p2p-backend", "p2p-frontend"]
    )["services"]
    staging = ecs.describe_services(cluster="p2p-staging", services=["p2p-backend"])["services"]
    backend = ecs.describe_task_definition(taskDefinition="p2p-backend")["taskDefinition"]
    frontend = ecs.describe_task_definition(taskDefinition="p2p-frontend")["taskDefinition"]

    assert {s["serviceName"]: s["desiredCount"] for s in production} == {
        "p2p-backend": 3,
        "p2p-frontend": 2,
    }
    assert [s["serviceName"] for s in staging] == ["p2p-backend"]
    assert (backend["cpu"], backend["memory"]) == ("1024", "2048")
    assert (frontend["cpu"], frontend["memory"]) == ("512", "1024")


def test_databases_cache_and_load_balancer(seeded: Seeded) -> None:
    rds = seeded.client("rds")
    postgres = rds.describe_db_instances(DBInstanceIdentifier="p2p-postgres")["DBInstances"][0]
    docdb = seeded.client("docdb").describe_db_clusters(DBClusterIdentifier="p2p-docdb")
    redis = seeded.client("elasticache").describe_cache_clusters(CacheClusterId="p2p-redis")
    elb = seeded.client("elbv2")
    balancer = elb.describe_load_balancers(Names=["p2p-alb"])["LoadBalancers"][0]
    groups = elb.describe_target_groups(LoadBalancerArn=balancer["LoadBalancerArn"])

    assert (postgres["Engine"], postgres["DBInstanceClass"], postgres["MultiAZ"]) == (
        "postgres",
        "db.r6g.large",
        True,
    )
    assert docdb["DBClusters"][0]["Engine"] == "docdb"
    assert len(docdb["DBClusters"][0]["DBClusterMembers"]) == 3
    assert redis["CacheClusters"][0]["CacheNodeType"] == "cache.r6g.large"
    assert balancer["Type"] == "application"
    assert sorted(g["TargetGroupName"] for g in groups["TargetGroups"]) == [
        "p2p-backend-tg",
        "p2p-frontend-tg",
    ]


def test_instances_bucket_and_function(seeded: Seeded) -> None:
    reservations = seeded.client("ec2").describe_instances()["Reservations"]
    instances = {
        next(t["Value"] for t in i["Tags"] if t["Key"] == "Name"): i["InstanceType"]
        for r in reservations
        for i in r["Instances"]
    }
    buckets = seeded.client("s3").list_buckets()["Buckets"]
    functions = seeded.client("lambda").list_functions()["Functions"]

    assert instances == {
        "p2p-bastion": "t3.large",
        "p2p-worker-1": "m5.xlarge",
        "p2p-worker-2": "m5.xlarge",
        "p2p-worker-3": "m5.xlarge",
        "p2p-staging-worker": "t3.large",
        "p2p-dev-sandbox": "t3.large",
    }
    assert [b["Name"] for b in buckets] == ["p2p-sandbox-assets"]
    assert sorted(f["FunctionName"] for f in functions) == [
        "p2p-image-resizer",
        "p2p-notifications",
        "p2p-report-export",
    ]


def _violations(seeded: Seeded) -> set[TagViolation]:
    found = set()
    paginator = seeded.client("resourcegroupstaggingapi").get_paginator("get_resources")
    for page in paginator.paginate():
        for resource in page["ResourceTagMappingList"]:
            tags = {t["Key"]: t["Value"] for t in resource["Tags"]}
            arn = resource["ResourceARN"]
            service, rest = arn.split(":")[2], arn.split(":", 5)[5]
            kind = re.split(r"[/:]", rest)[0] if service != "s3" else "bucket"
            name = tags.get("Name") or re.split(r"[/:]", rest)[-1]
            missing = tuple(k for k in REQUIRED_TAGS if k not in tags)
            if missing:
                found.add(TagViolation(f"{service}:{kind}", name, missing=missing))
            environment = tags.get("Environment")
            if environment is not None and environment not in ALLOWED_ENVIRONMENTS:
                found.add(
                    TagViolation(f"{service}:{kind}", name, key="Environment", value=environment)
                )
    return found


def test_tag_violations_are_exactly_the_ground_truth(seeded: Seeded) -> None:
    assert _violations(seeded) == set(TAG_VIOLATIONS)


def test_metrics_are_listed_per_resource(seeded: Seeded) -> None:
    cloudwatch = seeded.client("cloudwatch")

    def listed(namespace: str, name: str) -> list[dict[str, str]]:
        metrics = cloudwatch.list_metrics(Namespace=namespace, MetricName=name)["Metrics"]
        return [{d["Name"]: d["Value"] for d in m["Dimensions"]} for m in metrics]

    lb = seeded.summary.load_balancer_dimension
    assert listed("AWS/ApplicationELB", "TargetResponseTime") == [{"LoadBalancer": lb}]
    assert {
        (d["ClusterName"], d["ServiceName"]) for d in listed("AWS/ECS", "MemoryUtilization")
    } == {
        ("p2p-production", "p2p-backend"),
        ("p2p-production", "p2p-frontend"),
        ("p2p-staging", "p2p-backend"),
        ("p2p-dev", "p2p-backend"),
    }
    assert {d["InstanceId"] for d in listed("AWS/EC2", "NetworkIn")} == set(
        seeded.summary.instance_ids.values()
    )
    assert {d["DBInstanceIdentifier"] for d in listed("AWS/RDS", "FreeableMemory")} == {
        "p2p-postgres",
        "p2p-staging-postgres",
    }
    assert listed("AWS/ElastiCache", "DatabaseMemoryUsagePercentage") == [
        {"CacheClusterId": "p2p-redis"}
    ]
    assert len(listed("AWS/DocDB", "CPUUtilization")) == 3


def _statistic(
    seeded: Seeded,
    namespace: str,
    name: str,
    dimensions: dict[str, str],
    statistic: str,
    days: int = 14,
    period: int = 3600,
) -> list[float]:
    response = seeded.client("cloudwatch").get_metric_statistics(
        Namespace=namespace,
        MetricName=name,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=seeded.now - timedelta(days=days),
        EndTime=seeded.now,
        Period=period,
        Statistics=[statistic],
    )
    points = sorted(response["Datapoints"], key=lambda p: p["Timestamp"])
    return [p[statistic] for p in points]


def test_every_one_of_the_last_30_days_has_traffic(seeded: Seeded) -> None:
    lb = {"LoadBalancer": seeded.summary.load_balancer_dimension}

    daily = _statistic(seeded, "AWS/ApplicationELB", "RequestCount", lb, "Sum", 30, 86400)

    assert len(daily) == 30
    assert min(daily) > 500_000


def test_idle_oversized_and_busy_instances(seeded: Seeded) -> None:
    ids = seeded.summary.instance_ids

    def peak(name: str, metric: str = "CPUUtilization") -> float:
        return max(_statistic(seeded, "AWS/EC2", metric, {"InstanceId": ids[name]}, "Maximum"))

    for idle in IDLE_INSTANCES:
        assert peak(idle.name) < idle.cpu_max_percent
        assert peak(idle.name, "NetworkIn") < idle.network_max_bytes_per_5min
    for oversized in OVERSIZED:
        average = _statistic(
            seeded,
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": ids[oversized.name]},
            "Average",
            14,
            14 * 86400,
        )
        assert peak(oversized.name) == oversized.cpu_peak_percent
        assert average[0] == pytest.approx(oversized.cpu_average_percent, abs=1.0)
        assert peak(oversized.name, "NetworkIn") > 10_000_000
    for busy in BUSY_INSTANCES:
        assert peak(busy) > 30


def test_the_latency_incident_and_nothing_like_it_elsewhere(seeded: Seeded) -> None:
    lb = [{"Name": "LoadBalancer", "Value": seeded.summary.load_balancer_dimension}]
    start = (seeded.now - timedelta(days=30)).replace(minute=0, second=0)

    def query(query_id: str, name: str, stat: str) -> dict[str, Any]:
        return {
            "Id": query_id,
            "MetricStat": {
                "Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": name, "Dimensions": lb},
                "Period": 3600,
                "Stat": stat,
            },
        }

    response = seeded.client("cloudwatch").get_metric_data(
        StartTime=start,
        EndTime=seeded.now,
        ScanBy="TimestampAscending",
        MetricDataQueries=[
            query("latency", "TargetResponseTime", "Average"),
            query("errors", "HTTPCode_Target_5XX_Count", "Sum"),
            query("requests", "RequestCount", "Sum"),
        ],
    )
    series = {
        r["Id"]: pd.Series(r["Values"], index=pd.DatetimeIndex(r["Timestamps"]))
        for r in response["MetricDataResults"]
    }
    hours = pd.DataFrame(series)
    incident_start, incident_end = LATENCY_INCIDENT.window(seeded.now)
    during = (hours.index >= incident_start) & (hours.index < incident_end)
    error_rate = hours["errors"] / hours["requests"]

    assert during.sum() == LATENCY_INCIDENT.hours
    assert (hours.loc[during, "latency"] > 1.0).all()
    assert (error_rate[during] > 0.02).all()
    assert (hours.loc[~during, "latency"] < 0.3).all()
    assert (error_rate[~during] < 0.001).all()


def test_traffic_follows_the_day(seeded: Seeded) -> None:
    lb = {"LoadBalancer": seeded.summary.load_balancer_dimension}
    hourly = _statistic(seeded, "AWS/ApplicationELB", "RequestCount", lb, "Sum", 14)
    start = seeded.now - timedelta(days=14)
    hours = pd.Series(hourly, index=pd.date_range(start, periods=len(hourly), freq="h"))

    by_hour = hours.groupby(hours.index.hour).mean()

    assert by_hour[15] > 4 * by_hour[3]


def _cost_and_usage(seeded: Seeded, **request: Any) -> list[dict[str, Any]]:
    ce, results, token = seeded.client("ce"), [], None
    while True:
        page = ce.get_cost_and_usage(**request, **({"NextPageToken": token} if token else {}))
        results += page["ResultsByTime"]
        token = page.get("NextPageToken")
        if not token:
            return results


def test_daily_costs_by_service_show_the_three_anomalies(seeded: Seeded) -> None:
    today = seeded.now.date()
    results = _cost_and_usage(
        seeded,
        TimePeriod={"Start": (today - timedelta(days=60)).isoformat(), "End": today.isoformat()},
        Granularity="DAILY",
        Metrics=["UnblendedCost"],
        GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}],
    )
    daily = pd.DataFrame(
        {
            r["TimePeriod"]["Start"]: {
                g["Keys"][0]: float(g["Metrics"]["UnblendedCost"]["Amount"]) for g in r["Groups"]
            }
            for r in results
        }
    ).T

    assert len(daily) == 60
    for anomaly in DEMO_ANOMALIES:
        days = [d.isoformat() for d in anomaly.days(today)]
        usual = daily[anomaly.service].drop(days).median()
        assert (daily.loc[days, anomaly.service] - usual > 0.9 * anomaly.extra_usd_per_day).all()
    estimated = [r["TimePeriod"]["Start"] for r in results if r["Estimated"]]
    assert estimated == [(today - timedelta(days=n)).isoformat() for n in (2, 1)]


def test_cost_history_reaches_13_months_back_and_stops_yesterday(seeded: Seeded) -> None:
    today = seeded.now.date()
    first = history_start(today)
    ce = seeded.client("ce")

    months = ce.get_cost_and_usage(
        TimePeriod={
            "Start": (first - timedelta(days=1)).isoformat(),
            "End": (today + timedelta(days=1)).isoformat(),
        },
        Granularity="MONTHLY",
        Metrics=["UnblendedCost"],
    )["ResultsByTime"]
    days = ce.get_cost_and_usage(
        TimePeriod={
            "Start": (today - timedelta(days=1)).isoformat(),
            "End": (today + timedelta(days=1)).isoformat(),
        },
        Granularity="DAILY",
        Metrics=["UnblendedCost"],
    )["ResultsByTime"]

    amounts = [float(m["Total"]["UnblendedCost"]["Amount"]) for m in months]
    assert amounts[0] == 0
    assert all(a > 500 for a in amounts[1:-1])
    assert len(amounts) == 15
    assert [float(d["Total"]["UnblendedCost"]["Amount"]) > 0 for d in days] == [True, False]


def test_cost_dimensions_and_tags(seeded: Seeded) -> None:
    today = seeded.now.date()
    period = {"Start": (today - timedelta(days=30)).isoformat(), "End": today.isoformat()}
    ce = seeded.client("ce")

    services = ce.get_dimension_values(TimePeriod=period, Dimension="SERVICE")
    regions = ce.get_dimension_values(TimePeriod=period, Dimension="REGION")
    accounts = ce.get_dimension_values(TimePeriod=period, Dimension="LINKED_ACCOUNT")
    environments = ce.get_cost_and_usage(
        TimePeriod=period,
        Granularity="MONTHLY",
        Metrics=["UnblendedCost"],
        GroupBy=[{"Type": "TAG", "Key": "Environment"}],
    )["ResultsByTime"]

    assert {
        "Amazon Elastic Container Service",
        "Amazon Relational Database Service",
        "Amazon DocumentDB (with MongoDB compatibility)",
        "Amazon ElastiCache",
        "Elastic Load Balancing",
        "Amazon Simple Storage Service",
        "Amazon CloudFront",
        "Amazon Elastic Compute Cloud - Compute",
        "AmazonCloudWatch",
        "AWS WAF",
        "EC2 - Other",
    } <= {v["Value"] for v in services["DimensionValues"]}
    assert {v["Value"] for v in regions["DimensionValues"]} == {"us-east-1", "us-west-2", "global"}
    assert accounts["DimensionValues"] == [
        {"Value": "123456789012", "Attributes": {"description": "p2p-sandbox"}}
    ]
    keys = {g["Keys"][0] for r in environments for g in r["Groups"]}
    assert keys == {
        "Environment$",
        "Environment$production",
        "Environment$staging",
        "Environment$dev",
        "Environment$Production",
        "Environment$prod",
    }


def test_cost_history_is_also_a_cur2_and_a_focus_export(seeded: Seeded) -> None:
    s3 = seeded.client("s3")
    keys = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket="p2p-sandbox-assets", Prefix="cost-exports/"
        )
        for o in page.get("Contents", [])
    ]
    first = history_start(seeded.now.date())
    last = seeded.now.date() - timedelta(days=1)
    for export in ("p2p-cur2", "p2p-focus"):
        assert (
            f"cost-exports/{export}/data/BILLING_PERIOD={first:%Y-%m}/{export}-00001.snappy.parquet"
            in keys
        )
        assert f"cost-exports/{export}/data/BILLING_PERIOD={last:%Y-%m}/" in " ".join(keys)
    # One file per billing period from the history's first month to yesterday's, in each.
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    assert len(keys) == 2 * months
