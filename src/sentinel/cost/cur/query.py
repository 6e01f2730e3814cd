"""The SQL of one ``CostQuery`` over an export: the same text for DuckDB and for Athena.

Only map access differs between the two: DuckDB's ``m[key]`` gives the value (NULL when the
key is absent), while Trino's subscript fails on an absent key and its ``element_at`` returns
NULL. Amounts are summed as DECIMAL(38,10) and returned as text, so the figures are exact and
equal on both engines. The answer's columns: ``period`` (YYYY-MM-DD), ``k0``, ``k1``,
``amount`` and ``final`` (false while the period's billing data may still change).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sentinel.cost.cur.schema import ExportSchema, service_names
from sentinel.cost.groupings import Dimension
from sentinel.cost.sources import CostQuery

Engine = Literal["duckdb", "athena"]
KEY_COLUMNS = ("k0", "k1")
DIMENSIONS = ("SERVICE", "USAGE_TYPE", "LINKED_ACCOUNT")
# AWS keeps adjusting a closed month (credits, refunds, late usage) for some days after its
# end; FOCUS has no invoice id to say when it stopped. Five days is a choice (no AWS figure),
# so a month's figures are re-read until then.
FOCUS_SETTLING = timedelta(days=5)


class UnsupportedQuery(ValueError):
    """A query the export cannot answer (a dimension it has no column for)."""


@dataclass(frozen=True)
class Dialect:
    engine: Engine

    def map_value(self, column: str, key: str) -> str:
        if self.engine == "athena":
            return f"element_at({column}, {literal(key)})"
        return f"{column}[{literal(key)}]"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def cost_sql(
    query: CostQuery,
    schema: ExportSchema,
    relation: str,
    engine: Engine,
    today: date,
    columns: Collection[str] | None = None,
    partition_column: str | None = None,
) -> str:
    """SELECT of ``query``'s costs from ``relation`` (a table name or a file scan).

    ``columns`` are the export's columns when known (DuckDB reads the files' schemas): an
    optional column that is absent is not referenced. ``partition_column`` (Athena's
    ``billing_period``) limits the scan to the query's billing periods.
    """
    if len(query.grouping) > len(KEY_COLUMNS):
        raise UnsupportedQuery(f"at most {len(KEY_COLUMNS)} group keys a query")
    dialect = Dialect(engine)
    start = quoted(schema.usage_start)
    if query.granularity == "DAILY":
        period = f"CAST(date_trunc('day', {start}) AS DATE)"
    else:  # calendar months, the first cut at the query's start, as Cost Explorer answers
        first = f"DATE {literal(str(query.start))}"
        period = f"greatest(CAST(date_trunc('month', {start}) AS DATE), {first})"
    keys = [_value(d, schema, dialect, columns) for d in query.grouping]
    keys += ["''"] * (len(KEY_COLUMNS) - len(keys))
    where = [
        f"{start} >= TIMESTAMP {literal(f'{query.start} 00:00:00')}",
        f"{start} < TIMESTAMP {literal(f'{query.end} 00:00:00')}",
    ]
    if partition_column:
        last = query.end - timedelta(days=1)
        where.append(
            f"{quoted(partition_column)} BETWEEN {literal(query.start.strftime('%Y-%m'))} "
            f"AND {literal(last.strftime('%Y-%m'))}"
        )
    if query.where is not None:
        dimension, value = query.where
        expression = _value(dimension, schema, dialect, columns)
        where.append(f"{expression} = {literal(value)}")
    select = [
        f"CAST({period} AS VARCHAR) AS period",
        *(f"{k} AS {name}" for k, name in zip(keys, KEY_COLUMNS, strict=True)),
        f"CAST(sum(CAST({quoted(schema.cost)} AS DECIMAL(38, 10))) AS VARCHAR) AS amount",
        f"bool_and({_final(schema, today, columns)}) AS final",
    ]
    return (
        "SELECT "
        + ", ".join(select)
        + f" FROM {relation} WHERE "
        + " AND ".join(where)
        + " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )


def _value(
    dimension: Dimension, schema: ExportSchema, dialect: Dialect, columns: Collection[str] | None
) -> str:
    """The SQL of a dimension's value, '' where it has none (untagged, as Cost Explorer)."""
    if dimension.kind == "TAG":
        tag = dialect.map_value(quoted(schema.tags), schema.tag_key(dimension.key))
        return f"coalesce({tag}, '')"
    if dimension.key == "SERVICE":
        return service_expression(schema, columns)
    if dimension.key == "USAGE_TYPE":
        if columns is not None and schema.usage_type not in columns:
            raise UnsupportedQuery(f"the export has no {schema.usage_type} column (USAGE_TYPE)")
        return f"coalesce({quoted(schema.usage_type)}, '')"
    if dimension.key == "LINKED_ACCOUNT":
        return f"coalesce(CAST({quoted(schema.account)} AS VARCHAR), '')"
    raise UnsupportedQuery(
        f"{dimension.key} is not read from the export (only {', '.join(DIMENSIONS)} and tags)"
    )


def service_expression(schema: ExportSchema, columns: Collection[str] | None = None) -> str:
    """Cost Explorer's SERVICE of a line: its product code through ``data/cur_services.yaml``.

    A FOCUS export without AWS's x_ServiceCode column is grouped by its ServiceName.
    """
    has_code = columns is None or schema.product_code in columns
    if not has_code and schema.service_name:
        return f"coalesce({quoted(schema.service_name)}, '')"
    names = service_names()
    code = quoted(schema.product_code)
    usage = quoted(schema.usage_type)
    if columns is None or schema.usage_type in columns:
        compute = " OR ".join(
            f"{usage} LIKE {literal(f'%{u}%')}" for u in names.compute_usage_types
        )
        ec2 = (
            f"CASE WHEN {compute} THEN {literal(names.ec2_compute)} "
            f"ELSE {literal(names.ec2_other)} END"
        )
    else:
        ec2 = literal(names.ec2_compute)
    whens = [f"WHEN {code} = {literal(names.ec2_code)} THEN {ec2}"]
    whens += [f"WHEN {code} = {literal(c)} THEN {literal(n)}" for c, n in names.by_code.items()]
    return f"coalesce(CASE {' '.join(whens)} ELSE {code} END, '')"


def _final(schema: ExportSchema, today: date, columns: Collection[str] | None) -> str:
    """Whether a line's billing period is closed: invoiced (CUR 2.0), or ended at least
    ``FOCUS_SETTLING`` ago (FOCUS 1.0 has no invoice column)."""
    if schema.invoice_id and (columns is None or schema.invoice_id in columns):
        return f"coalesce({quoted(schema.invoice_id)}, '') <> ''"
    if schema.billing_period_end and (columns is None or schema.billing_period_end in columns):
        settled = today - FOCUS_SETTLING
        return f"{quoted(schema.billing_period_end)} <= TIMESTAMP {literal(f'{settled} 00:00:00')}"
    return "false"
