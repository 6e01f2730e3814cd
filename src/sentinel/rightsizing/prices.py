"""On-demand rates from the bundled price tables (``sentinel/data/prices_*.yaml``).

The tables say where their rates come from and when they were compiled; a type or region a
table lacks has no rate, and a finding on it carries no saving rather than a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sentinel.rightsizing.sizes import TaskSize, split_type

PRICE_FILES = {
    "ec2": "prices_ec2.yaml",
    "rds": "prices_rds.yaml",
    "elasticache": "prices_elasticache.yaml",
    "fargate": "prices_fargate.yaml",
    "lambda": "prices_lambda.yaml",
    "aurora_serverless": "prices_aurora_serverless.yaml",
}
# Aurora's StorageType of an I/O-Optimized cluster; any other (or none) is Aurora Standard.
IO_OPTIMIZED = "aurora-iopt1"


@dataclass(frozen=True)
class PriceSource:
    service: str
    source: str
    compiled: str
    regions: tuple[str, ...]


@cache
def _table(service: str) -> dict[str, Any]:
    text = resources.files("sentinel").joinpath("data", PRICE_FILES[service]).read_text("utf-8")
    return dict(yaml.safe_load(text))


def sources() -> list[PriceSource]:
    return [
        PriceSource(
            service,
            str(_table(service)["source"]),
            str(_table(service)["compiled"]),
            tuple(_table(service)["regions"]),
        )
        for service in PRICE_FILES
    ]


def hourly(service: str, region: str, name: str) -> float | None:
    """USD an hour of one instance / DB instance / cache node of type ``name`` in ``region``."""
    family, size = split_type(name)
    rates = _table(service)["regions"].get(region, {}).get(family, {})
    rate = rates.get(size)
    return float(rate) if rate is not None else None


def rds_hourly(
    region: str, instance_class: str, engine: str | None, multi_az: bool
) -> float | None:
    """An RDS instance's rate: the engine must be one the table prices; Multi-AZ doubles it."""
    table = _table("rds")
    if engine not in table["engines"]:
        return None
    rate = hourly("rds", region, instance_class)
    if rate is None:
        return None
    return rate * (float(table["multi_az_factor"]) if multi_az else 1.0)


def fargate_hourly(region: str, task: TaskSize) -> float | None:
    """A Fargate task's rate: its vCPUs and its GB of memory at the region's rates."""
    rates = _table("fargate")["regions"].get(region)
    if rates is None:
        return None
    return task.cpu / 1024 * float(rates["vcpu"]) + task.memory / 1024 * float(rates["memory_gb"])


def lambda_gb_second(region: str, architecture: str) -> float | None:
    """USD a GB-second of Lambda duration on ``architecture`` (``x86_64``, ``arm64``)."""
    rate = _table("lambda")["regions"].get(region, {}).get(architecture)
    return float(rate) if rate is not None else None


def acu_hour(region: str, storage_type: str | None) -> float | None:
    """USD an Aurora Serverless v2 ACU-hour for a cluster of ``storage_type``."""
    rates = _table("aurora_serverless")["regions"].get(region)
    if rates is None:
        return None
    return float(rates["io_optimized" if storage_type == IO_OPTIMIZED else "standard"])
