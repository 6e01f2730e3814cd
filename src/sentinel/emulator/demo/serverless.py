"""The demo account's serverless part: Lambda REPORT lines and an Aurora Serverless v2 cluster.

The functions and the cluster are created through the API; the REPORT lines go straight into
the emulator's log streams (PutLogEvents refuses events older than 14 days, and the demo holds
``METRIC_DAYS``), the cluster's ServerlessDatabaseCapacity into its metric store. What is true
by construction, for tests to assert against:

- ``p2p-image-resizer`` (512 MB, the layout's function) reaches its memory size: under-provisioned.
- ``p2p-notifications`` (1,024 MB, arm64) uses under 200 MB: over-provisioned, 256 MB wanted.
- ``p2p-report-export`` runs once a night: not enough invocations to judge.
- ``p2p-analytics`` (Aurora PostgreSQL, 4-32 ACU) sits at its 4 ACU floor most hours and peaks
  at 9.5 ACU: the floor halved to 2 ACU, the maximum lowered to 12 ACU.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from moto.logs.models import logs_backends

from sentinel.aws.session import SessionFactory
from sentinel.emulator.demo.ground_truth import METRIC_DAYS, SEED
from sentinel.emulator.demo.layout import BACKEND, DATA, REGION, tags
from sentinel.emulator.metric_store import MetricKey, MetricStore, Samples

DAY = 86_400
ROLE = "p2p-lambda-execution"
PASSWORD = "demo-password-not-secret"


@dataclass(frozen=True)
class DemoFunction:
    """A function's REPORT lines: one every ``every`` seconds, memory used drawn around
    ``used_mb``, capped at the memory size."""

    name: str
    memory_mb: int
    architecture: str
    every: int
    used_mb: float
    spread_mb: float
    duration_ms: float
    create: bool = True


FUNCTIONS = (
    DemoFunction("p2p-image-resizer", 512, "x86_64", 600, 430.0, 35.0, 1100.0, create=False),
    DemoFunction("p2p-notifications", 1024, "arm64", 120, 150.0, 12.0, 1500.0),
    DemoFunction("p2p-report-export", 256, "x86_64", DAY, 140.0, 5.0, 30_000.0),
)
UNDER_PROVISIONED_FUNCTION = "p2p-image-resizer"
OVER_PROVISIONED_FUNCTION = ("p2p-notifications", "256 MB")
NOT_ENOUGH_DATA_FUNCTION = "p2p-report-export"
AURORA_CLUSTER = "p2p-analytics"
AURORA_RANGE = (4.0, 32.0)
AURORA_RECOMMENDED = "2-12 ACU"
AURORA_PEAK = 9.5


def seed_serverless(
    factory: SessionFactory, account: str, now: datetime, counts: Counter[str], store: MetricStore
) -> int:
    """Create the functions and the cluster, load their logs and capacity; the series added."""
    end = int(now.astimezone(UTC).timestamp())
    _functions(factory, counts)
    for function in FUNCTIONS:
        _report_lines(factory, account, function, end)
    _cluster(factory, counts)
    key, samples = capacity_series(end)
    store.put(key, samples)
    return 1


def _functions(factory: SessionFactory, counts: Counter[str]) -> None:
    role = factory.client("iam", REGION).get_role(RoleName=ROLE)["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    awslambda = factory.client("lambda", REGION)
    for function in FUNCTIONS:
        if not function.create:
            continue
        awslambda.create_function(
            FunctionName=function.name,
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": code.getvalue()},
            MemorySize=function.memory_mb,
            Architectures=[function.architecture],
            Tags=tags("production", "backend", *BACKEND),
        )
        counts["lambda:function"] += 1


def report_line(request: str, duration_ms: float, memory_mb: int, used_mb: int) -> str:
    """A REPORT line as Lambda writes it (tab-separated)."""
    billed = int(np.ceil(duration_ms))
    return (
        f"REPORT RequestId: {request}\tDuration: {duration_ms:.2f} ms\tBilled Duration: "
        f"{billed} ms\tMemory Size: {memory_mb} MB\tMax Memory Used: {used_mb} MB\t"
    )


def _report_lines(factory: SessionFactory, account: str, function: DemoFunction, end: int) -> None:
    group = f"/aws/lambda/{function.name}"
    logs = factory.client("logs", REGION)
    logs.create_log_group(logGroupName=group)
    stream = f"{datetime.fromtimestamp(end, UTC):%Y/%m/%d}/[$LATEST]demo"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    rng = np.random.default_rng([SEED, len(function.name), function.memory_mb])
    times = np.arange(end - METRIC_DAYS * DAY, end, function.every, dtype=np.int64)
    used = np.clip(
        np.round(rng.normal(function.used_mb, function.spread_mb, len(times))),
        40,
        function.memory_mb,
    )
    durations = np.abs(rng.normal(function.duration_ms, function.duration_ms / 5, len(times)))
    events = [
        {
            "timestamp": int(t) * 1000,
            "message": report_line(
                f"{function.name[:8]}-{index:08d}", float(d), function.memory_mb, int(u)
            ),
        }
        for index, (t, d, u) in enumerate(zip(times, durations, used, strict=True))
    ]
    backend = logs_backends[account][REGION]
    created = datetime.fromtimestamp(end - METRIC_DAYS * DAY, UTC)
    backend.groups[group].creation_time = created.replace(tzinfo=None)
    backend.groups[group].streams[stream].put_log_events(events)


def _cluster(factory: SessionFactory, counts: Counter[str]) -> None:
    low, high = AURORA_RANGE
    factory.client("rds", REGION).create_db_cluster(
        DBClusterIdentifier=AURORA_CLUSTER,
        Engine="aurora-postgresql",
        EngineVersion="16.4",
        MasterUsername="analytics",
        MasterUserPassword=PASSWORD,
        DBSubnetGroupName="p2p-data",
        StorageEncrypted=True,
        ServerlessV2ScalingConfiguration={"MinCapacity": low, "MaxCapacity": high},
        Tags=[{"Key": k, "Value": v} for k, v in tags("production", "database", *DATA).items()],
    )
    counts["rds:cluster"] += 1


def capacity_series(end: int, step: int = 300) -> tuple[MetricKey, Samples]:
    """ServerlessDatabaseCapacity every 5 minutes: the load's demand, held at the floor."""
    stop = end // step * step
    times = np.arange(stop - METRIC_DAYS * DAY, stop, step, dtype=np.int64)
    hours = (times % DAY) / 3600.0
    daily = (1 - np.cos(2 * np.pi * (hours - 3) / 24)) / 2
    weekly = np.where(((times // DAY) + 3) % 7 >= 5, 0.7, 1.0)
    demand = 1 + (AURORA_PEAK - 1) * daily**2 * weekly
    capacity = np.clip(np.ceil(demand * 2) / 2, *AURORA_RANGE)
    key = MetricKey.of(
        "AWS/RDS", "ServerlessDatabaseCapacity", {"DBClusterIdentifier": AURORA_CLUSTER}
    )
    return key, Samples.of_values(times, capacity, "None")
