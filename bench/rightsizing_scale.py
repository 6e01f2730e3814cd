"""Right-sizing 1,000 EC2 instances: batched GetMetricData against the naive way, same run.

Sentinel reads every instance's statistics (hourly CPU, daily CPU peak, daily network in and
out, CloudWatch-agent memory) with GetMetricData, up to 500 queries and 100,800 datapoints a
call. The naive way, as scripts built on GetMetricStatistics do it, makes one call per
instance per metric (4 each), here with a parallelism of 10. Both read the same 14 days of
data from the emulator's HTTP server; each is timed as is, and with a 25 ms round trip added
to every call (what a regional endpoint costs from a CI runner).

    python -m bench rightsizing_scale          (or: python -m bench.rightsizing_scale 200)

The emulator runs in this process (its metric store is loaded directly, as the demo seed
does), so client and server share one interpreter: call counts are exact, wall times are an
upper bound of what the client costs. The inventory is listed once, before both: both
strategies need the list of instances, and its cost is the same for both.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import numpy as np

from sentinel.aws.session import SessionFactory
from sentinel.emulator.extensions.cloudwatch import metric_store
from sentinel.emulator.metric_store import MetricKey, Samples
from sentinel.emulator.server import start_server
from sentinel.inventory import Inventory
from sentinel.rightsizing.scan import RESOURCE_TYPES, rightsize
from sentinel.rightsizing.usage import USAGE_METRICS

INSTANCES = 1000
DAYS = 14
NAIVE_PARALLELISM = 10
LATENCY = 0.025
REGION = "us-east-1"


def factory(endpoint: str, latency: float = 0.0) -> SessionFactory:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    sessions = SessionFactory(session=session, region=REGION, endpoint_url=endpoint)
    if latency:
        sessions.session().events.register("before-send", round_trip(latency))
    return sessions


def round_trip(latency: float) -> Callable[..., None]:
    def wait(**_: Any) -> None:
        time.sleep(latency)

    return wait


def launch(sessions: SessionFactory, count: int) -> list[str]:
    ec2 = sessions.client("ec2")
    ids: list[str] = []
    while len(ids) < count:
        batch = min(250, count - len(ids))
        reservation = ec2.run_instances(
            ImageId="ami-12c6146b", InstanceType="m5.xlarge", MinCount=batch, MaxCount=batch
        )
        ids.extend(i["InstanceId"] for i in reservation["Instances"])
    return ids


def load_metrics(ids: list[str], end: datetime) -> None:
    """5-minute CPU and network for 14 days: a tenth idle, a tenth oversized, the rest busy."""
    rng = np.random.default_rng(1350)
    stop = int(end.timestamp())
    times = np.arange(stop - DAYS * 86400, stop, 300)
    store = metric_store()
    for n, instance in enumerate(ids):
        dims = {"InstanceId": instance}
        level = 1.0 if n % 10 == 0 else 4.0 if n % 10 == 1 else 55.0
        network = 5_000.0 if n % 10 == 0 else 2e7
        cpu = np.clip(level + rng.normal(0, level / 10, len(times)), 0.1, 100)
        store.put(MetricKey.of("AWS/EC2", "CPUUtilization", dims), Samples.of_values(times, cpu))
        for name in ("NetworkIn", "NetworkOut"):
            values = np.full(len(times), network)
            store.put(MetricKey.of("AWS/EC2", name, dims), Samples.of_values(times, values))


def naive(sessions: SessionFactory, ids: list[str], start: datetime, end: datetime) -> int:
    """One GetMetricStatistics per instance and metric, 10 in flight."""
    cloudwatch = sessions.client("cloudwatch")
    calls = [
        (instance, metric.namespace or "AWS/EC2", metric.metric)
        for instance in ids
        for metric in {m.metric: m for m in USAGE_METRICS["ec2:instance"]}.values()
    ]

    def fetch(call: tuple[str, str, str]) -> int:
        instance, namespace, name = call
        response = cloudwatch.get_metric_statistics(
            Namespace=namespace,
            MetricName=name,
            Dimensions=[{"Name": "InstanceId", "Value": instance}],
            StartTime=start,
            EndTime=end,
            Period=3600 if name == "CPUUtilization" else 86400,
            Statistics=["Average", "Maximum"] if name == "CPUUtilization" else ["Sum", "Maximum"],
        )
        return len(response["Datapoints"])

    with ThreadPoolExecutor(max_workers=NAIVE_PARALLELISM) as pool:
        list(pool.map(fetch, calls))
    return len(calls)


def main(instances: int = INSTANCES) -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    now = datetime.now(UTC)
    end = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=DAYS)
    with start_server(seed=False) as server:
        setup = factory(server.endpoint_url)
        began = time.perf_counter()
        ids = launch(setup, instances)
        load_metrics(ids, end)
        print(
            f"{instances} instances, {DAYS} days of 5-minute metrics loaded in "
            f"{time.perf_counter() - began:.1f} s"
        )
        began = time.perf_counter()
        resources = Inventory(setup, [REGION]).all(RESOURCE_TYPES)
        print(
            f"inventory: {len(resources)} resources listed in {time.perf_counter() - began:.1f} s "
            "(not in the times below: both strategies need the list)"
        )
        print("| round trip | strategy | calls | wall time |")
        print("|---|---|---:|---:|")
        for latency in (0.0, LATENCY):
            sessions = factory(server.endpoint_url, latency)
            sessions.client("cloudwatch")
            began = time.perf_counter()
            report = rightsize(sessions, [REGION], now=now, resources=resources)
            ours = time.perf_counter() - began
            assert sessions.counter.total("cloudwatch", "GetMetricData") == report.metric_calls
            began = time.perf_counter()
            count = naive(sessions, ids, start, end)
            theirs = time.perf_counter() - began
            kinds = {f.kind.value for f in report.findings}
            label = f"+{latency * 1000:.0f} ms" if latency else "emulator as is"
            print(
                f"| {label} | Sentinel: GetMetricData, 500 queries a call "
                f"| {report.metric_calls} | {ours:.1f} s |"
            )
            print(
                f"| {label} | naive: GetMetricStatistics per instance and metric, "
                f"{NAIVE_PARALLELISM} in flight | {count} | {theirs:.1f} s |"
            )
            print(
                f"| {label} | ratio | {count / report.metric_calls:.0f}x fewer calls "
                f"| {theirs / ours:.1f}x less time |"
            )
            if latency == 0.0:
                print(
                    f"(findings: {len(report.findings)}, {sorted(kinds)}; "
                    f"naive count from the report: {report.naive_calls})"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else INSTANCES))
