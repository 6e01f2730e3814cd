"""``sentinel rightsize``: every EC2 instance, RDS instance, ECS service, cache cluster, Lambda
function and Aurora Serverless v2 cluster judged.

Resources come from the inventory (one listing per type and region), their usage from
GetMetricData in batches of up to 500 queries (Aurora's ServerlessDatabaseCapacity among them),
Lambda memory from Compute Optimizer where the account has opted in, else from Logs Insights
over the REPORT lines; findings are sorted by monthly saving.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sentinel import clock
from sentinel.aws.session import SessionFactory
from sentinel.config.units import parse_duration
from sentinel.inventory import Inventory, Resource
from sentinel.rightsizing import aurora_serverless
from sentinel.rightsizing.findings import Finding, assess
from sentinel.rightsizing.lambda_scan import LAMBDA, LambdaScan, scan_functions
from sentinel.rightsizing.not_enough_data import NotEnoughData
from sentinel.rightsizing.prices import sources
from sentinel.rightsizing.usage import USAGE_METRICS, Usage, naive_calls, read_usage

RESOURCE_TYPES = (*USAGE_METRICS, LAMBDA)
LOOKBACKS = ("14d", "32d", "93d")
DEFAULT_HEADROOM = 20.0


@dataclass
class RightsizingReport:
    as_of: datetime
    lookback: str
    headroom: float
    findings: list[Finding] = field(default_factory=list)
    examined: Counter[str] = field(default_factory=Counter)
    metric_calls: int = 0
    naive_calls: int = 0
    not_enough_data: list[NotEnoughData] = field(default_factory=list)
    log_queries: int = 0
    # Per region: where Lambda memory figures came from, and why.
    lambda_sources: dict[str, str] = field(default_factory=dict)

    @property
    def monthly_saving(self) -> float:
        return round(sum(f.monthly_saving or 0.0 for f in self.findings if _saves(f)), 2)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "lookback": self.lookback,
            "headroom_percent": self.headroom,
            "examined": dict(self.examined),
            "monthly_saving_usd": self.monthly_saving,
            "get_metric_data_calls": self.metric_calls,
            "naive_get_metric_statistics_calls": self.naive_calls,
            "prices": [
                {"service": s.service, "source": s.source, "compiled": s.compiled}
                for s in sources()
            ],
            "findings": [f.as_dict() for f in self.findings],
            "not_enough_data": [n.as_dict() for n in self.not_enough_data],
            "logs_insights_queries": self.log_queries,
            "lambda_sources": dict(self.lambda_sources),
        }


def _saves(finding: Finding) -> bool:
    return finding.monthly_saving is not None and finding.monthly_saving > 0


def by_saving(findings: Sequence[Finding]) -> list[Finding]:
    """Largest monthly saving first; findings without a price last."""
    return sorted(
        findings,
        key=lambda f: (f.monthly_saving is None, -(f.monthly_saving or 0.0), f.name),
    )


def lookback_window(lookback: str, now: datetime | None = None) -> tuple[datetime, datetime]:
    """Whole UTC days: from ``lookback`` days before today's midnight to it."""
    if lookback not in LOOKBACKS:
        raise ValueError(f"lookback must be one of {', '.join(LOOKBACKS)}, not {lookback!r}")
    moment = (now or clock.now()).astimezone(UTC)
    end = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return end - timedelta(seconds=parse_duration(lookback)), end


def rightsize(
    factory: SessionFactory,
    regions: Sequence[str] | None = None,
    lookback: str = "14d",
    headroom: float = DEFAULT_HEADROOM,
    now: datetime | None = None,
    resources: Sequence[Resource] | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    page_size: int | None = None,
) -> RightsizingReport:
    """Findings for the resources of ``regions`` (or the ``resources`` given), by saving.

    ``sleep`` waits between polls of a Logs Insights query; ``page_size`` caps every page.
    """
    start, end = lookback_window(lookback, now)
    if resources is None:
        inventory = Inventory(factory, list(regions) if regions else None, page_size=page_size)
        resources = inventory.all(RESOURCE_TYPES)
    report = RightsizingReport(as_of=end, lookback=lookback, headroom=headroom)
    by_region: dict[str, list[Resource]] = defaultdict(list)
    functions: dict[str, list[Resource]] = defaultdict(list)
    for resource in resources:
        if resource.type == LAMBDA:
            functions[resource.region].append(resource)
            report.examined[resource.type] += 1
        elif resource.type == "rds:cluster" and not aurora_serverless.is_serverless_v2(resource):
            continue
        elif resource.type in USAGE_METRICS:
            by_region[resource.region].append(resource)
            report.examined[resource.type] += 1
    calls_before = factory.counter.total("cloudwatch", "GetMetricData")
    findings: list[Finding] = []
    for region, members in sorted(by_region.items()):
        cloudwatch = factory.client("cloudwatch", region=region)
        for resource, usage in zip(
            members, read_usage(cloudwatch, members, start, end), strict=True
        ):
            judged = _judge(resource, usage, headroom)
            if isinstance(judged, NotEnoughData):
                report.not_enough_data.append(judged)
            elif judged is not None:
                findings.append(judged)
    report.metric_calls = factory.counter.total("cloudwatch", "GetMetricData") - calls_before
    report.naive_calls = naive_calls([r for members in by_region.values() for r in members])
    for region, members in sorted(functions.items()):
        scanned: LambdaScan = scan_functions(
            factory, region, members, start, end, headroom, lookback, sleep, page_size
        )
        findings.extend(scanned.findings)
        report.not_enough_data.extend(scanned.not_enough_data)
        report.log_queries += scanned.log_queries
        report.lambda_sources[region] = scanned.source
    report.findings = by_saving(findings)
    report.not_enough_data.sort(key=lambda n: (n.resource_type, n.name))
    return report


def _judge(resource: Resource, usage: Usage, headroom: float) -> Finding | NotEnoughData | None:
    if resource.type == "rds:cluster":
        capacity = aurora_serverless.Capacity.of_usage(usage)
        return aurora_serverless.assess(resource, capacity, headroom)
    return assess(resource, usage, headroom)
