"""Judging one resource by its usage: idle, over-provisioned, under-provisioned, or fine.

A finding names what to run instead and what that saves a month at on-demand rates. A smaller
size is recommended only when every measured dimension (CPU, memory) still leaves the headroom
free on it; a dimension that is not measured (EC2 memory without the CloudWatch agent) does not
block a recommendation but is named in its notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from sentinel.inventory import Resource
from sentinel.rightsizing import prices
from sentinel.rightsizing.rules import (
    busy_share,
    fits,
    idle_days,
    is_idle_database,
    is_idle_instance,
    is_under_provisioned,
    rules,
)
from sentinel.rightsizing.sizes import (
    Service,
    Size,
    TaskSize,
    larger,
    larger_task_cpu,
    size_of,
    smaller,
    smaller_tasks,
    task_sizes,
)
from sentinel.rightsizing.usage import Usage

GIB = 1024**3
MB = 1_000_000


class FindingKind(StrEnum):
    IDLE = "idle"
    OVER = "over-provisioned"
    UNDER = "under-provisioned"


@dataclass(frozen=True)
class Finding:
    resource_type: str
    resource_id: str
    name: str
    region: str
    kind: FindingKind
    current: str
    recommended: str
    monthly_cost: float | None
    recommended_cost: float | None
    evidence: str
    notes: tuple[str, ...] = field(default=())
    # Where the figures came from, when not the CloudWatch metrics (Logs Insights, Compute
    # Optimizer), and a saving stated by that source where the costs themselves are not known.
    source: str | None = None
    stated_saving: float | None = None

    @property
    def monthly_saving(self) -> float | None:
        if self.stated_saving is not None:
            return round(self.stated_saving, 2)
        if self.monthly_cost is None or self.recommended_cost is None:
            return None
        return round(self.monthly_cost - self.recommended_cost, 2)

    def as_dict(self) -> dict[str, Any]:
        return {
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "name": self.name,
            "region": self.region,
            "finding": self.kind.value,
            "current": self.current,
            "recommended": self.recommended,
            "monthly_cost_usd": self.monthly_cost,
            "recommended_cost_usd": self.recommended_cost,
            "monthly_saving_usd": self.monthly_saving,
            "evidence": self.evidence,
            "notes": list(self.notes),
            "source": self.source or "CloudWatch metrics",
        }


def _monthly(hourly: float | None) -> float | None:
    return None if hourly is None else round(hourly * rules().hours_per_month, 2)


def assess(resource: Resource, usage: Usage, headroom: float) -> Finding | None:
    """The resource's finding, or None when it is sized right (or was not measured)."""
    if usage.get("cpu_hourly") is None and usage.get("cpu_peak") is None:
        return None
    if resource.type == "ec2:instance":
        return _instance(resource, usage, headroom)
    if resource.type == "rds:db":
        return _database(resource, usage, headroom)
    if resource.type == "elasticache:cluster":
        return _cache(resource, usage, headroom)
    if resource.type == "ecs:service":
        return _service(resource, usage, headroom)
    return None


def _finding(resource: Resource, kind: FindingKind, **fields: Any) -> Finding:
    cluster = resource.attributes.get("cluster") if resource.type == "ecs:service" else None
    return Finding(
        resource_type=resource.type,
        resource_id=resource.id,
        name=f"{cluster}/{resource.name}" if cluster else resource.name,
        region=resource.region,
        kind=kind,
        **fields,
    )


def _instance(resource: Resource, usage: Usage, headroom: float) -> Finding | None:
    current = str(resource.attributes.get("instance_type") or "")
    if resource.attributes.get("state") not in (None, "running"):
        return None
    rate = prices.hourly("ec2", resource.region, current)
    # A running instance always publishes its network; a missing day moved nothing.
    network = np.nan_to_num(usage.values["network_in"], nan=0.0) + np.nan_to_num(
        usage.values["network_out"], nan=0.0
    )
    days = idle_days(usage.daily_cpu_average(), network)
    if is_idle_instance(days):
        last = days.of_days
        daily_net = network[-last:]
        return _finding(
            resource,
            FindingKind.IDLE,
            current=current,
            recommended="stop or terminate",
            monthly_cost=_monthly(rate),
            recommended_cost=0.0 if rate is not None else None,
            evidence=(
                f"idle on {days.idle} of the last {last} days (average CPU <= "
                f"{rules().idle_cpu_percent:g}%, network I/O <= "
                f"{rules().idle_network_bytes / MB:g} MB); CPU peak "
                f"{usage.peak('cpu_peak') or 0:.1f}%, network up to "
                f"{float(max(daily_net.max(), 0)) / MB:.1f} MB a day"
            ),
        )
    memory_peak = usage.peak("memory_peak")
    notes = () if memory_peak is not None else ("memory not measured: no CloudWatch agent",)
    return _resize(
        resource,
        "ec2",
        current,
        usage,
        headroom,
        rate_of=lambda name: prices.hourly("ec2", resource.region, name),
        memory_used=lambda size: None if memory_peak is None else memory_peak / 100 * size,
        notes=notes,
    )


def _database(resource: Resource, usage: Usage, headroom: float) -> Finding | None:
    current = str(resource.attributes.get("instance_class") or "")
    engine = resource.attributes.get("engine")
    multi_az = bool(resource.attributes.get("multi_az"))

    def rate_of(name: str) -> float | None:
        return prices.rds_hourly(resource.region, name, engine, multi_az)

    connections = usage.get("connections_peak")
    if connections is not None and is_idle_database(connections):
        rate = rate_of(current)
        return _finding(
            resource,
            FindingKind.IDLE,
            current=current + (" Multi-AZ" if multi_az else ""),
            recommended="snapshot and delete",
            monthly_cost=_monthly(rate),
            recommended_cost=0.0 if rate is not None else None,
            evidence=f"no connection in the last {rules().rds_idle_days} days",
        )
    freeable = usage.get("freeable_min")
    size = size_of("rds", current)
    used_gib = None
    if freeable is not None and size is not None:
        used_gib = max(0.0, size.memory_gib - float(np.nanmin(freeable)) / GIB)
    notes = () if used_gib is not None else ("memory not measured",)
    return _resize(
        resource,
        "rds",
        current,
        usage,
        headroom,
        rate_of=rate_of,
        memory_used=lambda capacity: used_gib,
        notes=notes,
        suffix=" Multi-AZ" if multi_az else "",
    )


def _cache(resource: Resource, usage: Usage, headroom: float) -> Finding | None:
    current = str(resource.attributes.get("node_type") or "")
    nodes = int(resource.attributes.get("num_nodes") or 1)
    memory_peak = usage.peak("memory_peak")

    def rate_of(name: str) -> float | None:
        rate = prices.hourly("elasticache", resource.region, name)
        return None if rate is None else rate * nodes

    return _resize(
        resource,
        "elasticache",
        current,
        usage,
        headroom,
        rate_of=rate_of,
        memory_used=lambda size: None if memory_peak is None else memory_peak / 100 * size,
        notes=() if memory_peak is not None else ("memory not measured",),
        suffix=f" x {nodes}" if nodes > 1 else "",
    )


def _resize(
    resource: Resource,
    service: Service,
    current: str,
    usage: Usage,
    headroom: float,
    *,
    rate_of: Any,
    memory_used: Any,
    notes: tuple[str, ...],
    suffix: str = "",
) -> Finding | None:
    """Over- or under-provisioned along the family's ladder, or None when sized right.

    ``memory_used(capacity_gib)`` is the peak memory in GiB the workload needs (None: not
    measured); ``rate_of(type)`` the hourly rate of a type for this resource.
    """
    size = size_of(service, current)
    if size is None:
        return None
    hourly = usage.get("cpu_hourly")
    cpu_peak = usage.peak("cpu_peak")
    if cpu_peak is None:
        return None
    cpu_mean = usage.mean("cpu_hourly") or 0.0
    if hourly is not None and is_under_provisioned(hourly):
        bigger = larger(service, current)
        share = busy_share(hourly)
        return _finding(
            resource,
            FindingKind.UNDER,
            current=current + suffix,
            recommended=(bigger.name + suffix) if bigger else "a larger family",
            monthly_cost=_monthly(rate_of(current)),
            recommended_cost=_monthly(rate_of(bigger.name)) if bigger else None,
            evidence=(
                f"CPU above {rules().under_cpu_percent:g}% in {share:.0%} of hours; "
                f"average {cpu_mean:.1f}%, peak {cpu_peak:.1f}%"
            ),
        )
    used = memory_used(size.memory_gib)
    fitting: Size | None = None
    for candidate in smaller(service, current):
        if not _fits(size, fitting or size, candidate, cpu_peak, cpu_mean, used, headroom):
            break
        fitting = candidate
    if fitting is None:
        return None
    memory = "" if used is None else f", memory peak {used:.1f} of {size.memory_gib:g} GiB"
    return _finding(
        resource,
        FindingKind.OVER,
        current=current + suffix,
        recommended=fitting.name + suffix,
        monthly_cost=_monthly(rate_of(current)),
        recommended_cost=_monthly(rate_of(fitting.name)),
        evidence=(
            f"CPU peak {cpu_peak:.1f}% of {size.vcpu} vCPU (average {cpu_mean:.1f}%){memory}: "
            f"{cpu_peak * size.vcpu / fitting.vcpu:.1f}% on {fitting.name}, "
            f"{headroom:g}% headroom kept"
        ),
        notes=notes,
    )


def _fits(
    size: Size,
    step_from: Size,
    candidate: Size,
    cpu_peak: float,
    cpu_mean: float,
    memory_used_gib: float | None,
    headroom: float,
) -> bool:
    if not fits(cpu_peak, size.vcpu, candidate.vcpu, headroom):
        return False
    if memory_used_gib is None:
        # Unmeasured memory: only a step the CPU speaks for (fewer vCPUs) is justified.
        if candidate.vcpu >= step_from.vcpu:
            return False
    elif not fits(
        100 * memory_used_gib / size.memory_gib, size.memory_gib, candidate.memory_gib, headroom
    ):
        return False
    # A burstable size runs above its baseline only while it has credits.
    return candidate.baseline is None or cpu_mean * size.vcpu / candidate.vcpu <= candidate.baseline


def _service(resource: Resource, usage: Usage, headroom: float) -> Finding | None:
    cpu, memory = resource.attributes.get("cpu"), resource.attributes.get("memory")
    if not cpu or not memory:
        return None
    task = TaskSize(int(cpu), int(memory))
    tasks = int(resource.attributes.get("desired_count") or 1)
    fargate = _is_fargate(resource)

    def cost(size: TaskSize) -> float | None:
        if not fargate:
            return None
        rate = prices.fargate_hourly(resource.region, size)
        return _monthly(None if rate is None else rate * tasks)

    notes = () if fargate else ("EC2 launch type: the saving is capacity on the cluster",)
    cpu_peak = usage.peak("cpu_peak")
    memory_peak = usage.peak("memory_peak")
    hourly = usage.get("cpu_hourly")
    if cpu_peak is None:
        return None
    label = f" x {tasks}"
    if hourly is not None and is_under_provisioned(hourly):
        up = larger_task_cpu(task)
        bigger = _task_with(up, task.memory, None) if up else None
        return _finding(
            resource,
            FindingKind.UNDER,
            current=f"{task}{label}",
            recommended=f"{bigger}{label}" if bigger else "more tasks",
            monthly_cost=cost(task),
            recommended_cost=cost(bigger) if bigger else None,
            evidence=(
                f"CPU above {rules().under_cpu_percent:g}% in {busy_share(hourly):.0%} of hours"
            ),
            notes=notes,
        )
    used_mib = None if memory_peak is None else memory_peak / 100 * task.memory
    fitting: TaskSize | None = None
    for down in smaller_tasks(task):
        if not fits(cpu_peak, task.cpu, down, headroom):
            break
        candidate = _task_with(down, task.memory, used_mib, headroom)
        if candidate is None:
            break
        fitting = candidate
    if fitting is None:
        return None
    return _finding(
        resource,
        FindingKind.OVER,
        current=f"{task}{label}",
        recommended=f"{fitting}{label}",
        monthly_cost=cost(task),
        recommended_cost=cost(fitting),
        evidence=(
            f"CPU peak {cpu_peak:.1f}% of the reservation, memory peak "
            f"{memory_peak if memory_peak is not None else 0:.1f}%: "
            f"{cpu_peak * task.cpu / fitting.cpu:.1f}% CPU on {fitting}, "
            f"{headroom:g}% headroom kept"
        ),
        notes=notes if memory_peak is not None else (*notes, "memory not measured"),
    )


def _task_with(
    cpu: int, memory: int, used_mib: float | None, headroom: float = 0.0
) -> TaskSize | None:
    """A size with ``cpu``: the least memory holding ``used_mib`` with headroom, never more
    than ``memory`` when shrinking; None when no allowed memory does."""
    allowed = task_sizes()[cpu]
    if used_mib is None:
        same = [m for m in allowed if m <= memory]
        return TaskSize(cpu, max(same)) if same else TaskSize(cpu, min(allowed))
    for size in allowed:
        if size <= memory and used_mib <= size * (100.0 - headroom) / 100.0:
            return TaskSize(cpu, size)
    return None


def _is_fargate(resource: Resource) -> bool:
    if resource.attributes.get("launch_type") == "FARGATE":
        return True
    providers = resource.attributes.get("capacity_providers") or []
    return any(str(p).startswith("FARGATE") for p in providers)
