"""The daily report of an account with 200 services and 400 days of history.

An in-memory cost source (the ``CostSource`` seam, as the Cost and Usage Report through Athena
would plug in) serves 200 services, each tagged with an environment, a service, an owner and a
cost centre, for 400 days. Timed, with peak memory (tracemalloc): filling the SQLite cache with
the 400 days, the report of the last day from that cache, a cold report (empty cache), and an
anomaly scan over the last 300 days of every series (total, 200 services, the tag values).

    python -m bench cost_report
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sentinel.config import load_config
from sentinel.cost.cache import CostCache
from sentinel.cost.groupings import plan_for
from sentinel.cost.report import build_report
from sentinel.cost.scan import scan_anomalies
from sentinel.cost.sources import CostDataUnavailable, CostQuery, CostRows, Forecast
from sentinel.store import Store

SERVICES = 200
DAYS = 400
TODAY = date(2026, 3, 15)
ENVIRONMENTS = ("production", "staging", "dev")
TAGS = ("Environment", "Service", "Owner", "CostCenter")
CONFIG = {
    "sentinel.yaml": "project: bench\ntimezone: UTC\n",
    "monitors/cost.yaml": (
        "cost_report:\n  top_services: 8\n  group_by_tags: [Environment, Service, CostCenter]\n"
        "anomaly_detection:\n  min_impact: 50 USD\n  min_percent: 20%\n"
    ),
    "budgets/budgets.yaml": (
        "budgets:\n"
        "  - {name: total, amount: 900000 USD,"
        " alerts: [{threshold: 80%, notify: [ops@example.com]}]}\n"
        "  - {name: production, amount: 600000 USD, filters: {tags: {Environment: production}},"
        " alerts: [{threshold: 100%, notify: [ops@example.com]}]}\n"
        "tagging:\n  required:\n"
        "    - {key: Environment, values: [production, staging, dev]}\n"
        "    - {key: Service, pattern: '^svc-[0-9]+$'}\n"
        "    - {key: Owner, pattern: '^team-[a-z]+$'}\n"
        "    - {key: CostCenter, pattern: '^cc-[0-9]+$'}\n"
    ),
}


class SyntheticSource:
    """Daily cost of 200 services (two line items each, in different environments)."""

    name = "bench"
    max_group_by = 2

    def __init__(self) -> None:
        rng = np.random.default_rng(3)
        days = pd.date_range(TODAY - timedelta(days=DAYS), periods=DAYS, freq="D")
        frames = []
        for s in range(SERVICES):
            level = float(np.exp(rng.uniform(np.log(2), np.log(2000))))
            for env in rng.choice(ENVIRONMENTS, 2, replace=False):
                noise = 1 + 0.03 * rng.standard_normal(DAYS)
                frames.append(
                    pd.DataFrame(
                        {
                            "day": days.date,
                            "SERVICE": f"Service {s:03d}",
                            "TAG:Environment": str(env) if s % 17 else "",
                            "TAG:Service": f"svc-{s % 40}",
                            "TAG:Owner": f"team-{'abcdefghij'[s % 10]}",
                            "TAG:CostCenter": f"cc-{s % 12}" if s % 23 else "CC-X",
                            "cost": np.round(
                                level * noise * (0.7 if env != "production" else 1), 4
                            ),
                        }
                    )
                )
        self.frame = pd.concat(frames, ignore_index=True)
        self.requests = 0

    def costs(self, query: CostQuery) -> CostRows:
        self.requests += 1
        frame = self.frame[(self.frame["day"] >= query.start) & (self.frame["day"] < query.end)]
        if query.where is not None:
            frame = frame[frame[query.where[0].label] == query.where[1]]
        period = (
            frame["day"]
            if query.granularity == "DAILY"
            else frame["day"].map(lambda d: d.replace(day=1))
        )
        keys = [d.label for d in query.grouping]
        sums = frame.assign(period=period).groupby(["period", *keys])["cost"].sum().reset_index()
        rows = [
            (row[0], tuple(row[1:-1]), Decimal(str(round(row[-1], 6))))
            for row in sums.itertuples(index=False, name=None)
        ]
        periods = sorted(set(sums["period"]))
        return CostRows(query, rows, periods, set(), 1)

    def forecast(self, start: date, end: date) -> Forecast:
        raise CostDataUnavailable("this source has no forecast")


def timed(label: str, run: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = run()
    print(f"{label:<46} {time.perf_counter() - started:6.2f} s")
    return result


def peak_memory(label: str, run: Callable[[], Any]) -> None:
    """Peak of Python and numpy allocations (a separate run: tracing slows everything down)."""
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<46} {peak / 2**20:6.0f} MiB")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, text in CONFIG.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        config = load_config(root)
        source = SyntheticSource()
        day = TODAY - timedelta(days=1)
        # Days older than the previous month are final: a "today" far ahead fills the cache once.
        later = TODAY + timedelta(days=90)
        print(f"{SERVICES} services x {DAYS} days: {len(source.frame):,} daily line items")
        warm = CostCache(Store(f"sqlite:///{root / 'warm.db'}"), source)
        plan = plan_for(config)

        def cold_report() -> Any:
            cache = CostCache(Store(f"sqlite:///{root / f'cold-{time.time_ns()}.db'}"), source)
            return build_report(config, cache, None, day, TODAY)

        timed(
            "fill the cache: 400 days, every grouping",
            lambda: warm.load(plan, TODAY - timedelta(days=DAYS), day, later),
        )
        report = timed(
            "report of the last day, from the cache",
            lambda: build_report(config, warm, None, day, later),
        )
        scan = timed(
            "anomaly scan of 300 days, every series",
            lambda: scan_anomalies(config, warm, day, 300, later),
        )
        timed("report of the last day, empty cache", cold_report)
        peak_memory(
            "peak memory: report from the cache",
            lambda: build_report(config, warm, None, day, later),
        )
        peak_memory(
            "peak memory: anomaly scan of 300 days",
            lambda: scan_anomalies(config, warm, day, 300, later),
        )
        peak_memory("peak memory: report, empty cache", cold_report)
        print(
            f"report: month to date ${report.month_to_date.current:,.2f}, "
            f"{len(report.movers)} movers, {len(report.anomalies)} anomalies; "
            f"scan: {len(scan.anomalies)} anomalies"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
