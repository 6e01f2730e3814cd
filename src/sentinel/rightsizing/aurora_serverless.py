"""Judging an Aurora Serverless v2 cluster's capacity range by ServerlessDatabaseCapacity.

The cluster's capacity (AWS/RDS ``ServerlessDatabaseCapacity`` by ``DBClusterIdentifier``) is
read hourly as its minimum, maximum and average, in the same GetMetricData batch as every other
resource's usage (``usage.USAGE_METRICS``). Aurora bills the ACUs the cluster runs at, so:

- the floor costs where it holds the cluster up: the hourly minimum sits at MinCapacity in at
  least the rules' share of hours. The load under the floor is not measured, so the lower floor
  offered is half the current one (0.5 ACU at least), one step a review; the saving is the
  difference on the hours spent at the floor.
- the ceiling throttles when the hourly maximum reaches MaxCapacity: under-provisioned, twice
  the maximum offered (up to 256 ACU). A maximum above the peak with headroom (at least 1 ACU)
  is lowered; that saves nothing at the same load, it only caps a runaway.

ACU values are in steps of 0.5; MinCapacity 0 (auto-pause) is left as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sentinel.inventory import Resource
from sentinel.rightsizing import prices
from sentinel.rightsizing.findings import Finding, FindingKind
from sentinel.rightsizing.not_enough_data import NotEnoughData
from sentinel.rightsizing.rules import rules
from sentinel.rightsizing.serverless_rules import aurora_rules
from sentinel.rightsizing.usage import Usage

METRIC = "ServerlessDatabaseCapacity"
ROLES = ("capacity_low", "capacity_high", "capacity_mean")
OLDER_VERSIONS_MAX_ACU = 128.0  # MaxCapacity's limit before the engine versions that allow 256
SOURCE = "CloudWatch ServerlessDatabaseCapacity"


def is_serverless_v2(cluster: Resource) -> bool:
    engine = str(cluster.attributes.get("engine") or "")
    return engine.startswith("aurora") and cluster.attributes.get("max_acu") is not None


@dataclass(frozen=True)
class Capacity:
    """Hourly ACUs, oldest first, NaN where nothing was published."""

    low: np.ndarray
    high: np.ndarray
    mean: np.ndarray

    @classmethod
    def of_usage(cls, usage: Usage) -> Capacity:
        return cls(*(usage.values[role] for role in ROLES))


def half_steps_up(value: float) -> float:
    return math.ceil(value * 2 - 1e-9) / 2


def _range(low: float, high: float) -> str:
    return f"{low:g}-{high:g} ACU"


def assess(
    cluster: Resource, capacity: Capacity, headroom: float
) -> Finding | NotEnoughData | None:
    rule = aurora_rules()
    measured = ~np.isnan(capacity.high) & ~np.isnan(capacity.low)
    if not measured.any():
        return NotEnoughData.of(cluster, f"no {METRIC} over the lookback", SOURCE)
    floor = float(cluster.attributes.get("min_acu") or 0.0)
    ceiling = float(cluster.attributes["max_acu"])
    lows, highs = capacity.low[measured], capacity.high[measured]
    peak = float(highs.max())
    at_floor = float((lows <= floor + 1e-9).mean())
    at_ceiling = float((highs >= ceiling - 1e-9).mean())
    rate = prices.acu_hour(cluster.region, cluster.attributes.get("storage_type"))
    hours = rules().hours_per_month
    mean = float(np.nanmean(capacity.mean)) if not np.isnan(capacity.mean).all() else None
    current_cost = None if rate is None or mean is None else round(mean * hours * rate, 2)
    base: dict[str, Any] = {
        "resource_type": cluster.type,
        "resource_id": cluster.id,
        "name": cluster.name,
        "region": cluster.region,
        "current": _range(floor, ceiling),
        "monthly_cost": current_cost,
        "source": SOURCE,
    }
    shares = (
        f"at its {floor:g} ACU floor in {at_floor:.0%} of hours, at its {ceiling:g} ACU "
        f"ceiling in {at_ceiling:.0%}; peak {peak:g} ACU"
    )
    if at_ceiling >= rule.ceiling_share_of_hours:
        bigger = min(rule.max_acu, half_steps_up(ceiling * 2))
        notes = [
            "a higher maximum lets the cluster scale instead of queueing; it costs only when used"
        ]
        if bigger > OLDER_VERSIONS_MAX_ACU:
            notes.append(f"above {OLDER_VERSIONS_MAX_ACU:g} ACU needs a recent engine version")
        return Finding(
            kind=FindingKind.UNDER,
            recommended=(
                _range(floor, bigger) if bigger > ceiling else "beyond Serverless v2's 256 ACU"
            ),
            recommended_cost=None,
            evidence=f"capacity {shares}",
            notes=tuple(notes),
            **base,
        )
    new_floor = floor
    if floor > rule.min_acu and at_floor >= rule.floor_share_of_hours:
        new_floor = max(rule.min_acu, half_steps_up(floor / 2))
    new_ceiling = max(rule.min_max_acu, new_floor, half_steps_up(peak / (1 - headroom / 100.0)))
    new_ceiling = min(new_ceiling, ceiling)
    if new_floor == floor and new_ceiling == ceiling:
        return None
    notes = []
    saving = (floor - new_floor) * at_floor * hours * rate if rate is not None else None
    if new_floor < floor:
        notes.append("the load under the floor is not measured: the floor is halved once a review")
    if new_ceiling < ceiling:
        notes.append(
            f"{new_ceiling:g} ACU keeps {headroom:g}% headroom over the peak; the "
            "maximum caps the spend, it saves nothing at the same load"
        )
    return Finding(
        kind=FindingKind.OVER,
        recommended=_range(new_floor, new_ceiling),
        recommended_cost=(
            None if current_cost is None or saving is None else round(current_cost - saving, 2)
        ),
        evidence=f"capacity {shares}",
        notes=tuple(notes),
        **base,
    )
