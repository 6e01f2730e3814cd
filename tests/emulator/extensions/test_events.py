"""EventBridge as AWS has it: PutRule refuses what AWS refuses, TestEventPattern matches, and
ListRules / ListTargetsByRule page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from sentinel.aws.session import SessionFactory
from sentinel.config.event_presets import presets

EVENTS = Path(__file__).parents[2] / "fixtures" / "events"
# Each preset's recorded events (AWS documentation samples).
RECORDED = {
    "ecs-deployment-failure": ["ecs_deployment_failed.json", "ecs_deployment_rollback.json"],
    "ecs-task-stopped": ["ecs_task_stopped.json"],
    "autoscaling-failure": ["autoscaling_launch_unsuccessful.json"],
    "backup-failure": ["backup_job_failed.json"],
    "health-event": ["health_event.json"],
    "guardduty-finding": ["guardduty_finding.json"],
    "securityhub-finding": ["securityhub_finding.json"],
    "root-sign-in": ["root_sign_in.json"],
    "console-sign-in-failure": ["console_sign_in_failure.json"],
    "config-noncompliant": ["config_noncompliant.json"],
}


def _matches(aws: SessionFactory, pattern: dict[str, object], name: str) -> bool:
    event = (EVENTS / name).read_text()
    answer = aws.client("events").test_event_pattern(EventPattern=json.dumps(pattern), Event=event)
    return bool(answer["Result"])


@pytest.mark.parametrize("preset", sorted(RECORDED))
def test_each_preset_matches_its_recorded_events_and_no_other(
    aws: SessionFactory, preset: str
) -> None:
    pattern = presets()[preset].build({})
    for name in sorted(p.name for p in EVENTS.glob("*.json")):
        assert _matches(aws, pattern, name) == (name in RECORDED[preset]), name


@pytest.mark.parametrize(
    ("preset", "options", "event", "expected"),
    [
        ("guardduty-finding", {"min_severity": 8}, "guardduty_finding.json", True),
        ("guardduty-finding", {"min_severity": 8.5}, "guardduty_finding.json", False),
        ("health-event", {"services": ["EC2", "RDS"]}, "health_event.json", True),
        ("health-event", {"services": ["RDS"]}, "health_event.json", False),
        ("securityhub-finding", {"labels": ["CRITICAL"]}, "securityhub_finding.json", False),
        ("ecs-deployment-failure", {"clusters": ["default"]}, "ecs_deployment_failed.json", True),
        ("ecs-deployment-failure", {"clusters": ["prod"]}, "ecs_deployment_failed.json", False),
        ("ecs-task-stopped", {"clusters": ["FargateCluster"]}, "ecs_task_stopped.json", True),
        ("autoscaling-failure", {"groups": ["web"]}, "autoscaling_launch_unsuccessful.json", False),
        ("backup-failure", {"vaults": ["Default"]}, "backup_job_failed.json", True),
    ],
)
def test_options_narrow_a_preset(
    aws: SessionFactory, preset: str, options: dict[str, object], event: str, expected: bool
) -> None:
    assert _matches(aws, presets()[preset].build(options), event) is expected


def test_a_task_that_exited_zero_does_not_match(aws: SessionFactory) -> None:
    event = json.loads((EVENTS / "ecs_task_stopped.json").read_text())
    event["detail"]["containers"][0]["exitCode"] = 0
    answer = aws.client("events").test_event_pattern(
        EventPattern=json.dumps(presets()["ecs-task-stopped"].build({})), Event=json.dumps(event)
    )
    assert answer["Result"] is False


def test_put_rule_refuses_what_eventbridge_refuses(aws: SessionFactory) -> None:
    events = aws.client("events")
    with pytest.raises(ClientError, match="ValidationException"):
        events.put_rule(Name="x" * 65, EventPattern='{"source":["aws.ecs"]}')
    with pytest.raises(ClientError, match="ValidationException"):
        events.put_rule(Name="a rule", EventPattern='{"source":["aws.ecs"]}')
    with pytest.raises(ClientError, match="InvalidEventPattern"):
        events.put_rule(Name="bad", EventPattern='{"source":[{"prefixx":"aws."}]}')
    with pytest.raises(ClientError, match="InvalidEventPattern"):
        events.put_rule(Name="bad", EventPattern='{"detail":{"severity":[{"numeric":[">=","7"]}]}}')
    with pytest.raises(ClientError, match="ValidationException"):
        events.put_rule(Name="big", EventPattern=json.dumps({"source": ["a" * 4100]}))
    with pytest.raises(ClientError, match="ValidationException"):
        events.put_rule(Name="long", EventPattern='{"source":["a"]}', Description="d" * 513)
    assert events.list_rules()["Rules"] == []
    events.put_rule(Name="x" * 64, EventPattern='{"source":["aws.ecs"]}')
    assert [r["Name"] for r in events.list_rules()["Rules"]] == ["x" * 64]


def test_rules_and_targets_page(aws: SessionFactory) -> None:
    events = aws.client("events")
    for i in range(5):
        events.put_rule(Name=f"shop-r{i}", EventPattern='{"source":["aws.ecs"]}')
    events.put_rule(Name="other-r", EventPattern='{"source":["aws.ecs"]}')
    targets = [{"Id": f"t{i}", "Arn": f"arn:aws:sns:us-east-1:123456789012:t{i}"} for i in range(3)]
    events.put_targets(Rule="shop-r0", Targets=targets)
    pages = events.get_paginator("list_rules").paginate(
        NamePrefix="shop-", PaginationConfig={"PageSize": 2}
    )
    sizes = [len(page["Rules"]) for page in pages]
    assert sizes == [2, 2, 1]
    pages = events.get_paginator("list_targets_by_rule").paginate(
        Rule="shop-r0", PaginationConfig={"PageSize": 1}
    )
    assert [t["Id"] for page in pages for t in page["Targets"]] == ["t0", "t1", "t2"]


def test_the_tagging_api_answers_for_rules(aws: SessionFactory) -> None:
    events = aws.client("events")
    tagged = events.put_rule(
        Name="shop-tagged",
        EventPattern='{"source":["aws.ecs"]}',
        Tags=[{"Key": "sentinel:project", "Value": "shop"}],
    )["RuleArn"]
    untagged = events.put_rule(Name="shop-untagged", EventPattern='{"source":["aws.ecs"]}')[
        "RuleArn"
    ]
    later = events.put_rule(Name="shop-later", EventPattern='{"source":["aws.ecs"]}')["RuleArn"]
    events.tag_resource(ResourceARN=later, Tags=[{"Key": "sentinel:project", "Value": "other"}])
    answer = aws.client("resourcegroupstaggingapi").get_resources(
        ResourceARNList=[tagged, untagged, later]
    )
    found = {
        m["ResourceARN"]: {t["Key"]: t["Value"] for t in m["Tags"]}
        for m in answer["ResourceTagMappingList"]
    }
    assert found == {
        tagged: {"sentinel:project": "shop"},
        later: {"sentinel:project": "other"},
    }
    listed = aws.client("resourcegroupstaggingapi").get_resources(
        ResourceTypeFilters=["events:rule"]
    )["ResourceTagMappingList"]
    assert sorted(m["ResourceARN"] for m in listed) == sorted([tagged, later])
