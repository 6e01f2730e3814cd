"""When a resource is idle, over- or under-provisioned: ``rightsizing_rules.yaml`` as functions.

Each rule takes the daily or hourly figures of one resource and answers with data; none of
them reads AWS, so the edges (exactly 4 days, exactly 10.0 %, exactly 5 MB) are tested as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import yaml

from sentinel.config.units import parse_percent

RULES_FILE = "rightsizing_rules.yaml"


@dataclass(frozen=True)
class Rules:
    idle_cpu_percent: float
    idle_network_bytes: float
    idle_days: int
    idle_of_last_days: int
    rds_idle_connections: float
    rds_idle_days: int
    under_cpu_percent: float
    under_share_of_hours: float
    hours_per_month: float


@cache
def rules() -> Rules:
    text = resources.files("sentinel").joinpath("data", RULES_FILE).read_text("utf-8")
    raw = yaml.safe_load(text)
    ec2, rds = raw["idle"]["ec2"], raw["idle"]["rds"]
    under = raw["under_provisioned"]
    return Rules(
        idle_cpu_percent=float(ec2["cpu_percent"]),
        idle_network_bytes=float(ec2["network_bytes"]),
        idle_days=int(ec2["days"]),
        idle_of_last_days=int(ec2["of_last_days"]),
        rds_idle_connections=float(rds["connections"]),
        rds_idle_days=int(rds["days"]),
        under_cpu_percent=float(under["cpu_percent"]),
        under_share_of_hours=float(parse_percent(under["share_of_hours"])) / 100,
        hours_per_month=float(raw["hours_per_month"]),
    )


@dataclass(frozen=True)
class IdleDays:
    """Days of the last ``of_days`` that were idle, and the days that had data at all."""

    idle: int
    measured: int
    of_days: int


def idle_days(
    daily_cpu_average: np.ndarray, daily_network_bytes: np.ndarray, rule: Rules | None = None
) -> IdleDays:
    """Trusted Advisor's count: days with average CPU <= 10 % and network I/O <= 5 MB.

    Arrays are per day, oldest first, NaN where the instance reported nothing (stopped); only
    the last ``of_last_days`` days count. A day without network data has no network I/O.
    """
    rule = rule or rules()
    cpu = np.asarray(daily_cpu_average, dtype=float)[-rule.idle_of_last_days :]
    network = np.asarray(daily_network_bytes, dtype=float)[-rule.idle_of_last_days :]
    measured = ~np.isnan(cpu)
    quiet = (
        measured
        & (np.nan_to_num(cpu, nan=np.inf) <= rule.idle_cpu_percent)
        & (np.nan_to_num(network, nan=0.0) <= rule.idle_network_bytes)
    )
    return IdleDays(int(quiet.sum()), int(measured.sum()), rule.idle_of_last_days)


def is_idle_instance(days: IdleDays, rule: Rules | None = None) -> bool:
    return days.idle >= (rule or rules()).idle_days


def is_idle_database(daily_max_connections: np.ndarray, rule: Rules | None = None) -> bool:
    """Trusted Advisor's idle DB instance: no connection on any of the last 7 days."""
    rule = rule or rules()
    last = np.asarray(daily_max_connections, dtype=float)[-rule.rds_idle_days :]
    if len(last) < rule.rds_idle_days or np.isnan(last).any():
        return False
    return bool((last <= rule.rds_idle_connections).all())


def busy_share(hourly_cpu_average: np.ndarray, rule: Rules | None = None) -> float:
    """Share of the measured hours whose average CPU was above the under-provisioned line."""
    rule = rule or rules()
    cpu = np.asarray(hourly_cpu_average, dtype=float)
    measured = cpu[~np.isnan(cpu)]
    if not len(measured):
        return 0.0
    return float((measured > rule.under_cpu_percent).sum() / len(measured))


def is_under_provisioned(hourly_cpu_average: np.ndarray, rule: Rules | None = None) -> bool:
    rule = rule or rules()
    return busy_share(hourly_cpu_average, rule) >= rule.under_share_of_hours


def fits(peak_percent: float, current: float, smaller: float, headroom_percent: float) -> bool:
    """A peak of ``peak_percent`` of ``current`` capacity, on ``smaller`` capacity, leaves the
    headroom free: ``peak x current / smaller <= 100 - headroom``."""
    return peak_percent * current / smaller <= 100.0 - headroom_percent
