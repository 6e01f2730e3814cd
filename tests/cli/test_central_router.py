"""One router queue for three accounts: the central account's queue hears every account's
severity topics (cross-account SNS to SQS), and every alert names its account."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from click.testing import Result

from cli.shop_commands import invoke, share_session
from cli.test_accounts_fanout import MEMBERS, REGIONS, listed, make_role, member, project
from sentinel import clock
from sentinel.aws.session import SessionFactory
from sentinel.cli.route import route
from sentinel.cli.sync import apply_command, drift_command, plan_command
from sentinel.cli.validate import validate
from sentinel.routing.messages import cloudwatch_time
from sync.shop import write_config

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

PRODUCTION, STAGING = MEMBERS["production"], MEMBERS["staging"]
SENDER = "sentinel@shop.example.com"

ROUTING = """\
router: {}
severities:
  critical:
    notify:
      - email: oncall@shop.example.com
  warning:
    notify:
      - email: team@shop.example.com
"""


@pytest.fixture(autouse=True)
def shared_session(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    share_session(aws, monkeypatch)


def shop(tmp_path: Path, routing: str = ROUTING) -> Path:
    for account in MEMBERS.values():
        make_role(account)
    return write_config(
        tmp_path / "shop",
        {"sentinel.yaml": project(listed(MEMBERS)), "alarms/routing.yaml": routing},
    )


def run(*args: str) -> Result:
    commands = {
        "plan": plan_command,
        "apply": apply_command,
        "drift": drift_command,
        "route": route,
        "validate": validate,
    }
    return invoke(commands, *args)


def queue_policy(aws: SessionFactory, account: str = PRODUCTION) -> dict[str, object]:
    sqs = member(aws, account).client("sqs", region="us-east-1")
    url = sqs.get_queue_url(QueueName="shop-router")["QueueUrl"]
    policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]
    return dict(json.loads(policy["Policy"]))


def every_topic() -> list[str]:
    return sorted(
        f"arn:aws:sns:{region}:{account}:shop-{severity}"
        for account in MEMBERS.values()
        for region in REGIONS
        for severity in ("critical", "warning")
    )


def queues_in(aws: SessionFactory, account: str, region: str) -> list[str]:
    sqs = member(aws, account).client("sqs", region=region)
    return [url.rsplit("/", 1)[-1] for url in sqs.list_queues().get("QueueUrls", [])]


# The router drains the queue with SQS long polls: moto's timed wait hangs under libfaketime.
@pytest.mark.real_clock
def test_one_central_queue_hears_every_account_and_names_it(
    aws: SessionFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = shop(tmp_path)

    applied = run("apply", "-C", str(root), "--auto-approve", "--parallel", "3")

    assert applied.exit_code == 0, applied.output
    assert "Traceback" not in applied.output
    # One queue (and its dead-letter queue), in the first account and region; none elsewhere.
    for account in MEMBERS.values():
        for region in REGIONS:
            expected = ["shop-router", "shop-router-dlq"]
            wanted = expected if (account, region) == (PRODUCTION, "us-east-1") else []
            assert sorted(queues_in(aws, account, region)) == wanted, (account, region)
    statement = queue_policy(aws)["Statement"][0]  # type: ignore[index]
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert sorted(statement["Condition"]["ArnLike"]["aws:SourceArn"]) == every_topic()
    # The central account subscribed its queue to every account's topics, in their regions.
    queue_arn = f"arn:aws:sqs:us-east-1:{PRODUCTION}:shop-router"
    subscribed = sorted(
        s["TopicArn"]
        for region in REGIONS
        for s in member(aws, PRODUCTION)
        .client("sns", region=region)
        .list_subscriptions()["Subscriptions"]
        if s["Endpoint"] == queue_arn
    )
    assert subscribed == every_topic()

    again = run("plan", "-C", str(root), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert again.output.count("No changes.") == 6, again.output
    # The topics' owners see the central queue's subscriptions, and leave them to it.
    assert "kept" not in again.output, again.output
    assert run("drift", "-C", str(root)).exit_code == 0

    # An alarm of staging, in eu-west-1, reaches the central queue and is routed by name.
    member(aws, PRODUCTION).client("ses", region="us-east-1").verify_email_identity(
        EmailAddress=SENDER
    )
    monkeypatch.setenv("SENTINEL_EMAIL_FROM", SENDER)
    topic = f"arn:aws:sns:eu-west-1:{STAGING}:shop-critical"
    changed = clock.now().astimezone(UTC) - timedelta(minutes=5)
    message = {
        "AlarmName": "shop-api-errors",
        "AlarmArn": f"arn:aws:cloudwatch:eu-west-1:{STAGING}:alarm:shop-api-errors",
        "AWSAccountId": STAGING,
        "Region": "EU (Ireland)",
        "NewStateValue": "ALARM",
        "OldStateValue": "OK",
        "NewStateReason": "Threshold Crossed: 1 datapoint [72.0] was greater than 50.0",
        "StateChangeTime": cloudwatch_time(changed),
        "AlarmActions": [topic],
        "Trigger": {
            "MetricName": "HTTPCode_Target_5XX_Count",
            "Namespace": "AWS/ApplicationELB",
            "Statistic": "SUM",
            "Period": 60,
            "EvaluationPeriods": 1,
            "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 50.0,
            "Dimensions": [],
        },
    }
    member(aws, STAGING).client("sns", region="eu-west-1").publish(
        TopicArn=topic, Message=json.dumps(message), Subject='ALARM: "shop-api-errors"'
    )

    routed = run("route", "-C", str(root), "--drain", "--store", f"sqlite:///{tmp_path}/r.db")

    assert routed.exit_code == 0, routed.output
    assert "delivered critical ALARM shop-api-errors in staging (222222222222) eu-west-1" in (
        routed.output
    ), routed.output
    from moto.ses.models import ses_backends

    sent = ses_backends[PRODUCTION]["us-east-1"].sent_messages
    assert len(sent) == 1
    assert sent[0].subject == (
        "[shop] [critical] ALARM shop-api-errors in staging (222222222222) eu-west-1"
    )
    assert "Account: staging (222222222222)" in sent[0].body


def test_the_queue_lives_in_the_router_account(aws: SessionFactory, tmp_path: Path) -> None:
    root = shop(tmp_path, ROUTING.replace("router: {}", "router: {account: staging}"))

    applied = run("apply", "-C", str(root), "--auto-approve")

    assert applied.exit_code == 0, applied.output
    assert sorted(queues_in(aws, STAGING, "us-east-1")) == ["shop-router", "shop-router-dlq"]
    assert queues_in(aws, PRODUCTION, "us-east-1") == []
    statement = queue_policy(aws, STAGING)["Statement"][0]  # type: ignore[index]
    assert sorted(statement["Condition"]["ArnLike"]["aws:SourceArn"]) == every_topic()
    # A member topic lets the central account subscribe the queue, and nothing else.
    sns = member(aws, PRODUCTION).client("sns", region="eu-west-1")
    arn = f"arn:aws:sns:eu-west-1:{PRODUCTION}:shop-critical"
    policy = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
    subscribe = [s for s in policy["Statement"] if s["Sid"] == "SentinelRouterSubscribe"]
    assert subscribe == [
        {
            "Sid": "SentinelRouterSubscribe",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{STAGING}:root"},
            "Action": "SNS:Subscribe",
            "Resource": arn,
            "Condition": {
                "StringEquals": {
                    "sns:Protocol": "sqs",
                    "sns:Endpoint": f"arn:aws:sqs:us-east-1:{STAGING}:shop-router",
                }
            },
        }
    ]
    assert run("plan", "-C", str(root), "--detailed-exitcode").exit_code == 0


def test_a_router_account_not_in_sentinel_yaml_is_refused(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = shop(tmp_path, ROUTING.replace("router: {}", "router: {account: qa}"))

    checked = run("validate", "-C", str(root))

    assert checked.exit_code == 1, checked.output
    said = " ".join(checked.output.split())
    assert "alarms/routing.yaml:1" in said, said
    assert (
        "router account 'qa' is not one of sentinel.yaml's `accounts:` (production "
        "(111111111111), staging (222222222222), dev (333333333333))" in said
    )
    applied = run("apply", "-C", str(root), "--auto-approve")
    assert applied.exit_code == 1
    assert queues_in(aws, PRODUCTION, "us-east-1") == []


def test_drift_names_the_field_of_the_central_queue(aws: SessionFactory, tmp_path: Path) -> None:
    root = shop(tmp_path)
    assert run("apply", "-C", str(root), "--auto-approve").exit_code == 0
    sqs = member(aws, PRODUCTION).client("sqs", region="us-east-1")
    url = sqs.get_queue_url(QueueName="shop-router")["QueueUrl"]
    policy = queue_policy(aws)
    statement = policy["Statement"][0]  # type: ignore[index]
    statement["Condition"]["ArnLike"]["aws:SourceArn"] = every_topic()[1:]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    sns = member(aws, PRODUCTION).client("sns", region="eu-west-1")
    dev_topic = f"arn:aws:sns:eu-west-1:{MEMBERS['dev']}:shop-warning"
    for subscription in sns.list_subscriptions()["Subscriptions"]:
        if subscription["TopicArn"] == dev_topic:
            sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])

    drift = run("drift", "-C", str(root), "--json")

    assert drift.exit_code == 2, drift.output
    places = json.loads(drift.output)["places"]
    central = [p for p in places if (p["account"], p["region"]) == (PRODUCTION, "us-east-1")]
    changes = central[0]["changes"]
    assert [(c["kind"], c["name"]) for c in changes] == [("router-queue", "shop-router")]
    assert sorted(f["field"] for f in changes[0]["fields"]) == ["policy_topics", "topics"]
    others = [p for p in places if p is not central[0]]
    assert all(p["changes"] == [] for p in others)

    assert run("apply", "-C", str(root), "--auto-approve").exit_code == 0
    assert run("plan", "-C", str(root), "--detailed-exitcode").exit_code == 0


def many_severities(count: int) -> str:
    tiers = "".join(
        f"  tier{n:02}:\n    notify:\n      - email: team@shop.example.com\n" for n in range(count)
    )
    return f"router: {{}}\nseverities:\n{tiers}"


def central_plan(root: Path) -> Result:
    return run("plan", "-C", str(root), "--format", "json", "--account", "production")


def test_a_policy_over_sqs_limit_names_each_topic_once_for_every_region(
    aws: SessionFactory, tmp_path: Path
) -> None:
    # 3 accounts x 2 regions x 30 topics: 180 ARNs are over SQS's 8,192 bytes; 90 patterns fit.
    root = shop(tmp_path, many_severities(30))

    planned = central_plan(root)

    assert planned.exit_code == 0, planned.output
    home = json.loads(planned.output)["places"][0]
    queue = next(c for c in home["changes"] if c["kind"] == "router-queue")
    sources = next(f["new"] for f in queue["fields"] if f["field"] == "policy_topics")
    assert len(sources) == 90
    assert f"arn:aws:sns:*:{STAGING}:shop-tier07" in sources


def test_a_policy_over_sqs_limit_even_compacted_is_refused(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = shop(tmp_path, many_severities(80))

    planned = central_plan(root)

    assert planned.exit_code == 1, planned.output
    said = " ".join(planned.output.split())
    assert "over SQS's 8,192 bytes even with one pattern per account and topic" in said, said


def test_a_queue_of_a_member_account_from_before_is_deleted(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = shop(tmp_path)
    sqs = member(aws, STAGING).client("sqs", region="us-east-1")
    sqs.create_queue(QueueName="shop-router", tags={"sentinel:project": "shop"})

    planned = run("plan", "-C", str(root), "--account", "staging", "--region", "us-east-1")
    # The queue is all the account has yet: the guard against wiping an account asks for this.
    applied = run("apply", "-C", str(root), "--auto-approve", "--allow-mass-delete")

    assert "- router-queue shop-router" in planned.output, planned.output
    assert applied.exit_code == 0, applied.output
    assert queues_in(aws, STAGING, "us-east-1") == []
    assert sorted(queues_in(aws, PRODUCTION, "us-east-1")) == ["shop-router", "shop-router-dlq"]


def test_the_central_queue_reads_its_subscriptions_page_by_page(
    aws: SessionFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import moto.sns.models

    monkeypatch.setattr(moto.sns.models, "DEFAULT_PAGE_SIZE", 2)  # 6 in each region: 3 pages
    root = shop(tmp_path)

    assert run("apply", "-C", str(root), "--auto-approve").exit_code == 0
    again = run("plan", "-C", str(root), "--detailed-exitcode")

    assert again.exit_code == 0, again.output
    assert "kept" not in again.output
