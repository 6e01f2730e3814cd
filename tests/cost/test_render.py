"""Renderings of one report: terminal, HTML (chart embedded), Markdown (chart beside), chart."""

from __future__ import annotations

import base64
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from sentinel.aws.session import SessionFactory
from sentinel.config.loader import Config
from sentinel.cost.anomalies import CostAnomaly, Driver
from sentinel.cost.chart import render_chart
from sentinel.cost.groupings import SERVICE, SeriesKey
from sentinel.cost.money import usd
from sentinel.cost.render_document import write_report
from sentinel.cost.render_terminal import anomalies_view, report_view
from sentinel.cost.report import ChartData, DailyReport
from sentinel.cost.runs import run_report
from sentinel.cost.summary import anomaly_line
from sentinel.emulator.extensions.costexplorer import load_cost_table
from sentinel.store import Store

from .bills import bill as make_bill

PNG = b"\x89PNG\r\n\x1a\n"
RDS = "Amazon Relational Database Service"
RDS_TAGS = {
    "Environment": "production",
    "Service": "database",
    "Owner": "team-data",
    "CostCenter": "eng-200",
}


@pytest.fixture
def report(aws: SessionFactory, config: Config, store: Store, today: date) -> DailyReport:
    extra = [(ago, RDS, "RDS:StorageIOUsage", 95.0, RDS_TAGS) for ago in (2, 1)]
    load_cost_table(make_bill(today, extra=extra))
    return run_report(config, aws, store, today - timedelta(days=1), deliver=False).report


def test_terminal_view_states_every_section(report: DailyReport) -> None:
    console = Console(width=220, record=True)
    console.print(report_view(report))
    text = console.export_text()
    assert f"shop: AWS cost for {report.day:%a %d %b %Y}" in text
    assert f"Spend: {usd(report.yesterday.current)}" in text
    assert f"Month to date: {usd(report.month_to_date.current)}" in text
    # The emulator has no GetCostForecast; on the 1st, yesterday closed its month.
    closed = (report.day + timedelta(days=1)).day == 1
    assert "Month-end forecast:" in text
    assert ("month complete" if closed else "Sentinel projection") in text
    for section in (
        "Budgets (this month)",
        "Top movers",
        "Spend the tagging rules cannot attribute",
    ):
        assert section in text
    assert f"{RDS} since {report.day - timedelta(days=1):%d %b} (day 2, ongoing)" in text
    assert "driven by RDS:StorageIOUsage" in text
    assert re.search(r"Cost Explorer requests: \d+ \(\$\d+\.\d\d\)", text)


def test_html_embeds_the_chart_and_escapes_names(report: DailyReport, tmp_path: Path) -> None:
    report.top_services.insert(0, ("<script>alert(1)</script>", report.top_services[0][1]))
    [path] = write_report(report, tmp_path / "report.html")
    page = path.read_text()
    assert page.startswith("<!doctype html>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    image = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert image and base64.b64decode(image.group(1)).startswith(PNG)
    assert usd(report.month_to_date.current) in page
    assert "RDS:StorageIOUsage" in page


def test_markdown_writes_the_chart_beside_it(report: DailyReport, tmp_path: Path) -> None:
    paths = write_report(report, tmp_path / "report.md")
    assert [p.name for p in paths] == ["report.md", "report.png"]
    text = paths[0].read_text()
    assert "![daily cost by service, last 30 days, and forecast](report.png)" in text
    assert "| budget | spent | limit | used | forecast | alerts crossed |" in text
    assert "_Budget figures: " in text
    assert paths[1].read_bytes().startswith(PNG)
    with pytest.raises(ValueError, match=r"use \.html or \.md"):
        write_report(report, tmp_path / "report.pdf")


def test_chart_renders_with_and_without_data() -> None:
    days = [date(2026, 3, 1) + timedelta(days=i) for i in range(30)]
    chart = ChartData(days, {"EC2": [10.0] * 30, "Other": [2.0] * 30}, {date(2026, 3, 31): 12.0})
    assert render_chart(chart, "cost").startswith(PNG)
    assert render_chart(ChartData([], {}, {}), "cost").startswith(PNG)


def test_a_drop_reads_as_spend_that_dropped_and_a_spike_as_before() -> None:
    day = date(2026, 3, 2)
    daily = [(day, Decimal("10.00"), Decimal("130.00"))]
    drop = CostAnomaly(
        SeriesKey(SERVICE, RDS),
        day,
        day,
        False,
        daily,
        -30.0,
        drivers=[Driver("usage type", "InstanceUsage:db.r6g.large", Decimal("-120.00"))],
        direction="drop",
    )
    assert anomaly_line(drop) == (
        f"{RDS} on 02 Mar: spend dropped to $10.00 from $130.00 expected, impact -$120.00; "
        "driven by InstanceUsage:db.r6g.large (-$120.00)"
    )
    spike = CostAnomaly(
        SeriesKey(SERVICE, RDS),
        day,
        day,
        False,
        [(day, Decimal("130.00"), Decimal("10.00"))],
        30.0,
        drivers=[Driver("usage type", "x", Decimal("120.00"))],
    )
    assert anomaly_line(spike) == (
        f"{RDS} on 02 Mar: $130.00 vs $10.00 expected, impact +$120.00; driven by x (+$120.00)"
    )
    console = Console(width=120, record=True)
    console.print(anomalies_view([spike, drop], "Cost anomalies"))
    rows = console.export_text()
    assert rows.count("spend dropped") == 1 and "-$120.00" in rows and "+$120.00" in rows
