"""A small project for router tests: its config files, and CloudWatch messages to publish."""

from __future__ import annotations

import json
from copy import deepcopy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sentinel.routing.messages import cloudwatch_time

FIXTURES = Path(__file__).parent.parent / "fixtures" / "messages"
ACCOUNT = "123456789012"
REGION = "us-east-1"

SENTINEL_YAML = """\
project: shop
regions: [us-east-1]
timezone: America/New_York
"""

ROUTING_YAML = """\
severities:
  critical:
    page: true
    escalate_after: 15m
    notify:
      - pagerduty: {integration_key: env:TEST_PD_KEY}
      - slack: {channel: "#incidents", token: env:TEST_SLACK_TOKEN}
  high:
    page: true
    notify:
      - pagerduty: {integration_key: env:TEST_PD_KEY}
      - slack: {channel: "#incidents", token: env:TEST_SLACK_TOKEN}
  medium:
    notify:
      - pagerduty: {integration_key: env:TEST_PD_KEY}
      - slack: {channel: "#alerts", token: env:TEST_SLACK_TOKEN}
    quiet_hours: {start: "22:00", end: "07:00", timezone: America/New_York}
  low:
    ok_actions: false
    notify:
      - pagerduty: {integration_key: env:TEST_PD_KEY}
      - slack: {channel: "#alerts", token: env:TEST_SLACK_TOKEN}
      - email: team@shop.example
      - sqs: arn:aws:sqs:us-east-1:123456789012:shop-archive
    quiet_hours: {start: "20:00", end: "08:00"}
oncall:
  timezone: Europe/London
  rotation: weekly
  handoff: Monday 09:00
  start: 2026-01-05
  members:
    - {name: Ana Lima, email: ana@shop.example, slack: U0ANA}
    - {name: Bo Chen, email: bo@shop.example, slack: U0BO}
    - {name: Cy Diaz, email: cy@shop.example, slack: U0CY}
  overrides:
    - {start: "2026-12-24T09:00:00+00:00", end: "2026-12-27T09:00:00+00:00", member: Cy Diaz}
  escalation: {contact: Duty Manager, email: manager@shop.example, after: 30m}
router:
  max_receives: 5
  group_wait: 1m
  digest_at: "08:30"
maintenance:
  - name: db-upgrade
    alarms: ["db-*"]
    start: "2026-03-10T01:00:00+00:00"
    end: "2026-03-10T03:00:00+00:00"
    reason: PostgreSQL 16 upgrade
"""

ALARMS_YAML = """\
alarms:
  - name: rds-cpu-high
    severity: critical
    runbook: https://wiki.shop.example/runbooks/rds-cpu
    description: RDS CPU above 90% for 5 minutes
    namespace: AWS/RDS
    metric: CPUUtilization
    dimensions: {DBInstanceIdentifier: shop-db}
    statistic: Average
    condition: "> 90"
    period: 1m
    for: 5m
  - name: api-error-rate
    severity: critical
    expression: "100 * errors / MAX([requests, 1])"
    metrics:
      errors:
        namespace: AWS/ApplicationELB
        metric: HTTPCode_Target_5XX_Count
        dimensions: {LoadBalancer: app/shop/1}
        stat: Sum
      requests:
        namespace: AWS/ApplicationELB
        metric: RequestCount
        dimensions: {LoadBalancer: app/shop/1}
        stat: Sum
    condition: "> 5"
    period: 1m
  - name: api-latency-high
    severity: high
    namespace: AWS/ApplicationELB
    metric: TargetResponseTime
    dimensions: {LoadBalancer: app/shop/1}
    statistic: p95
    condition: "> 2"
    period: 1m
  - name: db-replica-lag
    severity: high
    namespace: AWS/RDS
    metric: ReplicaLag
    dimensions: {DBInstanceIdentifier: shop-db-replica}
    statistic: Maximum
    condition: "> 30"
    period: 1m
  - name: queue-backlog
    severity: medium
    namespace: AWS/SQS
    metric: ApproximateNumberOfMessagesVisible
    dimensions: {QueueName: shop-jobs}
    statistic: Maximum
    condition: ">= 1000"
    period: 5m
  - name: disk-low
    severity: low
    namespace: CWAgent
    metric: disk_used_percent
    dimensions: {path: /}
    statistic: Maximum
    condition: "> 80"
    period: 5m
composites:
  - name: backend-degraded
    severity: high
    rule: ALARM(api-error-rate) AND ALARM(api-latency-high)
"""

BUDGETS_YAML = """\
budgets:
  - name: monthly-total
    amount: 2500 USD
    alerts: [80%, 100%]
    notify: [medium]
"""

DASHBOARDS_YAML = """\
dashboards:
  - name: operations
    rows:
      - widgets:
          - {type: alarms, title: Critical, severity: critical}
"""


def write_project(root: Path, routing: str = ROUTING_YAML) -> Path:
    (root / "alarms").mkdir(parents=True, exist_ok=True)
    (root / "budgets").mkdir(exist_ok=True)
    (root / "dashboards").mkdir(exist_ok=True)
    (root / "sentinel.yaml").write_text(SENTINEL_YAML)
    (root / "alarms" / "routing.yaml").write_text(routing)
    (root / "alarms" / "rules.yaml").write_text(ALARMS_YAML)
    (root / "budgets" / "budgets.yaml").write_text(BUDGETS_YAML)
    (root / "dashboards" / "operations.yaml").write_text(DASHBOARDS_YAML)
    return root


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def topic_arn(severity: str, project: str = "shop") -> str:
    return f"arn:aws:sns:{REGION}:{ACCOUNT}:{project}-{severity}"


def stamp(moment: datetime) -> str:
    """A StateChangeTime as CloudWatch writes it: milliseconds and a ``+0000`` offset."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{moment.microsecond // 1000:03d}+0000"
    )


def metric_alarm(
    rule: str,
    severity: str,
    state: str,
    at: datetime,
    previous: str | None = None,
    resource: str | None = None,
    reason: str | None = None,
    template: str = "raw_metric_alarm.json",
) -> dict[str, Any]:
    """A CloudWatch alarm message for ``shop-<rule>[-<resource>]`` from a recorded one."""
    recorded = fixture(template)
    message = deepcopy(json.loads(recorded["Message"]) if "Message" in recorded else recorded)
    name = f"shop-{rule}" + (f"-{resource}" if resource else "")
    topic = topic_arn(severity)
    message.update(
        AlarmName=name,
        AlarmArn=f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}",
        NewStateValue=state,
        OldStateValue=previous or ("OK" if state == "ALARM" else "ALARM"),
        StateChangeTime=cloudwatch_time(at),
        AlarmActions=[topic],
        OKActions=[topic],
    )
    message["NewStateReason"] = reason or f"Threshold Crossed: {name} is {state}"
    return message
