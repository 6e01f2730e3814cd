"""Lambda functions with REPORT lines, and Aurora Serverless v2 clusters with capacity, in moto."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
from moto.logs.models import logs_backends

from sentinel.aws.session import SessionFactory
from sentinel.emulator.demo.serverless import report_line
from sentinel.emulator.extensions.cloudwatch import metric_store
from sentinel.emulator.metric_store import MetricKey, Samples

NOW = datetime(2026, 3, 1, 6, 30, tzinfo=UTC)  # the lookback ends at 2026-03-01 00:00 UTC
END = int(datetime(2026, 2, 28, 23, 30, tzinfo=UTC).timestamp())  # inside the lookback
ACCOUNT = "123456789012"


def make_function(
    aws: SessionFactory,
    name: str,
    memory: int,
    architecture: str = "x86_64",
    log_group: str | None = None,
) -> str:
    iam = aws.client("iam")
    try:
        role = iam.get_role(RoleName="fn")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(
            RoleName="fn",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    extra = {"LoggingConfig": {"LogFormat": "Text", "LogGroup": log_group}} if log_group else {}
    return str(
        aws.client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": code.getvalue()},
            MemorySize=memory,
            Architectures=[architecture],
            **extra,
        )["FunctionArn"]
    )


def write_reports(
    aws: SessionFactory,
    group: str,
    memory: int,
    used_mb: Sequence[int],
    duration_ms: float,
    end: int = END,
    every: int = 60,
    retention: int | None = None,
) -> None:
    """One REPORT line every ``every`` seconds up to ``end``, the last one at ``end``."""
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=group)
    if retention:
        logs.put_retention_policy(logGroupName=group, retentionInDays=retention)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    times = end - every * np.arange(len(used_mb))[::-1]
    events = [
        {"timestamp": int(t) * 1000, "message": report_line(f"r{i}", duration_ms, memory, u)}
        for i, (t, u) in enumerate(zip(times, used_mb, strict=True))
    ]
    backend = logs_backends[ACCOUNT]["us-east-1"]
    backend.groups[group].creation_time = datetime(2025, 1, 1)
    backend.groups[group].streams["s"].put_log_events(events)


def make_cluster(
    aws: SessionFactory, name: str, low: float, high: float, engine: str = "aurora-postgresql"
) -> None:
    aws.client("rds").create_db_cluster(
        DBClusterIdentifier=name,
        Engine=engine,
        MasterUsername="admin1",
        MasterUserPassword="password-not-secret",
        ServerlessV2ScalingConfiguration={"MinCapacity": low, "MaxCapacity": high},
    )


def write_capacity(name: str, values: Sequence[float], end: int = END, step: int = 300) -> None:
    """Capacity samples every ``step`` seconds, the last one ``step`` before ``end``."""
    times = end - step * np.arange(1, len(values) + 1)[::-1]
    metric_store().put(
        MetricKey.of("AWS/RDS", "ServerlessDatabaseCapacity", {"DBClusterIdentifier": name}),
        Samples.of_values(times, np.asarray(values, dtype=float), "None"),
    )
