"""Several accounts: cost grouped by LINKED_ACCOUNT too, and each account is a series."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.cost.groupings import LINKED_ACCOUNT, SeriesKey, plan_for
from sentinel.cost.runs import run_scan
from sentinel.emulator.cost_table import CostRecord, CostTable
from sentinel.emulator.extensions.costexplorer import load_cost_table
from sentinel.store import Store

from .bills import daily_records
from .project import PROJECT, write_config

ML = "Amazon SageMaker"
ACCOUNTS = """\
accounts:
  - {id: "111111111111", name: shop-prod}
  - {id: "222222222222", name: shop-ml}
"""


def test_each_account_is_a_series(
    aws: SessionFactory, store: Store, today: date, tmp_path: Path
) -> None:
    root = write_config(tmp_path / "config")
    (root / "sentinel.yaml").write_text(PROJECT + ACCOUNTS)
    config = load_config(root)
    plan = plan_for(config)
    assert plan.accounts and (LINKED_ACCOUNT,) in plan.daily

    records = [
        CostRecord(
            r.day, r.service, r.usage_type, r.cost, tags=r.tags, linked_account="111111111111"
        )
        for r in daily_records(today)
    ]
    tags = {"Environment": "dev", "Service": "backend", "Owner": "team-ml", "CostCenter": "ml-100"}
    for ago in range(120, 0, -1):
        cost = 20.0 + (160.0 if ago <= 2 else 0.0)  # a training job left running two days
        day = today - timedelta(days=ago)
        records.append(
            CostRecord(
                day, ML, "ml.p3.2xlarge-Training", cost, tags=tags, linked_account="222222222222"
            )
        )
    load_cost_table(CostTable.from_records(records))

    run = run_scan(config, aws, store, 7, today - timedelta(days=1))
    [anomaly] = run.scan.anomalies
    assert anomaly.series.value == ML
    assert (anomaly.start, anomaly.days, anomaly.ongoing) == (today - timedelta(days=2), 2, True)
    assert "account=222222222222" in anomaly.related
    assert [d.name for d in anomaly.drivers] == ["ml.p3.2xlarge-Training"]
    assert SeriesKey(LINKED_ACCOUNT, "222222222222").label == "account=222222222222"
