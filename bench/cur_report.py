"""The daily report from a CUR 2.0 export: 50 accounts x 200 services x 400 days.

A CUR 2.0 export (one line per account, service and day: 4,000,000 lines in 14 monthly Parquet
files) is written into an in-process emulated S3. Timed, with the process's peak resident
memory (DuckDB allocates outside Python's heap, so tracemalloc would not see it): the report on
a cold start (files downloaded, every day queried), the next report (files reused from the
local cache, days from the report cache), and the Cost Explorer requests and dollars the same
cold report makes, counted on the emulated Cost Explorer over one account's share of the bill
and scaled by the pages per query that 50 accounts' groups take.

    python -m bench cur_report
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import boto3
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import time_machine
from moto import mock_aws

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.cost.cur.source import CurSettings, CurSource
from sentinel.cost.money import usd
from sentinel.cost.runs import run_report
from sentinel.cost.sources import CostExplorerSource
from sentinel.emulator.cost_table import CostRecord, CostTable
from sentinel.emulator.extensions import install
from sentinel.emulator.extensions.costexplorer import load_cost_table
from sentinel.store import Store

ACCOUNTS = 50
SERVICES = 200
DAYS = 400
TODAY = date(2026, 3, 15)
BUCKET = "bench-cost-exports"
PREFIX = "exports/org-cur2"
ENVIRONMENTS = ("production", "staging", "dev")


def _config(root: Path) -> Path:
    accounts = "".join(
        f'  - {{id: "{100000000000 + a}", name: acct-{a:02d}}}\n' for a in range(ACCOUNTS)
    )
    files = {
        "sentinel.yaml": f"project: bench\ntimezone: UTC\naccounts:\n{accounts}",
        "monitors/cost.yaml": (
            "cost_report:\n  top_services: 8\n  group_by_tags: [Environment, CostCenter]\n"
            f"  source: cur\n  cur: {{bucket: {BUCKET}, prefix: {PREFIX}}}\n"
            "anomaly_detection:\n  min_impact: 500 USD\n  min_percent: 20%\n"
        ),
        "budgets/budgets.yaml": (
            "budgets:\n  - {name: total, amount: 9000000 USD,"
            " alerts: [{threshold: 80%, notify: [ops@example.com]}]}\n"
            "tagging:\n  required:\n"
            "    - {key: Environment, values: [production, staging, dev]}\n"
            "    - {key: CostCenter, pattern: '^cc-[0-9]+$'}\n"
        ),
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _export(directory: Path) -> tuple[int, int]:
    """Write the export month by month under ``directory``; (lines, bytes)."""
    rng = np.random.default_rng(7)
    first = TODAY - timedelta(days=DAYS)
    level = np.exp(rng.uniform(np.log(0.05), np.log(40), (ACCOUNTS, SERVICES)))
    accounts = np.repeat([str(100000000000 + a) for a in range(ACCOUNTS)], SERVICES)
    services = np.tile([f"AmazonSvc{s:03d}" for s in range(SERVICES)], ACCOUNTS)
    usage = np.tile([f"Usage{s % 7}" for s in range(SERVICES)], ACCOUNTS)
    tags = [
        [("user_Environment", ENVIRONMENTS[(a + s) % 3]), ("user_CostCenter", f"cc-{s % 9}")]
        if (a * SERVICES + s) % 13
        else []
        for a in range(ACCOUNTS)
        for s in range(SERVICES)
    ]
    lines = written = 0
    month = first.replace(day=1)
    while month < TODAY:
        following = (month + timedelta(days=32)).replace(day=1)
        days = [
            month + timedelta(days=i)
            for i in range((following - month).days)
            if first <= month + timedelta(days=i) < TODAY
        ]
        n = len(days) * ACCOUNTS * SERVICES
        cost = level.ravel()[None, :] * (1 + 0.05 * rng.standard_normal((len(days), level.size)))
        starts = np.repeat([datetime(d.year, d.month, d.day) for d in days], ACCOUNTS * SERVICES)
        table = pa.table(
            {
                "bill_billing_period_start_date": pa.array(
                    [datetime(month.year, month.month, 1)] * n, pa.timestamp("ms")
                ),
                "bill_invoice_id": pa.array([""] * n),
                "line_item_usage_account_id": pa.array(np.tile(accounts, len(days))),
                "line_item_usage_start_date": pa.array(starts, pa.timestamp("ms")),
                "line_item_product_code": pa.array(np.tile(services, len(days))),
                "line_item_usage_type": pa.array(np.tile(usage, len(days))),
                "line_item_unblended_cost": pa.array(np.round(cost.ravel(), 10)),
                "resource_tags": pa.array(tags * len(days), pa.map_(pa.string(), pa.string())),
            }
        )
        path = (
            directory / f"{PREFIX}/data/BILLING_PERIOD={month:%Y-%m}/org-cur2-00001.snappy.parquet"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path, compression="snappy")
        lines += n
        written += path.stat().st_size
        month = following
    return lines, written


def _cost_explorer(config: object, tmp: str) -> None:
    """The Cost Explorer requests of the same two runs, on the emulated Cost Explorer.

    The emulator pages a grouped answer by five days whatever the number of groups, so one
    account's share of the bill makes as many requests as all fifty (real Cost Explorer also
    pages by the number of groups: this is a lower bound).
    """
    rng = np.random.default_rng(7)
    first = TODAY - timedelta(days=DAYS)
    records = [
        CostRecord(
            day=first + timedelta(days=d),
            service=f"AmazonSvc{s:03d}",
            usage_type=f"Usage{s % 7}",
            cost=float(rng.uniform(0.05, 40)),
            linked_account="100000000000",
            tags={"Environment": ENVIRONMENTS[s % 3], "CostCenter": f"cc-{s % 9}"},
        )
        for d in range(DAYS)
        for s in range(SERVICES)
    ]
    with mock_aws():
        factory = SessionFactory(session=boto3.Session(region_name="us-east-1"))
        load_cost_table(CostTable.from_records(records), "123456789012")
        store = Store(f"sqlite:///{tmp}/ce.db")
        for label, day in (("cold", TODAY), ("the next day's", TODAY + timedelta(days=1))):
            with time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC)):
                report = run_report(
                    config,
                    factory,
                    store,
                    TODAY - timedelta(days=1),
                    deliver=False,
                    source=CostExplorerSource(factory),
                ).report
            print(
                f"Cost Explorer, {label} report: {report.ce_requests} requests "
                f"(${report.ce_requests * 0.01:.2f}); the export answered it with none"
            )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    """Write the export here, then time the reports in a fresh process (its own peak memory)."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        lines, size = _export(Path(tmp) / "export")
        print(
            f"export: {lines:,} lines, {size / 2**20:.0f} MiB Parquet, written in "
            f"{time.perf_counter() - started:.1f} s"
        )
        return subprocess.call([sys.executable, "-m", "bench.cur_report", tmp])


def _reports(tmp: str) -> int:
    install()
    with mock_aws():
        root = _config(Path(tmp) / "config")
        factory = SessionFactory(session=boto3.Session(region_name="us-east-1"))
        s3 = factory.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        export = Path(tmp) / "export"
        for path in sorted(export.rglob("*.parquet")):
            s3.upload_file(str(path), BUCKET, str(path.relative_to(export)))
        print(f"in the emulated S3; peak RSS so far {_peak_mb():.0f} MiB (Python, moto, the files)")
        config = load_config(root)
        store = Store(f"sqlite:///{tmp}/store.db")
        settings = CurSettings(BUCKET, PREFIX, cache_dir=Path(tmp) / "cur")
        runs = (
            ("cold (download, query every day)", TODAY),
            ("the next day's run (cache; open days queried again)", TODAY + timedelta(days=1)),
        )
        for label, day in runs:
            with time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC)):
                source = CurSource(factory, settings)
                started = time.perf_counter()
                report = run_report(
                    config, factory, store, TODAY - timedelta(days=1), deliver=False, source=source
                ).report
                seconds = time.perf_counter() - started
                print(
                    f"report {label}: {seconds:.1f} s, {source.stats.queries} queries, "
                    f"{source.stats.files.downloads} files downloaded, "
                    f"{source.stats.files.reused} reused; spend {usd(report.yesterday.current)}; "
                    f"missing {len(report.missing)}; peak RSS {_peak_mb():.0f} MiB"
                )
    _cost_explorer(load_config(Path(tmp) / "config"), tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(_reports(sys.argv[1]) if len(sys.argv) > 1 else main())
