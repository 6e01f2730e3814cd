"""CloudWatch's recommended alarms per resource type, read once from their data file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sentinel.config.units import SYMBOLS

DATA_FILE = "recommended_alarms.yaml"
TREAT_MISSING = ("breaching", "notBreaching", "ignore", "missing")


@dataclass(frozen=True)
class Recommendation:
    """One published recommendation: a metric of a resource type, its threshold and its reason.

    ``dimensions`` maps each published dimension to a template over the resource, a fixed value,
    or None when the inventory has no value for it. ``threshold`` is None where the guide says
    the value depends on the workload (``justification`` says how to choose it).
    """

    type: str
    namespace: str
    metric: str
    dimensions: Mapping[str, str | None]
    statistic: str
    period: int
    datapoints_to_alarm: int
    evaluation_periods: int
    comparison: str
    threshold: float | None
    treat_missing: str
    severity: str
    intent: str
    justification: str
    source: str
    where: Mapping[str, list[str]] = field(default_factory=dict)
    skip: str | None = None

    @property
    def is_account_wide(self) -> bool:
        """A metric of the account (no dimensions): one alarm, not one per resource."""
        return not self.dimensions

    @property
    def unavailable_dimensions(self) -> list[str]:
        return [name for name, template in self.dimensions.items() if template is None]

    def not_written_because(self) -> str | None:
        """Why ``sentinel init`` does not write this row as an alarm; None when it does."""
        if self.skip:
            return self.skip
        if self.unavailable_dimensions:
            missing = ", ".join(self.unavailable_dimensions)
            return f"needs dimension {missing}, which the inventory has no value for"
        if self.threshold is None:
            return "AWS publishes no threshold: it depends on the workload"
        return None

    @property
    def condition(self) -> str:
        """The comparison as a config condition, e.g. ``"> 80"``."""
        assert self.threshold is not None
        value = self.threshold
        number = str(int(value)) if value.is_integer() else repr(value)
        return f"{SYMBOLS[self.comparison]} {number}"


@cache
def recommendations() -> tuple[Recommendation, ...]:
    """Every row of the data file, in its order."""
    text = resources.files("sentinel").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    return tuple(_row(index, row) for index, row in enumerate(raw["recommendations"]))


def for_type(type_name: str) -> list[Recommendation]:
    return [row for row in recommendations() if row.type == type_name]


def covered_types() -> list[str]:
    """The resource types with at least one row, in the data file's order."""
    return list(dict.fromkeys(row.type for row in recommendations()))


def _row(index: int, row: Mapping[str, Any]) -> Recommendation:
    try:
        threshold = row["threshold"]
        recommendation = Recommendation(
            type=str(row["type"]),
            namespace=str(row["namespace"]),
            metric=str(row["metric"]),
            dimensions={
                str(k): (None if v is None else str(v))
                for k, v in (row.get("dimensions") or {}).items()
            },
            statistic=str(row["statistic"]),
            period=int(row["period"]),
            datapoints_to_alarm=int(row["datapoints_to_alarm"]),
            evaluation_periods=int(row["evaluation_periods"]),
            comparison=str(row["comparison"]),
            threshold=None if threshold is None else float(threshold),
            treat_missing=str(row["treat_missing"]),
            severity=str(row["severity"]),
            intent=str(row["intent"]),
            justification=str(row.get("justification") or ""),
            source=str(row["source"]),
            where={
                str(k): [str(v) for v in values] for k, values in (row.get("where") or {}).items()
            },
            skip=row.get("skip"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{DATA_FILE}: row {index + 1}: missing or malformed {exc}") from exc
    if recommendation.comparison not in SYMBOLS:
        raise ValueError(f"{DATA_FILE}: row {index + 1}: unknown comparison {row['comparison']!r}")
    if recommendation.treat_missing not in TREAT_MISSING:
        raise ValueError(f"{DATA_FILE}: row {index + 1}: unknown treat_missing")
    return recommendation
