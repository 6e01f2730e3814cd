"""Renderings of one report: terminal, HTML (chart embedded), Markdown (chart beside), chart."""

from __future__ import annotations

import base64
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from sentinel.aws.session import SessionFactory
from sentinel.config.loader import Config
from sentinel.cost.chart import render_chart
from sentinel.cost.money import usd
from sentinel.cost.render_document import write_report
from sentinel.cost.render_terminal import report_view
from sentinel.cost.report import ChartData, DailyReport
from sentinel.cost.runs import run_report
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
