"""``sentinel tags audit`` as CI and people run it: exit codes, formats, --fix and its consent."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner, Result

from sentinel.aws.session import SessionFactory
from sentinel.cli import main

from .conftest import GOOD, Shop

pytestmark = pytest.mark.usefixtures("shared_session")


def run(shop: Shop, *args: str) -> Result:
    return CliRunner(env={"COLUMNS": "200"}).invoke(
        main, ["tags", "audit", "-C", str(shop.root), *args]
    )


def _cost_center(aws: SessionFactory, instance_id: str) -> str | None:
    tags = aws.client("ec2").describe_tags(
        Filters=[
            {"Name": "resource-id", "Values": [instance_id]},
            {"Name": "key", "Values": ["CostCenter"]},
        ]
    )["Tags"]
    return tags[0]["Value"] if tags else None


def test_violations_exit_2_with_a_table_of_what_is_wrong(shop: Shop) -> None:
    result = run(shop)

    assert result.exit_code == 2, result.output
    out = result.stdout
    assert "2 of 4 resources do not comply" in out and "50.0% compliant" in out
    assert "missing CostCenter" in out  # batch
    assert "Environment='Prod': not one of production, staging; not lower case" in out
    assert "Compliance by resource type" in out and "Compliance by tag key" in out


def test_json_and_csv_for_scripts(shop: Shop) -> None:
    as_json = run(shop, "--format", "json")
    assert as_json.exit_code == 2
    report = json.loads(as_json.stdout)
    assert (report["audited"], report["non_compliant"], report["compliance_percent"]) == (
        4,
        2,
        50.0,
    )
    legacy = next(f for f in report["findings"] if f["name"] == "legacy")
    assert legacy["missing"] == ["CostCenter", "Owner"]
    assert legacy["invalid"] == [
        {
            "key": "Environment",
            "value": "Prod",
            "problems": ["not one of production, staging", "not lower case"],
        }
    ]
    assert {row["name"]: row["percent"] for row in report["by_key"]} == {
        "Environment": 75.0,
        "CostCenter": 50.0,
        "Owner": 75.0,
    }

    as_csv = run(shop, "--format", "csv")
    assert as_csv.exit_code == 2
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert sorted((r["name"], r["key"], r["problem"]) for r in rows) == [
        ("batch", "CostCenter", "missing"),
        ("legacy", "CostCenter", "missing"),
        ("legacy", "Environment", "case"),
        ("legacy", "Environment", "not-allowed"),
        ("legacy", "Owner", "missing"),
    ]


def test_fix_is_refused_off_a_terminal_without_auto_approve(
    aws: SessionFactory, shop: Shop
) -> None:
    result = run(shop, "--fix")

    assert result.exit_code == 1
    assert "pass --auto-approve" in result.stderr
    assert "CostCenter=ENG-100" in result.stdout  # the plan is shown
    assert _cost_center(aws, shop.instances["batch"]) is None


def test_fix_with_auto_approve_adds_defaults_and_reports_what_is_left(
    aws: SessionFactory, shop: Shop
) -> None:
    result = run(shop, "--fix", "--auto-approve")

    assert result.exit_code == 2  # legacy still needs a person
    assert "tagged ec2:instance batch: CostCenter=ENG-100" in result.stdout
    assert "1 resource(s) need a person" in result.stdout
    assert _cost_center(aws, shop.instances["batch"]) == "ENG-100"
    assert _cost_center(aws, shop.instances["legacy"]) == "ENG-100"

    after = run(shop, "--format", "json")
    assert [f["name"] for f in json.loads(after.stdout)["findings"]] == ["legacy"]


def test_compliant_account_exits_0(aws: SessionFactory, shop: Shop) -> None:
    ec2 = aws.client("ec2")
    good = [{"Key": k, "Value": v} for k, v in GOOD.items()]
    ec2.create_tags(Resources=[shop.instances["batch"], shop.instances["legacy"]], Tags=good)

    result = run(shop)
    assert result.exit_code == 0, result.output
    assert "All 4 resources comply with the tagging rules" in result.stdout


def test_a_config_without_rules_says_where_to_write_them(shop: Shop) -> None:
    (shop.root / "budgets" / "tagging.yaml").unlink()
    result = run(shop)
    assert result.exit_code == 1
    assert "no tagging rules in this configuration" in result.stderr
