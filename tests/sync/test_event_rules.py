"""EventBridge rules: applied as configured, read back in small pages, drift, deletion, and
the severity topic's policy that lets the project's rules publish."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import apply, plan
from sentinel.sync.event_rules import TARGET_ID, EventRules
from sentinel.sync.kinds import all_kinds
from sentinel.sync.model import Action
from sentinel.sync.topics import Topics

from .shop import context, shop_files, write_config

ACCOUNT = "123456789012"
EVENTS = """\
events:
  - name: deployment-failed
    preset: ecs-deployment-failure
    severity: critical
    options: {clusters: [prod]}
  - name: guardduty
    preset: guardduty-finding
    severity: critical
  - name: backups
    preset: backup-failure
    severity: warning
    description: nightly backups of the shop
  - name: custom
    pattern: {source: [aws.ecs], detail-type: [ECS Task State Change]}
    severity: warning
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_config(tmp_path / "shop", shop_files({"alarms/events.yaml": EVENTS}))


def _rules(aws: SessionFactory) -> dict[str, dict[str, object]]:
    return {r["Name"]: r for r in aws.client("events").list_rules(NamePrefix="shop-")["Rules"]}


class SmallPages(EventRules):
    page_size = 1


def test_apply_creates_tagged_rules_targeting_the_severity_topic(
    aws: SessionFactory, root: Path
) -> None:
    ctx = context(aws, root)
    assert apply(ctx, plan(ctx)).ok

    events = aws.client("events")
    rules = _rules(aws)
    assert sorted(rules) == [
        "shop-backups",
        "shop-custom",
        "shop-deployment-failed",
        "shop-guardduty",
    ]
    deployment = rules["shop-deployment-failed"]
    assert deployment["State"] == "ENABLED"
    assert json.loads(str(deployment["EventPattern"]))["resources"] == [
        {"wildcard": "arn:*:ecs:*:*:service/prod/*"}
    ]
    assert json.loads(str(rules["shop-guardduty"]["EventPattern"]))["detail"] == {
        "severity": [{"numeric": [">=", 7]}]
    }
    assert rules["shop-backups"]["Description"] == "nightly backups of the shop"
    targets = events.list_targets_by_rule(Rule="shop-deployment-failed")["Targets"]
    assert targets == [{"Id": TARGET_ID, "Arn": f"arn:aws:sns:us-east-1:{ACCOUNT}:shop-critical"}]
    targets = events.list_targets_by_rule(Rule="shop-custom")["Targets"]
    assert [t["Arn"] for t in targets] == [f"arn:aws:sns:us-east-1:{ACCOUNT}:shop-warning"]
    tags = events.list_tags_for_resource(ResourceARN=str(deployment["Arn"]))["Tags"]
    assert {t["Key"]: t["Value"] for t in tags}["sentinel:project"] == "shop"

    assert plan(context(aws, root)).is_empty


def test_the_severity_topic_lets_the_project_rules_publish(aws: SessionFactory, root: Path) -> None:
    ctx = context(aws, root)
    assert apply(ctx, plan(ctx)).ok
    sns = aws.client("sns")
    text = sns.get_topic_attributes(TopicArn=f"arn:aws:sns:us-east-1:{ACCOUNT}:shop-critical")
    statements = json.loads(text["Attributes"]["Policy"])["Statement"]
    events = next(s for s in statements if s["Principal"] == {"Service": "events.amazonaws.com"})
    assert events["Action"] == "SNS:Publish"
    assert events["Condition"] == {
        "ArnEquals": {
            "aws:SourceArn": [
                f"arn:aws:events:us-east-1:{ACCOUNT}:rule/shop-deployment-failed",
                f"arn:aws:events:us-east-1:{ACCOUNT}:rule/shop-guardduty",
            ]
        }
    }


def test_without_event_rules_the_topic_policy_has_no_events_statement(
    aws: SessionFactory, shop: Path
) -> None:
    ctx = context(aws, shop)
    assert apply(ctx, plan(ctx, [Topics()]), [Topics()]).ok
    text = aws.client("sns").get_topic_attributes(
        TopicArn=f"arn:aws:sns:us-east-1:{ACCOUNT}:shop-critical"
    )
    assert "events.amazonaws.com" not in text["Attributes"]["Policy"]


def test_small_pages_read_every_rule_and_target(aws: SessionFactory, root: Path) -> None:
    ctx = context(aws, root)
    assert apply(ctx, plan(ctx)).ok
    events = aws.client("events")
    events.put_targets(
        Rule="shop-custom",
        Targets=[{"Id": "by-hand", "Arn": f"arn:aws:sns:us-east-1:{ACCOUNT}:other"}],
    )
    kinds = [SmallPages() if k.name == "event rule" else k for k in all_kinds()]
    again = plan(context(aws, root), kinds)
    assert len(again.actual["event rule"]) == 4
    (change,) = again.changes
    assert change.key == "shop-custom"
    assert [f.field for f in change.fields] == ["targets"]
    assert apply(context(aws, root), again, kinds).ok
    targets = events.list_targets_by_rule(Rule="shop-custom")["Targets"]
    assert [t["Id"] for t in targets] == [TARGET_ID]


def test_a_pattern_edited_in_aws_is_drift_that_names_the_field(
    aws: SessionFactory, root: Path
) -> None:
    ctx = context(aws, root)
    assert apply(ctx, plan(ctx)).ok
    events = aws.client("events")
    events.put_rule(
        Name="shop-backups",
        EventPattern='{"source":["aws.backup"]}',
        State="DISABLED",
        Description="nightly backups of the shop",
    )
    drift = plan(context(aws, root), [EventRules()])
    (change,) = drift.changes
    assert change.action is Action.UPDATE
    assert sorted(f.field for f in change.fields) == [
        "pattern.detail-type",
        "pattern.detail.state",
        "state",
    ]
    assert apply(context(aws, root), drift, [EventRules()]).ok
    assert _rules(aws)["shop-backups"]["State"] == "ENABLED"
    assert plan(context(aws, root)).is_empty


def test_a_rule_removed_from_the_config_is_deleted(aws: SessionFactory, root: Path) -> None:
    ctx = context(aws, root)
    assert apply(ctx, plan(ctx)).ok
    fewer = EVENTS.split("  - name: custom")[0]
    write_config(root, {"alarms/events.yaml": fewer})
    result = plan(context(aws, root), [EventRules()])
    assert [(c.key, c.action) for c in result.changes] == [("shop-custom", Action.DELETE)]
    assert apply(context(aws, root), result, [EventRules()]).ok
    assert "shop-custom" not in _rules(aws)


def test_a_rule_of_another_owner_is_never_touched(aws: SessionFactory, root: Path) -> None:
    events = aws.client("events")
    events.put_rule(Name="shop-custom", EventPattern='{"source":["aws.s3"]}')
    result = plan(context(aws, root), [EventRules()])
    assert [c.key for c in result.conflicts] == ["shop-custom"]


def test_an_untagged_rule_as_configured_is_adopted(aws: SessionFactory, root: Path) -> None:
    ctx = context(aws, root)
    assert apply(ctx, plan(ctx)).ok
    events = aws.client("events")
    arn = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/shop-custom"
    events.untag_resource(ResourceARN=arn, TagKeys=["sentinel:project", "sentinel:managed-by"])
    result = plan(context(aws, root), [EventRules()])
    assert [(c.key, c.action) for c in result.changes] == [("shop-custom", Action.ADOPT)]
    assert apply(context(aws, root), result, [EventRules()]).ok
    tags = {t["Key"]: t["Value"] for t in events.list_tags_for_resource(ResourceARN=arn)["Tags"]}
    assert tags["sentinel:project"] == "shop"
    assert plan(context(aws, root)).is_empty


def test_root_sign_ins_are_watched_in_us_east_1_only(aws: SessionFactory, tmp_path: Path) -> None:
    events = "events:\n  - {name: root, preset: root-sign-in, severity: critical}\n"
    root = write_config(tmp_path / "shop", shop_files({"alarms/events.yaml": events}))
    sentinel_yaml = root / "sentinel.yaml"
    sentinel_yaml.write_text(
        sentinel_yaml.read_text().replace("regions: [us-east-1]", "regions: [eu-west-1, us-east-1]")
    )
    config = load_config(root)

    for region in ("eu-west-1", "us-east-1"):
        ctx = SyncContext(config=config, factory=aws, region=region)
        assert apply(ctx, plan(ctx)).ok
        assert plan(SyncContext(config=config, factory=aws, region=region)).is_empty

    listed = {
        region: [r["Name"] for r in aws.client("events", region).list_rules()["Rules"]]
        for region in ("eu-west-1", "us-east-1")
    }
    assert listed == {"eu-west-1": [], "us-east-1": ["shop-root"]}
