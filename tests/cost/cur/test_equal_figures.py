"""The report, the anomaly scan, the untagged-spend and budget tables: the same figures from
Cost Explorer and from the demo's CUR 2.0 and FOCUS 1.0 exports."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.cost.report import DailyReport
from sentinel.cost.runs import run_report, run_scan
from sentinel.cost.sources import CE_SERVICE, CostExplorerSource
from sentinel.store import Store

from .demo import ROOT, cur_source, seed_costs

CENT = Decimal("0.01")


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT)


def figures(report: DailyReport) -> dict[str, Any]:
    """Every figure a reader sees, to the cent."""
    return {
        "yesterday": (_money(report.yesterday.current), _money(report.yesterday.previous)),
        "seven_day_average": _money(report.seven_day_average),
        "month_to_date": (
            _money(report.month_to_date.current),
            _money(report.month_to_date.previous),
        ),
        "forecast": _money(report.forecast.total) if report.forecast else None,
        "budgets": [
            (b.name, _money(b.actual), _money(b.forecast), b.alerts_crossed, b.state)
            for b in report.budgets
        ],
        "movers": [(m.service, _money(m.change.amount)) for m in report.movers],
        "tagging": [
            (
                t.key,
                _money(t.total),
                _money(t.untagged),
                _money(t.mistagged),
                {v: _money(a) for v, a in t.bad_values.items()},
            )
            for t in report.tagging
        ],
        "anomalies": [
            (a.series.id, a.start, a.end, _money(a.impact), [(d.kind, d.name) for d in a.drivers])
            for a in report.anomalies
        ],
        "top_services": [(s, _money(v)) for s, v in report.top_services],
        "chart": (report.chart.days, report.chart.services),
        "missing": report.missing,
    }


@pytest.fixture
def seeded(aws: SessionFactory, today: date) -> SessionFactory:
    seed_costs(aws, today)
    return aws


def _store(tmp_path: Path, name: str) -> Store:
    return Store(f"sqlite:///{tmp_path / f'{name}.db'}")


@pytest.mark.parametrize("fmt", ["cur2", "focus"])
def test_the_report_from_an_export_equals_the_cost_explorer_report(
    seeded: SessionFactory, tmp_path: Path, fmt: str
) -> None:
    config = load_config(ROOT)
    explorer = run_report(
        config, seeded, _store(tmp_path, "ce"), deliver=False, source=CostExplorerSource(seeded)
    ).report
    seeded.counter.reset()
    export = run_report(
        config,
        seeded,
        _store(tmp_path, fmt),
        deliver=False,
        source=cur_source(seeded, tmp_path / "cache", fmt),
    ).report

    assert not explorer.missing and explorer.anomalies and explorer.tagging and explorer.budgets
    assert figures(export) == figures(explorer)
    # No cost or forecast request to Cost Explorer (exports hold no forecast: Sentinel projects);
    # the reservation budgets' utilization and coverage still come from Cost Explorer.
    assert seeded.counter.total(CE_SERVICE, "GetCostAndUsage") == 0
    assert seeded.counter.total(CE_SERVICE, "GetCostForecast") == 0
    assert seeded.counter.total(CE_SERVICE) == export.ce_requests
    commitments = sum(1 for b in config.budgets if b.is_commitment)
    assert export.ce_requests == commitments < explorer.ce_requests
    # Each says where its figures come from.
    title = {"cur2": "the CUR 2.0 export", "focus": "the FOCUS 1.0 export"}[fmt]
    assert (explorer.source, export.source) == ("Cost Explorer", title)
    computed = [b.source for b in export.budgets if b.actual is not None]
    assert computed and set(computed) <= {title, "AWS Budgets"}


@pytest.mark.parametrize("fmt", ["cur2", "focus"])
def test_the_anomaly_scan_from_an_export_equals_the_cost_explorer_scan(
    seeded: SessionFactory, tmp_path: Path, today: date, fmt: str
) -> None:
    config = load_config(ROOT)
    end = today - timedelta(days=1)
    explorer = run_scan(
        config, seeded, _store(tmp_path, "ce"), 30, end, source=CostExplorerSource(seeded)
    ).scan
    source = cur_source(seeded, tmp_path / "c", fmt)
    export = run_scan(config, seeded, _store(tmp_path, fmt), 30, end, source=source).scan

    def found(scan: Any) -> list[Any]:
        return [
            (a.series.id, a.start, a.end, _money(a.impact), _money(a.actual))
            for a in scan.anomalies
        ]

    assert found(explorer)
    assert found(export) == found(explorer)


def test_a_day_the_export_does_not_hold_yet_is_missing_not_zero(
    seeded: SessionFactory, tmp_path: Path, today: date
) -> None:
    """The demo's exports end yesterday, as AWS delivers a day's lines about a day late."""
    config = load_config(ROOT)
    source = cur_source(seeded, tmp_path / "cache")
    report = run_report(
        config, seeded, _store(tmp_path, "cur"), today, deliver=False, source=source
    )
    assert report.report.yesterday.current is None
    assert report.report.month_to_date.current is None
    gaps = {(m.start, m.end, m.reason) for m in report.report.missing}
    assert (today, today, "not in the source yet") in gaps
    assert report.report.seven_day_average is not None  # the days before are there
