"""What each resource used over the lookback: the CloudWatch figures right-sizing judges by.

Per resource type, a few statistics at hourly or daily periods (hourly CPU for sustained load
and daily averages, daily peaks, daily network totals, memory where published). Every
resource's queries go into one ``read_metrics``, up to 500 queries a GetMetricData call.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from sentinel.inventory import Resource, resource_type
from sentinel.slo.metric_data import MetricQuery, read_metrics

HOUR = 3600
DAY = 86_400


@dataclass(frozen=True)
class UsageMetric:
    """One statistic a resource type is judged by; ``namespace`` overrides the type's own."""

    role: str
    metric: str
    stat: str
    period: int
    namespace: str | None = None


CPU = (
    UsageMetric("cpu_hourly", "CPUUtilization", "Average", HOUR),
    UsageMetric("cpu_peak", "CPUUtilization", "Maximum", DAY),
)
USAGE_METRICS: dict[str, tuple[UsageMetric, ...]] = {
    "ec2:instance": (
        *CPU,
        UsageMetric("network_in", "NetworkIn", "Sum", DAY),
        UsageMetric("network_out", "NetworkOut", "Sum", DAY),
        # Published only where the CloudWatch agent runs.
        UsageMetric("memory_peak", "mem_used_percent", "Maximum", DAY, namespace="CWAgent"),
    ),
    "rds:db": (
        *CPU,
        UsageMetric("connections_peak", "DatabaseConnections", "Maximum", DAY),
        UsageMetric("freeable_min", "FreeableMemory", "Minimum", DAY),
    ),
    "elasticache:cluster": (
        *CPU,
        UsageMetric("memory_peak", "DatabaseMemoryUsagePercentage", "Maximum", DAY),
    ),
    "ecs:service": (
        *CPU,
        UsageMetric("memory_peak", "MemoryUtilization", "Maximum", DAY),
    ),
    # Aurora Serverless v2 clusters only (the scan leaves other clusters out).
    "rds:cluster": (
        UsageMetric("capacity_low", "ServerlessDatabaseCapacity", "Minimum", HOUR),
        UsageMetric("capacity_high", "ServerlessDatabaseCapacity", "Maximum", HOUR),
        UsageMetric("capacity_mean", "ServerlessDatabaseCapacity", "Average", HOUR),
    ),
}


def naive_calls(resources: Sequence[Resource]) -> int:
    """GetMetricStatistics calls of the naive way: one per resource per metric."""
    return sum(len({m.metric for m in USAGE_METRICS[r.type]}) for r in resources)


@dataclass(frozen=True)
class Usage:
    """A resource's statistics by role, oldest first; NaN where nothing was published."""

    values: dict[str, np.ndarray]

    def get(self, role: str) -> np.ndarray | None:
        """The role's values, or None when the metric was never published (not measured)."""
        found = self.values.get(role)
        if found is None or np.isnan(found).all():
            return None
        return found

    def daily_cpu_average(self) -> np.ndarray:
        """Each day's average CPU from its hours (NaN for a day without data)."""
        hourly = self.values["cpu_hourly"]
        days = hourly[: len(hourly) // 24 * 24].reshape(-1, 24)
        counted = (~np.isnan(days)).sum(axis=1)
        totals = np.nansum(days, axis=1)
        return np.where(counted > 0, totals / np.maximum(counted, 1), np.nan)

    def peak(self, role: str) -> float | None:
        found = self.get(role)
        return None if found is None else float(np.nanmax(found))

    def mean(self, role: str) -> float | None:
        found = self.get(role)
        return None if found is None else float(np.nanmean(found))


def _queries(resource: Resource) -> dict[str, MetricQuery]:
    spec = resource_type(resource.type)
    namespace = spec.namespace_for(resource)
    dimensions = spec.dimensions_for(resource)
    if resource.type == "ec2:instance":
        dimensions = {"InstanceId": resource.id}
    return {
        m.role: MetricQuery.of(m.namespace or namespace, m.metric, dimensions, m.stat, m.period)
        for m in USAGE_METRICS[resource.type]
    }


def read_usage(
    cloudwatch: object, resources: Sequence[Resource], start: datetime, end: datetime
) -> list[Usage]:
    """Every resource's usage between ``start`` and ``end`` (whole days), batched."""
    queries: dict[Hashable, MetricQuery] = {}
    for index, resource in enumerate(resources):
        for role, query in _queries(resource).items():
            queries[(index, role)] = query
    series = read_metrics(cloudwatch, queries, start, end)
    usages = []
    for index, resource in enumerate(resources):
        roles = [m.role for m in USAGE_METRICS[resource.type]]
        usages.append(Usage({role: series[(index, role)].values for role in roles}))
    return usages
