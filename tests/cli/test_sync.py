"""``sentinel plan``, ``apply`` and ``drift`` through click, against the emulated account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from moto.cloudwatch.exceptions import InvalidParameterValue
from moto.cloudwatch.responses import CloudWatchResponse

from cli.shop_commands import invoke, share_session
from sentinel.aws.session import SessionFactory
from sentinel.cli.sync import apply_command, drift_command, plan_command
from sync.shop import shop_files, write_config

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(autouse=True)
def shared_session(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    share_session(aws, monkeypatch)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return write_config(tmp_path / "shop", shop_files())


def run(*args: str) -> Result:
    return invoke({"plan": plan_command, "apply": apply_command, "drift": drift_command}, *args)


def _alarms(aws: SessionFactory) -> list[str]:
    return [a["AlarmName"] for a in aws.client("cloudwatch").describe_alarms()["MetricAlarms"]]


def test_plan_shows_creates_and_exit_codes(shop: Path) -> None:
    result = run("plan", "-C", str(shop))
    assert result.exit_code == 0, result.output
    assert "+ topic shop-critical" in result.output
    assert "+ subscription shop-critical/https:sensitive-" in result.output
    assert "+ alarm shop-api-errors" in result.output
    assert "      threshold: 50.0" in result.output
    assert 'endpoint: "(sensitive)"' in result.output
    assert "+ composite alarm shop-api-down" in result.output
    assert "Plan: 11 to create, 0 to update, 0 to replace, 0 to delete." in result.output

    assert run("plan", "-C", str(shop), "--detailed-exitcode").exit_code == 2

    as_json = json.loads(run("plan", "-C", str(shop), "--json").stdout)
    assert as_json["summary"]["create"] == 11
    assert {c["kind"] for c in as_json["changes"]} == {
        "topic",
        "subscription",
        "alarm",
        "composite alarm",
    }


def test_compact_plan_is_one_line_per_resource(shop: Path) -> None:
    result = run("plan", "-C", str(shop), "--compact")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len([line for line in lines if line.startswith("+ ")]) == 11
    assert any(line.startswith("+ alarm shop-api-errors (") for line in lines)
    assert "threshold" not in result.output
    assert lines[-1] == "Plan: 11 to create, 0 to update, 0 to replace, 0 to delete."


def test_plan_formats(shop: Path) -> None:
    text = run("plan", "-C", str(shop), "--format", "text")
    assert "Monthly CloudWatch cost of this change: +$0.90" in text.output

    as_json = json.loads(run("plan", "-C", str(shop), "--format", "json").stdout)
    assert as_json == json.loads(run("plan", "-C", str(shop), "--json").stdout)
    assert as_json["monthly_cost"]["delta"] == 0.9

    markdown = run("plan", "-C", str(shop), "--format", "markdown", "--detailed-exitcode")
    assert markdown.exit_code == 2
    assert markdown.stdout.startswith("## Sentinel plan: `shop` in us-east-1\n")
    assert "| **total** | **11** |" in markdown.stdout
    assert markdown.stdout.count("<details>") == 4

    both = run("plan", "-C", str(shop), "--json", "--format", "markdown")
    assert both.exit_code == 1
    assert "--json and --format markdown disagree" in both.output


def test_apply_refuses_off_a_terminal_without_auto_approve(aws: SessionFactory, shop: Path) -> None:
    result = run("apply", "-C", str(shop))
    assert result.exit_code == 1
    assert "not on a terminal: pass --auto-approve" in result.output
    assert _alarms(aws) == []


def test_apply_then_no_changes(aws: SessionFactory, shop: Path) -> None:
    result = run("apply", "-C", str(shop), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "✓ created topic shop-critical" in result.output
    assert "✓ created alarm shop-api-latency-p95" in result.output
    assert "✓ created composite alarm shop-api-down" in result.output
    assert "Apply complete: 11 change(s) applied." in result.output
    # dependency order: topics, subscriptions, alarms, composite alarms
    lines = result.output.splitlines()
    first = {
        kind: next(i for i, line in enumerate(lines) if f"created {kind} " in line)
        for kind in ("topic", "subscription", "alarm", "composite alarm")
    }
    assert first["topic"] < first["subscription"] < first["alarm"] < first["composite alarm"]

    again = run("plan", "-C", str(shop), "--detailed-exitcode")
    assert again.exit_code == 0
    assert "No changes. AWS matches the configuration." in again.output
    assert run("apply", "-C", str(shop)).exit_code == 0  # nothing to confirm


def test_invalid_config_writes_nothing(aws: SessionFactory, shop: Path) -> None:
    text = (shop / "alarms/shop.yaml").read_text().replace("severity: warning", "severity: warnin")
    (shop / "alarms/shop.yaml").write_text(text)

    result = run("apply", "-C", str(shop), "--auto-approve")

    assert result.exit_code == 1
    assert "alarms/shop.yaml:" in result.output
    assert "Traceback" not in result.output
    assert _alarms(aws) == []
    assert aws.client("sns").list_topics()["Topics"] == []


def test_empty_alarms_needs_allow_mass_delete(aws: SessionFactory, shop: Path) -> None:
    assert run("apply", "-C", str(shop), "--auto-approve").exit_code == 0
    write_config(shop, {"alarms/shop.yaml": "alarms: []\n"})

    planned = run("plan", "-C", str(shop))
    assert "- alarm shop-api-errors" in planned.output
    assert "- composite alarm shop-api-down" in planned.output
    assert "0 to create, 0 to update, 0 to replace, 4 to delete" in planned.output

    # Every alarm of the project: refused, naming the kind and its counts.
    refused = run("apply", "-C", str(shop), "--auto-approve")
    assert refused.exit_code == 1
    assert "deletes 3 of 3 managed alarms (more than 50%)" in refused.output
    assert "--allow-mass-delete" in refused.output
    # Without routing too, everything goes: refused.
    write_config(shop, {"alarms/routing.yaml": ""})
    refused = run("apply", "-C", str(shop), "--auto-approve")
    assert refused.exit_code == 1
    assert "deletes 11 of 11 managed resources, everything" in refused.output
    assert "--allow-mass-delete" in refused.output
    assert len(_alarms(aws)) == 3

    allowed = run("apply", "-C", str(shop), "--auto-approve", "--allow-mass-delete")
    assert allowed.exit_code == 0, allowed.output
    assert _alarms(aws) == []


def test_partial_failure_exits_1_naming_it_and_rerun_converges(
    aws: SessionFactory, shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = CloudWatchResponse.put_metric_alarm

    def reject_p95(self: CloudWatchResponse) -> Any:
        if self._get_param("AlarmName") == "shop-api-latency-p95":
            raise InvalidParameterValue("Extended statistic p95 rejected")
        return original(self)

    monkeypatch.setattr(CloudWatchResponse, "put_metric_alarm", reject_p95)
    failed = run("apply", "-C", str(shop), "--auto-approve")
    assert failed.exit_code == 1
    assert "✗ create alarm shop-api-latency-p95 failed: InvalidParameterValue" in failed.output
    assert "Apply incomplete: 10 applied, 1 failed:" in failed.output
    assert "  - alarm shop-api-latency-p95: InvalidParameterValue" in failed.output

    monkeypatch.setattr(CloudWatchResponse, "put_metric_alarm", original)
    rerun = run("apply", "-C", str(shop), "--auto-approve")
    assert rerun.exit_code == 0, rerun.output
    assert "Plan: 1 to create" in rerun.output
    assert run("plan", "-C", str(shop), "--detailed-exitcode").exit_code == 0


def test_drift_exit_codes(aws: SessionFactory, shop: Path) -> None:
    assert run("apply", "-C", str(shop), "--auto-approve").exit_code == 0
    clean = run("drift", "-C", str(shop))
    assert clean.exit_code == 0
    assert "No drift." in clean.output

    cloudwatch = aws.client("cloudwatch")
    alarm = cloudwatch.describe_alarms(AlarmNames=["shop-api-errors"])["MetricAlarms"][0]
    params = ["AlarmName", "Namespace", "MetricName", "Dimensions", "Statistic", "Period"]
    params += ["EvaluationPeriods", "DatapointsToAlarm", "ComparisonOperator", "AlarmActions"]
    params += ["OKActions", "TreatMissingData", "AlarmDescription"]
    cloudwatch.put_metric_alarm(**{k: alarm[k] for k in params}, Threshold=80.0)
    cloudwatch.delete_alarms(AlarmNames=["shop-api-error-rate"])

    drifted = run("drift", "-C", str(shop))
    assert drifted.exit_code == 2
    assert "changed alarm shop-api-errors:" in drifted.output
    assert "threshold: config 50.0, AWS 80.0" in drifted.output
    assert "missing alarm shop-api-error-rate" in drifted.output
    assert "Drift: 2 resource(s) differ from the configuration." in drifted.output
    as_json = json.loads(run("drift", "-C", str(shop), "--json").stdout)
    assert as_json["summary"]["update"] == 1 and as_json["summary"]["create"] == 1


def test_other_configured_regions_are_named(shop: Path) -> None:
    text = (shop / "sentinel.yaml").read_text().replace("[us-east-1]", "[us-east-1, eu-west-1]")
    (shop / "sentinel.yaml").write_text(text)

    result = run("plan", "-C", str(shop))

    assert result.exit_code == 0, result.output
    assert "this run covers us-east-1; run it again with --region for eu-west-1" in result.output
    other = run("plan", "-C", str(shop), "--region", "eu-west-1")
    assert "arn:aws:sns:eu-west-1:123456789012:shop-critical" in other.output


def test_adoptions_are_planned_applied_and_not_drift(aws: SessionFactory, shop: Path) -> None:
    assert run("apply", "-C", str(shop), "--auto-approve").exit_code == 0
    cloudwatch = aws.client("cloudwatch")
    [alarm] = cloudwatch.describe_alarms(AlarmNames=["shop-api-errors"])["MetricAlarms"]
    # As if made by hand: the same alarm, without the ownership tags.
    cloudwatch.untag_resource(
        ResourceARN=alarm["AlarmArn"], TagKeys=["sentinel:project", "sentinel:managed-by"]
    )

    planned = run("plan", "-C", str(shop), "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert "<= adopt alarm shop-api-errors" in planned.output
    assert "Plan: 1 to adopt, 0 to create, 0 to update, 0 to replace, 0 to delete." in (
        planned.output
    )
    assert json.loads(run("plan", "-C", str(shop), "--json").stdout)["summary"]["adopt"] == 1
    drift = run("drift", "-C", str(shop))
    assert drift.exit_code == 0, drift.output
    assert "unowned alarm shop-api-errors: in AWS as configured, without the" in drift.output
    assert "No drift." in drift.output

    applied = run("apply", "-C", str(shop), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "✓ adopted alarm shop-api-errors" in applied.output
    tags = cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
    assert {"Key": "sentinel:project", "Value": "shop"} in tags
    assert run("plan", "-C", str(shop), "--detailed-exitcode").exit_code == 0


def test_a_run_in_another_region_leaves_the_accounts_budget_to_the_first(
    aws: SessionFactory, shop: Path
) -> None:
    """A budget is the account's: its alerts notify the first region's topics, so a run with
    --region for another region neither creates it nor points it at that region's topics."""
    text = (shop / "sentinel.yaml").read_text().replace("[us-east-1]", "[us-east-1, eu-west-1]")
    (shop / "sentinel.yaml").write_text(text)
    budgets = shop / "budgets"
    budgets.mkdir(exist_ok=True)
    (budgets / "budgets.yaml").write_text(
        "budgets:\n  - name: monthly-total\n    amount: 500 USD\n    alerts: [100%]\n"
        "    notify: [critical]\n"
    )

    elsewhere = run("plan", "-C", str(shop), "--region", "eu-west-1")
    assert elsewhere.exit_code == 0, elsewhere.output
    assert "+ budget" not in elsewhere.stdout
    assert "budgets belong to the account: they are planned in us-east-1" in elsewhere.output
    assert run("apply", "-C", str(shop), "--region", "eu-west-1", "--auto-approve").exit_code == 0
    account = aws.client("sts").get_caller_identity()["Account"]
    assert aws.client("budgets").describe_budgets(AccountId=account).get("Budgets", []) == []

    home = run("plan", "-C", str(shop))
    assert "+ budget shop-monthly-total" in home.stdout
