"""On the seeded demo account, the three seeded anomalies are found, and nothing else."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.cost.cache import CostCache
from sentinel.cost.groupings import SERVICE
from sentinel.cost.scan import scan_anomalies
from sentinel.cost.sources import CostExplorerSource
from sentinel.emulator.demo import DEMO_ANOMALIES
from sentinel.emulator.demo.costs import cost_history
from sentinel.emulator.extensions.costexplorer import load_cost_table
from sentinel.store import Store

# The repository root is the P2P Sandbox configuration the demo runs.
ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"


def test_the_three_seeded_anomalies_are_found_and_nothing_else(
    aws: SessionFactory, store: Store, today: date
) -> None:
    load_cost_table(cost_history(today, ACCOUNT), ACCOUNT)
    config = load_config(ROOT)
    cache = CostCache(store, CostExplorerSource(aws))
    oldest = max(a.first_day_ago for a in DEMO_ANOMALIES)
    scan = scan_anomalies(config, cache, today - timedelta(days=1), oldest + 10, today)

    assert not scan.missing
    assert len(scan.anomalies) == len(DEMO_ANOMALIES)
    found = {a.series.value: a for a in scan.anomalies}
    for seeded in DEMO_ANOMALIES:
        anomaly = found[seeded.service]
        assert anomaly.series.dimension == SERVICE
        assert (anomaly.start, anomaly.end) == (min(seeded.days(today)), max(seeded.days(today)))
        assert anomaly.ongoing == (seeded.last_day_ago == 1)
        days = len(seeded.days(today))
        assert float(anomaly.impact) == pytest.approx(seeded.extra_usd_per_day * days, rel=0.05)
        assert anomaly.drivers[0].kind == "usage type"
        assert anomaly.drivers[0].name == seeded.usage_type
        assert float(anomaly.drivers[0].impact) == pytest.approx(seeded.extra_usd_per_day, rel=0.05)
        # The same extra spend shows in the total and the tag values: one anomaly, not five.
        assert "total" in anomaly.related
        assert any(r.startswith("Environment=") for r in anomaly.related)
