"""The anomaly scan over a CUR 2.0 export: 50 accounts x 200 services x 400 days.

The export of ``bench.cur_report`` (4,000,000 lines, 14 monthly Parquet files, in an in-process
emulated S3), with spikes and drops injected into known series on known days. Timed in a fresh
process, with its peak resident memory: the daemon's scan (the last 7 days, with the 86 days of
history its baseline needs) on empty caches and the next day, and a scan of the whole history
(``sentinel cost anomalies --days 314``: 314 days and their 86 days of history, all 400) on
empty caches and again. The check is that the anomalies found are exactly the injected ones.
The Cost Explorer requests of the same scans are counted on the emulated Cost Explorer, over
the export's spend per service and day (few groups: a lower bound, see ``_cost_explorer``).

    python -m bench cur_anomalies
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import time_machine
from moto import mock_aws

from bench.cur_report import (
    BUCKET,
    DAYS,
    ENVIRONMENTS,
    PREFIX,
    TODAY,
    _config,
    _export,
    _peak_mb,
)
from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.cost.anomalies import BASELINE_DAYS
from sentinel.cost.cache import CostCache
from sentinel.cost.cur.source import CurSettings, CurSource
from sentinel.cost.detection import DetectionSettings
from sentinel.cost.runs import SCAN_DAYS, run_scan
from sentinel.cost.scan import AnomalyScan
from sentinel.cost.sources import CostExplorerSource, CostSource
from sentinel.emulator.cost_table import CostRecord, CostTable
from sentinel.emulator.extensions import install
from sentinel.emulator.extensions.costexplorer import load_cost_table
from sentinel.store import Store

# The whole history: the longest window whose baseline history is still in the export.
HISTORY_DAYS = DAYS - BASELINE_DAYS - DetectionSettings().max_days
# Every scan ends on the export's last day (on the next day too: the export then holds no new
# day yet, and its open month's days, estimated, are queried again).
LAST_DAY = TODAY - timedelta(days=1)


@dataclass(frozen=True)
class Injected:
    """Spend added to one account's line of one service on known days (``service`` set), or
    an account whose spend stops (``service`` None)."""

    account: int
    first: date
    days: int
    service: int | None = None
    extra: float = 0.0  # dollars a day

    @property
    def id(self) -> str:
        if self.service is None:
            return f"LINKED_ACCOUNT={100000000000 + self.account}@{self.first}/drop"
        return f"SERVICE=AmazonSvc{self.service:03d}@{self.first}"

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.days - 1)


INJECTED = [
    # In the daemon's week.
    Injected(3, TODAY - timedelta(days=3), 1, service=17, extra=4000.0),
    Injected(22, TODAY - timedelta(days=6), 2),
    # Earlier: only the scan of the whole history sees them.
    Injected(40, TODAY - timedelta(days=200), 3, service=150, extra=2500.0),
    Injected(11, TODAY - timedelta(days=120), 1, service=88, extra=6000.0),
    Injected(35, TODAY - timedelta(days=45), 4),
]
STOPPED = {i.account for i in INJECTED if i.service is None}


def _inject(directory: Path, changes: list[Injected]) -> None:
    """Rewrite the export's files with the injected spend."""
    for path in sorted(directory.rglob("*.parquet")):
        table = pq.read_table(path)
        cost = table.column("line_item_unblended_cost").to_numpy().copy()
        days = table.column("line_item_usage_start_date").to_numpy().astype("datetime64[D]")
        accounts = table.column("line_item_usage_account_id").to_numpy(zero_copy_only=False)
        services = table.column("line_item_product_code").to_numpy(zero_copy_only=False)
        for change in changes:
            first = np.datetime64(change.first)
            on = (days >= first) & (days < first + np.timedelta64(change.days, "D"))
            on &= accounts == str(100000000000 + change.account)
            if change.service is None:
                cost[on] = 0.0
            else:
                cost[on & (services == f"AmazonSvc{change.service:03d}")] += change.extra
        index = table.schema.get_field_index("line_item_unblended_cost")
        table = table.set_column(index, "line_item_unblended_cost", pa.array(cost))
        pq.write_table(table, path, compression="snappy")


def main() -> int:
    """Write the export here, then time the scans in a fresh process (its own peak memory)."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        export = Path(tmp) / "export"
        lines, size = _export(export)
        _inject(export, INJECTED)
        print(
            f"export: {lines:,} lines, {size / 2**20:.0f} MiB Parquet, with "
            f"{len(INJECTED)} injected anomalies, written in "
            f"{time.perf_counter() - started:.1f} s"
        )
        return subprocess.call([sys.executable, "-m", "bench.cur_anomalies", tmp])


class CacheTimes:
    """Seconds spent in the cost cache's day writes and reads during a run."""

    def __init__(self) -> None:
        self.saved = self.read = 0.0
        self.rows_saved = 0

    @contextmanager
    def watching(self) -> Iterator[None]:
        save, read = CostCache._save_days, CostCache._read_days

        def timed_save(cache: CostCache, label: str, answer: Any) -> None:
            started = time.perf_counter()
            save(cache, label, answer)
            self.saved += time.perf_counter() - started
            self.rows_saved += len(answer.rows)

        def timed_read(cache: CostCache, *args: Any) -> Any:
            started = time.perf_counter()
            result = read(cache, *args)
            self.read += time.perf_counter() - started
            return result

        CostCache._save_days = timed_save  # type: ignore[method-assign]
        CostCache._read_days = timed_read  # type: ignore[method-assign]
        try:
            yield
        finally:
            CostCache._save_days = save  # type: ignore[method-assign]
            CostCache._read_days = read  # type: ignore[method-assign]


def _wanted(scan: AnomalyScan) -> set[str]:
    """The injected anomalies the scan's window touches."""
    return {i.id for i in INJECTED if scan.start <= i.last and i.first <= scan.end}


def _check(scan: AnomalyScan) -> bool:
    found = {a.id: a for a in scan.anomalies}
    wanted = _wanted(scan)
    for anomaly_id, anomaly in sorted(found.items()):
        drivers = ", ".join(str(d) for d in anomaly.drivers) or "-"
        print(
            f"    {'injected' if anomaly_id in wanted else 'NOT INJECTED'}: {anomaly_id}, "
            f"{anomaly.days} day(s), {anomaly.impact} USD; drivers {drivers}; "
            f"{len(anomaly.related)} related series"
        )
    for anomaly_id in sorted(wanted - set(found)):
        print(f"    MISSED: {anomaly_id}")
    return set(found) == wanted


def _runs(tmp: str) -> list[tuple[str, str, int, date]]:
    """(label, store, days scanned, day it runs on) of each measured scan."""
    week, everything = f"sqlite:///{tmp}/week.db", f"sqlite:///{tmp}/all.db"
    return [
        ("daemon's scan (7 days), cold", week, SCAN_DAYS, TODAY),
        ("daemon's scan (7 days), the next day", week, SCAN_DAYS, TODAY + timedelta(days=1)),
        (f"whole history ({HISTORY_DAYS} days), cold", everything, HISTORY_DAYS, TODAY),
        (f"whole history ({HISTORY_DAYS} days), again", everything, HISTORY_DAYS, TODAY),
    ]


def _scan(
    config: Any, factory: SessionFactory, source: CostSource, url: str, days: int, on: date
) -> tuple[AnomalyScan, float, float]:
    """The scan, its wall time and the process's processor time (DuckDB's threads included)."""
    with time_machine.travel(datetime(on.year, on.month, on.day, 12, tzinfo=UTC)):
        started, cpu = time.perf_counter(), time.process_time()
        scan = run_scan(config, factory, Store(url), days, LAST_DAY, source=source).scan
        return scan, time.perf_counter() - started, time.process_time() - cpu


def _scans(tmp: str) -> int:
    install()
    ok = True
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
        for label, url, days, on in _runs(tmp):
            cache_dir = Path(tmp) / ("cur-week" if days == SCAN_DAYS else "cur-all")
            source = CurSource(factory, CurSettings(BUCKET, PREFIX, cache_dir=cache_dir))
            times = CacheTimes()
            with times.watching():
                scan, seconds, cpu = _scan(config, factory, source, url, days, on)
            print(
                f"{label}: {seconds:.1f} s, processor {cpu:.1f} s ({times.saved:.1f} s writing "
                f"{times.rows_saved:,} rows to the cost cache, {times.read:.1f} s reading back); "
                f"{source.stats.queries} queries, {source.stats.files.downloads} files "
                f"downloaded, {source.stats.files.reused} reused; {scan.start} to {scan.end}; "
                f"missing: {'; '.join(map(str, scan.missing)) or 'none'}; "
                f"peak RSS {_peak_mb():.0f} MiB"
            )
            ok &= _check(scan)
    ok &= _cost_explorer(load_config(Path(tmp) / "config"), tmp)
    return 0 if ok else 1


def _ce_records(export: Path) -> list[CostRecord]:
    """The export's spend per service and day as Cost Explorer records: one linked account
    for the accounts whose spend never stops, and each account that stops on its own."""
    records = []
    keys = ["line_item_usage_start_date", "line_item_product_code", "account"]
    for path in sorted(export.rglob("*.parquet")):
        table = pq.read_table(path, columns=[*keys[:2], "line_item_usage_account_id"])
        accounts = table.column("line_item_usage_account_id").to_pylist()
        stopped = {str(100000000000 + a) for a in STOPPED}
        account = pa.array([a if a in stopped else "100000000000" for a in accounts])
        cost = pq.read_table(path, columns=["line_item_unblended_cost"]).column(0)
        sums = (
            table.select(keys[:2])
            .append_column("account", account)
            .append_column("cost", cost)
            .group_by(keys)
            .aggregate([("cost", "sum")])
        )
        days = pc.cast(sums.column(keys[0]), pa.date32()).to_pylist()
        for day, service, linked, amount in zip(
            days,
            sums.column(keys[1]).to_pylist(),
            sums.column("account").to_pylist(),
            sums.column("cost_sum").to_pylist(),
            strict=True,
        ):
            s = int(service[-3:])
            records.append(
                CostRecord(
                    day=day,
                    service=service,
                    usage_type=f"Usage{s % 7}",
                    cost=float(amount),
                    linked_account=linked,
                    tags={"Environment": ENVIRONMENTS[s % 3], "CostCenter": f"cc-{s % 9}"},
                )
            )
    return records


def _cost_explorer(config: Any, tmp: str) -> bool:
    """The Cost Explorer requests of the same scans, on the emulated Cost Explorer.

    Its records are the export's spend per service and day, in one linked account for the
    accounts that never stop and one for each that does: the service series, the stopped
    accounts' series, and so the anomalies, each with its request for drivers, are the
    export's. The emulator pages a grouped answer by five days whatever the number of groups,
    so these few groups make as many requests as the export's 10,000 a day would: a lower
    bound for real Cost Explorer, which also pages by groups.
    """
    ok = True
    with mock_aws():
        factory = SessionFactory(session=boto3.Session(region_name="us-east-1"))
        load_cost_table(CostTable.from_records(_ce_records(Path(tmp) / "export")), "123456789012")
        for label, url, days, on in _runs(tmp):
            source = CostExplorerSource(factory)
            scan, seconds, _ = _scan(
                config, factory, source, url.replace(".db", "-ce.db"), days, on
            )
            found, wanted = {a.id for a in scan.anomalies}, _wanted(scan)
            print(
                f"Cost Explorer, {label}: {scan.requests} requests (${scan.requests * 0.01:.2f}), "
                f"{seconds:.1f} s; {len(found & wanted)} of the {len(wanted)} injected anomalies "
                f"found, {len(found - wanted)} others; the export answered it with none"
            )
            ok &= found == wanted
    return ok


if __name__ == "__main__":
    raise SystemExit(_scans(sys.argv[1]) if len(sys.argv) > 1 else main())
