"""Severity topics and their subscriptions: protocols, secrets, keys, pending confirmations."""

from __future__ import annotations

import json
from pathlib import Path

from moto.sns.responses import SNSResponse
from rich.console import Console

from sentinel.aws.session import SessionFactory
from sentinel.sync.engine import apply, plan
from sentinel.sync.model import Action
from sentinel.sync.render import plan_json, render_drift, render_plan, render_report
from sentinel.sync.subscriptions import Subscriptions, normalise_subscription
from sentinel.sync.topics import Topics

from .shop import PAGERDUTY_KEY, ROUTING, context, shop_files, write_config

ACCOUNT = "123456789012"


def _topic_arn(name: str) -> str:
    return f"arn:aws:sns:us-east-1:{ACCOUNT}:{name}"


def _subscriptions(aws: SessionFactory, topic: str) -> set[tuple[str, str]]:
    listed = aws.client("sns").list_subscriptions_by_topic(TopicArn=_topic_arn(topic))
    return {(s["Protocol"], s["Endpoint"]) for s in listed["Subscriptions"]}


def test_one_tagged_topic_per_severity(aws: SessionFactory, shop: Path) -> None:
    ctx = context(aws, shop)
    assert apply(ctx, plan(ctx, [Topics()]), [Topics()]).ok

    sns = aws.client("sns")
    names = sorted(t["TopicArn"].rsplit(":", 1)[1] for t in sns.list_topics()["Topics"])
    assert names == ["shop-critical", "shop-warning"]
    tags = sns.list_tags_for_resource(ResourceArn=_topic_arn("shop-critical"))["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {
        "Team": "payments",
        "CostCenter": "cc-42",
        "sentinel:project": "shop",
        "sentinel:managed-by": "sentinel",
    }
    attributes = sns.get_topic_attributes(TopicArn=_topic_arn("shop-critical"))["Attributes"]
    assert attributes["DisplayName"] == "shop critical"


def test_severities_sharing_a_topic_get_one(aws: SessionFactory, tmp_path: Path) -> None:
    routing = """\
severities:
  critical: {topic: pager, notify: [{email: oncall@shop.example.com}]}
  high: {topic: pager, notify: [{email: oncall@shop.example.com}]}
"""
    root = write_config(
        tmp_path / "shared", shop_files({"alarms/routing.yaml": routing, "alarms/shop.yaml": ""})
    )
    ctx = context(aws, root)
    changes = plan(ctx, [Topics(), Subscriptions()]).changes
    assert [(c.kind, c.key) for c in changes] == [
        ("topic", "shop-pager"),
        ("subscription", "shop-pager/email:oncall@shop.example.com"),
    ]
    assert changes[0].desired and changes[0].desired.fields["display_name"] == "shop critical/high"


def test_subscriptions_per_protocol_and_slack_left_to_the_router(
    aws: SessionFactory, shop: Path
) -> None:
    ctx = context(aws, shop)
    assert apply(ctx, plan(ctx)).ok

    assert _subscriptions(aws, "shop-critical") == {
        ("https", f"https://events.pagerduty.com/integration/{PAGERDUTY_KEY}/enqueue"),
        ("email", "oncall@shop.example.com"),
    }
    assert _subscriptions(aws, "shop-warning") == {
        ("email", "team@shop.example.com"),
        ("sqs", "arn:aws:sqs:us-east-1:123456789012:shop-alerts"),
        ("lambda", "arn:aws:lambda:us-east-1:123456789012:function:shop-notify"),
    }
    assert plan(context(aws, shop)).is_empty


def test_pagerduty_key_never_shown(aws: SessionFactory, shop: Path) -> None:
    ctx = context(aws, shop)
    planned = plan(ctx)
    console = Console(record=True, width=200)
    render_plan(planned, console)
    text = console.export_text()
    as_json = json.dumps(plan_json(planned))

    assert PAGERDUTY_KEY not in text and PAGERDUTY_KEY not in as_json
    [pagerduty] = [c for c in planned.changes if c.key.startswith("shop-critical/https")]
    assert pagerduty.key.startswith("shop-critical/https:sensitive-")
    assert 'endpoint: "(sensitive)"' in text
    assert {"field": "endpoint", "old": None, "new": "(sensitive)"} in next(
        c["fields"] for c in plan_json(planned)["changes"] if c["name"] == pagerduty.key
    )


def test_rotated_key_keeps_the_old_subscription_unless_the_severity_is_exclusive(
    aws: SessionFactory, shop: Path, monkeypatch
) -> None:
    ctx = context(aws, shop)
    assert apply(ctx, plan(ctx)).ok
    monkeypatch.setenv("SHOP_PAGERDUTY_KEY", "rotated0123456789")

    ctx = context(aws, shop)
    rotated = plan(ctx)
    assert [(c.action.value, c.kind) for c in rotated.changes] == [("create", "subscription")]
    [kept] = rotated.kept
    assert kept.key.startswith("shop-critical/https:sensitive-")
    assert kept.reason == "not in config; severity critical is not exclusive"

    exclusive = ROUTING.replace("    page: true\n", "    page: true\n    exclusive: true\n")
    write_config(shop, {"alarms/routing.yaml": exclusive})
    ctx = context(aws, shop)
    rotated = plan(ctx)
    actions = sorted((c.action.value, c.kind) for c in rotated.changes)
    assert actions == [("create", "subscription"), ("delete", "subscription")]
    assert rotated.kept == []
    assert apply(ctx, rotated).ok

    endpoints = {e for p, e in _subscriptions(aws, "shop-critical") if p == "https"}
    assert endpoints == {"https://events.pagerduty.com/integration/rotated0123456789/enqueue"}


def test_subscription_error_messages_hide_the_key(
    aws: SessionFactory, shop: Path, inject_faults
) -> None:
    from moto.sns.exceptions import SNSInvalidParameter

    def reject_https(response: SNSResponse) -> Exception | None:
        endpoint = response._get_param("Endpoint") or ""
        if endpoint.startswith("https://"):
            return SNSInvalidParameter(f"Invalid parameter: Endpoint {endpoint} is unreachable")
        return None

    inject_faults(SNSResponse, "subscribe", reject_https)
    ctx = context(aws, shop)
    report = apply(ctx, plan(ctx))

    [failed] = report.failed
    assert failed.error and "(sensitive)" in failed.error
    assert PAGERDUTY_KEY not in failed.error
    console = Console(record=True, width=200)
    render_report(report, console)
    assert PAGERDUTY_KEY not in console.export_text()


def test_hand_made_subscription_on_a_managed_topic_is_kept_and_listed(
    aws: SessionFactory, shop: Path, small_tagging_pages: int
) -> None:
    ctx = context(aws, shop)
    assert apply(ctx, plan(ctx)).ok
    aws.client("sns").subscribe(
        TopicArn=_topic_arn("shop-warning"), Protocol="email", Endpoint="intern@shop.example.com"
    )

    ctx = context(aws, shop)
    extra = plan(ctx)
    assert extra.is_empty
    assert apply(ctx, extra).ok

    assert ("email", "intern@shop.example.com") in _subscriptions(aws, "shop-warning")
    console = Console(record=True, width=200)
    render_plan(extra, console)
    assert (
        "= kept: subscription shop-warning/email:intern@shop.example.com "
        "(not in config; severity warning is not exclusive)"
    ) in console.export_text()
    drift = Console(record=True, width=200)
    render_drift(extra, drift)
    assert drift.export_text().splitlines() == [
        "kept subscription shop-warning/email:intern@shop.example.com: in AWS, not in config; "
        "severity warning is not exclusive",
        "No drift. AWS matches the configuration.",
    ]
    assert plan_json(extra)["kept"] == [
        {
            "kind": "subscription",
            "name": "shop-warning/email:intern@shop.example.com",
            "reason": "not in config; severity warning is not exclusive",
        }
    ]


def test_an_exclusive_severity_removes_subscriptions_made_by_hand(
    aws: SessionFactory, shop: Path, small_tagging_pages: int
) -> None:
    exclusive = ROUTING.replace("  warning:\n", "  warning:\n    exclusive: true\n")
    write_config(shop, {"alarms/routing.yaml": exclusive})
    ctx = context(aws, shop)
    assert apply(ctx, plan(ctx)).ok
    aws.client("sns").subscribe(
        TopicArn=_topic_arn("shop-warning"), Protocol="email", Endpoint="intern@shop.example.com"
    )

    ctx = context(aws, shop)
    extra = plan(ctx)
    assert [(c.key, c.action) for c in extra.changes] == [
        ("shop-warning/email:intern@shop.example.com", Action.DELETE)
    ]
    assert apply(ctx, extra).ok
    assert ("email", "intern@shop.example.com") not in _subscriptions(aws, "shop-warning")


def test_pending_confirmation_has_no_arn_and_is_never_deleted(
    aws: SessionFactory, shop: Path
) -> None:
    state = normalise_subscription(
        {
            "SubscriptionArn": "PendingConfirmation",
            "TopicArn": _topic_arn("shop-warning"),
            "Protocol": "email",
            "Endpoint": "new@shop.example.com",
        }
    )
    assert state.arn is None
    assert state.key == "shop-warning/email:new@shop.example.com"
    ctx = context(aws, shop)
    assert apply(ctx, plan(ctx, [Topics()]), [Topics()]).ok
    # Owned through its topic like any other, but kept: it has no ARN to unsubscribe.
    assert Subscriptions().owners(ctx, [state]) == {state.key: "shop"}
    assert Subscriptions().keeps(ctx, state) == (
        "pending confirmation: SNS cannot unsubscribe it until it is confirmed"
    )


def test_with_a_router_it_delivers_email_and_pagerduty_and_owns_its_subscription(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = write_config(
        tmp_path / "routed", shop_files({"alarms/routing.yaml": ROUTING + "router: {}\n"})
    )
    ctx = context(aws, root)
    kinds = [Topics(), Subscriptions()]
    assert apply(ctx, plan(ctx, kinds), kinds).ok
    router_queue = "arn:aws:sqs:us-east-1:123456789012:shop-router"
    aws.client("sns").subscribe(
        TopicArn=_topic_arn("shop-critical"), Protocol="sqs", Endpoint=router_queue
    )

    assert _subscriptions(aws, "shop-critical") == {("sqs", router_queue)}
    assert _subscriptions(aws, "shop-warning") == {
        ("sqs", "arn:aws:sqs:us-east-1:123456789012:shop-alerts"),
        ("lambda", "arn:aws:lambda:us-east-1:123456789012:function:shop-notify"),
    }
    assert plan(context(aws, root), kinds).is_empty


def test_topics_let_budgets_and_cloudwatch_publish_from_this_account_only(
    aws: SessionFactory, shop: Path
) -> None:
    ctx = context(aws, shop)
    assert apply(ctx, plan(ctx, [Topics()]), [Topics()]).ok

    attributes = aws.client("sns").get_topic_attributes(TopicArn=_topic_arn("shop-critical"))
    (statement,) = json.loads(attributes["Attributes"]["Policy"])["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "SNS:Publish"
    assert statement["Resource"] == _topic_arn("shop-critical")
    assert sorted(statement["Principal"]["Service"]) == [
        "budgets.amazonaws.com",
        "cloudwatch.amazonaws.com",
        "costalerts.amazonaws.com",
    ]
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    assert plan(ctx, [Topics()]).is_empty


def test_a_policy_edited_in_the_console_is_drift(aws: SessionFactory, shop: Path) -> None:
    ctx = context(aws, shop)
    assert apply(ctx, plan(ctx, [Topics()]), [Topics()]).ok
    aws.client("sns").set_topic_attributes(
        TopicArn=_topic_arn("shop-warning"),
        AttributeName="Policy",
        AttributeValue=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )

    (change,) = plan(ctx, [Topics()]).changes
    assert (change.key, change.action) == ("shop-warning", Action.UPDATE)
    assert [f.field for f in change.fields] == ["policy.Statement"]
    assert apply(ctx, plan(ctx, [Topics()]), [Topics()]).ok
    assert plan(ctx, [Topics()]).is_empty
