"""Cost Explorer requests per daily report: cold cache, the same day again, steady state.

Against the emulator (in process) holding the demo account's 13 months of daily costs, with the
P2P Sandbox configuration of the repository root (SERVICE, three tag keys daily, one required
key month-level). The clock is moved a day at a time (time-machine); each day a new day of
costs is there to fetch and the last days are estimated, as in Cost Explorer. The history is
seeded once, as of the last day, so that past days keep their cost (the demo seed places its
anomalies relative to the day it is seeded, which would restate past days every day). Every
request is counted by the session factory's counter, as ``--verbose`` shows it.

    python -m bench cost_requests
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import time_machine
from moto import mock_aws

from sentinel.aws.session import COST_EXPLORER_REQUEST_USD, SessionFactory
from sentinel.config import load_config
from sentinel.cost.cache import CostCache
from sentinel.cost.report import build_report
from sentinel.cost.scan import scan_anomalies
from sentinel.cost.sources import CostExplorerSource, ce_requests
from sentinel.emulator.demo.costs import cost_history
from sentinel.emulator.extensions import install
from sentinel.emulator.extensions.costexplorer import load_cost_table
from sentinel.store import Store

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "123456789012"
STEADY_DAYS = 5
SCAN_DAYS = 7  # the daemon's scan


def main() -> int:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    install()
    config = load_config(ROOT)
    start = datetime.now(UTC).replace(hour=8, minute=0, second=0, microsecond=0)
    last = start.date() + timedelta(days=STEADY_DAYS)
    print(f"{'day':<18} {'report alone':>14} {'daemon: scan + report':>24}")
    worst = 0
    with tempfile.TemporaryDirectory() as tmp, mock_aws():
        factory = SessionFactory(session=boto3.Session(region_name="us-east-1"))
        load_cost_table(cost_history(last, ACCOUNT), ACCOUNT)
        alone = Store(f"sqlite:///{Path(tmp) / 'alone.db'}")
        daemon = Store(f"sqlite:///{Path(tmp) / 'daemon.db'}")
        for offset in range(STEADY_DAYS + 1):
            with time_machine.travel(start + timedelta(days=offset), tick=True):
                today = datetime.now(UTC).date()
                day = today - timedelta(days=1)
                label = "1 (cold cache)" if offset == 0 else f"{offset + 1}"
                factory.counter.reset()
                report = build_report(config, cache(alone, factory), factory, day, today)
                assert report.complete, report.missing
                by_report = ce_requests(factory)
                factory.counter.reset()
                scan = scan_anomalies(config, cache(daemon, factory), day, SCAN_DAYS, today)
                by_scan = ce_requests(factory)
                factory.counter.reset()
                build_report(config, cache(daemon, factory), factory, day, today)
                after_scan = ce_requests(factory)
                new = {a.id for a in scan.anomalies}
                both = by_scan + after_scan
                print(
                    f"{label:<18} {by_report:>5} ({usd(by_report)})"
                    f"   {by_scan:>3} + {after_scan} = {both:>3} ({usd(both)})"
                    f"   anomalies: {len(new)}"
                )
                if offset == 0:
                    factory.counter.reset()
                    build_report(config, cache(alone, factory), factory, day, today)
                    print(
                        f"{'1, again':<18} {ce_requests(factory):>5} ({usd(ce_requests(factory))})"
                    )
                else:
                    worst = max(worst, by_report, both)
    print(f"steady state: at most {worst} requests a day, report alone or scan and report")
    return 0 if worst <= 4 else 1


def cache(store: Store, factory: SessionFactory) -> CostCache:
    return CostCache(store, CostExplorerSource(factory))


def usd(requests: int) -> str:
    return f"${requests * COST_EXPLORER_REQUEST_USD:.2f}"


if __name__ == "__main__":
    raise SystemExit(main())
