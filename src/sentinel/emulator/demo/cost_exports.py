"""The demo account's cost history as AWS Data Exports would deliver it: CUR 2.0 and FOCUS 1.0.

The same daily records the emulated Cost Explorer answers from, written as Parquet into the
emulator's S3 in Data Exports' layout, ``s3://<bucket>/<prefix>/<export>/data/
BILLING_PERIOD=YYYY-MM/<export>-00001.snappy.parquet``, one file per billing period. A period
before today's month is invoiced (CUR 2.0 ``bill_invoice_id``); today's month is still open.

The files go into the demo's existing bucket, under ``cost-exports/``: a bucket of their own
would be one more resource in every inventory, tag and starter listing of the demo.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sentinel.aws.session import SessionFactory
from sentinel.cost.cur.schema import service_names
from sentinel.emulator.cost_table import TAG_COLUMN_PREFIX, CostTable
from sentinel.emulator.demo.layout import LAYOUT, REGION

EXPORT_BUCKET = LAYOUT.buckets[0].name
EXPORT_PREFIXES = {"cur2": "cost-exports/p2p-cur2", "focus": "cost-exports/p2p-focus"}
_TAGS = pa.map_(pa.string(), pa.string())
_TIMESTAMP = pa.timestamp("ms")


@dataclass(frozen=True)
class ExportSummary:
    bucket: str
    objects: int
    rows: int


def write_cost_exports(
    factory: SessionFactory, costs: CostTable, today: date, bucket: str = EXPORT_BUCKET
) -> ExportSummary:
    """Write ``costs`` as a CUR 2.0 and a FOCUS 1.0 export into ``bucket`` (made if missing)."""
    s3 = factory.client("s3", REGION)
    if bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=bucket)
    frame = _with_codes(costs)
    objects = 0
    month = frame["day"].dt.to_period("M")
    for period, rows in frame.groupby(month, sort=True):
        start = period.start_time.date()
        for fmt, build in (("cur2", _cur2), ("focus", _focus)):
            name = EXPORT_PREFIXES[fmt].rsplit("/", 1)[-1]
            key = (
                f"{EXPORT_PREFIXES[fmt]}/data/BILLING_PERIOD={start:%Y-%m}/"
                f"{name}-00001.snappy.parquet"
            )
            s3.put_object(Bucket=bucket, Key=key, Body=_parquet(build(rows, start, today)))
            objects += 1
    return ExportSummary(bucket, objects, len(frame))


def _with_codes(costs: CostTable) -> pd.DataFrame:
    names = service_names()
    frame = costs.frame.copy()
    services = frame["service"].unique()
    frame["product_code"] = frame["service"].map({s: names.code_of(s) for s in services})
    frame["product_name"] = frame["service"].map({s: names.product_name_of(s) for s in services})
    return frame


def _tags(rows: pd.DataFrame, prefix: str) -> list[list[tuple[str, str]]]:
    columns = [c for c in rows.columns if str(c).startswith(TAG_COLUMN_PREFIX)]
    keys = [c[len(TAG_COLUMN_PREFIX) :] for c in columns]
    values = rows[columns].to_numpy(dtype=object)
    return [
        [(f"{prefix}{k}", str(v)) for k, v in zip(keys, row, strict=True) if v is not None]
        for row in values
    ]


def _period_end(start: date) -> date:
    return (start + timedelta(days=32)).replace(day=1)


def _cur2(rows: pd.DataFrame, start: date, today: date) -> pa.Table:
    n = len(rows)
    invoiced = _period_end(start) <= today.replace(day=1)
    days = rows["day"].dt.to_pydatetime()
    columns: dict[str, Any] = {
        "bill_bill_type": pa.array(["Anniversary"] * n),
        "bill_billing_period_start_date": pa.array([_midnight(start)] * n, _TIMESTAMP),
        "bill_billing_period_end_date": pa.array([_midnight(_period_end(start))] * n, _TIMESTAMP),
        "bill_invoice_id": pa.array([f"INV-{start:%Y%m}" if invoiced else ""] * n),
        "bill_payer_account_id": pa.array(rows["linked_account"].astype(str)),
        "line_item_line_item_type": pa.array(rows["record_type"].astype(str)),
        "line_item_usage_account_id": pa.array(rows["linked_account"].astype(str)),
        "line_item_usage_account_name": pa.array(rows["linked_account_name"].astype(str)),
        "line_item_usage_start_date": pa.array(days, _TIMESTAMP),
        "line_item_usage_end_date": pa.array([d + timedelta(days=1) for d in days], _TIMESTAMP),
        "line_item_product_code": pa.array(rows["product_code"]),
        "line_item_usage_type": pa.array(rows["usage_type"].astype(str)),
        "line_item_usage_amount": pa.array(rows["usage_quantity"].astype(float)),
        "line_item_unblended_cost": pa.array(rows["cost"].astype(float)),
        "line_item_blended_cost": pa.array(rows["cost"].astype(float)),
        "pricing_unit": pa.array(rows["usage_unit"].astype(str)),
        "product_region_code": pa.array(rows["region"].astype(str)),
        "product_servicecode": pa.array(rows["product_code"]),
        "resource_tags": pa.array(_tags(rows, "user_"), _TAGS),
    }
    return pa.table(columns)


def _focus(rows: pd.DataFrame, start: date, today: date) -> pa.Table:
    n = len(rows)
    days = rows["day"].dt.to_pydatetime()
    columns: dict[str, Any] = {
        "BilledCost": pa.array(rows["cost"].astype(float)),
        "BillingAccountId": pa.array(rows["linked_account"].astype(str)),
        "BillingCurrency": pa.array(["USD"] * n),
        "BillingPeriodStart": pa.array([_midnight(start)] * n, _TIMESTAMP),
        "BillingPeriodEnd": pa.array([_midnight(_period_end(start))] * n, _TIMESTAMP),
        "ChargeCategory": pa.array(rows["record_type"].astype(str)),
        "ChargePeriodStart": pa.array(days, _TIMESTAMP),
        "ChargePeriodEnd": pa.array([d + timedelta(days=1) for d in days], _TIMESTAMP),
        "ConsumedQuantity": pa.array(rows["usage_quantity"].astype(float)),
        "ConsumedUnit": pa.array(rows["usage_unit"].astype(str)),
        "EffectiveCost": pa.array(rows["cost"].astype(float)),
        "ListCost": pa.array(rows["cost"].astype(float)),
        "ProviderName": pa.array(["AWS"] * n),
        "RegionId": pa.array(rows["region"].astype(str)),
        "ServiceName": pa.array(rows["product_name"]),
        "SubAccountId": pa.array(rows["linked_account"].astype(str)),
        "SubAccountName": pa.array(rows["linked_account_name"].astype(str)),
        "Tags": pa.array(_tags(rows, ""), _TAGS),
        "x_ServiceCode": pa.array(rows["product_code"]),
        "x_UsageType": pa.array(rows["usage_type"].astype(str)),
    }
    return pa.table(columns)


def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="snappy")
    return buffer.getvalue()


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)
