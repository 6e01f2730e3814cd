"""What is true of the demo account by construction: the answers later features must find.

Times are offsets from the moment of seeding (metrics) or from today in UTC (costs), because the
data is laid out relative to the real clock so that "the last 30 days" is always populated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sentinel import clock

# Every random draw of the demo account comes from this seed.
SEED = 1350

# The tagging strategy of the P2P Sandbox seed.
REQUIRED_TAGS = ("Environment", "Service", "Owner", "CostCenter", "Project")
ALLOWED_ENVIRONMENTS = ("production", "staging", "dev")
# Tag keys activated as cost allocation tags (what Cost Explorer can group by).
COST_ALLOCATION_TAGS = REQUIRED_TAGS

METRIC_DAYS = 32
COST_HISTORY_MONTHS = 13


@dataclass(frozen=True)
class TagViolation:
    """A resource breaking the tagging strategy: tags missing, or a value not allowed.

    ``resource_type`` as the Resource Groups Tagging API names it; ``name`` is the resource's
    name (its Name tag for EC2).
    """

    resource_type: str
    name: str
    missing: tuple[str, ...] = ()
    key: str | None = None
    value: str | None = None


TAG_VIOLATIONS: tuple[TagViolation, ...] = (
    TagViolation("ec2:instance", "p2p-dev-sandbox", missing=REQUIRED_TAGS),
    # Root volumes are tagged from their instance's template, so they share its mistakes.
    TagViolation("ec2:volume", "p2p-dev-sandbox", missing=REQUIRED_TAGS),
    TagViolation("elasticache:cluster", "p2p-redis", missing=("CostCenter",)),
    TagViolation("ec2:instance", "p2p-worker-2", key="Environment", value="Production"),
    TagViolation("ec2:volume", "p2p-worker-2", key="Environment", value="Production"),
    TagViolation("s3:bucket", "p2p-sandbox-assets", key="Environment", value="prod"),
)


@dataclass(frozen=True)
class IdleInstance:
    """An instance doing nothing: CPU below ``cpu_max_percent``, a trickle of network.

    In and out together stay under 5 MB a day, the Trusted Advisor idle rule's limit.
    """

    name: str
    instance_type: str
    cpu_max_percent: float
    network_max_bytes_per_5min: float


IDLE_INSTANCES: tuple[IdleInstance, ...] = (
    IdleInstance("p2p-bastion", "t3.large", 1.5, 16_000),
    IdleInstance("p2p-dev-sandbox", "t3.large", 1.5, 16_000),
)


@dataclass(frozen=True)
class OversizedInstance:
    """An instance with steady work far below its size: CPU peaks at ``cpu_peak_percent``."""

    name: str
    instance_type: str
    cpu_peak_percent: float
    cpu_average_percent: float


OVERSIZED: tuple[OversizedInstance, ...] = (
    OversizedInstance("p2p-worker-3", "m5.xlarge", 8.0, 4.0),
)
BUSY_INSTANCES = ("p2p-worker-1", "p2p-worker-2", "p2p-staging-worker")


@dataclass(frozen=True)
class LatencyIncident:
    """Hours of slow responses and 5xx behind the ALB, with the database saturated."""

    days_ago: int
    start_hour_utc: int
    hours: int
    load_balancer: str
    target_response_time_seconds: float
    baseline_response_time_seconds: float
    target_5xx_rate: float
    baseline_target_5xx_rate: float
    elb_5xx_rate: float
    database: str
    database_cpu_percent: float

    def window(self, now: datetime | None = None) -> tuple[datetime, datetime]:
        """Start (inclusive) and end (exclusive) of the incident, in UTC."""
        today = (now or clock.now()).astimezone(UTC).date()
        start = datetime.combine(
            today - timedelta(days=self.days_ago), time(self.start_hour_utc), tzinfo=UTC
        )
        return start, start + timedelta(hours=self.hours)


LATENCY_INCIDENT = LatencyIncident(
    days_ago=9,
    start_hour_utc=14,
    hours=3,
    load_balancer="p2p-alb",
    target_response_time_seconds=1.8,
    baseline_response_time_seconds=0.12,
    target_5xx_rate=0.04,
    baseline_target_5xx_rate=0.0002,
    elb_5xx_rate=0.006,
    database="p2p-postgres",
    database_cpu_percent=90.0,
)


@dataclass(frozen=True)
class DemoCostAnomaly:
    """Extra spend on one line item, on days ``first_day_ago`` .. ``last_day_ago`` before today
    (1 is yesterday, the last day with cost data)."""

    service: str
    usage_type: str
    usage_unit: str
    unit_price_usd: float
    resource: str
    first_day_ago: int
    last_day_ago: int
    extra_usd_per_day: float
    description: str
    region: str = "us-east-1"

    def days(self, today: date | None = None) -> tuple[date, ...]:
        today = today or clock.today()
        return tuple(
            today - timedelta(days=ago)
            for ago in range(self.first_day_ago, self.last_day_ago - 1, -1)
        )


DEMO_ANOMALIES: tuple[DemoCostAnomaly, ...] = (
    DemoCostAnomaly(
        service="Amazon Elastic Compute Cloud - Compute",
        usage_type="BoxUsage:c5.4xlarge",
        usage_unit="Hrs",
        unit_price_usd=0.68,
        resource="p2p-worker-1",
        first_day_ago=20,
        last_day_ago=19,
        extra_usd_per_day=180.0,
        description="a batch job scaled out to eleven c5.4xlarge instances for two days",
    ),
    DemoCostAnomaly(
        service="Amazon CloudFront",
        usage_type="US-DataTransfer-Out-Bytes",
        usage_unit="GB",
        unit_price_usd=0.085,
        resource="cdn",
        first_day_ago=45,
        last_day_ago=45,
        extra_usd_per_day=150.0,
        description="a hot-linked video drove 1.7 TB of CloudFront data transfer in one day",
        region="global",
    ),
    DemoCostAnomaly(
        service="Amazon DocumentDB (with MongoDB compatibility)",
        usage_type="StorageIOUsage",
        usage_unit="IOs",
        unit_price_usd=0.0000002,
        resource="p2p-docdb",
        first_day_ago=6,
        last_day_ago=1,
        extra_usd_per_day=72.0,
        description="an unindexed query since a release six days ago multiplied DocumentDB I/O",
    ),
)
