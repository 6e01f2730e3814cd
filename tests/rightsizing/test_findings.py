"""Findings of one resource from its usage: what to run instead and what it saves a month."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sentinel.inventory import Resource
from sentinel.rightsizing.findings import FindingKind, assess
from sentinel.rightsizing.usage import Usage

DAYS = 14
GIB = 1024**3
HOURS_PER_MONTH = 730


def usage(
    cpu_hourly: float | np.ndarray,
    cpu_peak: float,
    network_day: float = 500e6,
    **daily: float,
) -> Usage:
    hourly = np.broadcast_to(np.asarray(cpu_hourly, dtype=float), (DAYS * 24,)).copy()
    values = {
        "cpu_hourly": hourly,
        "cpu_peak": np.full(DAYS, cpu_peak),
        "network_in": np.full(DAYS, network_day / 2),
        "network_out": np.full(DAYS, network_day / 2),
        "memory_peak": np.full(DAYS, np.nan),
        "connections_peak": np.full(DAYS, 20.0),
        "freeable_min": np.full(DAYS, np.nan),
    }
    for role, value in daily.items():
        values[role] = np.full(DAYS, value)
    return Usage(values)


def resource(kind: str, attributes: dict[str, Any], region: str = "us-east-1") -> Resource:
    return Resource(
        kind, "r-1", f"arn:aws:x:{region}:1:r-1", region, "1", {"Name": "r"}, attributes
    )


def instance(instance_type: str) -> Resource:
    return resource("ec2:instance", {"instance_type": instance_type, "state": "running"})


def test_idle_instance_saves_its_whole_cost() -> None:
    finding = assess(instance("t3.large"), usage(1.0, 2.0, network_day=2e6), headroom=20)
    assert finding is not None and finding.kind is FindingKind.IDLE
    assert finding.recommended == "stop or terminate"
    assert finding.monthly_saving == round(0.0832 * HOURS_PER_MONTH, 2)  # 60.74


def test_oversized_instance_steps_down_while_the_peak_leaves_headroom() -> None:
    # m5.4xlarge at a 9 % peak: 18 % on 2xlarge, 36 % on xlarge, 72 % on large.
    finding = assess(instance("m5.4xlarge"), usage(5.0, 9.0), headroom=20)
    assert finding is not None and finding.kind is FindingKind.OVER
    assert finding.recommended == "m5.large"
    assert finding.monthly_saving == round((0.768 - 0.096) * HOURS_PER_MONTH, 2)
    assert finding.notes == ("memory not measured: no CloudWatch agent",)
    # With 30 % headroom, 72 % no longer fits: one step less.
    assert assess(instance("m5.4xlarge"), usage(5.0, 9.0), headroom=30).recommended == "m5.xlarge"


def test_measured_memory_blocks_a_smaller_size() -> None:
    # CPU would fit m5.large, but 60 % of 16 GiB is 9.6 GiB: 120 % of m5.large's 8 GiB.
    high_memory = usage(5.0, 10.0, memory_peak=60.0)
    assert assess(instance("m5.xlarge"), high_memory, headroom=20) is None
    low_memory = usage(5.0, 10.0, memory_peak=30.0)
    finding = assess(instance("m5.xlarge"), low_memory, headroom=20)
    assert finding is not None and finding.recommended == "m5.large" and finding.notes == ()


def test_a_burstable_size_must_hold_the_average_under_its_baseline() -> None:
    # t3.large -> t3.medium keeps 2 vCPU and halves memory; the medium's baseline is 20 %.
    # 30 % of 8 GiB is 2.4 GiB: 60 % of the medium's 4 GiB, 120 % of the small's 2 GiB.
    assert assess(instance("t3.large"), usage(21.0, 40.0, memory_peak=30.0), headroom=20) is None
    finding = assess(instance("t3.large"), usage(15.0, 40.0, memory_peak=30.0), headroom=20)
    assert finding is not None and finding.recommended == "t3.medium"


def test_without_memory_data_only_fewer_vcpus_are_recommended() -> None:
    # t3.large -> t3.medium would only take memory away, which nobody measured.
    assert assess(instance("t3.large"), usage(5.0, 10.0), headroom=20) is None
    # t3.2xlarge (8 vCPU) -> t3.xlarge (4) -> t3.large (2): the CPU speaks for each step,
    # 40 % peak and 20 % average on 2 vCPU; t3.medium would only take memory.
    finding = assess(instance("t3.2xlarge"), usage(5.0, 10.0), headroom=20)
    assert finding is not None and finding.recommended == "t3.large"


def test_sustained_cpu_is_under_provisioned_with_the_extra_cost() -> None:
    hourly = np.full(DAYS * 24, 60.0)
    hourly[::5] = 97.0  # a fifth of the hours
    finding = assess(instance("c5.xlarge"), usage(hourly, 100.0), headroom=20)
    assert finding is not None and finding.kind is FindingKind.UNDER
    assert finding.recommended == "c5.2xlarge"
    assert finding.monthly_saving == round((0.17 - 0.34) * HOURS_PER_MONTH, 2)  # negative


def test_database_memory_from_freeable_memory_and_multi_az_prices() -> None:
    db = resource(
        "rds:db",
        {"instance_class": "db.r5.2xlarge", "engine": "postgres", "multi_az": True},
    )
    # 64 GiB with at least 50 GiB free: 14 GiB used fits 32 GiB (44 %), not 16 GiB (88 %).
    finding = assess(db, usage(6.0, 12.0, freeable_min=50 * GIB), headroom=20)
    assert finding is not None and finding.recommended == "db.r5.xlarge Multi-AZ"
    assert finding.monthly_saving == round((1.0 - 0.5) * 2 * HOURS_PER_MONTH, 2)


def test_a_database_nobody_connects_to_is_idle() -> None:
    db = resource("rds:db", {"instance_class": "db.t3.medium", "engine": "mysql"})
    finding = assess(db, usage(2.0, 4.0, connections_peak=0.0), headroom=20)
    assert finding is not None and finding.kind is FindingKind.IDLE
    assert finding.monthly_saving == round(0.072 * HOURS_PER_MONTH, 2)


def test_cache_nodes_count() -> None:
    cache = resource("elasticache:cluster", {"node_type": "cache.m5.xlarge", "num_nodes": 3})
    finding = assess(cache, usage(8.0, 20.0, memory_peak=30.0), headroom=20)
    assert finding is not None and finding.recommended == "cache.m5.large x 3"
    assert finding.monthly_saving == round((0.311 - 0.156) * 3 * HOURS_PER_MONTH, 2)


def test_fargate_service_shrinks_cpu_and_keeps_the_memory_it_needs() -> None:
    service = resource(
        "ecs:service",
        {"cpu": 1024, "memory": 4096, "desired_count": 3, "launch_type": "FARGATE", "cluster": "c"},
    )
    # 30 % of 1 vCPU peaks at 60 % of 0.5 vCPU; 40 % of 4 GB is 1.6 GB: 2 GB holds it at 80 %.
    finding = assess(service, usage(15.0, 30.0, memory_peak=40.0), headroom=20)
    assert finding is not None and finding.recommended == "0.5 vCPU / 2 GB x 3"
    assert finding.name == "c/r"
    before = (1.0 * 0.04048 + 4 * 0.004445) * 3 * HOURS_PER_MONTH
    after = (0.5 * 0.04048 + 2 * 0.004445) * 3 * HOURS_PER_MONTH
    assert finding.monthly_saving == pytest.approx(round(before, 2) - round(after, 2), abs=0.011)


def test_unmeasured_and_unknown_resources_have_no_finding() -> None:
    quiet = Usage({k: np.full(DAYS, np.nan) for k in ("cpu_peak", "network_in", "network_out")})
    assert assess(instance("m5.large"), quiet, headroom=20) is None
    stopped = resource("ec2:instance", {"instance_type": "m5.xlarge", "state": "stopped"})
    assert assess(stopped, usage(1.0, 2.0), headroom=20) is None
    # A family without a ladder is never resized; without a price, a finding has no saving.
    assert assess(instance("x2idn.16xlarge"), usage(5.0, 9.0), headroom=20) is None
    mumbai = resource(
        "ec2:instance", {"instance_type": "t4g.large", "state": "running"}, "ap-south-1"
    )
    finding = assess(mumbai, usage(1.0, 2.0, network_day=1e6), headroom=20)
    assert finding is not None and finding.kind is FindingKind.IDLE
    assert finding.monthly_saving is None
