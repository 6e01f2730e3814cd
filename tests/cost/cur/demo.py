"""The demo account's cost history in Cost Explorer and as Data Exports files, and sources."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sentinel.aws.session import SessionFactory
from sentinel.cost.cur.athena_engine import AthenaTarget
from sentinel.cost.cur.source import CurSettings, CurSource
from sentinel.emulator.demo.cost_exports import EXPORT_BUCKET, EXPORT_PREFIXES, write_cost_exports
from sentinel.emulator.demo.costs import cost_history
from sentinel.emulator.extensions.costexplorer import load_cost_table

ROOT = Path(__file__).resolve().parents[3]
ACCOUNT = "123456789012"


def seed_costs(factory: SessionFactory, today: date) -> None:
    """What seed_demo_account does for costs: Cost Explorer's table and the two exports."""
    costs = cost_history(today, ACCOUNT)
    load_cost_table(costs, ACCOUNT)
    write_cost_exports(factory, costs, today)


def cur_source(
    factory: SessionFactory, cache: Path, fmt: str = "cur2", **settings: object
) -> CurSource:
    return CurSource(
        factory,
        CurSettings(EXPORT_BUCKET, EXPORT_PREFIXES[fmt], fmt, cache_dir=cache, **settings),  # type: ignore[arg-type]
    )


def athena_source(
    factory: SessionFactory, cache: Path, fmt: str = "cur2", **kw: object
) -> CurSource:
    target = AthenaTarget(
        workgroup="finops",
        database="cost_exports",
        table=f"p2p_{fmt}",
        output="s3://p2p-athena-results/sentinel/",
        partition_column="billing_period",
    )
    return cur_source(factory, cache, fmt, engine="athena", athena=target, **kw)
