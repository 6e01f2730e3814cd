"""The demo account's CloudWatch metrics for the last ``METRIC_DAYS`` days before seeding.

ALB metrics at 1-minute resolution, everything else at 5 minutes, as AWS publishes them with
basic monitoring. Traffic follows a day (peak 15:00 UTC, trough 03:00) and a week (weekends
lower); idle instances stay near zero; the oversized worker never passes its peak; the latency
incident of ``ground_truth.LATENCY_INCIDENT`` slows the ALB, raises 5xx and saturates the
database for its hours. Every series draws from its own generator seeded by ``SEED`` and the
series' name, so the values depend only on the seeding minute.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from sentinel.emulator.demo.ground_truth import (
    IDLE_INSTANCES,
    LATENCY_INCIDENT,
    METRIC_DAYS,
    OVERSIZED,
    SEED,
)
from sentinel.emulator.demo.layout import LAYOUT
from sentinel.emulator.metric_store import MetricKey, Samples

GIB = 1024**3


@dataclass(frozen=True)
class MetricTargets:
    """Identifiers AWS puts in metric dimensions, known once the resources exist."""

    instance_ids: dict[str, str]
    load_balancer: str
    target_groups: dict[str, str]


@dataclass(frozen=True)
class Clock:
    """The sample times of one resolution and the shapes every series is built from."""

    timestamps: np.ndarray
    daily: np.ndarray
    weekly: np.ndarray
    incident: np.ndarray

    @classmethod
    def at(cls, now: datetime, step: int) -> Clock:
        end = int(now.timestamp()) // step * step
        timestamps = np.arange(end - METRIC_DAYS * 86400, end, step, dtype=np.int64)
        hours = (timestamps % 86400) / 3600.0
        # 0 at 03:00 UTC, 1 at 15:00 UTC.
        daily = (1 - np.cos(2 * np.pi * (hours - 3) / 24)) / 2
        weekday = ((timestamps // 86400) + 3) % 7  # 1970-01-01 was a Thursday
        weekly = np.where(weekday >= 5, 0.7, 1.0)
        start, stop = LATENCY_INCIDENT.window(now)
        incident = (timestamps >= int(start.timestamp())) & (timestamps < int(stop.timestamp()))
        return cls(timestamps, daily, weekly, incident)

    @property
    def load(self) -> np.ndarray:
        """Traffic relative to the weekday peak, in (0, 1]."""
        return (0.15 + 0.85 * self.daily) * self.weekly


def demo_metrics(now: datetime, targets: MetricTargets) -> Iterator[tuple[MetricKey, Samples]]:
    """Every series of the demo account."""
    now = now.astimezone(UTC)
    minute, five = Clock.at(now, 60), Clock.at(now, 300)
    yield from _load_balancer(minute, five, targets)
    yield from _ecs(five)
    yield from _databases(five)
    yield from _cache(five)
    yield from _instances(five, targets)


def _rng(name: str) -> np.random.Generator:
    return np.random.default_rng([SEED, zlib.crc32(name.encode())])


def _series(
    namespace: str,
    name: str,
    dimensions: dict[str, str],
    clock: Clock,
    values: np.ndarray,
    unit: str,
) -> tuple[MetricKey, Samples]:
    return MetricKey.of(namespace, name, dimensions), Samples.of_values(
        clock.timestamps, values, unit
    )


def _load_balancer(
    minute: Clock, five: Clock, targets: MetricTargets
) -> Iterator[tuple[MetricKey, Samples]]:
    namespace, lb = "AWS/ApplicationELB", {"LoadBalancer": targets.load_balancer}
    rng = _rng("alb")
    requests = rng.poisson(60 * (4 + 76 * minute.load) * rng.lognormal(0, 0.05, len(minute.load)))
    target_rate = np.where(
        minute.incident, LATENCY_INCIDENT.target_5xx_rate, LATENCY_INCIDENT.baseline_target_5xx_rate
    )
    elb_rate = np.where(minute.incident, LATENCY_INCIDENT.elb_5xx_rate, 0.00002)
    baseline = LATENCY_INCIDENT.baseline_response_time_seconds
    # The noise is bounded (at most a quarter above the daily curve's 150 ms peak), so that no
    # minute outside the incident is slower than the latency SLO's 200 ms on any date.
    latency = (baseline * 0.75 + baseline * 0.5 * minute.daily) * np.clip(
        rng.lognormal(0, 0.08, len(minute.load)), 0.8, 1.25
    )
    slow = LATENCY_INCIDENT.target_response_time_seconds * rng.lognormal(0, 0.1, len(latency))
    latency = np.where(minute.incident, slow, latency)
    yield _series(namespace, "RequestCount", lb, minute, requests.astype(float), "Count")
    yield _series(
        namespace,
        "HTTPCode_Target_5XX_Count",
        lb,
        minute,
        rng.poisson(requests * target_rate).astype(float),
        "Count",
    )
    yield _series(
        namespace,
        "HTTPCode_ELB_5XX_Count",
        lb,
        minute,
        rng.poisson(requests * elb_rate).astype(float),
        "Count",
    )
    yield _series(namespace, "TargetResponseTime", lb, minute, latency, "Seconds")
    for service in LAYOUT.ecs_services:
        if service.target_group is None:
            continue
        dimensions = {**lb, "TargetGroup": targets.target_groups[service.target_group]}
        unhealthy = np.zeros(len(five.timestamps))
        if service.name == "p2p-backend":
            unhealthy = np.where(five.incident, 1.0, 0.0)
        yield _series(
            namespace, "HealthyHostCount", dimensions, five, service.desired - unhealthy, "Count"
        )
        yield _series(namespace, "UnHealthyHostCount", dimensions, five, unhealthy, "Count")


def _ecs(five: Clock) -> Iterator[tuple[MetricKey, Samples]]:
    # (cpu floor, cpu swing with traffic, memory level) per environment and service
    shapes = {
        ("p2p-production", "p2p-backend"): (22.0, 45.0, 58.0),
        ("p2p-production", "p2p-frontend"): (8.0, 25.0, 41.0),
        ("p2p-staging", "p2p-backend"): (4.0, 9.0, 34.0),
        ("p2p-dev", "p2p-backend"): (2.0, 3.0, 29.0),
    }
    for service in LAYOUT.ecs_services:
        floor, swing, memory = shapes[(service.cluster, service.name)]
        rng = _rng(f"ecs/{service.cluster}/{service.name}")
        dimensions = {"ClusterName": service.cluster, "ServiceName": service.name}
        cpu = floor + swing * five.load + rng.normal(0, 2.0, len(five.load))
        if service.cluster == "p2p-production" and service.name == "p2p-backend":
            cpu = np.where(five.incident, 88 + rng.normal(0, 3, len(cpu)), cpu)
        mem = memory + 6 * five.daily + rng.normal(0, 1.0, len(cpu))
        yield _series(
            "AWS/ECS", "CPUUtilization", dimensions, five, np.clip(cpu, 0.5, 100), "Percent"
        )
        yield _series(
            "AWS/ECS", "MemoryUtilization", dimensions, five, np.clip(mem, 1, 100), "Percent"
        )


def _databases(five: Clock) -> Iterator[tuple[MetricKey, Samples]]:
    n = len(five.load)
    for database in LAYOUT.databases:
        rng = _rng(f"rds/{database.identifier}")
        dimensions = {"DBInstanceIdentifier": database.identifier}
        production = database.identifier == LATENCY_INCIDENT.database
        if production:
            cpu = 14 + 36 * five.load + rng.normal(0, 2.5, n)
            cpu = np.where(
                five.incident, LATENCY_INCIDENT.database_cpu_percent + rng.normal(0, 2, n), cpu
            )
            connections = np.round(35 + 70 * five.load + rng.normal(0, 4, n))
            connections = np.where(five.incident, 180 + np.round(rng.normal(0, 8, n)), connections)
            free = 6.5 * GIB - 1.2 * GIB * five.daily + rng.normal(0, 0.05 * GIB, n)
        else:
            cpu = 3 + 6 * five.load + rng.normal(0, 1.0, n)
            connections = np.round(4 + 8 * five.load + rng.normal(0, 1, n))
            free = 1.4 * GIB + rng.normal(0, 0.03 * GIB, n)
        yield _series(
            "AWS/RDS", "CPUUtilization", dimensions, five, np.clip(cpu, 0.5, 100), "Percent"
        )
        yield _series(
            "AWS/RDS",
            "DatabaseConnections",
            dimensions,
            five,
            np.clip(connections, 0, None),
            "Count",
        )
        yield _series("AWS/RDS", "FreeableMemory", dimensions, five, free, "Bytes")
    for cluster in LAYOUT.document_clusters:
        for i, instance in enumerate(cluster.instances):
            rng = _rng(f"docdb/{instance}")
            floor, swing = (18.0, 30.0) if i == 0 else (9.0, 16.0)
            cpu = floor + swing * five.load + rng.normal(0, 2.0, n)
            yield _series(
                "AWS/DocDB",
                "CPUUtilization",
                {"DBInstanceIdentifier": instance},
                five,
                np.clip(cpu, 0.5, 100),
                "Percent",
            )


def _cache(five: Clock) -> Iterator[tuple[MetricKey, Samples]]:
    n = len(five.load)
    for cluster in LAYOUT.cache_clusters:
        rng = _rng(f"elasticache/{cluster.identifier}")
        dimensions = {"CacheClusterId": cluster.identifier}
        cpu = 4 + 12 * five.load + rng.normal(0, 0.8, n)
        memory = np.linspace(61.0, 67.0, n) + 2 * five.daily + rng.normal(0, 0.4, n)
        yield _series(
            "AWS/ElastiCache", "CPUUtilization", dimensions, five, np.clip(cpu, 0.2, 100), "Percent"
        )
        yield _series(
            "AWS/ElastiCache", "DatabaseMemoryUsagePercentage", dimensions, five, memory, "Percent"
        )


def _instances(five: Clock, targets: MetricTargets) -> Iterator[tuple[MetricKey, Samples]]:
    n = len(five.load)
    idle = {i.name: i for i in IDLE_INSTANCES}
    oversized = {o.name: o for o in OVERSIZED}
    for instance in LAYOUT.instances:
        rng = _rng(f"ec2/{instance.name}")
        if instance.name in idle:
            cpu = rng.uniform(0.2, 1.0, n)
            # At most 16 KB in and out per 5 minutes: under 5 MB a day, idle by Trusted Advisor.
            network_in = rng.uniform(1_000, 9_000, n)
            network_out = rng.uniform(500, 7_000, n)
        elif instance.name in oversized:
            target = oversized[instance.name]
            cpu = 1.5 + 5.5 * five.load + rng.normal(0, 0.5, n)
            cpu = np.clip(cpu, 0.5, target.cpu_peak_percent)
            network_in = (20e6 + 60e6 * five.load) * rng.lognormal(0, 0.1, n)
            network_out = (5e6 + 20e6 * five.load) * rng.lognormal(0, 0.1, n)
        else:
            scale = 1.0 if instance.tags.get("Environment") != "staging" else 0.4
            cpu = scale * (25 + 50 * five.load) + rng.normal(0, 3.0, n)
            network_in = scale * (60e6 + 240e6 * five.load) * rng.lognormal(0, 0.1, n)
            network_out = scale * (30e6 + 120e6 * five.load) * rng.lognormal(0, 0.1, n)
        dimensions = {"InstanceId": targets.instance_ids[instance.name]}
        yield _series(
            "AWS/EC2", "CPUUtilization", dimensions, five, np.clip(cpu, 0.1, 100), "Percent"
        )
        yield _series("AWS/EC2", "NetworkIn", dimensions, five, network_in, "Bytes")
        yield _series("AWS/EC2", "NetworkOut", dimensions, five, network_out, "Bytes")
