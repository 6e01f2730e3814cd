"""The SQL of a cost query, run on DuckDB over small files: Cost Explorer's names and keys."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sentinel.cost.cur import duckdb_engine
from sentinel.cost.cur.query import cost_sql
from sentinel.cost.cur.schema import CUR2, FOCUS
from sentinel.cost.groupings import SERVICE, Dimension
from sentinel.cost.sources import CostQuery

TAGS = pa.map_(pa.string(), pa.string())
DAY = datetime(2026, 3, 2)


def _run(path: Path, query: CostQuery, schema: object, columns: set[str]) -> list[tuple]:
    connection = duckdb_engine.connect()
    sql = cost_sql(query, schema, duckdb_engine.scan([path]), "duckdb", date(2026, 3, 10), columns)  # type: ignore[arg-type]
    return [
        (r["period"], r["k0"], r["k1"], r["amount"]) for r in duckdb_engine.run(connection, sql)
    ]


def test_ec2_splits_as_cost_explorer_does_and_untagged_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "cur.parquet"
    pq.write_table(
        pa.table(
            {
                "line_item_usage_start_date": pa.array([DAY] * 4, pa.timestamp("ms")),
                "line_item_unblended_cost": [1.25, 2.5, 0.125, 4.0],
                "line_item_product_code": ["AmazonEC2", "AmazonEC2", "AmazonEC2", "AmazonNew"],
                "line_item_usage_type": [
                    "USE2-BoxUsage:m5.large",
                    "EBS:VolumeUsage.gp3",
                    "NatGateway-Hours",
                    "Thing",
                ],
                "line_item_usage_account_id": ["111111111111"] * 4,
                "bill_invoice_id": [""] * 4,
                "resource_tags": pa.array(
                    [[("user_Environment", "production")], [], [("user_Owner", "x")], []], TAGS
                ),
            }
        ),
        path,
    )
    columns = {f.name for f in pq.read_schema(path)}
    query = CostQuery((SERVICE, Dimension.tag("Environment")), date(2026, 3, 1), date(2026, 3, 3))
    assert _run(path, query, CUR2, columns) == [
        ("2026-03-02", "Amazon Elastic Compute Cloud - Compute", "production", "1.2500000000"),
        ("2026-03-02", "AmazonNew", "", "4.0000000000"),  # an unknown code, as it is
        ("2026-03-02", "EC2 - Other", "", "2.6250000000"),
    ]
    untagged = CostQuery(
        (SERVICE,), date(2026, 3, 1), date(2026, 3, 3), where=(Dimension.tag("Environment"), "")
    )
    assert [r[1] for r in _run(path, untagged, CUR2, columns)] == ["AmazonNew", "EC2 - Other"]


def test_a_focus_export_without_aws_columns_groups_by_service_name(tmp_path: Path) -> None:
    path = tmp_path / "focus.parquet"
    pq.write_table(
        pa.table(
            {
                "ChargePeriodStart": pa.array([DAY, datetime(2026, 4, 1)], pa.timestamp("ms")),
                "BilledCost": [3.0, 5.0],
                "ServiceName": ["Amazon Simple Storage Service", "Amazon Simple Storage Service"],
                "SubAccountId": ["222222222222", "222222222222"],
                "BillingPeriodEnd": pa.array(
                    [datetime(2026, 4, 1), datetime(2026, 5, 1)], pa.timestamp("ms")
                ),
                "Tags": pa.array([[("Environment", "dev")], []], TAGS),
            }
        ),
        path,
    )
    columns = {f.name for f in pq.read_schema(path)}
    # Months as Cost Explorer answers them: the first cut at the query's start.
    query = CostQuery((SERVICE,), date(2026, 3, 2), date(2026, 4, 30), granularity="MONTHLY")
    assert _run(path, query, FOCUS, columns) == [
        ("2026-03-02", "Amazon Simple Storage Service", "", "3.0000000000"),
        ("2026-04-01", "Amazon Simple Storage Service", "", "5.0000000000"),
    ]


def test_a_focus_month_stays_estimated_until_it_has_settled(tmp_path: Path) -> None:
    from sentinel.cost.cur.query import FOCUS_SETTLING

    path = tmp_path / "focus.parquet"
    pq.write_table(
        pa.table(
            {
                "ChargePeriodStart": pa.array([DAY], pa.timestamp("ms")),
                "BilledCost": [3.0],
                "ServiceName": ["Amazon Simple Storage Service"],
                "SubAccountId": ["222222222222"],
                "BillingPeriodEnd": pa.array([datetime(2026, 4, 1)], pa.timestamp("ms")),
            }
        ),
        path,
    )
    columns = {f.name for f in pq.read_schema(path)}
    query = CostQuery((SERVICE,), date(2026, 3, 1), date(2026, 4, 1), granularity="MONTHLY")

    def final_on(today: date) -> bool:
        connection = duckdb_engine.connect()
        sql = cost_sql(query, FOCUS, duckdb_engine.scan([path]), "duckdb", today, columns)
        (row,) = duckdb_engine.run(connection, sql)
        return bool(row["final"])

    assert FOCUS_SETTLING.days == 5
    assert not final_on(date(2026, 4, 1))  # the period has just ended: credits may follow
    assert not final_on(date(2026, 4, 5))
    assert final_on(date(2026, 4, 6))
