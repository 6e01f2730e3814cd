"""Daily cost records: the billing data the emulated Cost Explorer answers from.

One row per day and line item (service, usage type, region, account, cost allocation tags), as
the Cost and Usage Report has them after daily aggregation. The account has no reservations,
savings plans or credits, so blended, amortized and net costs all equal the unblended cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

DEFAULT_ACCOUNT_ID = "123456789012"

COST_METRICS = (
    "UnblendedCost",
    "BlendedCost",
    "AmortizedCost",
    "NetUnblendedCost",
    "NetAmortizedCost",
)
USAGE_METRICS = ("UsageQuantity",)
METRICS = COST_METRICS + USAGE_METRICS
COST_UNIT = "USD"

# Cost Explorer dimension -> column of the frame.
DIMENSION_COLUMNS: dict[str, str] = {
    "SERVICE": "service",
    "USAGE_TYPE": "usage_type",
    "REGION": "region",
    "LINKED_ACCOUNT": "linked_account",
    "RECORD_TYPE": "record_type",
}
TAG_COLUMN_PREFIX = "tag:"

_BASE_COLUMNS = [
    "day",
    *DIMENSION_COLUMNS.values(),
    "linked_account_name",
    "cost",
    "usage_quantity",
    "usage_unit",
]


@dataclass(frozen=True)
class CostRecord:
    """The cost of one line item on one day."""

    day: date
    service: str
    usage_type: str
    cost: float
    usage_quantity: float = 0.0
    usage_unit: str = "N/A"
    region: str = "us-east-1"
    linked_account: str = DEFAULT_ACCOUNT_ID
    linked_account_name: str = "default"
    record_type: str = "Usage"
    tags: Mapping[str, str] = field(default_factory=dict)


def tag_column(key: str) -> str:
    return f"{TAG_COLUMN_PREFIX}{key}"


class CostTable:
    """Cost records as a frame sorted by day; tag columns ``tag:<Key>`` hold None when untagged."""

    def __init__(self, frame: pd.DataFrame) -> None:
        missing = [c for c in _BASE_COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"cost frame lacks columns: {', '.join(missing)}")
        frame = frame.copy()
        frame["day"] = pd.to_datetime(frame["day"]).astype("datetime64[ns]")
        frame["cost"] = frame["cost"].astype(float)
        frame["usage_quantity"] = frame["usage_quantity"].astype(float)
        for column in self._tag_columns(frame):
            values = frame[column].astype(object)
            frame[column] = values.where(values.notna() & (values != ""), None)
        self._frame = frame.sort_values("day", kind="stable").reset_index(drop=True)

    @staticmethod
    def _tag_columns(frame: pd.DataFrame) -> list[str]:
        return [c for c in frame.columns if str(c).startswith(TAG_COLUMN_PREFIX)]

    @classmethod
    def empty(cls) -> CostTable:
        return cls(pd.DataFrame({column: [] for column in _BASE_COLUMNS}))

    @classmethod
    def from_records(cls, records: Iterable[CostRecord]) -> CostTable:
        rows = []
        for record in records:
            row: dict[str, object] = {
                "day": record.day,
                "service": record.service,
                "usage_type": record.usage_type,
                "region": record.region,
                "linked_account": record.linked_account,
                "record_type": record.record_type,
                "linked_account_name": record.linked_account_name,
                "cost": record.cost,
                "usage_quantity": record.usage_quantity,
                "usage_unit": record.usage_unit,
            }
            row.update({tag_column(k): v for k, v in record.tags.items()})
            rows.append(row)
        if not rows:
            return cls.empty()
        return cls(pd.DataFrame(rows))

    @property
    def frame(self) -> pd.DataFrame:
        return self._frame

    @property
    def tag_keys(self) -> list[str]:
        return sorted(c[len(TAG_COLUMN_PREFIX) :] for c in self._tag_columns(self._frame))

    def account_names(self) -> dict[str, str]:
        pairs = self._frame[["linked_account", "linked_account_name"]].drop_duplicates()
        return dict(zip(pairs["linked_account"], pairs["linked_account_name"], strict=True))

    def __len__(self) -> int:
        return len(self._frame)

    def __add__(self, other: CostTable) -> CostTable:
        return CostTable(pd.concat([self._frame, other.frame], ignore_index=True))
