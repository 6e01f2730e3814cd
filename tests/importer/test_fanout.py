"""``sentinel import`` over three accounts and two regions: one configuration, what is in some
places only narrowed with accounts:/regions:, what differs kept once and named; the plan after
it adopts, and the plan after the apply is empty everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from cli.shop_commands import invoke, share_session
from cli.test_accounts_fanout import (
    MEMBERS,
    REGIONS,
    listed,
    make_role,
    member,
    project,
    shop_project,
)
from sentinel.aws.session import SessionFactory
from sentinel.cli.import_ import import_command
from sentinel.cli.sync import apply_command, plan_command

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

EVERYWHERE = [(account, region) for account in MEMBERS for region in REGIONS]


@pytest.fixture(autouse=True)
def shared_session(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    share_session(aws, monkeypatch)


def run(*args: str) -> Result:
    return invoke({"import": import_command, "plan": plan_command, "apply": apply_command}, *args)


def alarm(aws: SessionFactory, account: str, region: str, name: str, threshold: float) -> None:
    client = member(aws, MEMBERS[account]).client("cloudwatch", region=region)
    topic = f"arn:aws:sns:{region}:{MEMBERS[account]}:shop-critical"
    client.put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/SQS",
        MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[{"Name": "QueueName", "Value": "orders"}],
        Statistic="Maximum",
        Period=300,
        EvaluationPeriods=3,
        Threshold=threshold,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="missing",
        AlarmActions=[topic],
        OKActions=[topic],
    )


@pytest.fixture
def estate(aws: SessionFactory, tmp_path: Path) -> Path:
    """Hand-made alarms in three accounts and two regions, each place with its topic."""
    for account, region in EVERYWHERE:
        if region == REGIONS[0]:
            make_role(MEMBERS[account])
        sns = member(aws, MEMBERS[account]).client("sns", region=region)
        sns.create_topic(Name="shop-critical")
        alarm(aws, account, region, "shop-orders-backlog", 100)
        if account == "production":
            alarm(aws, account, region, "shop-payments-backlog", 10)
        if region == "eu-west-1":
            alarm(aws, account, region, "shop-eu-backlog", 50)
        alarm(aws, account, region, "shop-refunds-backlog", 90 if account == "staging" else 80)
    directory = tmp_path / "shop"
    directory.mkdir()
    (directory / "sentinel.yaml").write_text(project(listed(MEMBERS)))
    return directory


def rules(directory: Path) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in (directory / "alarms").glob("*.yaml"):
        for rule in (yaml.safe_load(path.read_text()) or {}).get("alarms", []):
            found[rule["aws_name"] if "aws_name" in rule else rule["name"]] = rule
    return found


def test_every_account_and_region_is_imported_into_one_configuration(
    aws: SessionFactory, estate: Path
) -> None:
    imported = run("import", "-C", str(estate), "--force", "--parallel", "3")

    assert imported.exit_code == 0, imported.output
    written = rules(estate)
    assert set(written) == {"orders-backlog", "payments-backlog", "eu-backlog", "refunds-backlog"}
    everywhere = written["orders-backlog"]
    assert "accounts" not in everywhere and "regions" not in everywhere
    assert written["payments-backlog"]["accounts"] == ["production"]
    assert "regions" not in written["payments-backlog"]
    assert written["eu-backlog"]["regions"] == ["eu-west-1"]
    assert "accounts" not in written["eu-backlog"]
    # One name, two thresholds: kept as production has it, where it is the same.
    assert written["refunds-backlog"]["accounts"] == ["production", "dev"]
    said = " ".join(imported.output.split())
    assert "refunds-backlog" in said and "staging/us-east-1" in said and "left unmanaged" in said

    # The hand-made topics keep SNS's default policy, the same in every place.
    routing = yaml.safe_load((estate / "alarms" / "routing.yaml").read_text())
    assert routing["severities"]["critical"]["topic_policy"] == "aws-default"
    assert "routed differently" not in said

    planned = run("plan", "-C", str(estate))
    assert planned.exit_code == 0, planned.output
    plan_text = " ".join(planned.output.split())
    # Adoptions only, in every place: 6 topics; 6 + 2 + 3 + 4 alarms.
    assert plan_text.count("<= adopt topic shop-critical") == len(EVERYWHERE)
    assert plan_text.count("<= adopt alarm") == 15
    for sign in ("+ ", "~ ", "- ", "-/+ ", "! "):
        assert f"\n{sign}" not in planned.output, planned.output
    applied = run("apply", "-C", str(estate), "--auto-approve", "--parallel", "3")
    assert applied.exit_code == 0, applied.output
    again = run("plan", "-C", str(estate), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert again.output.count("No changes") == len(EVERYWHERE)
    # Staging's own refunds alarm is left as it was: not the project's, never deleted.
    cloudwatch = member(aws, MEMBERS["staging"]).client("cloudwatch", region="us-east-1")
    [kept] = cloudwatch.describe_alarms(AlarmNames=["shop-refunds-backlog"])["MetricAlarms"]
    assert kept["Threshold"] == 90


def test_a_place_that_cannot_be_read_is_named_and_the_others_are_imported(
    aws: SessionFactory, estate: Path
) -> None:
    text = (estate / "sentinel.yaml").read_text()
    (estate / "sentinel.yaml").write_text(
        text.replace(
            f'{{id: "{MEMBERS["dev"]}", name: dev, role: sentinel}}',
            f'{{id: "{MEMBERS["dev"]}", name: dev, role: missing-role}}',
        )
    )
    imported = run("import", "-C", str(estate), "--force")

    assert imported.exit_code == 1, imported.output
    said = " ".join(imported.output.split())
    assert "2 of 6 account-region(s) could not be read" in said
    assert "Traceback" not in imported.output
    assert set(rules(estate)) >= {"orders-backlog", "payments-backlog"}


def composite(aws: SessionFactory, account: str, region: str, name: str, child: str) -> None:
    client = member(aws, MEMBERS[account]).client("cloudwatch", region=region)
    topic = f"arn:aws:sns:{region}:{MEMBERS[account]}:shop-critical"
    client.put_composite_alarm(
        AlarmName=name, AlarmRule=f'ALARM("{child}")', AlarmActions=[topic], OKActions=[topic]
    )


def composites(directory: Path) -> dict[str, dict[str, Any]]:
    return {
        item["name"]: item
        for path in (directory / "alarms").glob("*.yaml")
        for item in (yaml.safe_load(path.read_text()) or {}).get("composites", [])
    }


def adopted_then_converged(directory: Path, composites: int) -> None:
    """The plan after the import only adopts (``composites`` composite alarms among what it
    adopts); after the apply, the plan is empty."""
    planned = run("plan", "-C", str(directory))
    assert planned.exit_code == 0, planned.output
    plan_text = " ".join(planned.output.split())
    assert plan_text.count("<= adopt composite alarm") == composites
    for sign in ("+ ", "~ ", "- ", "-/+ ", "! "):
        assert f"\n{sign}" not in planned.output, planned.output
    assert run("apply", "-C", str(directory), "--auto-approve").exit_code == 0
    again = run("plan", "-C", str(directory), "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_a_composite_in_some_places_only_is_narrowed_like_an_alarm_rule(
    aws: SessionFactory, estate: Path
) -> None:
    for account, region in EVERYWHERE:
        composite(aws, account, region, "shop-orders-down", "shop-orders-backlog")
        if account == "production":
            composite(aws, account, region, "shop-payments-down", "shop-payments-backlog")
        if region == "eu-west-1":
            composite(aws, account, region, "shop-eu-down", "shop-eu-backlog")

    imported = run("import", "-C", str(estate), "--force")

    assert imported.exit_code == 0, imported.output
    written = composites(estate)
    assert set(written) == {"orders-down", "payments-down", "eu-down"}
    assert "accounts" not in written["orders-down"] and "regions" not in written["orders-down"]
    assert written["payments-down"]["accounts"] == ["production"]
    assert "regions" not in written["payments-down"]
    assert written["eu-down"]["regions"] == ["eu-west-1"]
    assert "accounts" not in written["eu-down"]
    said = " ".join(imported.output.split())
    assert "3 composite alarms" in said and "Not represented (1)" in said

    # Adopted where each is: 6 + 2 + 3 composites.
    adopted_then_converged(estate, composites=11)


def test_a_composite_over_an_alarm_kept_as_one_place_has_it_follows_that_alarm(
    aws: SessionFactory, estate: Path
) -> None:
    # shop-refunds-backlog differs in staging (90 against 80): written for production and dev
    # only. The composites over it, found everywhere, are narrowed the same way; the one over
    # that composite as well.
    for account, region in EVERYWHERE:
        composite(aws, account, region, "shop-refunds-down", "shop-refunds-backlog")
        composite(aws, account, region, "shop-refunds-page", "shop-refunds-down")
        composite(aws, account, region, "shop-orders-down", "shop-orders-backlog")

    imported = run("import", "-C", str(estate), "--force")

    assert imported.exit_code == 0, imported.output
    written = composites(estate)
    assert written["refunds-down"]["accounts"] == ["production", "dev"]
    assert written["refunds-page"]["accounts"] == ["production", "dev"]
    assert "accounts" not in written["orders-down"]
    said = " ".join(imported.output.replace("│", " ").split())
    assert "uses refunds-backlog, not written in staging/us-east-1, staging/eu-west-1" in said
    assert "uses refunds-down, not written in staging/us-east-1, staging/eu-west-1" in said

    # Adopted where each is written: 4 + 4 + 6 composites.
    adopted_then_converged(estate, composites=14)
    # Staging's composites are left as they were: not the project's, never deleted.
    cloudwatch = member(aws, MEMBERS["staging"]).client("cloudwatch", region="us-east-1")
    kept = cloudwatch.describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
    assert {c["AlarmName"] for c in kept} >= {"shop-refunds-down", "shop-refunds-page"}


def tag_as_the_projects(aws: SessionFactory, account: str, names: list[str]) -> None:
    for region in REGIONS:
        cloudwatch = member(aws, MEMBERS[account]).client("cloudwatch", region=region)
        found = cloudwatch.describe_alarms(
            AlarmNames=names, AlarmTypes=["MetricAlarm", "CompositeAlarm"]
        )
        for alarm in found["MetricAlarms"] + found["CompositeAlarms"]:
            cloudwatch.tag_resource(
                ResourceARN=alarm["AlarmArn"], Tags=[{"Key": "sentinel:project", "Value": "shop"}]
            )


def test_what_the_projects_tag_marks_and_is_left_out_is_named_as_deleted_by_the_next_apply(
    aws: SessionFactory, estate: Path
) -> None:
    # Staging's variants carry the project's tag (an earlier apply made them): a plan of the
    # imported config deletes them there, and the import says so instead of "left unmanaged".
    for account, region in EVERYWHERE:
        composite(aws, account, region, "shop-refunds-down", "shop-refunds-backlog")
    tag_as_the_projects(aws, "staging", ["shop-refunds-backlog", "shop-refunds-down"])

    imported = run("import", "-C", str(estate), "--force")

    assert imported.exit_code == 0, imported.output
    said = " ".join(imported.output.replace("│", " ").split())
    assert "Deleted by the next apply (2)" in said, imported.output
    assert "alarm shop-refunds-backlog staging/us-east-1, staging/eu-west-1" in said
    assert "composite alarm shop-refunds-down staging/us-east-1, staging/eu-west-1" in said
    assert (
        "in staging/us-east-1, staging/eu-west-1: the next apply deletes it in "
        "staging/us-east-1, staging/eu-west-1, where this project's tag marks it" in said
    )
    assert "sentinel:project=shop" in said

    planned = run("plan", "-C", str(estate))
    assert planned.exit_code == 0, planned.output
    deletions = [line for line in planned.output.splitlines() if line.startswith("- ")]
    assert sorted(deletions) == sorted(
        ["- alarm shop-refunds-backlog", "- composite alarm shop-refunds-down"] * 2
    ), planned.output


def test_a_project_applied_everywhere_imports_with_nothing_to_delete(
    aws: SessionFactory, tmp_path: Path
) -> None:
    # Its budget (the account's, read in its first region only) and its severity topics carry
    # the project's tag in every place, and are all written: nothing is named as deleted.
    applied_from = shop_project(tmp_path)
    assert run("apply", "-C", str(applied_from), "--auto-approve").exit_code == 0
    directory = tmp_path / "imported"
    directory.mkdir()
    (directory / "sentinel.yaml").write_text((applied_from / "sentinel.yaml").read_text())

    imported = run("import", "-C", str(directory), "--force")

    assert imported.exit_code == 0, imported.output
    assert "Deleted by the next apply" not in imported.output
    assert "Everything read is represented in the config." in imported.output
    planned = run("plan", "-C", str(directory), "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert planned.output.count("No changes") == len(EVERYWHERE)
