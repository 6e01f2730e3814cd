"""GetMetricData batching over hundreds of instances: few calls, within both API limits,
every series back with its own instance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from sentinel.aws.session import SessionFactory
from sentinel.emulator.extensions.cloudwatch import metric_store
from sentinel.emulator.metric_store import MetricKey, Samples
from sentinel.rightsizing.findings import FindingKind
from sentinel.rightsizing.scan import rightsize
from sentinel.slo.metric_data import MAX_DATAPOINTS_PER_CALL, MAX_QUERIES_PER_CALL

NOW = datetime(2026, 5, 20, 7, 30, tzinfo=UTC)


def launch(aws: SessionFactory, count: int) -> list[str]:
    ec2 = aws.client("ec2")
    reservation = ec2.run_instances(
        ImageId="ami-12c6146b", InstanceType="m5.xlarge", MinCount=count, MaxCount=count
    )
    return [i["InstanceId"] for i in reservation["Instances"]]


def load_usage(instances: list[str], idle: set[str], days: int) -> None:
    end = int(NOW.replace(hour=0, minute=0).timestamp())
    hours = end - 3600 * np.arange(days * 24, 0, -1) + 300
    daily = end - 86400 * np.arange(days, 0, -1) + 300
    store = metric_store()
    for instance in instances:
        dims = {"InstanceId": instance}
        cpu = 1.0 if instance in idle else 55.0
        network = 1e6 if instance in idle else 4e9
        store.put(
            MetricKey.of("AWS/EC2", "CPUUtilization", dims),
            Samples.of_values(hours, np.full(len(hours), cpu), "Percent"),
        )
        for name in ("NetworkIn", "NetworkOut"):
            store.put(
                MetricKey.of("AWS/EC2", name, dims),
                Samples.of_values(daily, np.full(days, network / 2), "Bytes"),
            )


@pytest.fixture
def requests(aws: SessionFactory) -> list[dict[str, Any]]:
    """Every GetMetricData request the product sends, as sent."""
    seen: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        seen.append(params)

    aws.session().events.register("provide-client-params.cloudwatch.GetMetricData", record)
    return seen


# 14 days: 5 queries of 392 datapoints an instance, 100 instances a call by the query limit.
# 93 days: 2,232 hourly CPU datapoints + 4 x 93 daily an instance; 38 instances (98,952
# datapoints) fill a call by the datapoint limit.
@pytest.mark.parametrize(
    ("lookback", "days", "instances", "calls"), [("14d", 14, 250, 3), ("93d", 93, 60, 2)]
)
def test_hundreds_of_instances_in_few_calls_within_the_limits(
    aws: SessionFactory,
    requests: list[dict[str, Any]],
    lookback: str,
    days: int,
    instances: int,
    calls: int,
) -> None:
    launched = launch(aws, instances)
    idle = set(launched[::7])
    load_usage(launched, idle, days)

    report = rightsize(aws, ["us-east-1"], lookback=lookback, now=NOW)

    # Five statistics per instance: hourly CPU, daily CPU peak, network in and out, memory.
    assert report.naive_calls == instances * 4
    assert report.metric_calls == len(requests)
    span = timedelta(days=days).total_seconds()
    for request in requests:
        queries = request["MetricDataQueries"]
        assert len(queries) <= MAX_QUERIES_PER_CALL
        assert sum(span // q["MetricStat"]["Period"] for q in queries) <= MAX_DATAPOINTS_PER_CALL
    total_queries = sum(len(r["MetricDataQueries"]) for r in requests)
    assert total_queries == instances * 5
    assert report.metric_calls == calls
    found = {f.resource_id for f in report.findings if f.kind is FindingKind.IDLE}
    assert found == idle
