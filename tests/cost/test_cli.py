"""``sentinel cost report`` and ``sentinel cost anomalies`` as a user runs them."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from sentinel.aws.session import SessionFactory
from sentinel.cli import main
from sentinel.emulator.cost_table import CostTable
from sentinel.emulator.extensions.costexplorer import load_cost_table

from .bills import bill as make_bill
from .project import SLACK_TOKEN
from .slack_standin import SlackStandIn

RDS = "Amazon Relational Database Service"
EC2 = "Amazon Elastic Compute Cloud - Compute"
RDS_TAGS = {
    "Environment": "production",
    "Service": "database",
    "Owner": "team-data",
    "CostCenter": "eng-200",
}


def sentinel(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_report_without_slack_prints_and_writes_html(
    aws: SessionFactory,
    bill: CostTable,
    config_dir: Path,
    today: date,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.delenv("TEST_SLACK_TOKEN", raising=False)
    monkeypatch.setenv("COLUMNS", "140")
    out = tmp_path / "report.html"
    code, output = sentinel("cost", "report", "-C", str(config_dir), "--out", str(out), "-v")
    assert code == 0, output
    assert f"shop: AWS cost for {today - timedelta(days=1):%a %d %b %Y}" in output
    assert "Slack: not used (secret env:TEST_SLACK_TOKEN" in output
    assert f"Wrote {out}" in output
    assert out.read_text().count("data:image/png;base64,") == 1
    assert "GetCostAndUsage" in output  # --verbose lists the calls
    # The store is the project's default, under the config directory.
    assert (config_dir / ".sentinel" / "sentinel.db").exists()


@pytest.fixture
def warm_project(config_dir: Path, filled_store_file: Path) -> Path:
    """The project's default store, its cost cache already filled from the bill."""
    (config_dir / ".sentinel").mkdir()
    shutil.copy(filled_store_file, config_dir / ".sentinel" / "sentinel.db")
    return config_dir


def test_dry_run_prints_block_kit_and_posts_nothing(
    aws: SessionFactory, bill: CostTable, warm_project: Path, slack: SlackStandIn
) -> None:
    config_dir = warm_project
    code, output = sentinel("cost", "report", "-C", str(config_dir), "--dry-run")
    assert code == 0
    message = json.loads(output)
    assert message["channel"] == "#shop-finops"
    assert message["blocks"][0]["type"] == "header"
    assert slack.received == []


def test_report_to_slack_then_already_posted(
    aws: SessionFactory, bill: CostTable, warm_project: Path, slack: SlackStandIn, today: date
) -> None:
    config_dir = warm_project
    day = (today - timedelta(days=2)).isoformat()
    code, output = sentinel("cost", "report", "-C", str(config_dir), "--date", day)
    assert code == 0
    assert "Report posted to #shop-finops, with its chart." in output
    assert SLACK_TOKEN not in output
    code, output = sentinel("cost", "report", "-C", str(config_dir), "--date", day)
    assert "already posted to #shop-finops" in output
    assert len(slack.posted()) == 1


def test_anomalies_as_table_and_json(
    aws: SessionFactory, config_dir: Path, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    load_cost_table(make_bill(today, extra=[(3, RDS, "RDS:StorageIOUsage", 120.0, RDS_TAGS)]))
    code, output = sentinel("cost", "anomalies", "-C", str(config_dir), "--days", "10")
    assert code == 0
    assert RDS in output and "RDS:StorageIOUsage" in output
    assert "Thresholds: impact ≥ $50/day and ≥ 20%" in output
    code, output = sentinel("cost", "anomalies", "-C", str(config_dir), "--days", "10", "--json")
    data = json.loads(output)
    [anomaly] = data["anomalies"]
    assert anomaly["series"] == RDS and anomaly["dimension"] == "SERVICE"
    assert anomaly["start"] == anomaly["end"] == (today - timedelta(days=3)).isoformat()
    assert 115 < float(anomaly["impact"]) < 125
    assert anomaly["drivers"][0]["name"] == "RDS:StorageIOUsage"
    assert data["cost_explorer_requests"] == 0  # the table run fetched it all
    code, output = sentinel("cost", "anomalies", "-C", str(config_dir), "--days", "1", "--json")
    assert json.loads(output)["anomalies"] == []


def test_a_service_that_stopped_is_a_drop_and_drops_can_be_turned_off(
    aws: SessionFactory, config_dir: Path, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    load_cost_table(make_bill(today, stopped={"BoxUsage:m5.large": 3}))  # $60 a day
    code, output = sentinel("cost", "anomalies", "-C", str(config_dir), "--days", "10")
    assert code == 0
    assert EC2 in output and "spend dropped" in output and "BoxUsage:m5.large (-$" in output
    assert "(rises and drops)" in output
    code, output = sentinel("cost", "anomalies", "-C", str(config_dir), "--days", "10", "--json")
    data = json.loads(output)
    assert data["thresholds"]["drops"] is True
    [drop] = data["anomalies"]
    assert (drop["series"], drop["direction"], drop["days"]) == (EC2, "drop", 3)
    assert drop["start"] == (today - timedelta(days=3)).isoformat() and drop["ongoing"]
    assert -190 < float(drop["impact"]) < -170
    assert drop["drivers"][0]["name"] == "BoxUsage:m5.large"
    assert -62 < float(drop["drivers"][0]["impact"]) < -58
    assert "total" in drop["related"]

    monitors = config_dir / "monitors" / "cost.yaml"
    monitors.write_text(monitors.read_text().replace("  severity:", "  drops: false\n  severity:"))
    code, output = sentinel("cost", "anomalies", "-C", str(config_dir), "--days", "10")
    assert code == 0
    assert "none" in output and "(rises only, drops off)" in output


def test_bad_out_suffix_is_a_user_error(aws: SessionFactory, config_dir: Path) -> None:
    result = CliRunner().invoke(main, ["cost", "report", "-C", str(config_dir), "--out", "r.pdf"])
    assert result.exit_code == 1
    assert "use a .html or .md file name" in result.output


def test_weekly_report_prints_the_last_full_week_and_dry_runs_its_message(
    aws: SessionFactory,
    bill: CostTable,
    config_dir: Path,
    today: date,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sentinel.cost.weekly import iso_week, last_full_week

    monkeypatch.delenv("TEST_SLACK_TOKEN", raising=False)
    monkeypatch.setenv("COLUMNS", "140")
    monday, sunday = last_full_week(today)
    code, output = sentinel("cost", "report", "--weekly", "-C", str(config_dir))
    assert code == 0, output
    assert f"shop: AWS cost for the week {iso_week(monday)}" in output
    assert "Top movers by service (week vs the week before)" in output
    assert "Slack: not used" in output

    code, output = sentinel(
        "cost", "report", "--weekly", "--dry-run", "--date", str(sunday), "-C", str(config_dir)
    )
    assert code == 0, output
    message = json.loads(output)
    assert message["channel"] == "#shop-finops"
    assert message["blocks"][0]["text"]["text"].startswith(
        f"shop: AWS cost for the week {iso_week(monday)}"
    )

    code, output = sentinel(
        "cost", "report", "--weekly", "--date", str(today), "-C", str(config_dir)
    )
    assert code == 1 and "is not over yet" in output
