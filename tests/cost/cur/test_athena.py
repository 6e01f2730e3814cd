"""The Athena engine: its calls, checked against moto's Athena, and its SQL's figures.

moto's Athena runs no query (it hands out canned results), so the emulator answers each
StartQueryExecution by running the very SQL Sentinel sent on DuckDB over the same Parquet
files, with the Athena table a view of them; Trino's ``element_at(map, key)`` is DuckDB's
``map_extract_value``. What is asserted: the calls Athena received, and that the report from
the Athena engine equals the Cost Explorer one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from moto.athena.models import athena_backends

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.cost.cur import duckdb_engine
from sentinel.cost.cur.files import DownloadStats, FileCache, list_export_files
from sentinel.cost.runs import run_report
from sentinel.cost.sources import CostExplorerSource
from sentinel.emulator.demo.cost_exports import EXPORT_BUCKET, EXPORT_PREFIXES
from sentinel.emulator.extensions.athena import running_queries
from sentinel.store import Store

from .demo import ACCOUNT, ROOT, athena_source, seed_costs
from .test_equal_figures import figures


class DuckDbAsAthena:
    """Runs the SQL Athena receives on DuckDB, the export's files as table ``database.table``."""

    def __init__(self, factory: SessionFactory, fmt: str, cache: Path, table: str) -> None:
        s3 = factory.client("s3")
        files = list_export_files(s3, EXPORT_BUCKET, EXPORT_PREFIXES[fmt], DownloadStats())
        local = FileCache(cache, EXPORT_BUCKET)
        paths = [local.local(s3, f, DownloadStats()) for f in files]
        self.connection = duckdb_engine.connect()
        self.connection.execute("CREATE SCHEMA cost_exports")
        self.connection.execute(
            f'CREATE VIEW cost_exports."{table}" AS SELECT * FROM {duckdb_engine.scan(paths)}'
        )
        self.queries: list[str] = []

    def __call__(self, sql: str) -> tuple[Sequence[str], Sequence[Sequence[str | None]]]:
        self.queries.append(sql)
        cursor = self.connection.execute(sql.replace("element_at(", "map_extract_value("))
        names = [d[0] for d in cursor.description or []]
        rows = [
            [None if v is None else str(v).lower() if isinstance(v, bool) else str(v) for v in row]
            for row in cursor.fetchall()
        ]
        return names, rows


@pytest.mark.parametrize("fmt", ["cur2", "focus"])
def test_the_report_from_athena_equals_the_cost_explorer_report(
    aws: SessionFactory, tmp_path: Path, today: date, fmt: str
) -> None:
    seed_costs(aws, today)
    aws.client("athena").create_work_group(Name="finops")
    config = load_config(ROOT)
    explorer = run_report(
        config,
        aws,
        Store(f"sqlite:///{tmp_path}/ce.db"),
        deliver=False,
        source=CostExplorerSource(aws),
    ).report
    engine = DuckDbAsAthena(aws, fmt, tmp_path / "athena-files", f"p2p_{fmt}")
    # Small result pages: every answer of more than 50 rows is read through NextToken.
    source = athena_source(aws, tmp_path / "cache", fmt, results_page_size=50)
    with running_queries(engine):
        export = run_report(
            config, aws, Store(f"sqlite:///{tmp_path}/athena.db"), deliver=False, source=source
        ).report

    assert figures(export) == figures(explorer)
    executions = list(athena_backends[ACCOUNT]["us-east-1"].executions.values())
    assert [e.query for e in executions] == engine.queries
    assert len(executions) == source.stats.queries > 0
    for execution in executions:
        assert execution.context == {"Database": "cost_exports"}
        # Athena writes each result under the output location given, as <execution id>.csv.
        location = execution.config["OutputLocation"]
        assert location == f"s3://p2p-athena-results/sentinel/{execution.id}.csv"
        assert execution.workgroup.name == "finops"
        assert f'FROM "cost_exports"."p2p_{fmt}"' in execution.query
        # The partition column limits what Athena scans (and bills) to the query's months.
        assert '"billing_period" BETWEEN' in execution.query
    # No file was read by Sentinel itself: Athena reads the export.
    assert source.stats.files.downloads == 0


def test_athena_results_are_read_in_pages(aws: SessionFactory, tmp_path: Path) -> None:
    from sentinel.cost.cur.athena_engine import AthenaEngine, AthenaTarget

    rows = [[str(i)] for i in range(7)]
    engine = AthenaEngine(aws.client("athena"), AthenaTarget("primary", "db", "t"), page_size=3)
    calls: list[str] = []

    def answer(sql: str) -> tuple[list[str], list[list[str | None]]]:
        calls.append(sql)
        return ["n"], rows

    with running_queries(answer):
        got = engine.run("SELECT n FROM t")

    assert got == [{"n": str(i)} for i in range(7)]
    assert calls == ["SELECT n FROM t"]
