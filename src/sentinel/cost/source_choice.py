"""Which cost source a run reads: ``cost_report.source`` in monitors/, or ``--source``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sentinel.aws.session import SessionFactory
from sentinel.cost.sources import CostExplorerSource, CostSource
from sentinel.errors import SentinelError

SOURCES = ("cost-explorer", "cur")


def source_for(config: Any, factory: SessionFactory, name: str | None = None) -> CostSource:
    """The configured source, or the one named (``cost-explorer`` or ``cur``)."""
    report = config.cost_report
    name = name or (report.source if report is not None else "cost-explorer")
    if name == "cost-explorer":
        return CostExplorerSource(factory)
    if name != "cur":
        raise SentinelError(f"unknown cost source {name!r}: {' or '.join(SOURCES)}")
    export = report.cur if report is not None else None
    if export is None:
        raise SentinelError(
            "the cur source reads an AWS Data Exports export: add `cur: {bucket, prefix, "
            "format}` under cost_report in monitors/"
        )
    from sentinel.cost.cur.athena_engine import AthenaTarget
    from sentinel.cost.cur.source import CurSettings, CurSource

    athena = None
    if export.athena is not None:
        a = export.athena
        athena = AthenaTarget(
            workgroup=a.workgroup,
            database=a.database,
            table=a.table,
            output=a.output,
            catalog=a.catalog,
            partition_column=a.partition_column,
        )
    settings = CurSettings(
        bucket=export.bucket,
        prefix=export.prefix,
        format=export.format,
        engine=export.engine,
        cache_dir=Path(config.root) / export.cache_dir,
        athena=athena,
        region=export.region,
    )
    return CurSource(factory, settings)
