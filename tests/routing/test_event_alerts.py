"""AWS events from EventBridge rules: each preset's recorded event becomes an alert with a
summary, a console link and the incident's key, and the router pages and posts it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine

from sentinel.routing.alert import AlertKind, AlertState
from sentinel.routing.messages import parse_message
from sentinel.routing.router import DELIVERED, DUPLICATE

from .conftest import PD_KEY, World
from .scenario import topic_arn

EVENTS = Path(__file__).parent.parent / "fixtures" / "events"
DAY = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


def event(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return loaded


def envelope(message: dict[str, Any], message_id: str = "sns-1") -> str:
    """The SQS body SNS delivers for an EventBridge target: the event as the Message."""
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": message_id,
            "TopicArn": topic_arn("critical"),
            "Message": json.dumps(message),
            "Timestamp": "2026-03-04T14:59:00.000Z",
        }
    )


# fixture -> (key, name, words of the reason, console link's start)
CASES = {
    "ecs_deployment_failed.json": (
        "ecs-deployment:ecs-svc/123",
        "ECS deployment failed: servicetest",
        "ECS deployment ecs-svc/123 failed on service servicetest in cluster default",
        "https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/default/services/servicetest/",
    ),
    "ecs_deployment_rollback.json": (
        "ecs-deployment:ecs-svc/123",
        "ECS deployment rollback: servicetest",
        "is rolling back on service servicetest in cluster default",
        "https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/default/services/servicetest/",
    ),
    "ecs_task_stopped.json": (
        "ecs-task:arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/"
        "c13b4cb40f1f4fe4a2971f76ae5a47ad",
        "ECS task stopped: sample-fargate",
        "stopped in cluster FargateCluster (service:sample-fargate): FargateApp exited 1",
        "https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/FargateCluster/tasks/",
    ),
    "autoscaling_launch_unsuccessful.json": (
        "autoscaling:87654321-4321-4321-4321-210987654321",
        "Auto Scaling launch failed: my-asg",
        "Auto Scaling group my-asg could not launch an instance: The image id",
        "https://us-west-2.console.aws.amazon.com/ec2/home?region=us-west-2#AutoScalingGroupDetails:id=my-asg",
    ),
    "backup_job_failed.json": (
        "backup-job:34176239-e96d-4e1d-9fad-529dbb3c3556",
        "AWS Backup job failed: vol-0b5ae24f2ee72d926",
        "Backup job 34176239-e96d-4e1d-9fad-529dbb3c3556 of EBS",
        "https://us-west-2.console.aws.amazon.com/backup/home?region=us-west-2#/jobs/backup/details/",
    ),
    "health_event.json": (
        "health:arn:aws:health:af-south-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/"
        "AWS_EC2_OPERATIONAL_ISSUE_7f35c8ae-af1f-54e6-a526-d0179ed6d68f",
        "AWS Health issue: EC2 AWS_EC2_OPERATIONAL_ISSUE",
        "AWS Health AWS_EC2_OPERATIONAL_ISSUE for EC2 in af-south-1 (open)",
        "https://health.aws.amazon.com/health/home#/account/event-log?eventID=arn%3Aaws%3Ahealth",
    ),
    "guardduty_finding.json": (
        "guardduty:16afba5c5c43e07c9e3e5e2e544e95df",
        "GuardDuty finding: CryptoCurrency:EC2/BitcoinTool.B!DNS",
        "of severity 8",
        "https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings",
    ),
    "securityhub_finding.json": (
        "securityhub:arn:aws:macie:us-west-2:123456789012:integtest/trigger/"
        "6294d71b927c41cbab915159a8f326a3/alert/f2893b211841",
        "Security Hub HIGH finding: Google Suite Two-Factor Backup Codes uploaded to S3",
        "on arn:aws:s3:::test-bucket-12",
        "https://us-west-2.console.aws.amazon.com/securityhub/home?region=us-west-2#/findings",
    ),
    "root_sign_in.json": (
        "cloudtrail:fcd4e3b2-fc8e-4a4b-8f8e-2a4d0b8e0e11",
        "Console sign-in of the root user",
        "The root user signed in to the console from 192.0.2.10 (MFA: No)",
        "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/fcd4",
    ),
    "console_sign_in_failure.json": (
        "cloudtrail:d76d6a3a-0e8f-4b6c-9f2e-3c1b5a7d9e11",
        "Console sign-in failed",
        "Console sign-in failed for Mary_Major from 192.0.2.77",
        "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/d76d",
    ),
    "config_noncompliant.json": (
        "config:s3-bucket-server-side-encryption-enabled:AWS::S3::Bucket my-unencrypted-bucket",
        "Config rule s3-bucket-server-side-encryption-enabled: NON_COMPLIANT",
        "AWS::S3::Bucket my-unencrypted-bucket is NON_COMPLIANT with AWS Config rule",
        "https://us-east-1.console.aws.amazon.com/config/home?region=us-east-1#/rules/details?"
        "configRuleName=s3-bucket-server-side-encryption-enabled",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_preset_event_parses_into_an_alert(name: str) -> None:
    key, title, words, link = CASES[name]
    data = event(name)
    alert = parse_message(envelope(data))
    assert alert.kind is AlertKind.EVENT and alert.state is AlertState.ALARM
    assert not alert.resolvable
    assert alert.key == key
    assert alert.name == title
    assert words in alert.reason
    assert alert.links and alert.links[0].href.startswith(link)
    assert alert.account == data["account"] and alert.region == data["region"]
    assert alert.event_time == datetime.fromisoformat(data["time"].replace("Z", "+00:00"))
    assert alert.topic_arn == topic_arn("critical")


def test_every_preset_has_a_recorded_event() -> None:
    from sentinel.config.event_presets import presets

    sources = {(p.pattern["source"][0], p.pattern["detail-type"][0]) for p in presets().values()}
    recorded = {(event(n)["source"], event(n)["detail-type"]) for n in CASES}
    assert sources <= recorded


def test_an_event_of_a_raw_pattern_gets_a_generic_alert() -> None:
    data = {
        "version": "0",
        "id": "e-1",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "123456789012",
        "time": "2026-03-04T14:00:00Z",
        "region": "eu-west-1",
        "resources": ["arn:aws:s3:::uploads"],
        "detail": {"bucket": {"name": "uploads"}},
    }
    alert = parse_message(envelope(data))
    assert alert.key == "event:aws.s3:Object Created:arn:aws:s3:::uploads"
    assert alert.reason == "Object Created from aws.s3 for arn:aws:s3:::uploads"


def test_a_deployment_failure_pages_and_posts(world: World) -> None:
    with time_machine.travel(DAY, tick=False):
        world.publish("critical", event("ecs_deployment_failed.json"))
        world.drain()
    assert [d.action for d in world.decisions] == [DELIVERED]
    [page] = world.events
    assert page["routing_key"] == PD_KEY and page["event_action"] == "trigger"
    assert page["dedup_key"] == "ecs-deployment:ecs-svc/123"
    assert page["payload"]["severity"] == "critical"
    assert page["payload"]["summary"].startswith(
        "[critical] ALARM ECS deployment failed: servicetest: ECS deployment ecs-svc/123 failed"
    )
    links = {link["text"]: link["href"] for link in page["links"]}
    assert "ECS service" in links
    [post] = world.slack()
    assert "ECS deployment failed: servicetest" in json.dumps(post["blocks"])
    assert world.depth() == 0


def test_the_same_sns_message_twice_is_handled_once(world: World) -> None:
    """SNS delivers at least once: a redelivery of one event (same MessageId) pages once."""
    with time_machine.travel(DAY, tick=False):
        message_id = world.publish("critical", event("guardduty_finding.json"))
        world.drain()
        world.send_raw(envelope(event("guardduty_finding.json"), message_id))
        world.drain()
    assert [d.action for d in world.decisions] == [DELIVERED, DUPLICATE]
    [page] = world.events
    assert page["dedup_key"] == "guardduty:16afba5c5c43e07c9e3e5e2e544e95df"
