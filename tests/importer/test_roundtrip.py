"""The whole way in: import the estate, validate, plan (adoptions only), apply, plan (empty).

Every resource described before the import and after the apply is the same but for the
ownership tags the adoption added, and those only on what the config names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.emulator.estate import PAGERDUTY_KEY, PROJECT, WEBHOOK_URL, build_estate
from sentinel.naming import ownership_tags
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import apply, plan
from sentinel.sync.model import Action

from .conftest import Run

# Fields AWS changes on its own: alarm state and timestamps, a budget's spend.
VOLATILE = {
    "StateValue",
    "StateReason",
    "StateReasonData",
    "StateUpdatedTimestamp",
    "StateTransitionedTimestamp",
    "AlarmConfigurationUpdatedTimestamp",
}
NOT_IMPORTED = {"estate-canary-heartbeat", "legacy-layout"}


def describe(
    aws: SessionFactory,
) -> tuple[dict[tuple[str, str], Any], dict[str, dict[str, str]]]:
    """Every resource of the estate as AWS describes it, and the tags of each by name."""
    cloudwatch, sns, budgets = (aws.client(s) for s in ("cloudwatch", "sns", "budgets"))
    account = aws.caller_account()
    found: dict[tuple[str, str], Any] = {}
    tags: dict[str, dict[str, str]] = {}

    def tags_of(items: list[dict[str, str]]) -> dict[str, str]:
        return {t["Key"]: t["Value"] for t in items}

    for page in cloudwatch.get_paginator("describe_alarms").paginate(
        AlarmTypes=["MetricAlarm", "CompositeAlarm"]
    ):
        for kind, alarms in (("alarm", "MetricAlarms"), ("composite alarm", "CompositeAlarms")):
            for alarm in page[alarms]:
                name = alarm["AlarmName"]
                found[kind, name] = {k: v for k, v in alarm.items() if k not in VOLATILE}
                listed = cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])
                tags[name] = tags_of(listed["Tags"])
    for page in cloudwatch.get_paginator("list_dashboards").paginate():
        for entry in page["DashboardEntries"]:
            name = entry["DashboardName"]
            body = cloudwatch.get_dashboard(DashboardName=name)
            found["dashboard", name] = json.loads(body["DashboardBody"])
            listed = cloudwatch.list_tags_for_resource(ResourceARN=body["DashboardArn"])
            tags[name] = tags_of(listed["Tags"])
    for page in sns.get_paginator("list_topics").paginate():
        for topic in page["Topics"]:
            arn = topic["TopicArn"]
            name = arn.rsplit(":", 1)[1]
            found["topic", name] = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
            found["subscriptions", name] = sorted(
                (s["Protocol"], s["Endpoint"], s["SubscriptionArn"])
                for s in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
            )
            tags[name] = tags_of(sns.list_tags_for_resource(ResourceArn=arn)["Tags"])
    for budget in budgets.describe_budgets(AccountId=account)["Budgets"]:
        name = budget["BudgetName"]
        budget.pop("CalculatedSpend", None)
        budget.pop("LastUpdatedTime", None)
        notifications = budgets.describe_notifications_for_budget(
            AccountId=account, BudgetName=name
        )["Notifications"]
        found["budget", name] = {
            "budget": budget,
            "alerts": [
                (
                    n,
                    budgets.describe_subscribers_for_notification(
                        AccountId=account, BudgetName=name, Notification=n
                    )["Subscribers"],
                )
                for n in notifications
            ],
        }
        arn = f"arn:aws:budgets::{account}:budget/{name}"
        tags[name] = tags_of(budgets.list_tags_for_resource(ResourceARN=arn)["ResourceTags"])
    return found, tags


def test_import_validate_plan_apply_plan(aws: SessionFactory, run: Run, tmp_path: Path) -> None:
    build_estate(aws)
    before, tags_before = describe(aws)
    out = tmp_path / "estate"

    imported = run("import", "-C", str(out), "--project", PROJECT)

    assert imported.exit_code == 0, imported.output
    validated = run("validate", "-C", str(out))
    assert validated.exit_code == 0, validated.output
    shown = run("plan", "-C", str(out))
    assert shown.exit_code == 0, shown.output
    assert "<= adopt" in shown.output
    for text in (imported.output, validated.output, shown.output):
        assert PAGERDUTY_KEY not in text and WEBHOOK_URL not in text

    ctx = SyncContext(config=load_config(out), factory=aws, region="us-east-1")
    # Hand-made topics keep their own access policies (SNS's default, a statement for Budgets).
    assert ctx.config.routing is not None
    policies = {n: s.topic_policy for n, s in ctx.config.routing.severities.items()}
    assert all(policies.values()), policies
    assert "budgets.amazonaws.com" in str(policies["warning"])
    first = plan(ctx)

    assert first.conflicts == []
    assert {c.action for c in first.changes} == {Action.ADOPT}
    adopted = {(c.kind, c.key) for c in first.changes if c.kind != "subscription"}
    named = {key for key in before if key[0] != "subscriptions" and key[1] not in NOT_IMPORTED}
    assert adopted == named
    assert len([key for key in adopted if key[0] == "alarm"]) == 304

    report = apply(ctx, first)

    assert all(r.error is None for r in report.results), [r.error for r in report.results]
    again = plan(SyncContext(config=load_config(out), factory=aws, region="us-east-1"))
    assert again.changes == [] and again.conflicts == []
    after, tags_after = describe(aws)
    assert after == before
    for name, tags in tags_before.items():
        if name in NOT_IMPORTED:
            assert tags_after[name] == tags
        else:
            assert tags_after[name] == {**tags, **ownership_tags(PROJECT)}, name
