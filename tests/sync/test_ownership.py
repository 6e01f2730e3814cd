"""Ownership read across every page of the Tagging API: hundreds of alarms, all ours."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from sentinel.aws.session import SessionFactory
from sentinel.errors import RefusedError
from sentinel.sync.engine import apply, plan
from sentinel.sync.mass_delete import check_mass_delete
from sentinel.sync.model import Action
from sentinel.sync.render import render_plan

from .shop import ROUTING, context, shop_files, write_config
from .test_budgets import BUDGETS

ALARMS = 300


def _rules(threshold: int) -> str:
    rules = "\n".join(
        f"  - {{name: queue-{n:03d}, severity: warning, namespace: AWS/SQS, "
        f"metric: ApproximateNumberOfMessagesVisible, dimensions: {{QueueName: q{n}}}, "
        f'statistic: Maximum, condition: "> {threshold}"}}'
        for n in range(ALARMS)
    )
    return f"alarms:\n{rules}\n"


def _project(aws: SessionFactory, tmp_path: Path) -> Path:
    root = write_config(tmp_path / "queues", shop_files({"alarms/shop.yaml": _rules(100)}))
    ctx = context(aws, root)
    report = apply(ctx, plan(ctx))
    assert report.ok, [(r.change.key, r.error) for r in report.failed]
    return root


def _alarm_names(aws: SessionFactory) -> list[str]:
    pages = aws.client("cloudwatch").get_paginator("describe_alarms").paginate()
    return [a["AlarmName"] for page in pages for a in page["MetricAlarms"]]


def test_300_changed_alarms_are_300_updates_not_conflicts(
    aws: SessionFactory, tmp_path: Path, small_tagging_pages: int
) -> None:
    root = _project(aws, tmp_path)
    write_config(root, {"alarms/shop.yaml": _rules(200)})

    changed = plan(context(aws, root))

    assert changed.conflicts == []
    assert changed.count(Action.UPDATE) == ALARMS
    assert changed.managed["alarm"] == ALARMS
    assert apply(context(aws, root), changed).ok
    thresholds = {
        a["Threshold"]
        for page in aws.client("cloudwatch").get_paginator("describe_alarms").paginate()
        for a in page["MetricAlarms"]
    }
    assert thresholds == {200.0}


def test_an_allowed_mass_delete_leaves_nothing_owned_behind(
    aws: SessionFactory, tmp_path: Path, small_tagging_pages: int
) -> None:
    root = _project(aws, tmp_path)
    write_config(root, {"alarms/shop.yaml": "", "alarms/routing.yaml": ""})
    ctx = context(aws, root)

    emptied = plan(ctx)
    with pytest.raises(RefusedError):
        check_mass_delete(emptied, allow_mass_delete=False)
    check_mass_delete(emptied, allow_mass_delete=True)
    report = apply(ctx, emptied)

    assert report.ok and emptied.count(Action.DELETE) == emptied.managed_total
    assert _alarm_names(aws) == []
    assert aws.client("sns").list_topics()["Topics"] == []
    assert plan(context(aws, root)).is_empty


def test_a_hand_made_topic_of_the_projects_name_gets_no_subscription_and_no_alarm(
    aws: SessionFactory, tmp_path: Path, small_tagging_pages: int
) -> None:
    sns = aws.client("sns")
    hand_made = sns.create_topic(Name="shop-critical")["TopicArn"]  # someone's, untagged
    root = write_config(
        tmp_path / "routed", shop_files({"alarms/routing.yaml": ROUTING + "router: {}\n"})
    )
    ctx = context(aws, root)

    planned = plan(ctx)
    report = apply(ctx, planned)

    conflicts = {(c.kind, c.key): c.message for c in planned.conflicts}
    assert conflicts[("topic", "shop-critical")] == (
        "exists in AWS, owned by no Sentinel project (created by hand?), and differs from the "
        "config in display_name, policy.Version, policy.Statement, policy.Id; Sentinel adopts "
        "only a resource identical to its config (`sentinel import` writes a config that "
        "matches it) and will not change it and nothing it writes will point at it"
    )
    blocked = (
        "points at topic shop-critical, which Sentinel does not own (see its conflict); "
        "not applied until that is resolved"
    )
    assert {key for key, message in conflicts.items() if message == blocked} == {
        ("alarm", "shop-api-errors"),
        ("alarm", "shop-api-error-rate"),
        ("composite alarm", "shop-api-down"),
        ("router-queue", "shop-router"),
    }
    assert report.ok
    assert sns.list_subscriptions_by_topic(TopicArn=hand_made)["Subscriptions"] == []
    actions = {
        arn
        for page in aws.client("cloudwatch").get_paginator("describe_alarms").paginate()
        for alarm in page["MetricAlarms"] + page["CompositeAlarms"]
        for arn in alarm["AlarmActions"] + alarm["OKActions"] + alarm["InsufficientDataActions"]
    }
    assert hand_made not in actions
    assert actions == {"arn:aws:sns:us-east-1:123456789012:shop-warning"}  # the rest is applied
    queues = aws.client("sqs").list_queues().get("QueueUrls", [])
    assert not any(url.endswith("/shop-router") for url in queues)
    console = Console(record=True, width=200)
    render_plan(planned, console)
    assert "! topic shop-critical: exists in AWS, owned by no Sentinel project" in (
        console.export_text()
    )


def test_subscriptions_to_a_hand_made_topic_are_not_made(
    aws: SessionFactory, shop: Path, small_tagging_pages: int
) -> None:
    sns = aws.client("sns")
    hand_made = sns.create_topic(Name="shop-critical")["TopicArn"]
    ctx = context(aws, shop)

    planned = plan(ctx)
    assert apply(ctx, planned).ok

    blocked = sorted(c.key for c in planned.conflicts if c.kind == "subscription")
    assert blocked[0] == "shop-critical/email:oncall@shop.example.com"
    assert blocked[1].startswith("shop-critical/https:sensitive-") and len(blocked) == 2
    assert sns.list_subscriptions_by_topic(TopicArn=hand_made)["Subscriptions"] == []
    warning = "arn:aws:sns:us-east-1:123456789012:shop-warning"
    assert len(sns.list_subscriptions_by_topic(TopicArn=warning)["Subscriptions"]) == 3


def test_a_budget_alerting_a_hand_made_topic_is_held_back(
    aws: SessionFactory, tmp_path: Path, small_tagging_pages: int
) -> None:
    aws.client("sns").create_topic(Name="shop-critical")
    root = write_config(tmp_path / "shop", shop_files({"budgets/budgets.yaml": BUDGETS}))
    ctx = context(aws, root)

    planned = plan(ctx)
    assert apply(ctx, planned).ok

    held = {c.key for c in planned.conflicts if c.kind == "budget"}
    assert held == {"shop-payments-forecast"}
    budgets = aws.client("budgets").describe_budgets(AccountId="123456789012")["Budgets"]
    assert sorted(b["BudgetName"] for b in budgets) == ["shop-data-transfer", "shop-monthly"]
