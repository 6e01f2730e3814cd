"""Adoption: a resource the config names, in AWS as configured but untagged, is tagged, and only.

The hand-made estate is the config's resources written without any tag (inside the project
prefix and, through ``aws_name``, outside it): alarms, composites, dashboards, budgets, topics
and their subscriptions. Plan shows only adoptions; apply tags them and changes nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from rich.console import Console

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.naming import ownership_tags
from sentinel.sync import alarms as alarms_module
from sentinel.sync.alarms import Alarms
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import apply, plan
from sentinel.sync.model import Action, Plan
from sentinel.sync.render import plan_json, render_drift, render_plan, render_result
from sentinel.sync.render_markdown import render_markdown

from .shop import NAMED_TOPIC_ROUTING as ROUTING
from .shop import PROJECT, context, shop_files, write_config

ALARMS = """\
alarms:
  - name: api-errors
    severity: critical
    namespace: AWS/ApplicationELB
    metric: HTTPCode_Target_5XX_Count
    dimensions: {LoadBalancer: app/shop-alb/0123456789abcdef}
    statistic: Sum
    condition: "> 50"

  - name: api-latency
    aws_name: API latency (legacy)
    severity: warning
    namespace: AWS/ApplicationELB
    metric: TargetResponseTime
    dimensions: {LoadBalancer: app/shop-alb/0123456789abcdef}
    statistic: p95
    condition: "> 2"

composites:
  - name: api-down
    severity: critical
    rule: ALARM(api-errors) AND ALARM(api-latency)

  - name: api-degraded
    aws_name: legacy-api-degraded
    severity: warning
    rule: ALARM(api-latency)
"""

DASHBOARDS = """\
dashboards:
  - name: ops
    rows:
      - widgets:
          - {type: alarms, title: Critical, severity: critical}
  - name: legacy
    aws_name: Legacy_Ops
    rows:
      - widgets:
          - {type: text, markdown: "# Legacy"}
"""

BUDGETS = """\
budgets:
  - name: monthly
    amount: 500 USD
    alerts: [80%]
    notify: [critical]
  - name: team
    aws_name: Team budget
    amount: 120 USD
    alerts: [100%]
    notify: [team@shop.example.com]
"""

ADOPTED = {
    ("topic", "ops-pager"),
    ("topic", "shop-warning"),
    ("subscription", "ops-pager/email:oncall@shop.example.com"),
    ("subscription", "shop-warning/email:team@shop.example.com"),
    ("alarm", "shop-api-errors"),
    ("alarm", "API latency (legacy)"),
    ("composite alarm", "shop-api-down"),
    ("composite alarm", "legacy-api-degraded"),
    ("dashboard", "shop-ops"),
    ("dashboard", "Legacy_Ops"),
    ("budget", "shop-monthly"),
    ("budget", "Team budget"),
}


class Untagged(SyncContext):
    """Writes the config's resources as someone would by hand: the same, without any tag."""

    @property
    def tags(self) -> dict[str, str]:
        return {}


class HandTagged(SyncContext):
    """The same, with a tag of its maker's (SQS's TagQueue takes no empty set of tags)."""

    @property
    def tags(self) -> dict[str, str]:
        return {"origin": "by-hand"}


def _root(tmp_path: Path) -> Path:
    files = {
        "alarms/routing.yaml": ROUTING,
        "alarms/shop.yaml": ALARMS,
        "dashboards/ops.yaml": DASHBOARDS,
        "budgets/budgets.yaml": BUDGETS,
    }
    return write_config(tmp_path / "shop", shop_files(files))


def _hand_made(aws: SessionFactory, root: Path, maker: type[SyncContext] = Untagged) -> None:
    config = load_config(root)
    by_hand = maker(config=config, factory=aws, region="us-east-1")
    report = apply(by_hand, plan(by_hand))
    assert report.ok, [(r.change.key, r.error) for r in report.failed]
    assert not any("sentinel:project" in tags for tags in _tags(aws).values())


def _alarms(aws: SessionFactory) -> dict[str, dict[str, Any]]:
    pages = (
        aws.client("cloudwatch")
        .get_paginator("describe_alarms")
        .paginate(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    )
    return {
        alarm["AlarmName"]: alarm
        for page in pages
        for alarm in page["MetricAlarms"] + page["CompositeAlarms"]
    }


def _budget_arn(name: str) -> str:
    return f"arn:aws:budgets::123456789012:budget/{name}"


def _estate(aws: SessionFactory) -> dict[str, Any]:
    """Every resource of the account as AWS describes it (tags aside)."""
    cloudwatch, sns, budgets = aws.client("cloudwatch"), aws.client("sns"), aws.client("budgets")
    account = "123456789012"
    topics = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    listed = budgets.describe_budgets(AccountId=account).get("Budgets", [])
    return {
        "alarms": _alarms(aws),
        "dashboards": {
            d["DashboardName"]: cloudwatch.get_dashboard(DashboardName=d["DashboardName"])[
                "DashboardBody"
            ]
            for d in cloudwatch.list_dashboards()["DashboardEntries"]
        },
        "topics": {arn: sns.get_topic_attributes(TopicArn=arn)["Attributes"] for arn in topics},
        "subscriptions": sorted(
            (s["TopicArn"], s["Protocol"], s["Endpoint"], s["SubscriptionArn"])
            for s in sns.list_subscriptions()["Subscriptions"]
        ),
        "budgets": {
            b["BudgetName"]: (
                b,
                budgets.describe_notifications_for_budget(
                    AccountId=account, BudgetName=b["BudgetName"]
                )["Notifications"],
            )
            for b in listed
        },
    }


def _tags(aws: SessionFactory) -> dict[str, dict[str, str]]:
    """The tags of every alarm, dashboard, topic and budget, by name."""
    cloudwatch, sns, budgets = aws.client("cloudwatch"), aws.client("sns"), aws.client("budgets")
    found: dict[str, dict[str, str]] = {}
    for name, alarm in _alarms(aws).items():
        tags = cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
        found[name] = {t["Key"]: t["Value"] for t in tags}
    for entry in cloudwatch.list_dashboards()["DashboardEntries"]:
        tags = cloudwatch.list_tags_for_resource(ResourceARN=entry["DashboardArn"])["Tags"]
        found[entry["DashboardName"]] = {t["Key"]: t["Value"] for t in tags}
    for topic in sns.list_topics()["Topics"]:
        tags = sns.list_tags_for_resource(ResourceArn=topic["TopicArn"])["Tags"]
        found[topic["TopicArn"].rsplit(":", 1)[-1]] = {t["Key"]: t["Value"] for t in tags}
    for budget in budgets.describe_budgets(AccountId="123456789012").get("Budgets", []):
        arn = _budget_arn(budget["BudgetName"])
        tags = budgets.list_tags_for_resource(ResourceARN=arn).get("ResourceTags", [])
        found[budget["BudgetName"]] = {t["Key"]: t["Value"] for t in tags}
    return found


def _text(result: Plan, drift: bool = False) -> str:
    console = Console(record=True, width=200)
    (render_drift if drift else render_plan)(result, console)
    return console.export_text()


def test_a_hand_made_estate_as_configured_is_adopted_and_only_tagged(
    aws: SessionFactory, tmp_path: Path, small_tagging_pages: int
) -> None:
    root = _root(tmp_path)
    _hand_made(aws, root)
    before = _estate(aws)
    ctx = context(aws, root)

    adoption = plan(ctx)

    assert adoption.conflicts == []
    assert {(c.kind, c.key) for c in adoption.changes} == ADOPTED
    assert {c.action for c in adoption.changes} == {Action.ADOPT}
    assert adoption.managed_total == 0  # not the project's yet
    assert adoption.summary() == (
        "Plan: 12 to adopt, 0 to create, 0 to update, 0 to replace, 0 to delete."
    )
    text = _text(adoption)
    assert "<= adopt alarm API latency (legacy)" in text
    assert "<= adopt topic ops-pager" in text
    assert "<= adopt budget Team budget" in text
    assert "adopt composite alarm legacy-api-degraded" in text
    assert plan_json(adoption)["summary"]["adopt"] == 12
    markdown = render_markdown(adoption)
    assert "12 to adopt" in markdown and "`<=` **`API latency (legacy)`**" in markdown
    drift = _text(adoption, drift=True)
    assert "unowned alarm API latency (legacy): in AWS as configured, without the" in drift
    assert "No drift." in drift and not adoption.drift

    console = Console(record=True, width=200)
    report = apply(ctx, adoption, on_result=lambda r: render_result(r, console))

    assert report.ok, [(r.change.key, r.error) for r in report.failed]
    assert "✓ adopted alarm API latency (legacy)" in console.export_text()
    wanted = {"Team": "payments", "CostCenter": "cc-42", **ownership_tags("shop")}
    tagged = _tags(aws)
    assert {name: tagged[name] for _, name in ADOPTED if name in tagged} == {
        name: wanted for kind, name in ADOPTED if kind != "subscription"
    }
    assert _estate(aws) == before  # nothing but the tags changed
    again = plan(context(aws, root))
    assert again.is_empty and again.conflicts == []
    assert again.managed_total == 10 + 2  # ten tagged resources, two subscriptions through topics


def test_an_unowned_resource_that_differs_is_a_conflict_and_nothing_is_written(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = _root(tmp_path)
    _hand_made(aws, root)
    cloudwatch = aws.client("cloudwatch")
    legacy = _alarms(aws)["API latency (legacy)"]
    cloudwatch.put_metric_alarm(
        **{
            key: legacy[key]
            for key in (
                "AlarmName",
                "Namespace",
                "MetricName",
                "Dimensions",
                "ExtendedStatistic",
                "Period",
                "EvaluationPeriods",
                "ComparisonOperator",
                "AlarmActions",
                "OKActions",
                "InsufficientDataActions",
                "TreatMissingData",
            )
        },
        Threshold=3.0,  # the config says 2
    )
    before = _estate(aws)
    ctx = context(aws, root)

    result = plan(ctx)

    [conflict] = result.conflicts
    assert (conflict.kind, conflict.key) == ("alarm", "API latency (legacy)")
    assert conflict.message == (
        "exists in AWS, owned by no Sentinel project (created by hand?), and differs from the "
        "config in threshold; Sentinel adopts only a resource identical to its config "
        "(`sentinel import` writes a config that matches it) and will not change it"
    )
    assert ("alarm", "API latency (legacy)") not in {(c.kind, c.key) for c in result.changes}
    assert apply(ctx, result).ok
    after = _estate(aws)
    assert after["alarms"]["API latency (legacy)"] == before["alarms"]["API latency (legacy)"]
    assert _tags(aws)["API latency (legacy)"] == {}
    assert "! alarm API latency (legacy): exists in AWS, owned by no Sentinel" in _text(result)


def test_another_projects_resource_is_a_conflict_not_an_adoption(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = _root(tmp_path)
    _hand_made(aws, root)
    cloudwatch, budgets = aws.client("cloudwatch"), aws.client("budgets")
    others = [{"Key": "sentinel:project", "Value": "billing"}]
    cloudwatch.tag_resource(
        ResourceARN=_alarms(aws)["API latency (legacy)"]["AlarmArn"], Tags=others
    )
    budgets.tag_resource(ResourceARN=_budget_arn("Team budget"), ResourceTags=others)
    ctx = context(aws, root)

    result = plan(ctx)

    assert {(c.kind, c.key, c.message) for c in result.conflicts} == {
        (kind, name, "exists in AWS, owned by project 'billing'; Sentinel will not change it")
        for kind, name in [("alarm", "API latency (legacy)"), ("budget", "Team budget")]
    }
    assert {(c.kind, c.key) for c in result.changes} == ADOPTED - {
        ("alarm", "API latency (legacy)"),
        ("budget", "Team budget"),
    }
    assert apply(ctx, result).ok
    tags = _tags(aws)
    assert tags["API latency (legacy)"] == {"sentinel:project": "billing"}
    assert tags["Team budget"] == {"sentinel:project": "billing"}


@pytest.fixture
def recorded(aws: SessionFactory) -> Iterator[tuple[SessionFactory, list[dict[str, Any]]]]:
    """A factory whose every request's parameters are recorded (the ``aws`` account)."""
    session = boto3.Session(region_name="us-east-1")
    requests: list[dict[str, Any]] = []
    session.events.register(
        "provide-client-params.*.*", lambda params, **_: requests.append(dict(params))
    )
    yield SessionFactory(session=session, region="us-east-1"), requests


def test_a_hand_made_resource_the_config_does_not_name_is_never_touched(
    aws: SessionFactory,
    tmp_path: Path,
    recorded: tuple[SessionFactory, list[dict[str, Any]]],
) -> None:
    cloudwatch, sns = aws.client("cloudwatch"), aws.client("sns")
    cloudwatch.put_metric_alarm(
        AlarmName="someone-elses-alarm",
        Namespace="AWS/EC2",
        MetricName="CPUUtilization",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=90.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    cloudwatch.put_dashboard(DashboardName="Someone_Else", DashboardBody='{"widgets": []}')
    topic = sns.create_topic(Name="someone-elses-topic")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="someone@else.example")
    aws.client("budgets").create_budget(
        AccountId="123456789012",
        Budget={
            "BudgetName": "Someone budget",
            "BudgetLimit": {"Amount": "10", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
    )
    before = _estate(aws)
    factory, requests = recorded
    root = _root(tmp_path)
    ctx = context(factory, root)

    assert apply(ctx, plan(ctx)).ok
    assert plan(context(factory, root)).is_empty

    theirs = ["someone-elses-alarm", "Someone_Else", "someone-elses-topic", "Someone budget"]
    sent = repr(requests)
    assert [name for name in theirs if name in sent] == []  # never read, tagged or deleted
    after = _estate(aws)
    assert after["alarms"]["someone-elses-alarm"] == before["alarms"]["someone-elses-alarm"]
    assert after["dashboards"]["Someone_Else"] == before["dashboards"]["Someone_Else"]
    assert after["budgets"]["Someone budget"] == before["budgets"]["Someone budget"]
    assert topic in after["topics"]
    assert {name: _tags(aws)[name] for name in theirs} == {name: {} for name in theirs}


RULES = 230


def _many(n: int, threshold: int = 90) -> str:
    rules = "\n".join(
        f"  - {{name: cpu-{i:03d}, aws_name: 'legacy cpu {i:03d}', severity: warning, "
        f"namespace: AWS/EC2, metric: CPUUtilization, dimensions: {{InstanceId: i-{i:08x}}}, "
        f'condition: "> {threshold}"}}'
        for i in range(n)
    )
    return f"alarms:\n{rules}\n"


def test_named_alarms_are_read_in_batches_and_pages_and_adopted(
    aws: SessionFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_config(
        tmp_path / "many",
        {"sentinel.yaml": PROJECT, "alarms/routing.yaml": ROUTING, "alarms/a.yaml": _many(RULES)},
    )
    config = load_config(root)
    by_hand = Untagged(config=config, factory=aws, region="us-east-1")
    assert apply(by_hand, plan(by_hand, [Alarms()]), [Alarms()]).ok
    # Batches of 40 names read in pages of 7: every page of every batch is followed.
    monkeypatch.setattr(alarms_module, "NAMES_PER_REQUEST", 40)
    monkeypatch.setattr(alarms_module, "PAGE_SIZE", 7)
    aws.counter.reset()

    adoption = plan(context(aws, root), [Alarms()])

    assert adoption.count(Action.ADOPT) == RULES and adoption.conflicts == []
    batches = math.ceil(RULES / 40)
    pages = batches * math.ceil(40 / 7)
    # One empty page for the prefix, then each batch's pages (the last batch is shorter).
    assert aws.counter.total("cloudwatch", "DescribeAlarms") <= 1 + pages
    assert aws.counter.total("cloudwatch", "DescribeAlarms") >= 1 + math.ceil(RULES / 7)
    assert apply(context(aws, root), adoption).ok
    assert plan(context(aws, root), [Alarms()]).is_empty


def test_owners_of_matched_alarms_cost_one_tagging_request_a_hundred(
    tmp_path: Path, recorded: tuple[SessionFactory, list[dict[str, Any]]]
) -> None:
    """The figure: a plan over N matched alarms reads their owners in ceil(N/100) GetResources
    requests of 100 ARNs (AWS answers such a list whole; moto pages its answers by 100 tags,
    so each request here is followed over a few pages)."""
    factory, requests = recorded
    root = write_config(
        tmp_path / "many",
        {"sentinel.yaml": PROJECT, "alarms/routing.yaml": ROUTING, "alarms/a.yaml": _many(RULES)},
    )
    ctx = context(factory, root)
    assert apply(ctx, plan(ctx, [Alarms()]), [Alarms()]).ok
    requests.clear()
    factory.counter.reset()

    assert plan(context(factory, root), [Alarms()]).is_empty

    tagging = [r for r in requests if "ResourceARNList" in r]
    batches = [r["ResourceARNList"] for r in tagging if "PaginationToken" not in r]
    assert [len(arns) for arns in batches] == [100, 100, 30]  # ceil(230 / 100) requests
    assert factory.counter.total("cloudwatch", "DescribeAlarms") == 1 + math.ceil(RULES / 100)
    assert factory.counter.total("cloudwatch", "ListTagsForResource") == 0


def test_an_alarm_made_by_hand_with_awss_defaults_is_adopted(
    aws: SessionFactory, tmp_path: Path
) -> None:
    """Written as people write alarms: an int threshold, no datapoints, no description."""
    root = _root(tmp_path)
    ctx = context(aws, root)
    aws.client("cloudwatch").put_metric_alarm(
        AlarmName="API latency (legacy)",
        Namespace="AWS/ApplicationELB",
        MetricName="TargetResponseTime",
        Dimensions=[{"Name": "LoadBalancer", "Value": "app/shop-alb/0123456789abcdef"}],
        ExtendedStatistic="p95",
        Period=60,
        EvaluationPeriods=1,
        Threshold=2,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
        AlarmActions=[f"arn:aws:sns:us-east-1:{ctx.account_id}:shop-warning"],
        OKActions=[f"arn:aws:sns:us-east-1:{ctx.account_id}:shop-warning"],
    )

    result = plan(ctx, [Alarms()])

    assert result.conflicts == []
    assert [(c.key, c.action) for c in result.changes] == [
        ("shop-api-errors", Action.CREATE),
        ("API latency (legacy)", Action.ADOPT),
    ]
    assert apply(ctx, result, [Alarms()]).ok
    assert _tags(aws)["API latency (legacy)"]["sentinel:project"] == "shop"
    assert plan(context(aws, root), [Alarms()]).is_empty


def test_the_router_queue_is_adopted_with_its_dead_letter_queue(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = write_config(
        tmp_path / "shop", shop_files({"alarms/routing.yaml": ROUTING + "router: {}\n"})
    )
    _hand_made(aws, root, HandTagged)
    ctx = context(aws, root)

    result = plan(ctx)

    assert ("router-queue", "shop-router", Action.ADOPT) in {
        (c.kind, c.key, c.action) for c in result.changes
    }
    assert {c.action for c in result.changes} == {Action.ADOPT} and result.conflicts == []
    assert apply(ctx, result).ok
    sqs = aws.client("sqs")
    for queue in ("shop-router", "shop-router-dlq"):
        url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
        assert sqs.list_queue_tags(QueueUrl=url)["Tags"]["sentinel:project"] == "shop"
    assert plan(context(aws, root)).is_empty
