"""Utilization and coverage budgets in the daily and weekly reports: their percentages from the
four Cost Explorer reads, every page followed, answers kept in the cache."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.config.loader import Config
from sentinel.cost.cache import CostCache
from sentinel.cost.commitments import CommitmentReader
from sentinel.cost.render_document import report_tables
from sentinel.cost.render_slack import report_message
from sentinel.cost.render_terminal import report_view
from sentinel.cost.runs import run_report, run_weekly_report
from sentinel.cost.sources import CostExplorerSource, ce_requests
from sentinel.cost.weekly import last_full_week
from sentinel.emulator import commitments as emulated
from sentinel.emulator.commitments import Commitments, ReservationDay, SavingsPlanDay
from sentinel.emulator.cost_table import CostTable
from sentinel.emulator.extensions.costexplorer import load_commitments
from sentinel.store import Store

from .project import BUDGETS, write_config

RDS = "Amazon Relational Database Service"
COMMITMENT_BUDGETS = BUDGETS.replace(
    "tagging:",
    f"""\
  - name: rds-ri
    type: ri_utilization
    target: 90%
    filters: {{services: ["{RDS}"]}}
    notify: [warning]
  - name: rds-coverage
    type: ri_coverage
    period: quarterly
    target: 80%
    filters: {{services: ["{RDS}"]}}
    notify: [warning]
  - name: sp
    type: savings_plans_utilization
    target: 95%
    notify: [warning]
  - name: sp-coverage
    type: savings_plans_coverage
    target: 50%
    notify: [warning]
tagging:""",
)


def known_commitments(today: date) -> Commitments:
    """RDS: 48 hours bought a day, 36 used, 72 run (75 % used, 50 % covered) until 10 days
    ago, then all 48 used (100 %, 66.67 %). Savings Plans: $10 a day, $9 used, $9 on demand."""
    out = Commitments()
    for ago in range(200, 0, -1):
        day = today - timedelta(days=ago)
        used = 36.0 if ago > 10 else 48.0
        out.reservations.append(ReservationDay(day, RDS, 48, used, 72))
        out.savings_plans.append(SavingsPlanDay(day, 10.0, 9.0, 9.0))
    return out


@pytest.fixture
def commitment_config(tmp_path: Path) -> Config:
    return load_config(write_config(tmp_path / "config", budgets=COMMITMENT_BUDGETS))


def _ri_percent(today: date, start: date, end: date, hours: str) -> Decimal:
    data = known_commitments(today)
    rows = [r for r in data.reservations if start <= r.day <= end]
    part = sum(r.used_hours for r in rows)
    whole = sum(getattr(r, hours) for r in rows)
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(Decimal("0.01"))


def test_daily_report_shows_each_budget_figure_for_its_period(
    aws: SessionFactory,
    bill: CostTable,
    commitment_config: Config,
    warm_store: Store,
    today: date,
) -> None:
    load_commitments(known_commitments(today))
    day = today - timedelta(days=1)
    before = ce_requests(aws)
    report = run_report(commitment_config, aws, warm_store, day, deliver=False).report
    # The spend budgets are the same as without these; each percentage one request.
    assert [s.name for s in report.budgets] == ["total", "production", "compute", "boxes"]
    by = {c.name: c for c in report.commitments}
    assert list(by) == ["rds-ri", "rds-coverage", "sp", "sp-coverage"]
    assert ce_requests(aws) - before == report.ce_requests

    ri = by["rds-ri"]
    assert (ri.start, ri.end) == (day.replace(day=1), day)
    assert ri.percent == _ri_percent(today, ri.start, day, "purchased_hours")
    assert ri.target == Decimal(90)
    assert ri.alerts_below == ([Decimal(90)] if ri.percent < 90 else [])
    quarter = by["rds-coverage"]
    assert quarter.start == day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    assert quarter.percent == _ri_percent(today, quarter.start, day, "running_hours")
    assert by["sp"].percent == Decimal("90.00") and by["sp"].alerts_below == [Decimal(95)]
    assert by["sp-coverage"].percent == Decimal("50.00") and by["sp-coverage"].state == "ok"

    blocks = report_message(report)["blocks"]
    text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b)
    assert "sp: Savings Plans utilization 90% (target 95%)" in text
    assert "below 95%" in text
    tables = {t.title: t for t in report_tables(report)}
    rows = tables["Reservations and Savings Plans"].rows
    assert rows[2][:4] == [
        "sp",
        "Savings Plans utilization",
        f"{day.replace(day=1):%d %b}-{day:%d %b}",
        "90%",
    ]
    console = Console(width=160, record=True)
    console.print(report_view(report))
    assert "RI coverage (Amazon Relational Database Service)" in console.export_text()

    # Again within the day: all from the cache.
    before = ce_requests(aws)
    again = run_report(commitment_config, aws, warm_store, day, deliver=False).report
    assert [c.percent for c in again.commitments] == [c.percent for c in report.commitments]
    assert ce_requests(aws) == before


def test_weekly_report_compares_the_week_with_the_week_before(
    aws: SessionFactory,
    bill: CostTable,
    commitment_config: Config,
    store: Store,
    today: date,
) -> None:
    load_commitments(known_commitments(today))
    monday, sunday = last_full_week(today)
    report = run_weekly_report(commitment_config, aws, store, monday, deliver=False).report
    ri = {c.name: c for c in report.commitments}["rds-ri"]
    assert (ri.start, ri.end) == (monday, sunday)
    assert ri.percent == _ri_percent(today, monday, sunday, "purchased_hours")
    week_before = _ri_percent(
        today, monday - timedelta(days=7), sunday - timedelta(days=7), "purchased_hours"
    )
    assert ri.previous == week_before and ri.change == ri.percent - week_before

    # The week before is settled: a second run asks nothing more.
    before = ce_requests(aws)
    run_weekly_report(commitment_config, aws, store, monday, deliver=False)
    assert ce_requests(aws) == before


def test_every_page_is_read(
    aws: SessionFactory, commitment_config: Config, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One period a page: a quarter is three pages of RI figures, each counted."""
    today = date(2026, 3, 20)
    load_commitments(known_commitments(today))
    monkeypatch.setattr(emulated, "DEFAULT_PAGE_SIZE", 1)
    cache = CostCache(store, CostExplorerSource(aws))
    reader = CommitmentReader(cache, aws)
    budget = {b.name: b for b in commitment_config.budgets}["rds-coverage"]
    before = ce_requests(aws)
    percent = reader.percent(budget, date(2026, 1, 1), date(2026, 3, 19), today)
    assert ce_requests(aws) - before == 3 == cache.stats.requests
    assert percent == _ri_percent(today, date(2026, 1, 1), date(2026, 3, 19), "running_hours")
    sp = {b.name: b for b in commitment_config.budgets}["sp-coverage"]
    assert reader.percent(sp, date(2026, 1, 1), date(2026, 3, 19), today) == Decimal("50.00")
    assert cache.stats.requests == 6


def test_no_reservations_is_said_not_zero(
    aws: SessionFactory, commitment_config: Config, store: Store
) -> None:
    load_commitments(Commitments())
    today = date(2026, 3, 20)
    cache = CostCache(store, CostExplorerSource(aws))
    reader = CommitmentReader(cache, aws)
    budgets = {b.name: b for b in commitment_config.budgets}
    assert reader.percent(budgets["rds-ri"], date(2026, 3, 1), date(2026, 3, 19), today) is None
    assert reader.percent(budgets["sp"], date(2026, 3, 1), date(2026, 3, 19), today) is None
